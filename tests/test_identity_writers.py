"""Finding identity that survives re-runs, and the output writer registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from auditor.cli import main
from auditor.config import AuditConfig
from auditor.models import Finding, Severity, SourceLocation, Status
from auditor.results import ScanInfo, ScanResult, read_results, write_results
from auditor.writers import format_names, writers


def finding(**kw: object) -> Finding:
    base: dict[str, object] = {
        "check_id": "aws.s3.bucket_versioning", "status": Status.FAIL, "severity": Severity.MEDIUM, "provider": "aws",
        "resource_type": "aws.s3.bucket", "resource_id": "arn:aws:s3:::logs", "message": "off",
        "account": "111111111111", "region": "eu-west-1",
    }  # fmt: skip
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_key_names_the_judged_thing_not_the_verdict_or_its_wording() -> None:
    a = finding()
    assert a.key == finding(status=Status.PASS, message="on", evidence=("x",)).key
    assert a.key.startswith("aws.s3.bucket_versioning/") and len(a.key.split("/")[1]) == 24
    assert a.key != finding(account="222222222222").key
    assert a.key != finding(region="us-east-1").key
    assert a.key != finding(check_id="aws.s3.bucket_encryption").key


def test_file_keys_use_the_path_and_address_not_the_line() -> None:
    loc = SourceLocation(file="deploy/web.yaml", start_line=3, document=0, address="Deployment/web/api")
    moved = loc.model_copy(update={"start_line": 40, "document": 2})
    f1 = finding(provider="k8s", check_id="k8s.workload.privileged", location=loc, account="manifests")
    f2 = finding(provider="k8s", check_id="k8s.workload.privileged", location=moved, account="ci-runner-7")
    assert f1.key == f2.key
    other = loc.model_copy(update={"file": "other/web.yaml"})
    assert f1.key != finding(provider="k8s", check_id="k8s.workload.privileged", location=other).key


def test_results_carry_key_and_location_through_a_round_trip(tmp_path: Path) -> None:
    loc = SourceLocation(file="a.yaml", start_line=7, address="Pod/ns/p")
    f = finding(location=loc)
    result = ScanResult(scan=ScanInfo(tool_version="t"), findings=[f])
    path = write_results(result, tmp_path / "results.json")
    (row,) = json.loads(path.read_text())["findings"]
    assert row["key"] == f.key and row["source"] == "a.yaml:7 (Pod/ns/p)"
    assert row["location"]["address"] == "Pod/ns/p"
    back = read_results(path)
    assert back.findings[0].key == f.key and back.findings[0].location == loc


def test_the_format_list_exists_once_and_everything_reads_it() -> None:
    names = format_names()
    assert names[0] == "json" and {"html", "csv"} <= set(names)
    assert all(w.filename and w.description for w in writers().values())
    help_text = CliRunner().invoke(main, ["scan", "--help"]).stdout
    assert ",".join(names) in "".join(help_text.split())  # click may wrap the list at a hyphen
    with pytest.raises(ValidationError, match=f"choose from {', '.join(names)}"):
        AuditConfig.model_validate({"formats": ["pdfx"]})
    r = CliRunner().invoke(main, ["report", "nowhere", "--format", "pdfx"])
    assert r.exit_code == 2


def test_streamed_results_json_is_the_models_own_document(tmp_path: Path) -> None:
    """write_results encodes findings itself (fast path): the document must be exactly what
    pydantic would write for the same results, for every shape a finding can take."""
    from datetime import date

    from auditor.models import WaiverRef

    waiver = WaiverRef(
        file="w.yaml", entry=0, check="*", resource="*", reason="ok", approver="me", expires=date(2030, 1, 2)
    )
    loc = SourceLocation(file="déploi/a.yaml", start_line=7, end_line=9, document=1, address='Pod/ns/"p"')
    findings = [
        finding(),
        finding(location=loc, resource_name="ünï", message='say "hi"\n', evidence=("e1", "e2")),
        finding(waiver=waiver, baseline_state="new", account=None, region=None),
        *(finding(resource_id=f"arn:aws:s3:::b{i}") for i in range(12_000)),  # more than one batch
    ]
    result = ScanResult(scan=ScanInfo(tool_version="t"), findings=findings)
    path = write_results(result, tmp_path / "results.json")
    assert json.loads(path.read_bytes()) == json.loads(result.model_dump_json())
    assert read_results(path).findings == findings
    empty = ScanResult(scan=ScanInfo(tool_version="t"))
    assert json.loads(write_results(empty, tmp_path / "e.json").read_bytes()) == json.loads(
        empty.model_dump_json()
    )


def test_findings_csv_is_exactly_what_the_csv_module_writes(tmp_path: Path) -> None:
    """The fast path writes plain rows itself: it must never differ from csv.writer, and every
    formula-looking cell is defused either way."""
    import csv
    import io

    from auditor.writers.csv import write_csv

    nasty = [
        "plain",
        "a, b",
        'say "hi"',
        "two\nlines",
        "=HYPERLINK(1)",
        "+1",
        "-x",
        "@me",
        "\x1fsep",
        "",
        "tab\there",
        "\tlead",
        "cr\ronly",
        "\rlead",
        "ünï, code",
    ]
    findings = [
        finding(resource_id=a, resource_name=b, message=c, region=None if i % 3 else "r")
        for i, (a, b, c) in enumerate((x, y, z) for x in nasty for y in nasty[:3] for z in nasty[:4])
    ]
    result = ScanResult(scan=ScanInfo(tool_version="t"), findings=findings)
    got = write_csv(result, tmp_path / "f.csv").read_bytes().decode()
    rows = list(csv.reader(io.StringIO(got)))
    expect = io.StringIO(newline="")
    w = csv.writer(expect, lineterminator="\r\n")
    for row in rows:
        w.writerow(row)
    assert got == expect.getvalue()
    assert len(rows) == len(findings) + 1
    cells = [c for r in rows[1:] for c in r]
    assert not any(c[:1] in "=+-@\t\r" for c in cells if c)  # every formula start is quoted with '
    assert rows[1 + nasty.index("=HYPERLINK(1)") * 12][5] == "'=HYPERLINK(1)"
