"""Attestations for the manual part of controls: strict validation (exit 2, file and entry
named), freshness judged against the scan's collection time, evidence hashed and copied into
the package, and never hiding an automated failure."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.attestations import assurance, judge, load_attestations
from auditor.catalog import load_library
from auditor.errors import ConfigError
from auditor.models import Assurance, ControlStatus, Framework, ManualPart, Snapshot, Target
from auditor.package import MANIFEST
from auditor.scan import evaluate_snapshot, write_outputs
from auditor.snapshot import save_snapshot

from .util import run

GOOD = {
    "framework": "soc2",
    "control": "CC1.1",
    "owner": "Dana Reyes",
    "statement": "The code of conduct was acknowledged by all staff.",
    "evidence": [{"file": "coc.txt"}, {"url": "https://grc.example.com/coc"}],
    "attested_at": date(2026, 3, 1),
    "valid_for": "365d",
}


def _write(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    (tmp_path / "coc.txt").write_text("signed acknowledgements\n")
    path = tmp_path / "attestations.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "attestations": list(entries)}))
    return path


@pytest.mark.parametrize(
    ("change", "entry", "message"),
    [
        ({"control": "CC99.9"}, "attestations[0] (soc2/CC99.9)", "no soc2 control 'CC99.9'"),
        ({"owner": None}, "attestations[0] (soc2/CC1.1).owner", "valid string"),
        ({"owner": "  "}, "attestations[0] (soc2/CC1.1).owner", "must not be blank"),
        ({"attested_at": "2026-13-01"}, "attestations[0] (soc2/CC1.1).attested_at", "date"),
        ({"attested_at": "last spring"}, "attestations[0] (soc2/CC1.1).attested_at", "date"),
        ({"valid_for": "1 year"}, "attestations[0] (soc2/CC1.1).valid_for", "duration"),
        ({"framework": "pci"}, "attestations[0] (pci/CC1.1).framework", "soc2"),
        ({"evidence": []}, "attestations[0] (soc2/CC1.1).evidence", "at least 1"),
        ({"evidence": [{"url": "javascript:alert(1)"}]}, "evidence[0]", "not an http(s) URL"),
        ({"evidence": [{"file": "a", "url": "https://x"}]}, "evidence[0]", "exactly one"),
        ({"evidence": [{"file": "missing.pdf"}]}, "evidence[0]", "'missing.pdf' does not exist"),
        ({"surprise": 1}, "attestations[0] (soc2/CC1.1).surprise", "Extra inputs"),
        (
            {"evidence": [{"url": "https://dana:hunter2pw@grc.example.com/coc"}]},
            "evidence[0]",
            "embedded password",
        ),
        (  # not http(s) either: the credential is refused first, so no message quotes it
            {"evidence": [{"url": "ftp://dana:hunter2pw@grc.example.com/coc"}]},
            "evidence[0]",
            "embedded password",
        ),
        ({"statement": "Signed off; API token ghp_" + "a1B2" * 9}, "(soc2/CC1.1).statement", "GitHub"),
    ],
)
def test_a_bad_entry_is_exit_2_naming_file_and_entry(
    tmp_path: Path, change: dict[str, Any], entry: str, message: str
) -> None:
    path = _write(tmp_path, {**GOOD, **change})
    with pytest.raises(ConfigError) as err:
        load_attestations(path, load_library())
    assert str(path) in str(err.value) and entry in str(err.value) and message in str(err.value)
    assert "hunter2pw" not in str(err.value) and "a1B2a1B2" not in str(err.value)
    code, _, stderr = run("demo", "--out", str(tmp_path / "out"), "--attestations", str(path), "-q")
    assert code == 2 and entry in stderr and "attestations.yaml" in stderr


def test_a_date_and_time_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {**GOOD, "attested_at": datetime(2026, 3, 1, 10, tzinfo=UTC)})
    with pytest.raises(ConfigError, match="not a date and time"):
        load_attestations(path, load_library())


def test_freshness_is_judged_against_the_collection_time(tmp_path: Path) -> None:
    attested = load_attestations(
        _write(
            tmp_path,
            GOOD,
            {**GOOD, "control": "CC1.2", "attested_at": date(2025, 1, 1), "valid_for": "52w"},
            {**GOOD, "control": "CC1.3", "attested_at": date(2026, 12, 1)},
        ),
        load_library(),
    )
    at = datetime(2026, 6, 1, tzinfo=UTC)
    parts = judge(attested, at)
    assert parts[(Framework.SOC2, "CC1.1")].state == "attested"
    expired = parts[(Framework.SOC2, "CC1.2")]
    assert expired.state == "due" and expired.due_since == date(2025, 12, 31)
    future = parts[(Framework.SOC2, "CC1.3")]
    assert future.state == "due" and future.attestations[0].state == "not_yet_valid"
    # The same snapshot gives the same answer on any day: no wall clock is read.
    assert judge(attested, at) == parts
    later = judge(attested, datetime(2027, 6, 1, tzinfo=UTC))
    assert later[(Framework.SOC2, "CC1.1")].state == "due"


def test_an_attestation_never_hides_an_automated_failure() -> None:
    attested = ManualPart(state="attested")
    due = ManualPart()
    table = {
        ControlStatus.FAIL: (Assurance.FAILING, Assurance.FAILING),
        ControlStatus.ERROR: (Assurance.NOT_EVALUATED, Assurance.NOT_EVALUATED),
        ControlStatus.EXCLUDED: (Assurance.NOT_FULLY_EVALUATED, Assurance.NOT_FULLY_EVALUATED),
        ControlStatus.NOT_ASSESSED: (Assurance.NOT_ASSESSED, Assurance.NOT_ASSESSED),
        ControlStatus.PASS: (Assurance.FULLY_EVIDENCED, Assurance.AUTOMATED_ONLY),
        ControlStatus.NOT_APPLICABLE: (Assurance.ATTESTED, Assurance.MANUAL_DUE),
        ControlStatus.MANUAL: (Assurance.ATTESTED, Assurance.MANUAL_DUE),
    }
    assert set(table) == set(ControlStatus)
    for status, (with_att, without) in table.items():
        assert assurance(status, attested) == with_att
        assert assurance(status, due) == without


def test_the_demo_shows_every_state_and_keeps_the_failing_control_failing(signed_demo: Path) -> None:
    results = json.loads((signed_demo / "results.json").read_text())
    by_id = {(c["framework"], c["control_id"]): c for c in results["controls"]}
    cc61 = by_id[("soc2", "CC6.1")]
    assert (
        cc61["status"] == "fail" and cc61["manual"]["state"] == "attested" and cc61["assurance"] == "failing"
    )
    assert by_id[("soc2", "CC1.1")]["assurance"] == "attested"
    assert by_id[("soc2", "CC1.4")]["manual"] == {
        "state": "due",
        "due_since": "2026-09-15",
        "attestations": by_id[("soc2", "CC1.4")]["manual"]["attestations"],
    }
    hipaa = by_id[("hipaa", "164.308(a)(5)(ii)(C)")]
    # attested, and its assurance follows its automated status (no control of the five-provider
    # demo passes everywhere, so "fully evidenced" is proven by the assurance() table above)
    assert hipaa["manual"]["state"] == "attested"
    assert hipaa["assurance"] == ("fully_evidenced" if hipaa["status"] == "pass" else "failing")
    assert by_id[("soc2", "CC2.1")]["assurance"] in ("failing", "automated_only", "manual_due")


def test_evidence_files_are_hashed_into_the_package(signed_demo: Path) -> None:
    manifest = json.loads((signed_demo / MANIFEST).read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    results = json.loads((signed_demo / "results.json").read_text())
    files = [
        ev
        for c in results["controls"]
        for a in c["manual"]["attestations"]
        for ev in a["evidence"]
        if ev["file"]
    ]
    assert len(files) >= 7
    for ev in files:
        assert listed[ev["file"]] == ev["sha256"]
        assert (signed_demo / ev["file"]).is_file()


def test_attestations_from_audit_yaml_are_relative_to_it(tmp_path: Path) -> None:
    snap = save_snapshot(Snapshot(targets=[Target(provider="vault", label="v")]), tmp_path / "s.json")
    conf = tmp_path / "conf"
    conf.mkdir()
    _write(conf, GOOD)
    # --from-snapshot takes no config; the config path is exercised through the library API instead
    from auditor.config import AuditConfig

    cfg = AuditConfig.model_validate(
        {"attestations": "attestations.yaml", "targets": [{"provider": "vault"}]}
    )
    attested = load_attestations(conf / str(cfg.attestations), load_library())
    result = evaluate_snapshot(Snapshot(created_at=datetime(2026, 6, 1, tzinfo=UTC)), attestations=attested)
    cc11 = next(c for c in result.controls if c.control_id == "CC1.1")
    assert cc11.manual.state == "attested"
    write_outputs(result, tmp_path / "out", snapshot=Snapshot(), attestations=attested)
    assert list((tmp_path / "out" / "evidence" / "attestations").iterdir())
    assert snap.exists()
