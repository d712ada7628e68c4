"""The GCP resource contracts hold for every producer and reader, and drive what is listed."""

from __future__ import annotations

from pathlib import Path

from auditor.checks import load_registry
from auditor.contracts import check_reads, load_contracts, param_problems, undeclared_reads
from auditor.providers.gcp import PROVIDER
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.collector import listing_plan
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).parents[2]


def _gcp(problems: list[str]) -> list[str]:
    return [p for p in problems if "gcp." in p]


def test_the_provider_names_its_types() -> None:
    assert PROVIDER.load_types() is T.TYPES
    for t in T.TYPES:
        assert t.title and t.scope, t.name
        assert t.derived or t.name in T.SOURCES, f"{t.name} says where it comes from"
        for key, a in t.attributes.items():
            assert a.meaning.strip(), f"{t.name}.{key} has no meaning"
    assert [t.name for t in T.TYPES if t.per_scope] == [T.PROJECT]


def test_every_check_reads_only_declared_attributes_and_parameters() -> None:
    registry = load_registry()
    assert _gcp(undeclared_reads(registry, load_contracts())) == []
    assert _gcp(param_problems(registry)) == []


def test_the_listing_asks_for_every_asset_type_the_checks_touch() -> None:
    plan = listing_plan()
    touched = set()
    for c in load_registry():
        if c.meta.provider == "gcp":
            touched.update(c.meta.resource_types)
            touched.update(r.type_ for r in check_reads(c) if r.type_)
    for t in touched:
        if t in T.SOURCES:
            src = T.SOURCES[t]
            assert src.content in plan
            assert plan[src.content] == [] or set(src.asset_types) <= set(plan[src.content]), t
    assert set(T.HIERARCHY_ASSETS) <= set(plan["RESOURCE"])
    assert plan["IAM_POLICY"] == []  # every resource's policy


def test_demo_snapshot_matches_the_contract() -> None:
    snap = load_snapshot(ROOT / "fixtures" / "demo" / "gcp.json.gz")
    assert load_contracts().validate_snapshot(snap) == []
    assert {r.provider for r in snap.resources} == {"gcp"} and len(snap.resources) > 100
