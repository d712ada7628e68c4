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
