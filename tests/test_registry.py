"""Invariants over every registered check, whatever its provider."""

from __future__ import annotations

import inspect
import re
import sys

import pytest

from auditor.checks import Check, load_registry

REGISTRY = load_registry()
CHECKS = list(REGISTRY)
SDKS = ("boto3", "botocore", "hvac", "kubernetes", "google.cloud", "azure")


def test_there_are_checks_for_every_provider() -> None:
    assert {c.meta.provider for c in CHECKS} >= {"aws", "vault", "k8s"}
    assert len(CHECKS) >= 60 + 20 + 35


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_check_metadata_is_complete(check: Check) -> None:
    m = check.meta
    assert re.fullmatch(r"[a-z0-9]+(\.[a-z0-9_]+){2,}", m.id), m.id
    assert m.id.startswith(m.provider + ".")
    assert m.resource_types and all(t.startswith(m.provider + ".") for t in m.resource_types)
    assert len(m.title) > 10 and len(m.rationale) > 30 and len(m.remediation) > 20


def test_check_modules_stay_pure() -> None:
    """Checks never call an API, and relate resources through indexed lookups, not scans."""
    modules = {sys.modules[c.func.__module__] for c in CHECKS}
    for module in modules:
        source = inspect.getsource(module)
        for sdk in SDKS:
            assert not re.search(rf"^\s*(import|from)\s+{re.escape(sdk)}\b", source, re.M), (
                module.__name__,
                sdk,
            )
        # ctx.resources() inside a per-resource check is a scan per resource: quadratic at scale.
        assert "ctx.resources(" not in source, f"{module.__name__}: use ctx.lookup(type, attr, value)"


def test_verdict_coverage_names_a_check_without_a_failing_case() -> None:
    from conftest import missing_cases

    observed = {("t.a", "pass"), ("t.a", "fail"), ("t.b", "pass"), ("t.c", "error")}
    assert missing_cases(["t.a", "t.b", "t.c"], observed) == [
        "t.b: no failing case",
        "t.c: no passing and no failing case",
    ]


def test_every_cross_type_lookup_fails_closed_when_the_related_type_is_uncollected() -> None:
    """A check that relates resources (ctx.lookup / ctx.get) must never pass on 'none found' when
    the related type could not be collected: every such check, on the whole demo estate."""
    from pathlib import Path
    from typing import Any

    from auditor.checks import CheckContext
    from auditor.contracts import check_reads
    from auditor.engine import run_check
    from auditor.models import CollectionError, Location, Status
    from auditor.snapshot import load_snapshot

    class Spy(CheckContext):
        looked_up: list[str]

        def lookup(self, type_: str, attr: str, value: Any) -> Any:
            self.looked_up.append(type_)
            return super().lookup(type_, attr, value)

    demo = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
    snaps = [load_snapshot(p) for p in sorted(demo.glob("*.json.gz"))]
    resources = [r for s in snaps for r in s.resources]
    related = {c.id: (c, {r.type_ for r in check_reads(c) if r.type_}) for c in CHECKS}
    related = {cid: (c, ts) for cid, (c, ts) in related.items() if ts}
    assert related, "the demo's cross-type checks were not found"
    for check, types in related.values():
        for t in types:
            judged = [r for r in resources if r.type in check.meta.resource_types]
            accounts = {r.location.account for r in judged}
            errors = [
                CollectionError(
                    provider=t.split(".")[0],
                    operation="test.List",
                    scope=Location(account=a),
                    resource_types=(t,),
                    message="denied",
                )
                for a in accounts
            ]
            from auditor.models import Snapshot

            snap = Snapshot(resources=[r for r in resources if r.type != t], errors=errors)
            for r in judged:
                ctx = Spy(snap)
                ctx.looked_up = []
                f = run_check(check, r, ctx)
                if t in ctx.looked_up:
                    assert f.status == Status.ERROR, (check.id, r.id, f.status, f.message)
