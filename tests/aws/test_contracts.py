"""The AWS resource contracts (auditor.providers.aws.resources.TYPES) hold for every producer and
every reader: the live collector against moto, the demo snapshot, and the checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.checks import load_registry
from auditor.contracts import load_contracts, param_problems, undeclared_reads
from auditor.providers.aws import PROVIDER
from auditor.providers.aws.resources import TYPES
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).parents[2]


def _aws(problems: list[str]) -> list[str]:
    return [p for p in problems if "aws." in p]


def test_the_provider_names_its_types() -> None:
    assert PROVIDER.load_types() is TYPES
    assert len(TYPES.names) >= 33
    for t in TYPES:
        assert t.title and t.scope in ("account", "region"), t.name
        for key, a in t.attributes.items():
            assert a.meaning.strip(), f"{t.name}.{key} has no meaning"


def test_every_check_reads_only_declared_attributes() -> None:
    assert _aws(undeclared_reads(load_registry(), load_contracts())) == []


def test_every_check_declares_the_parameters_it_reads() -> None:
    assert _aws(param_problems(load_registry())) == []


def test_demo_snapshot_matches_the_contract() -> None:
    snap = load_snapshot(ROOT / "fixtures" / "demo" / "aws.json.gz")
    assert load_contracts().validate_snapshot(snap) == []


@pytest.mark.integration
@pytest.mark.parametrize("scan", ["clean_scan", "fault_scan"])
def test_live_collection_matches_the_contract(scan: str, request: pytest.FixtureRequest) -> None:
    done: Any = request.getfixturevalue(scan)
    snap = load_snapshot(done.out / "snapshot.json.gz")
    produced = {r.type for r in snap.resources}
    assert len(produced) >= (30 if scan == "clean_scan" else 20), sorted(produced)
    assert load_contracts().validate_snapshot(snap) == []
