"""The Vault provider's declarations against what it produces and what its checks read: resource
contracts, parameters, and the parameter table in docs/providers/vault.md."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.checks import load_registry, params_markdown
from auditor.contracts import load_contracts, param_problems, undeclared_reads
from auditor.providers.vault import common
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "providers" / "vault.md"
DEMO = ROOT / "fixtures" / "demo" / "vault.json.gz"
MARKERS = re.compile(r"<!-- params:begin -->\n(.*?)<!-- params:end -->", re.S)


def test_every_vault_type_is_declared_with_meanings() -> None:
    contracts = load_contracts()
    declared = {t.name: t for t in contracts.of_provider("vault")}
    constants = {
        v for k, v in vars(common).items() if k.isupper() and isinstance(v, str) and v.startswith("vault.")
    }
    assert set(declared) == constants
    registry = load_registry()
    assert {t for c in registry if c.meta.provider == "vault" for t in c.meta.resource_types} <= set(declared)
    assert not [
        (t.name, k) for t in declared.values() for k, a in t.attributes.items() if not a.meaning.strip()
    ]


def test_checks_read_only_declared_attributes_and_parameters() -> None:
    registry, contracts = load_registry(), load_contracts()
    assert [p for p in undeclared_reads(registry, contracts) if p.startswith("check vault.")] == []
    assert [p for p in param_problems(registry) if p.startswith("check vault.")] == []


def test_the_demo_snapshot_validates() -> None:
    snap = load_snapshot(DEMO)
    assert {r.provider for r in snap.resources} == {"vault"}
    assert load_contracts().validate_snapshot(snap) == []


def test_the_parameter_table_in_the_docs_is_generated_from_the_declarations() -> None:
    found = MARKERS.search(DOC.read_text("utf-8"))
    assert found, f"{DOC}: the <!-- params:begin --> / <!-- params:end --> markers are missing"
    want = params_markdown(load_registry(), "vault")
    assert found.group(1).strip() == want, (
        f"{DOC.name} is out of date: put the output of "
        "`auditor checks params --provider vault --format markdown` between its params markers"
    )
