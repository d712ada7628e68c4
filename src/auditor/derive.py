"""Derive steps: views over a whole snapshot that no single API call answers.

An account-wide view (every region's CloudTrail trails of one AWS account, say) is not a
collector's business: it is computed from the snapshot, so every source of resources (a live
scan, a saved snapshot, a Terraform plan, an asset export) gets it the same way. A provider
declares its derivers in its ProviderSpec; the engine runs them before any check.

A deriver reads only the snapshot (resources by type, collection errors, targets) and returns
resources of the types it `produces`. Those types are derived, never collected: any resource of
them already in the snapshot (from an older tool version) is replaced. Where the input cannot
say (a plan that touches no trail), a deriver simply produces nothing, and the checks over the
derived type are `not_applicable` there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from auditor.models import CollectionError, Resource, Snapshot, Target


@dataclass(frozen=True)
class DeriveInput:
    by_type: Mapping[str, Sequence[Resource]]
    errors: Sequence[CollectionError]
    targets: Sequence[Target]
    created_at: datetime

    def resources(self, type_: str) -> Sequence[Resource]:
        return self.by_type.get(type_, ())

    def errors_for(self, type_: str) -> list[CollectionError]:
        """Collection errors that left `type_` (or a whole scope) unread."""
        return [e for e in self.errors if not e.resource_types or type_ in e.resource_types]


@dataclass(frozen=True)
class Deriver:
    name: str
    produces: tuple[str, ...]
    reads: tuple[str, ...]
    func: Callable[[DeriveInput], Iterable[Resource]] = field(compare=False)


def run_derivers(snapshot: Snapshot, derivers: Iterable[Deriver]) -> tuple[frozenset[str], list[Resource]]:
    """(the derived types, the resources derived). Callers drop snapshot resources of those
    types and use these instead."""
    derivers = list(derivers)
    if not derivers:
        return frozenset(), []
    wanted = {t for d in derivers for t in d.reads}
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for r in snapshot.resources:
        if r.type in wanted:
            by_type[r.type].append(r)
    inp = DeriveInput(by_type, snapshot.errors, snapshot.targets, snapshot.created_at)
    produced: set[str] = set()
    out: list[Resource] = []
    for d in derivers:
        produced.update(d.produces)
        for r in d.func(inp):
            if r.type not in d.produces:
                raise ValueError(f"deriver {d.name} produced {r.type}, which it does not declare")
            out.append(r)
    return frozenset(produced), out
