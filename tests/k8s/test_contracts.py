"""The k8s resource contracts (auditor.providers.k8s.resources) hold for everything the provider
produces, and every attribute and parameter a k8s check reads is declared. The live paths are
validated where they are scanned: test_integration (real kube-apiserver) and test_fake_api."""

from __future__ import annotations

import pytest

from auditor.checks import load_registry
from auditor.contracts import load_contracts, param_problems, undeclared_reads
from auditor.models import Resource
from auditor.snapshot import load_snapshot

from .util import ESTATE, FIX, NEWER, ROOT, assert_valid, snapshot_of

DEMO = ROOT / "fixtures" / "demo" / "k8s.json.gz"


def test_every_k8s_type_is_declared_and_named_in_the_provider_spec() -> None:
    declared = {t.name for t in load_contracts().of_provider("k8s")}
    used = {t for c in load_registry() if c.meta.provider == "k8s" for t in c.meta.resource_types}
    assert used <= declared
    assert {"k8s.workload", "k8s.cluster", "k8s.secret", "k8s.admission"} <= declared


def test_checks_read_only_declared_attributes_and_parameters() -> None:
    registry = load_registry()
    assert [p for p in undeclared_reads(registry, load_contracts()) if p.startswith("check k8s.")] == []
    assert [p for p in param_problems(registry) if p.startswith("check k8s.")] == []


@pytest.mark.parametrize(
    "paths",
    [[ESTATE], [NEWER], [FIX / "kubectl-get.json"], [FIX / "bad"]],
    ids=["estate", "newer", "kubectl-get", "bad"],
)
def test_resources_from_manifests_match_their_contracts(paths: list[object]) -> None:
    assert_valid(snapshot_of(manifests=[str(p) for p in paths]))


def test_demo_snapshot_matches_the_contracts() -> None:
    assert_valid(load_snapshot(DEMO))


def test_validation_catches_an_undeclared_or_mistyped_attribute() -> None:
    snap = snapshot_of(manifests=[str(ESTATE)])
    ns = next(r for r in snap.resources if r.type == "k8s.namespace")
    bad: Resource = ns.model_copy(update={"attributes": {**ns.attributes, "labels": [], "surprise": 1}})
    problems = load_contracts().validate(bad)
    assert any("'surprise' is not declared" in p for p in problems)
    assert any("'labels' is array, declared object" in p for p in problems)
