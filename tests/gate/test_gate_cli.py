"""`auditor gate` end to end (in-process): every exit code, the summary line, and the outputs
(SARIF validated against a SARIF 2.1.0 schema, JUnit, Markdown, results.json)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from .conftest import CLEAN, FIXTURES, INSECURE, gate

SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-2.1.0-subset.schema.json").read_text())


def _sarif(out: Path) -> dict:
    doc = json.loads((out / "results.sarif").read_text())
    jsonschema.validate(doc, SARIF_SCHEMA)
    return doc


def test_an_insecure_plan_fails_with_every_output_written(tmp_path: Path, in_repo: Path) -> None:
    code, stdout, stderr = gate("--plan", str(INSECURE), "--out", str(tmp_path))
    assert code == 1
    assert stdout == ""
    line = stderr.strip().splitlines()[-1]
    assert (
        line.startswith("gate FAILED: 17 failing (6 critical, 11 high)")
        and "33 new" in line
        and "0 waived" in line
    )
    for name in ("results.json", "results.sarif", "junit.xml", "summary.md", "report.html"):
        assert (tmp_path / name).is_file(), name
    sarif = _sarif(tmp_path)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["aws.ec2.sg_ssh_open"]["properties"]["security-severity"] == "8.0"
    assert "Remediation" in rules["aws.ec2.sg_ssh_open"]["help"]["text"]
    ssh = [r for r in run["results"] if r["ruleId"] == "aws.ec2.sg_ssh_open"]
    phys = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in ssh}
    assert phys == {"fixtures/terraform/insecure/main.tf", "fixtures/terraform/insecure/modules/web/main.tf"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in ssh)
    assert all(
        r["partialFingerprints"]["auditorFindingKey/v1"].startswith("aws.ec2.sg_ssh_open/") for r in ssh
    )
    assert "baselineState" not in ssh[0]  # no baseline given
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["audit_trail"][-1]["stage"] == "gate" and results["audit_trail"][-1]["action"] == "failed"
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    cases = junit.findall(".//testcase")
    assert len(cases) == len(results["findings"])  # one per check x resource
    assert int(junit.get("failures", "0")) == results["summary"]["findings"]["fail"]
    summary = (tmp_path / "summary.md").read_text()
    assert "❌" in summary and "`aws.ec2.sg_ssh_open`" in summary


def test_a_clean_plan_passes(tmp_path: Path, in_repo: Path) -> None:
    code, _, stderr = gate("--plan", str(CLEAN), "--out", str(tmp_path))
    assert code == 0, stderr
    assert stderr.strip().endswith("gate passed: 0 failing (none); 0 new; 0 waived")
    _sarif(tmp_path)
    assert "✅" in (tmp_path / "summary.md").read_text()


def test_the_threshold_decides(tmp_path: Path, in_repo: Path) -> None:
    teams_a = FIXTURES / "teams/a/plan.json"  # one high failure: SSH open
    assert gate("--plan", str(teams_a), "--out", str(tmp_path / "h"))[0] == 1
    code, _, stderr = gate("--plan", str(teams_a), "--fail-on", "critical", "--out", str(tmp_path / "c"))
    assert code == 0, stderr
    assert "1 below the threshold" in stderr


def test_errors_fail_unless_allowed(tmp_path: Path, in_repo: Path) -> None:
    plan = json.loads(CLEAN.read_text())
    for rc in plan["resource_changes"]:  # the volume's encryption now depends on the account
        if rc["address"] == "aws_ebs_volume.data":
            rc["change"]["after"].pop("encrypted")
            rc["change"]["after_unknown"]["encrypted"] = True
    for r in plan["planned_values"]["root_module"]["resources"]:
        if r["address"] == "aws_ebs_volume.data":
            r["values"].pop("encrypted")
    for r in plan["configuration"]["root_module"]["resources"]:
        if r["address"] == "aws_ebs_volume.data":
            r["expressions"].pop("encrypted")
    unknown = FIXTURES / "clean" / "unknown-plan.json"
    unknown.write_text(json.dumps(plan))
    try:
        code, _, stderr = gate("--plan", str(unknown), "--out", str(tmp_path / "e"))
        assert code == 1 and "1 error(s)" in stderr
        code, _, stderr = gate("--plan", str(unknown), "--allow-errors", "--out", str(tmp_path / "a"))
        assert code == 0 and "1 error(s) allowed" in stderr
        sarif = _sarif(tmp_path / "a")
        open_results = [r for r in sarif["runs"][0]["results"] if r["kind"] == "open"]
        assert [r["ruleId"] for r in open_results] == ["aws.ec2.volume_encrypted"]
    finally:
        unknown.unlink()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{", "not valid JSON"),
        (b'{"format_version": "1.0", "values": {}}', "state file"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_a_malformed_plan_exits_2_naming_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    bad = tmp_path / "broken-plan.json"
    bad.write_bytes(content)
    code, _, stderr = gate("--plan", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "broken-plan.json" in stderr and problem in stderr


def test_a_missing_plan_and_no_input_exit_2(tmp_path: Path) -> None:
    code, _, stderr = gate("--plan", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o"))
    assert code == 2 and "nope.json" in stderr and "no such plan file" in stderr
    code, _, stderr = gate("--out", str(tmp_path / "o"))
    assert code == 2 and "--plan" in stderr
    code, _, stderr = gate("--plan", str(CLEAN))
    assert code == 2 and "--out" in stderr


def test_malformed_manifests_exit_2_naming_the_file(tmp_path: Path, in_repo: Path) -> None:
    bad = tmp_path / "deploy.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a\n  spec: [\n")
    code, _, stderr = gate("--manifests", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "deploy.yaml" in stderr and "YAML" in stderr
    code, _, stderr = gate("--manifests", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert code == 2 and "missing" in stderr


def test_manifests_are_judged_with_the_k8s_checks_and_their_locations(tmp_path: Path, in_repo: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: shop}\n"
        "spec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    securityContext: {privileged: true}\n"
    )
    code, _, stderr = gate("--manifests", str(pod), "--plan", str(CLEAN), "--out", str(tmp_path / "o"))
    assert code == 1, stderr
    results = json.loads((tmp_path / "o/results.json").read_text())
    k8s = [f for f in results["findings"] if f["provider"] == "k8s" and f["status"] == "fail"]
    assert k8s and all(f["location"]["file"].endswith("pod.yaml") for f in k8s)
    sarif = _sarif(tmp_path / "o")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert any(u.endswith("pod.yaml") for u in uris)


def _waivers(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return path


def test_waived_failures_stay_fail_and_do_not_fail_the_gate(tmp_path: Path, in_repo: Path) -> None:
    until = (date.today() + timedelta(days=30)).isoformat()
    waivers = _waivers(
        tmp_path,
        f"""waivers:
  - check: aws.ec2.sg_ssh_open
    resource: aws_security_group.web
    reason: Bastion during the migration
    approver: security@example.com
    expires: {until}
    ticket: SEC-1
  - check: aws.s3.*
    resource: "*nothing-matches*"
    reason: left over
    approver: someone
    expires: {until}
""",
    )
    teams_a = FIXTURES / "teams/a/plan.json"
    code, _, stderr = gate("--plan", str(teams_a), "--waivers", str(waivers), "--out", str(tmp_path / "o"))
    assert code == 0, stderr
    assert "1 waived" in stderr and "1 stale waiver(s)" in stderr
    results = json.loads((tmp_path / "o/results.json").read_text())
    ssh = next(f for f in results["findings"] if f["check_id"] == "aws.ec2.sg_ssh_open")
    assert ssh["status"] == "fail"
    assert ssh["waiver"]["approver"] == "security@example.com" and ssh["waiver"]["ticket"] == "SEC-1"
    actions = {(t["stage"], t["action"]) for t in results["audit_trail"]}
    assert {("waivers", "waived"), ("waivers", "stale")} <= actions
    summary = next(
        s for c in results["controls"] for s in c["checks"] if s["check_id"] == "aws.ec2.sg_ssh_open"
    )
    assert summary["status"] == "fail" and summary["counts"]["waived"] == 1
    sarif = _sarif(tmp_path / "o")
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "aws.ec2.sg_ssh_open")
    assert result["suppressions"][0]["status"] == "accepted"
    assert "Bastion during the migration" in result["suppressions"][0]["justification"]


@pytest.mark.parametrize(
    ("entry", "where", "problem"),
    [
        (
            "{check: a, resource: b, reason: r, approver: p, expires: 2026-12-31, colour: red}",
            "waivers[0].colour",
            "Extra inputs",
        ),
        ("{check: a, resource: b, approver: p, expires: 2026-12-31}", "waivers[0].reason", "Field required"),
        ("{check: a, resource: b, reason: r, expires: 2026-12-31}", "waivers[0].approver", "Field required"),
        (
            "{check: a, resource: b, reason: r, approver: p, expires: next tuesday}",
            "waivers[0].expires",
            "ISO date",
        ),
        (
            "{check: a, resource: b, reason: r, approver: p, expires: 2026-02-30}",
            "waivers[0].expires",
            "ISO date",
        ),
        (
            "{check: a, resource: b, reason: ' ', approver: p, expires: 2026-12-31}",
            "waivers[0].reason",
            "empty",
        ),
        (
            "{check: a, resource: b, reason: r, approver: p, expires: 2099-01-01}",
            "waivers[0].expires",
            "more than 90 days",
        ),
    ],
)
def test_an_invalid_waiver_exits_2_naming_the_file_and_entry(
    tmp_path: Path, in_repo: Path, entry: str, where: str, problem: str
) -> None:
    waivers = _waivers(tmp_path, f"waivers:\n  - {entry}\n")
    code, _, stderr = gate("--plan", str(CLEAN), "--waivers", str(waivers), "--out", str(tmp_path / "o"))
    assert code == 2, stderr
    assert "waivers.yaml" in stderr and where in stderr and problem in stderr


def test_baseline_new_unchanged_absent_and_another_folder_fails(tmp_path: Path, in_repo: Path) -> None:
    a, b = FIXTURES / "teams/a/plan.json", FIXTURES / "teams/b/plan.json"
    base = tmp_path / "baseline.json"
    code, _, _ = gate("--plan", str(a), "--write-baseline", str(base), "--out", str(tmp_path / "first"))
    assert code == 1 and json.loads(base.read_text())["baseline_version"] == 1
    # the same plan against its own baseline: nothing new
    code, _, stderr = gate("--plan", str(a), "--baseline", str(base), "--out", str(tmp_path / "same"))
    assert code == 0, stderr
    assert "0 new" in stderr and "1 unchanged" in stderr
    # team b's folder declares a group of the same name: new, and it fails
    code, _, stderr = gate(
        "--plan", str(a), "--plan", str(b), "--baseline", str(base), "--out", str(tmp_path / "both")
    )
    assert code == 1, stderr
    sarif = _sarif(tmp_path / "both")
    states = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["baselineState"])
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "aws.ec2.sg_ssh_open"
    }
    assert states == {
        ("fixtures/terraform/teams/a/main.tf", "unchanged"),
        ("fixtures/terraform/teams/b/main.tf", "new"),
    }
    # an earlier results.json is a baseline too; team a's failure is gone when only b is planned
    code, _, stderr = gate(
        "--plan", str(b), "--baseline", str(tmp_path / "first/results.json"), "--out", str(tmp_path / "b")
    )
    assert code == 1
    results = json.loads((tmp_path / "b/results.json").read_text())
    absent = [t for t in results["audit_trail"] if t["action"] == "absent"]
    assert [t["check_id"] for t in absent] == ["aws.ec2.sg_ssh_open"]
    assert "teams/a/main.tf" in absent[0]["reason"]
    assert any(r.get("baselineState") == "absent" for r in _sarif(tmp_path / "b")["runs"][0]["results"])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{", "not valid JSON"),
        (b'{"something": 1}', "not a baseline"),
        (b'{"baseline_version": 9, "failures": []}', "unsupported baseline_version"),
        (b'{"baseline_version": 1, "failures": [{"check_id": "x"}]}', "failures[0].key"),
    ],
)
def test_an_invalid_baseline_exits_2(tmp_path: Path, content: bytes, problem: str) -> None:
    bad = tmp_path / "base.json"
    bad.write_bytes(content)
    code, _, stderr = gate("--plan", str(CLEAN), "--baseline", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "base.json" in stderr and problem in stderr
