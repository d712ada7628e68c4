"""controls.csv and OCSF: one row per control per framework; one Compliance Finding event per
finding, each valid against a pinned copy of the OCSF 1.3.0 definitions we emit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema

from auditor.catalog import load_library
from auditor.models import Finding, Severity, Status
from auditor.results import ScanInfo, ScanResult
from auditor.writers.controls_csv import COLUMNS, write_controls_csv
from auditor.writers.ocsf import events

SCHEMA = json.loads((Path(__file__).parent / "ocsf" / "compliance_finding-1.3.0.schema.json").read_text())


def test_controls_csv_has_one_row_per_control_per_framework(signed_demo: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((signed_demo / "controls.csv").read_text("utf-8"))))
    results = json.loads((signed_demo / "results.json").read_text())
    assert len(rows) == len(results["controls"]) == 219
    assert {(r["framework"], r["control_id"]) for r in rows} == {
        (c["framework"], c["control_id"]) for c in results["controls"]
    }
    assert list(rows[0]) == list(COLUMNS)
    cc61 = next(r for r in rows if r["framework"] == "soc2" and r["control_id"] == "CC6.1")
    assert cc61["status"] == "fail" and cc61["assurance"] == "failing" and cc61["manual_state"] == "attested"
    assert int(cc61["findings_fail"]) > 0 and cc61["checks_failing"]
    assert cc61["attested_by"] == "Lee Park, IT Operations" and cc61["attestation_expires"] == "2027-01-13"
    cc14 = next(r for r in rows if r["control_id"] == "CC1.4")
    assert cc14["manual_state"] == "due" and cc14["manual_due_since"] == "2026-09-15"


def test_controls_csv_quotes_formula_cells(tmp_path: Path) -> None:
    from auditor.models import ControlResult, ControlStatus, Framework

    r = ScanResult(
        scan=ScanInfo(tool_version="t"),
        controls=[
            ControlResult(
                framework=Framework.SOC2,
                control_id="CC1.1",
                title="=HYPERLINK(1)",
                status=ControlStatus.MANUAL,
            )
        ],
    )
    path = write_controls_csv(r, tmp_path / "c.csv", load_library())
    row = next(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    assert row["title"] == "'=HYPERLINK(1)"


def test_every_ocsf_event_validates_against_the_pinned_schema(signed_demo: Path) -> None:
    lines = (signed_demo / "findings.ocsf.jsonl").read_text().splitlines()
    results = json.loads((signed_demo / "results.json").read_text())
    assert len(lines) == len(results["findings"])
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for line in lines:
        validator.validate(json.loads(line))


def test_ocsf_events_carry_the_finding_by_content(signed_demo: Path) -> None:
    results = json.loads((signed_demo / "results.json").read_text())
    by_key = {
        json.loads(x)["finding_info"]["uid"]: json.loads(x)
        for x in (signed_demo / "findings.ocsf.jsonl").read_text().splitlines()
    }
    f = next(x for x in results["findings"] if x["status"] == "fail" and x["check_id"] == "aws.iam.root_mfa")
    e = by_key[f["key"]]
    assert e["class_uid"] == 2003 and e["type_uid"] == 200301 and e["metadata"]["version"] == "1.3.0"
    assert e["compliance"]["status_id"] == 3 and e["compliance"]["control"] == "aws.iam.root_mfa"
    assert "soc2:CC6.1" in e["compliance"]["requirements"]
    assert (
        e["resources"][0]["uid"] == f["resource_id"] and e["resources"][0]["data"]["account"] == f["account"]
    )
    assert e["severity_id"] == {"critical": 5, "high": 4, "medium": 3, "low": 2, "info": 1}[f["severity"]]
    assert e["remediation"]["desc"]


def test_ocsf_status_mapping_covers_every_status() -> None:
    findings = [
        Finding(
            check_id="x.y",
            status=s,
            severity=Severity.LOW,
            provider="x",
            resource_type="t",
            resource_id=s.value,
            message="m",
        )
        for s in Status
    ]
    r = ScanResult(scan=ScanInfo(tool_version="t"), findings=findings)
    got = {e["resources"][0]["uid"]: e["compliance"]["status_id"] for e in events(r, load_library())}
    assert got == {"pass": 1, "fail": 3, "error": 2, "not_applicable": 99}
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for e in events(r, load_library()):
        validator.validate(e)
