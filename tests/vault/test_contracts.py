"""The Vault provider's declarations against what it produces and what its checks read: resource
contracts and parameters."""

from __future__ import annotations

from pathlib import Path

from auditor.checks import load_registry
from auditor.contracts import load_contracts, param_problems, undeclared_reads
from auditor.providers.vault import common
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo" / "vault.json.gz"


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
