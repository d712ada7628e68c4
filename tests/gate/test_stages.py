"""Waivers, baselines and the gate decision as library stages, judged at the snapshot's time."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from auditor.baseline import Baseline, BaselineEntry, BaselineStage, load_baseline
from auditor.errors import ConfigError
from auditor.gating import GatePolicy, decide_findings, severity_rank
from auditor.models import Finding, Severity, SourceLocation, Status
from auditor.providers import discover_providers
from auditor.scan import evaluate_snapshot
from auditor.stages import Evaluation, StageContext
from auditor.terraform import plan_snapshot
from auditor.waivers import WaiverStage, load_waivers, parse_waivers

from .conftest import FIXTURES

TEAM_A = FIXTURES / "teams/a/plan.json"


def _waiver(
    expires: str, check: str = "aws.ec2.sg_ssh_open", resource: str = "aws_security_group.web"
) -> list:
    return parse_waivers(
        {
            "waivers": [
                {"check": check, "resource": resource, "reason": "r", "approver": "a", "expires": expires}
            ]
        },
        "w.yaml",
    )


def _evaluate(at: datetime, waivers: list, in_repo: Path) -> tuple[list[Finding], list[str]]:
    snap = plan_snapshot([TEAM_A], discover_providers()).model_copy(update={"created_at": at})
    result = evaluate_snapshot(snap, stages=[WaiverStage(waivers)])
    ssh = [f for f in result.findings if f.check_id == "aws.ec2.sg_ssh_open"]
    return ssh, [t.action for t in result.audit_trail if t.stage == "waivers"]


def test_expiry_is_judged_at_the_snapshots_time_not_the_clock(in_repo: Path) -> None:
    taken = datetime(2025, 3, 1, 12, tzinfo=UTC)  # an old snapshot, re-evaluated today
    waivers = _waiver("2025-03-31")  # long expired by the clock, valid at the scan's time
    for _ in range(2):  # a re-evaluation gives the same answer
        ssh, actions = _evaluate(taken, waivers, in_repo)
        assert [f.status for f in ssh] == [Status.FAIL]  # a waived failure stays a failure
        assert ssh[0].waiver is not None and ssh[0].waiver.expires == date(2025, 3, 31)
        assert actions == ["waived"]
    ssh, actions = _evaluate(datetime(2025, 4, 1, tzinfo=UTC), waivers, in_repo)
    assert ssh[0].waiver is None and actions == ["expired"]  # expired: hides nothing, reported
    ssh, actions = _evaluate(datetime(2025, 3, 31, 23, 59, tzinfo=UTC), waivers, in_repo)
    assert ssh[0].waiver is not None  # valid through its expiry date


def test_the_horizon_is_judged_at_the_scans_time_and_is_a_parameter(in_repo: Path) -> None:
    taken = datetime(2025, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigError) as err:
        _evaluate(taken, _waiver("2025-06-01"), in_repo)  # 151 days ahead of the scan
    assert "waivers[0].expires" in str(err.value) and "2025-04-01" in str(err.value)
    snap = plan_snapshot([TEAM_A], discover_providers()).model_copy(update={"created_at": taken})
    result = evaluate_snapshot(snap, stages=[WaiverStage(_waiver("2025-06-01"), max_days=180)])
    assert any(f.waiver is not None for f in result.findings)


def test_waivers_match_by_glob_on_key_address_id_or_name(in_repo: Path) -> None:
    taken = datetime(2025, 1, 1, tzinfo=UTC)
    for resource in ("aws_security_group.*", "web", "aws.ec2.sg_ssh_open/*"):
        ssh, _ = _evaluate(taken, _waiver("2025-01-31", check="aws.ec2.*", resource=resource), in_repo)
        assert ssh[0].waiver is not None, resource
    ssh, actions = _evaluate(taken, _waiver("2025-01-31", resource="module.*"), in_repo)
    assert ssh[0].waiver is None and actions == ["stale"]


def _finding(sev: object, key_file: str = "a/main.tf", status: Status = Status.FAIL) -> Finding:
    loc = SourceLocation(file=key_file, start_line=3, address="aws_security_group.web")
    return Finding(
        "aws.ec2.sg_ssh_open", status, sev, "aws", "aws.ec2.security_group", "x", "m", location=loc
    )  # type: ignore[arg-type]


def test_an_unknown_severity_counts_as_critical() -> None:
    assert severity_rank("catastrophic") == Severity.CRITICAL.rank
    assert severity_rank(None) == Severity.CRITICAL.rank
    assert severity_rank(Severity.LOW) == Severity.LOW.rank
    decision = decide_findings([_finding("nonsense")], GatePolicy(fail_on=Severity.CRITICAL))
    assert not decision.passed and decision.failing_by_severity == {"critical": 1}


def test_the_decision_ignores_waived_and_unchanged_failures_and_counts_errors() -> None:
    policy = GatePolicy(fail_on=Severity.HIGH)
    waived = replace(_finding(Severity.HIGH), waiver=_waiver("2030-01-01")[0].ref())
    unchanged = replace(_finding(Severity.CRITICAL), baseline_state="unchanged")
    low = _finding(Severity.LOW)
    decision = decide_findings([waived, unchanged, low], policy)
    assert decision.passed and (decision.waived, decision.unchanged, decision.below_threshold) == (1, 1, 1)
    errored = decide_findings([_finding(Severity.LOW, status=Status.ERROR)], policy)
    assert not errored.passed and errored.errors == 1
    assert decide_findings([], policy, collection_errors=1).passed is False
    assert decide_findings([], GatePolicy(allow_errors=True), collection_errors=1).passed is True


def test_baseline_keys_include_the_path() -> None:
    a, b = _finding(Severity.HIGH, "teams/a/main.tf"), _finding(Severity.HIGH, "teams/b/main.tf")
    baseline = Baseline(
        "base.json",
        [BaselineEntry(key=a.key, check_id=a.check_id), BaselineEntry(key="gone/1", check_id="aws.x")],
    )
    out = BaselineStage(baseline).apply(
        Evaluation([a, b]), StageContext(registry=None, now=datetime.now(UTC))
    )  # type: ignore[arg-type]
    assert [f.baseline_state for f in out.findings] == ["unchanged", "new"]
    assert [(t.action, t.finding_key) for t in out.trail if t.action == "absent"] == [("absent", "gone/1")]


def test_auditor_scan_and_audit_yaml_honour_waivers(tmp_path: Path, in_repo: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main
    from auditor.snapshot import save_snapshot

    snap = plan_snapshot([TEAM_A], discover_providers())
    save_snapshot(snap, tmp_path / "snap.json")
    until = (snap.created_at.date()).isoformat()
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        f"waivers:\n- {{check: aws.ec2.sg_ssh_open, resource: '*', reason: known, approver: sec, expires: {until}}}\n"
    )
    r = CliRunner().invoke(
        main,
        [
            "scan",
            "--from-snapshot",
            str(tmp_path / "snap.json"),
            "--waivers",
            str(waivers),
            "--format",
            "json",
            "--out",
            str(tmp_path / "o"),
        ],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.stderr
    assert "1 failing finding(s) waived (still fail)" in r.stderr
    results = json.loads((tmp_path / "o/results.json").read_text())
    ssh = next(f for f in results["findings"] if f["check_id"] == "aws.ec2.sg_ssh_open")
    assert ssh["status"] == "fail" and ssh["waiver"]["reason"] == "known"
    config = tmp_path / "audit.yaml"
    config.write_text(
        "version: 1\ntargets:\n  - {provider: k8s, options: {manifests: [x]}}\n"
        "waivers:\n  - {check: k8s.*, resource: '*', reason: r, expires: 2030-01-01}\n"
    )
    r = CliRunner().invoke(main, ["scan", "--config", str(config), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2
    assert "audit.yaml" in r.stderr and "waivers[0].approver" in r.stderr
    config.write_text(  # an impossible date is that entry's problem, named as such
        "version: 1\ntargets:\n  - {provider: k8s, options: {manifests: [x]}}\n"
        "waivers:\n  - {check: k8s.*, resource: '*', reason: r, approver: a, expires: 2030-02-30}\n"
    )
    r = CliRunner().invoke(main, ["scan", "--config", str(config), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2 and "waivers[0].expires" in r.stderr and "2030-02-30" in r.stderr, r.stderr


def test_a_boolean_version_is_not_version_1(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text('{"baseline_version": true, "failures": []}')
    with pytest.raises(ConfigError, match="baseline_version"):
        load_baseline(base)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("version: true\nwaivers: []\n")
    with pytest.raises(ConfigError, match="version"):
        load_waivers(waivers)
