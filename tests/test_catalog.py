"""The control library: complete against the reference catalogs, and every bad input named."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.catalog import FRAMEWORK_FILES, Library, coverage, lint, load_library
from auditor.checks import CheckContext, CheckSet, Registry, Verdict, load_registry, passed
from auditor.data import data_dir
from auditor.errors import ConfigError, LintError
from auditor.models import Framework, Resource

REF = Path(__file__).parent / "reference"
REFERENCE = {
    Framework.SOC2: ("soc2_tsc2017.csv", "id"),
    Framework.HIPAA: ("hipaa_security_rule.csv", "citation"),
    Framework.ISO27001: ("iso27001_2022_annexA.csv", "id"),
}


def _reference_ids(fw: Framework) -> list[str]:
    name, col = REFERENCE[fw]
    with (REF / name).open(newline="", encoding="utf-8") as fh:
        return [row[col] for row in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.mark.parametrize("fw", list(Framework))
def test_every_reference_control_is_present_and_none_invented(library: Library, fw: Framework) -> None:
    ours = [c.id for c in library.by_framework(fw)]
    ref = _reference_ids(fw)
    assert ours == ref, f"missing: {set(ref) - set(ours)}; invented: {set(ours) - set(ref)}"


def test_reference_counts(library: Library) -> None:
    counts = {row["framework"]: row["total"] for row in coverage(library)}
    assert counts == {"soc2": 61, "hipaa": 65, "iso27001": 93}
    assert sum(counts.values()) >= 200


def test_hipaa_carries_citation_requirement_and_parent(library: Library) -> None:
    with (REF / "hipaa_security_rule.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["citation"]: r["required_or_addressable"] for r in csv.DictReader(fh)}
    expected = {
        "Standard": "standard",
        "Standard (Required)": "required",
        "Required": "required",
        "Addressable": "addressable",
    }
    for c in library.by_framework(Framework.HIPAA):
        assert c.requirement == expected[rows[c.id]], c.id
        if rows[c.id] in ("Required", "Addressable"):
            assert c.parent and library.controls[(Framework.HIPAA, c.parent)].requirement == "standard"


def test_every_control_has_an_actionable_evidence_request_or_checks(library: Library) -> None:
    for c in library.controls.values():
        assert c.checks or len(c.evidence_request) > 40, c.id
        assert c.objective and c.objective != c.title


def test_shipped_library_lints_clean_against_registered_checks(library: Library) -> None:
    assert lint(library, load_registry()) == []


# ------------------------------------------------------------------ bad inputs


T_ONE_CONTROLS = {Framework.SOC2: "CC6.1", Framework.HIPAA: "164.312(d)", Framework.ISO27001: "8.5"}
NEUTRAL_REQUEST = "Request the records that show this control operating during the period."


def _copy_library(tmp_path: Path) -> Path:
    """The shipped catalogs with one test check, t.one, as their whole crosswalk. The catalogs are
    made to agree with it: t.one's three controls are `auto`, every other control is `manual`, and
    no evidence request promises scanner results."""
    root = tmp_path / "controls"
    shutil.copytree(data_dir("controls"), root)
    for f in (root / "crosswalk").glob("*.yaml"):
        f.unlink()
    (root / "crosswalk" / "test.yaml").write_text(
        "t.one:\n  soc2: [CC6.1]\n  hipaa: ['164.312(d)']\n  iso27001: ['8.5']\n", "utf-8"
    )
    for fw, name in FRAMEWORK_FILES.items():
        _edit_controls(
            root / name,
            lambda c, fw=fw: c.update(
                automation="auto" if c["id"] == T_ONE_CONTROLS[fw] else "manual",
                evidence_request=NEUTRAL_REQUEST,
            ),
        )
    return root


def _edit_controls(path: Path, change: Callable[[dict[str, Any]], object], only: str | None = None) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    for c in data["controls"]:
        if only is None or c["id"] == only:
            change(c)
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def _registry(*ids: str, titles: dict[str, str] | None = None) -> Registry:
    cs = CheckSet("t")
    for cid in ids:

        @cs.check(
            id=cid,
            title=(titles or {}).get(cid, cid),
            severity="low",
            resource_types=["t.thing"],
            rationale="r",
            remediation="m",
        )
        def _f(r: Resource, ctx: CheckContext) -> Verdict:
            return passed("ok")

    return Registry(cs)


def test_crosswalk_maps_checks_to_controls_in_all_frameworks(tmp_path: Path) -> None:
    lib = load_library(_copy_library(tmp_path))
    assert lib.controls[(Framework.SOC2, "CC6.1")].checks == ("t.one",)
    assert lib.controls[(Framework.HIPAA, "164.312(d)")].checks == ("t.one",)
    assert lib.controls[(Framework.ISO27001, "8.5")].checks == ("t.one",)
    assert lint(lib, _registry("t.one")) == []


def test_dangling_check_id_is_named_with_file(tmp_path: Path) -> None:
    lib = load_library(_copy_library(tmp_path))
    problems = lint(lib, _registry())
    assert len(problems) == 1
    assert "crosswalk/test.yaml" in problems[0] and "t.one" in problems[0] and "dangling" in problems[0]


def test_unmapped_registered_check_is_named(tmp_path: Path) -> None:
    lib = load_library(_copy_library(tmp_path))
    problems = lint(lib, _registry("t.one", "t.orphan"))
    assert len(problems) == 1 and "t.orphan" in problems[0] and "mapped to no control" in problems[0]


def test_unknown_control_in_crosswalk_is_named(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    (root / "crosswalk" / "test.yaml").write_text(
        "t.one:\n  soc2: [CC6.1, CC99.9]\n  hipaa: ['164.312(d)']\n  iso27001: ['8.5']\n", "utf-8"
    )
    problems = lint(load_library(root), _registry("t.one"))
    assert problems == [f"{root / 'crosswalk' / 'test.yaml'}: check t.one: unknown soc2 control 'CC99.9'"]


def test_check_mapped_in_two_files_is_a_duplicate(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    (root / "crosswalk" / "zz.yaml").write_text("t.one:\n  soc2: [CC6.2]\n", "utf-8")
    problems = lint(load_library(root), _registry("t.one"))
    assert len(problems) == 1 and "zz.yaml" in problems[0] and "already mapped" in problems[0]


def test_duplicate_check_registration_is_rejected() -> None:
    with pytest.raises(LintError, match=r"t\.one: registered twice"):
        _registry("t.one", "t.one")


def test_duplicate_control_id_is_named(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    data = yaml.safe_load((root / "soc2.yaml").read_text("utf-8"))
    data["controls"].append(dict(data["controls"][0]))
    (root / "soc2.yaml").write_text(yaml.safe_dump(data), "utf-8")
    problems = load_library(root).problems
    assert any("soc2.yaml" in p and "CC1.1" in p and "duplicate" in p for p in problems)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    (root / "iso27001.yaml").write_text("framework: iso27001\ncontrols: [\n  - id: '5.1'\n", "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_library(root)
    assert "iso27001.yaml" in str(exc.value) and "line" in str(exc.value)


def test_control_missing_field_names_control_and_field(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    data = yaml.safe_load((root / "hipaa.yaml").read_text("utf-8"))
    del data["controls"][3]["evidence_request"]
    (root / "hipaa.yaml").write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_library(root)
    msg = str(exc.value)
    assert "hipaa.yaml" in msg and data["controls"][3]["id"] in msg and "evidence_request" in msg


def test_control_unknown_field_is_rejected(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    data = yaml.safe_load((root / "soc2.yaml").read_text("utf-8"))
    data["controls"][5]["chekcs"] = ["x"]
    (root / "soc2.yaml").write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(ConfigError, match=r"soc2.yaml: control CC2.1 field 'chekcs'"):
        load_library(root)


def test_malformed_crosswalk_entry_names_check(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    (root / "crosswalk" / "test.yaml").write_text("t.one:\n  soc3: [CC6.1]\n", "utf-8")
    with pytest.raises(ConfigError, match=r"test.yaml: check t.one field 'soc3'"):
        load_library(root)


def test_missing_framework_file_is_a_problem(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    (root / "hipaa.yaml").unlink()
    assert any("hipaa.yaml" in p and "missing" in p for p in load_library(root).problems)


# ----------------------------------------------------- automation and scanner claims


@pytest.mark.parametrize("automation", ["auto", "partial"])
def test_automated_control_without_a_check_is_named(tmp_path: Path, automation: str) -> None:
    root = _copy_library(tmp_path)
    _edit_controls(root / "hipaa.yaml", lambda c: c.update(automation=automation), only="164.312(a)(2)(i)")
    assert lint(load_library(root), _registry("t.one")) == [
        f"{root / 'hipaa.yaml'}: control 164.312(a)(2)(i): automation '{automation}' but no check is mapped; "
        "map a check or mark it manual"
    ]


def test_manual_control_with_checks_is_named(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    _edit_controls(root / "soc2.yaml", lambda c: c.update(automation="manual"), only="CC6.1")
    assert lint(load_library(root), _registry("t.one")) == [
        f"{root / 'soc2.yaml'}: control CC6.1: automation 'manual' but checks are mapped (t.one); "
        "mark it partial if they evidence part of it, or remove the mapping"
    ]


def test_scanner_claim_on_a_control_without_checks_is_named(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    _edit_controls(
        root / "iso27001.yaml",
        lambda c: c.update(
            evidence_request="Scanner results cover SCPs and Azure Policy. " + NEUTRAL_REQUEST
        ),
        only="5.23",
    )
    problems = lint(load_library(root), _registry("t.one"))
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{root / 'iso27001.yaml'}: control 5.23: evidence request cites scanner results"
    )
    assert "no check is mapped" in problems[0]


def test_scanner_claims_must_name_what_the_mapped_checks_cover(tmp_path: Path) -> None:
    root = _copy_library(tmp_path)
    registry = _registry("t.one", titles={"t.one": "Console users have MFA"})
    where = f"{root / 'iso27001.yaml'}: control 8.5: evidence request"

    def claim(text: str) -> list[str]:
        _edit_controls(root / "iso27001.yaml", lambda c: c.update(evidence_request=text), only="8.5")
        return lint(load_library(root), registry)

    assert claim("Scanner results cover MFA for console users. Still request the IdP settings.") == []
    assert claim(
        "Scanner results cover console MFA, WAF rules and legacy auth blocking. Also request X."
    ) == [
        f"{where} says scanner results cover 'WAF rules', but no mapped check's id or title names it; "
        "name what the mapped checks cover, or say what the auditor must request",
        f"{where} says scanner results cover 'legacy auth blocking', but no mapped check's id or title "
        "names it; name what the mapped checks cover, or say what the auditor must request",
    ]
    # Other wordings cannot slip a promise past the check.
    assert claim("Scanner evidence shows MFA and restore jobs. Also request the IdP settings.") == [
        f"{where} words scanner evidence as 'Scanner evidence'; write 'Scanner results cover ...' "
        "naming what the mapped checks cover"
    ]
    # Saying what is out of scope is not a claim.
    assert claim("Endpoint management is outside the scanner's scope. Request the MDM report.") == []


def test_shipped_claims_are_checked_against_the_real_checks(tmp_path: Path) -> None:
    """The guard on the real library: put a promise of a check that does not exist back into
    CC6.6 and it is named."""
    root = tmp_path / "controls"
    shutil.copytree(data_dir("controls"), root)
    _edit_controls(
        root / "soc2.yaml",
        lambda c: c.update(evidence_request="Scanner results cover WAF attachment. " + c["evidence_request"]),
        only="CC6.6",
    )
    problems = lint(load_library(root), load_registry())
    assert problems == [
        f"{root / 'soc2.yaml'}: control CC6.6: evidence request says scanner results cover 'WAF attachment', "
        "but no mapped check's id or title names it; name what the mapped checks cover, or say what the "
        "auditor must request"
    ]
