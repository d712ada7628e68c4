"""Check selection, deliberate exclusions and declared parameters, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.checks import (
    CheckContext,
    CheckSet,
    Registry,
    Verdict,
    failed,
    load_registry,
    param,
    passed,
    validate_params,
)
from auditor.cli import main
from auditor.engine import assess, rollup
from auditor.errors import ConfigError, UsageError
from auditor.models import (
    CollectionExclusion,
    Control,
    ControlStatus,
    Framework,
    Location,
    Resource,
    Snapshot,
)
from auditor.selection import CheckSelection

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"

cs = CheckSet("t")


@cs.check(id="t.box.big", title="boxes are big", severity="high", resource_types=["t.box"], rationale="r", remediation="m",
          params=[param("t.min_size", "integer", 3, "smallest size that passes")])  # fmt: skip
def big(r: Resource, ctx: CheckContext) -> Verdict:
    return passed("big") if r.attributes["size"] >= ctx.param("t.min_size") else failed("small")


@cs.check(id="t.secret.rotated", title="secrets rotate", severity="low", resource_types=["t.secret"], rationale="r",
          remediation="m")  # fmt: skip
def rotated(r: Resource, ctx: CheckContext) -> Verdict:
    return passed("rotated")


REG = Registry(cs)
BOXES = [Resource(provider="t", type="t.box", id=f"b{n}", attributes={"size": n}, location=Location(account="a"))
         for n in (1, 5)]  # fmt: skip


def test_parameters_take_declared_defaults_and_validated_values() -> None:
    ev = assess(Snapshot(resources=BOXES), REG)
    assert {f.resource_id: f.status.value for f in ev.findings} == {"b1": "fail", "b5": "pass"}
    params = validate_params({"t.min_size": 6}, REG)
    ev = assess(Snapshot(resources=BOXES), REG, params=params)
    assert {f.status.value for f in ev.findings} == {"fail"}
    with pytest.raises(
        ConfigError, match=r"params\.t\.min_sise: unknown parameter; did you mean t\.min_size\?"
    ):
        validate_params({"t.min_sise": 6}, REG, "audit.yaml")
    with pytest.raises(ConfigError, match=r"params\.t\.min_size: expected integer, got str '6'"):
        validate_params({"t.min_size": "6"}, REG, "audit.yaml")


def test_selection_excludes_with_reasons_and_never_passes_a_control() -> None:
    sel = CheckSelection.of(exclude=["t.secret.*"])
    ev = assess(Snapshot(resources=BOXES), REG, selection=sel)
    assert {f.check_id for f in ev.findings} == {"t.box.big"}
    (x,) = ev.exclusions
    assert (x.check_id, x.origin, x.reason) == (
        "t.secret.rotated",
        "selection",
        "skipped by --skip-checks t.secret.*",
    )
    assert ev.trail[0].action == "excluded"
    lib = _library(("t.secret.rotated",), ("t.box.big",))
    controls = rollup(lib, ev.findings, REG, [Framework.SOC2], ev.exclusions)
    by_id = {c.control_id: c for c in controls}
    assert by_id["C1"].status == ControlStatus.EXCLUDED and by_id["C1"].excluded_checks == (
        "t.secret.rotated",
    )
    assert by_id["C2"].status == ControlStatus.FAIL  # a failure still wins over an exclusion
    sev = CheckSelection.of(min_severity="high").split(REG)[1]
    assert sev == {"t.secret.rotated": "severity low is below --min-severity high"}
    with pytest.raises(UsageError, match=r"no check matches 't\.nope'"):
        CheckSelection.of(include=["t.nope"]).validate(REG)


def test_collection_exclusions_are_scoped_and_are_not_errors() -> None:
    snap = Snapshot(
        resources=BOXES,
        exclusions=[
            CollectionExclusion(
                provider="t", scope=Location(account="a"), resource_types=("t.secret",), reason="by design"
            )
        ],
    )
    ev = assess(snap, REG)
    (x,) = ev.exclusions
    assert (x.check_id, x.origin, x.scope) == ("t.secret.rotated", "collection", Location(account="a"))
    assert not snap.errors


def test_a_collection_exclusion_no_check_reads_is_still_listed() -> None:
    unread = CollectionExclusion(
        provider="t", scope=Location(account="a"), resource_types=("t.widget",), reason="3 widgets not read"
    )
    ev = assess(Snapshot(resources=BOXES, exclusions=[unread]), REG)
    (x,) = ev.exclusions
    assert (x.check_id, x.origin, x.reason) == ("*", "collection", "3 widgets not read")
    assert {f.resource_id for f in ev.findings} == {"b1", "b5"}, "no finding is dropped for it"


def _library(*mapped: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from auditor.catalog import Library

    controls = {
        (Framework.SOC2, f"C{i}"): Control(
            framework=Framework.SOC2,
            id=f"C{i}",
            title="c",
            group="g",
            objective="o" * 10,
            automation="auto",
            evidence_request="e" * 10,
            checks=checks,
        )
        for i, checks in enumerate(mapped, 1)
    }
    return Library({}, controls, {}, {}, ())


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_cli_skip_checks_reports_exclusions_and_keeps_exit_code(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, _, err = run("scan", "--from-snapshot", str(DEMO / "vault.json.gz"), "--skip-checks", "vault.audit.*",
                       "--out", str(out))  # fmt: skip
    data = json.loads((out / "results.json").read_text())
    skipped = {x["check_id"] for x in data["exclusions"]}
    assert skipped and all(c.startswith("vault.audit.") for c in skipped)
    assert not any(f["check_id"] in skipped for f in data["findings"])
    assert "excluded on purpose" in err
    baseline, _, _ = run("scan", "--from-snapshot", str(DEMO / "vault.json.gz"), "--out", str(tmp_path / "b"))
    assert code == baseline  # exclusions alone never change the exit code
    assert "Not evaluated on purpose" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--checks", "vault.nope*"], "no check matches 'vault.nope*'"),
        (["--min-severity", "urgent"], "Invalid value for '--min-severity'"),
    ],
)
def test_cli_bad_selection_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = run("scan", "--from-snapshot", str(DEMO / "vault.json.gz"), *args, "--out", str(tmp_path))
    assert code == 2 and message in err


def test_cli_params_file_and_config_params_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_text("vault.token.max_ttl_hour: 24\n")
    code, _, err = run("scan", "--from-snapshot", str(DEMO / "vault.json.gz"), "--params", str(bad), "--out",
                       str(tmp_path / "o"))  # fmt: skip
    assert (
        code == 2
        and "vault.token.max_ttl_hour: unknown parameter; did you mean vault.token.max_ttl_hours?" in err
    )
    assert f"{bad}: vault.token.max_ttl_hour:" in err.replace("\n", ""), "the key itself, no leading dot"
    cfg = tmp_path / "audit.yaml"
    cfg.write_text("targets: [{provider: vault}]\nparams: {vault.kv.max_versions: many}\n")
    code, _, err = run("scan", "--config", str(cfg), "--out", str(tmp_path / "o2"))
    assert code == 2 and "params.vault.kv.max_versions: expected integer, got str 'many'" in err


def test_checks_commands_show_metadata_reads_params_and_controls() -> None:
    code, out, _ = run("checks", "show", "aws.iam.user_access_key_age")
    assert code == 0
    assert "aws.iam.access_key_max_age_days (number, default 90)" in out
    assert "aws.iam.user.access_keys" in out and "iso27001:" in out
    code, out, _ = run("checks", "list", "--provider", "vault", "--format", "json")
    assert code == 0 and {c["provider"] for c in json.loads(out)} == {"vault"}
    code, out, _ = run("checks", "params", "--format", "json")
    names = {p["name"] for p in json.loads(out)}
    assert names == set(load_registry().params())
    assert run("checks", "show", "aws.nope")[0] == 2


def test_results_record_the_parameters_in_effect(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("vault.kv.max_versions: 5\n")
    out = tmp_path / "o"
    run("scan", "--from-snapshot", str(DEMO / "vault.json.gz"), "--params", str(params), "--out", str(out))
    scan = json.loads((out / "results.json").read_text())["scan"]
    assert scan["params"]["vault.kv.max_versions"] == 5 and scan["params_set"] == ["vault.kv.max_versions"]
    assert scan["params"]["vault.token.max_ttl_hours"] == 720  # a default, recorded too
    assert not any(name.startswith("aws.") for name in scan["params"])  # only checks that ran
    assert "vault.kv.max_versions" in (out / "report.html").read_text()


def test_a_snapshot_is_re_evaluated_with_a_configs_thresholds_and_selection(tmp_path: Path) -> None:
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(
        "targets: [{provider: vault, options: {addr: 'https://vault.invalid:8200'}}]\n"
        "params: {vault.kv.max_versions: 5}\nskip_checks: ['vault.audit.*']\nformats: [json]\n"
        f"store: sqlite:///{tmp_path / 'history.db'}\n"
    )
    out = tmp_path / "o"
    code, _, err = run(
        "scan", "--config", str(cfg), "--from-snapshot", str(DEMO / "vault.json.gz"), "--out", str(out)
    )
    data = json.loads((out / "results.json").read_text())
    assert "its targets are not scanned" in err and code in (0, 3)
    # the job's store is named as not written: a re-evaluation is not a new scan in its history
    assert "store and metrics are not written" in err and not (tmp_path / "history.db").exists()
    assert data["scan"]["params_set"] == ["vault.kv.max_versions"]
    assert {x["check_id"] for x in data["exclusions"]} >= {"vault.audit.device_enabled"}
    assert not (out / "report.html").exists()  # the config's formats
