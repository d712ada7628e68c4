"""The CLI end to end (in-process): outputs, exit codes, clean stdout, named errors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from auditor.checks import load_registry
from auditor.cli import main
from auditor.evidence import SnapshotBuilder
from auditor.models import CollectionError, Location, Resource, Target
from auditor.results import results_json_schema
from auditor.snapshot import save_snapshot

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "src" / "auditor" / "schemas" / "results.schema.json"
XSS = "<script>alert(1)</script>"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    code, stdout, _ = run("demo", "--out", str(out))
    assert code == 0
    assert "report.html" in stdout
    return out


def _snapshot_with(tmp_path: Path, *, errors: bool, name: str = "thing") -> Path:
    """A resource of a registered check's type with no attributes: that check reports error."""
    check = next(iter(load_registry()))
    b = SnapshotBuilder()
    b.add_target(Target(provider=check.meta.provider, label="t"))
    b.add_resource(
        Resource(
            provider=check.meta.provider,
            type=check.meta.resource_types[0],
            id=name,
            name=name,
            location=Location(account="a", region="r"),
        )
    )
    if errors:
        b.add_error(
            CollectionError(provider=check.meta.provider, operation="svc.List", message="AccessDenied")
        )
    return save_snapshot(b.build(), tmp_path / "snap.json")


def test_demo_writes_every_output(demo_out: Path) -> None:
    for name in ("report.html", "results.json", "findings.csv", "evidence/manifest.json"):
        assert (demo_out / name).is_file(), name


def test_results_json_has_the_documented_shape_and_validates(demo_out: Path) -> None:
    data = json.loads((demo_out / "results.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert data["schema_version"] == 1
    assert {"id", "started_at", "finished_at", "tool_version", "targets"} <= set(data["scan"])
    f = data["findings"][0]
    assert {
        "check_id",
        "status",
        "severity",
        "provider",
        "resource_type",
        "resource_id",
        "region",
        "message",
        "evidence",
    } <= set(f)
    c = data["controls"][0]
    assert c["framework"] in ("soc2", "hipaa", "iso27001") and {"control_id", "status", "checks"} <= set(c)
    assert "errors" in data


def test_shipped_results_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == results_json_schema(), "run: make schema"


def test_every_evidence_id_in_findings_is_in_the_manifest(demo_out: Path) -> None:
    data = json.loads((demo_out / "results.json").read_text())
    manifest = json.loads((demo_out / "evidence" / "manifest.json").read_text())
    known = {e["id"] for e in manifest["evidence"]}
    used = {ev for f in data["findings"] for ev in f["evidence"]}
    assert used and used <= known


def test_csv_has_a_row_per_finding(demo_out: Path) -> None:
    data = json.loads((demo_out / "results.json").read_text())
    with (demo_out / "findings.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(data["findings"])


def test_report_rerenders_from_saved_results(demo_out: Path, tmp_path: Path) -> None:
    (demo_out / "report.html").unlink()
    code, stdout, _ = run("report", str(demo_out), "--format", "html,csv")
    assert code == 0 and (demo_out / "report.html").is_file() and "report.html" in stdout


def test_report_on_missing_results_is_usage_error(tmp_path: Path) -> None:
    code, _, err = run("report", str(tmp_path))
    assert code == 2 and "results.json" in err


def test_html_escapes_hostile_resource_names(tmp_path: Path) -> None:
    snap = _snapshot_with(tmp_path, errors=False, name=XSS)
    out = tmp_path / "out"
    code, _, _ = run("scan", "--from-snapshot", str(snap), "--out", str(out), "-q")
    assert code == 3  # the check could not evaluate the empty resource
    html = (out / "report.html").read_text()
    assert XSS not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html  # escaped in the embedded data
    assert html.count("<script") == 2  # only the report's own data block and code


def test_report_is_self_contained(demo_out: Path) -> None:
    html = (demo_out / "report.html").read_text()
    # Resource ids may contain URLs as text; what must not exist is anything the browser would fetch.
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html)
    for needle in ("<link", "@import", "url(", "<iframe", "<object", "<embed"):
        assert needle not in html, needle
    assert "default-src 'none'" in html  # and the CSP forbids fetches anyway


def test_scan_with_collection_errors_exits_3_and_still_writes(tmp_path: Path) -> None:
    code, stdout, err = run(
        "scan", "--from-snapshot", str(_snapshot_with(tmp_path, errors=True)), "--out", str(tmp_path / "o")
    )
    assert code == 3 and (tmp_path / "o" / "results.json").is_file()
    assert stdout == "" and "collection error" in err


def test_quiet_scan_prints_nothing(tmp_path: Path) -> None:
    code, stdout, err = run(
        "scan",
        "--from-snapshot",
        str(_snapshot_with(tmp_path, errors=True)),
        "--out",
        str(tmp_path / "o"),
        "-q",
    )
    assert (code, stdout, err) == (3, "", "")


def test_clean_scan_exits_0(tmp_path: Path) -> None:
    b = SnapshotBuilder()
    b.add_target(Target(provider="aws", label="empty"))
    snap = save_snapshot(b.build(), tmp_path / "s.json")
    code, _, _ = run("scan", "--from-snapshot", str(snap), "--out", str(tmp_path / "o"), "-q")
    assert code == 0


def test_scan_without_source_is_usage_error() -> None:
    code, _, err = run("scan", "--out", "x")
    assert code == 2 and "provider" in err


def test_unknown_format_is_usage_error(tmp_path: Path) -> None:
    code, _, err = run(
        "scan",
        "--from-snapshot",
        str(_snapshot_with(tmp_path, errors=False)),
        "--out",
        str(tmp_path / "o"),
        "--format",
        "pdfx",
    )
    assert code == 2 and "pdf" in err


def test_bad_snapshot_is_named(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text("[]")
    code, _, err = run("scan", "--from-snapshot", str(p), "--out", str(tmp_path / "o"))
    assert code == 2 and "broken.json" in err


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("targets: [\n", "line"),
        ("targets:\n  - provider: nope\n", "targets[0].provider"),
        ("targets:\n  - provider: aws\n    options: {regions: 5}\n", "targets[0].options.regions"),
        ("targets:\n  - provider: aws\n    options: {bogus: 1}\n", "targets[0].options.bogus"),
        ("formats: [pdfx]\ntargets:\n  - provider: aws\n", "formats"),
        ("version: 2\ntargets:\n  - provider: aws\n", "version"),
        ("targets: []\n", "targets"),
    ],
)
def test_bad_config_names_file_and_entry(tmp_path: Path, text: str, expect: str) -> None:
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(text)
    code, _, err = run("scan", "--config", str(cfg), "--out", str(tmp_path / "o"))
    assert code == 2 and "audit.yaml" in err and expect in err, err


def test_coverage_json_lists_three_frameworks_with_complete_counts() -> None:
    code, stdout, _ = run("controls", "coverage", "--format", "json")
    assert code == 0
    rows = {r["framework"]: r for r in json.loads(stdout)["frameworks"]}
    assert {k: v["total"] for k, v in rows.items()} == {"soc2": 61, "hipaa": 65, "iso27001": 93}
    for r in rows.values():
        assert r["automated"] + r["manual"] == r["total"] and r["automated"] >= 1 and r["checks"]


def test_controls_show_and_list() -> None:
    code, stdout, _ = run("controls", "show", "CC6.1", "--format", "json")
    (c,) = json.loads(stdout)
    assert code == 0 and c["framework"] == "soc2" and c["checks"]
    code, stdout, _ = run("controls", "list", "--framework", "hipaa", "--format", "json")
    assert code == 0 and len(json.loads(stdout)) == 65
    code, _, err = run("controls", "show", "ZZ9")
    assert code == 2 and "ZZ9" in err


def test_controls_lint_is_clean() -> None:
    code, stdout, _ = run("controls", "lint", "--format", "json")
    assert code == 0 and json.loads(stdout) == {"ok": True, "problems": []}


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    from auditor.config import load_config
    from auditor.providers import discover_providers

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    example = (
        readme.split("A config file for scheduled jobs:", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    )
    (tmp_path / "audit.yaml").write_text(example)
    cfg, targets = load_config(tmp_path / "audit.yaml", discover_providers())
    assert [t.spec.name for t in targets] == ["aws", "k8s", "vault"] and cfg.params


def test_csv_cells_cannot_become_formulas(tmp_path: Path) -> None:
    snap = _snapshot_with(tmp_path, errors=False, name='=HYPERLINK("http://x")')
    out = tmp_path / "out"
    run("scan", "--from-snapshot", str(snap), "--out", str(out), "--format", "csv", "-q")
    with (out / "findings.csv").open(newline="") as fh:
        names = {r["resource_name"] for r in csv.DictReader(fh)}
    assert '\'=HYPERLINK("http://x")' in names and not any(n.startswith("=") for n in names)


def test_a_bug_is_exit_4_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.scan

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(auditor.scan, "evaluate_snapshot", boom)
    monkeypatch.delenv("AUDITOR_DEBUG", raising=False)
    code, _, err = run(
        "scan", "--from-snapshot", str(_snapshot_with(tmp_path, errors=False)), "--out", str(tmp_path / "o")
    )
    assert code == 4 and "internal error: RuntimeError: kaboom" in err


def test_lint_problems_with_brackets_print_verbatim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.cli.common
    import auditor.cli.controls

    problem = "controls/x.yaml: check [/bold] targets[0] [REDACTED]"
    for module in (auditor.cli.common, auditor.cli.controls):
        monkeypatch.setattr(module, "lint", lambda lib, reg: [problem])
    snap = str(_snapshot_with(tmp_path, errors=False))
    for args in (["controls", "lint"], ["scan", "--from-snapshot", snap, "--out", str(tmp_path / "o")]):
        code, _, err = run(*args)
        assert code == 2 and problem in err


def test_readme_check_example_runs_and_reads_declared_attributes() -> None:
    """The README's 'Writing a check' example is real code over the real contract."""
    from auditor.checks import CheckContext, Registry
    from auditor.contracts import load_contracts, undeclared_reads
    from auditor.models import Snapshot

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## Writing a check", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    import linecache

    name = "<README.md: Writing a check>"
    linecache.cache[name] = (len(code), None, code.splitlines(keepends=True), name)  # for inspect
    scope: dict[str, object] = {}
    exec(compile(code, name, "exec"), scope)
    (check,) = list(scope["checks"])  # type: ignore[call-overload]
    ctx = CheckContext(Snapshot())
    on = Resource(provider="aws", type="aws.s3.bucket", id="b", attributes={"versioning": "Enabled"})
    off = on.model_copy(update={"attributes": {"versioning": "Suspended"}})
    assert check.func(on, ctx).status.value == "pass"
    assert check.func(off, ctx).status.value == "fail"
    assert undeclared_reads(Registry([check]), load_contracts()) == []


def test_a_reader_that_goes_away_is_not_an_internal_error() -> None:
    """`auditor checks show ... | head`: stdout closes before auditor writes; that is exit 141
    (as shells report SIGPIPE), quietly, never exit 4."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "checks", "show", "aws.iam.user_access_key_age"],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    os.close(write)
    assert proc.returncode == 141, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
