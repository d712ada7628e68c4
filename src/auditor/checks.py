"""Checks: small pure functions over collected resources, registered once with their metadata.

A provider module declares a `CheckSet` and decorates its functions::

    checks = CheckSet("aws")

    @checks.check(
        id="aws.s3.bucket_encryption", title="S3 buckets encrypt by default",
        severity="high", resource_types=["aws.s3.bucket"],
        rationale="...", remediation="...",
    )
    def bucket_encryption(bucket: Resource, ctx: CheckContext) -> Verdict:
        rules = bucket.need("encryption_rules")
        return passed("default encryption is on") if rules else failed("no default encryption")

`load_registry()` discovers every `checks*` module under `auditor.providers` and collects
their CheckSets: no list to maintain, no per-check folder. A check reads only its resource
and the context (other resources of the same snapshot, parameters); it never calls an API.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

from auditor.errors import LintError, MissingData
from auditor.models import JSON, CheckMeta, Resource, Severity, Snapshot, Status


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    message: str


def passed(message: str) -> Verdict:
    return Verdict(Status.PASS, message)


def failed(message: str) -> Verdict:
    return Verdict(Status.FAIL, message)


def not_applicable(message: str) -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, message)


def errored(message: str) -> Verdict:
    return Verdict(Status.ERROR, message)


def need(resource: Resource, key: str) -> Any:
    """The attribute `key`, or MissingData (the finding becomes `error`) if it was not collected."""
    if key in resource.gaps:
        raise MissingData(key, resource.gaps[key])
    try:
        return resource.attributes[key]
    except KeyError:
        raise MissingData(key) from None


def summarize(items: Iterable[str], limit: int = 5) -> str:
    """'a, b, c and 4 more': keeps messages short and readable at scale."""
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


class CheckContext:
    """What a check may consult besides its resource: the rest of the snapshot, read-only.

    `now` is the snapshot's collection time, so that age-based checks give the same verdict
    when a saved snapshot is re-evaluated later.
    """

    def __init__(self, snapshot: Snapshot, params: Mapping[str, JSON] | None = None) -> None:
        self.now: datetime = snapshot.created_at
        self.params: Mapping[str, JSON] = params or {}
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._indexes: dict[tuple[str, str], dict[Any, list[Resource]]] = {}
        for r in snapshot.resources:
            self._by_type[r.type].append(r)

    def resources(self, type_: str) -> list[Resource]:
        return self._by_type.get(type_, [])

    def get(self, type_: str, id_: str) -> Resource | None:
        found = self.lookup(type_, "id", id_)
        return found[0] if found else None

    def lookup(self, type_: str, attr: str, value: Any) -> list[Resource]:
        """Resources of `type_` whose `attr` equals `value`: the way to find related resources.

        `attr` is a Resource field (`name`, `id`) or an attribute key. The index for each
        (type, attr) is built once, on first use, so a check that relates every resource of
        one type to another type stays linear; never scan `resources()` once per resource."""
        index = self._indexes.get((type_, attr))
        if index is None:
            index = defaultdict(list)
            for r in self.resources(type_):
                v = getattr(r, attr) if attr in ("id", "name") else r.attributes.get(attr)
                if isinstance(v, Hashable):
                    index[v].append(r)
            self._indexes[(type_, attr)] = index
        return index.get(value, []) if isinstance(value, Hashable) else []

    def param(self, name: str, default: Any) -> Any:
        return self.params.get(name, default)

    @property
    def types(self) -> Iterable[str]:
        return self._by_type.keys()


CheckFunc: TypeAlias = Callable[[Resource, CheckContext], Verdict]


@dataclass(frozen=True, slots=True)
class Check:
    meta: CheckMeta
    func: CheckFunc

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass
class CheckSet:
    """The checks of one provider module. Filled once at import; read-only afterwards."""

    provider: str
    _checks: list[Check] = field(default_factory=list)

    def check(
        self,
        *,
        id: str,
        title: str,
        severity: str | Severity,
        resource_types: Iterable[str],
        rationale: str,
        remediation: str,
        references: Iterable[str] = (),
    ) -> Callable[[CheckFunc], CheckFunc]:
        meta = CheckMeta(
            id=id,
            title=title,
            severity=Severity(severity),
            provider=self.provider,
            resource_types=tuple(resource_types),
            rationale=rationale,
            remediation=remediation,
            references=tuple(references),
        )

        def register(func: CheckFunc) -> CheckFunc:
            self._checks.append(Check(meta, func))
            return func

        return register

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks)


class Registry:
    """An immutable set of checks by id."""

    def __init__(self, checks: Iterable[Check]) -> None:
        by_id: dict[str, Check] = {}
        problems = []
        for c in checks:
            if c.id in by_id:
                problems.append(f"check {c.id}: registered twice")
            by_id[c.id] = c
        if problems:
            raise LintError(problems)
        self._by_id = dict(sorted(by_id.items()))

    def __iter__(self) -> Iterator[Check]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._by_id

    def get(self, check_id: str) -> Check | None:
        return self._by_id.get(check_id)

    def ids(self) -> list[str]:
        return list(self._by_id)


def discover_check_sets(package: str = "auditor.providers") -> list[CheckSet]:
    """Import every module named `checks*` below `package` and return its CheckSets."""
    root = importlib.import_module(package)
    found: list[CheckSet] = []
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not leaf.startswith("checks"):
            continue
        module = importlib.import_module(info.name)
        found.extend(v for v in vars(module).values() if isinstance(v, CheckSet))
    return found


def load_registry(package: str = "auditor.providers") -> Registry:
    return Registry(c for cs in discover_check_sets(package) for c in cs)
