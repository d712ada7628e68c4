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

`load_registry()` discovers every `checks*` module of every provider's package and collects
their CheckSets: no list to maintain, no per-check folder. A check reads only its resource
and the context (other resources of the same snapshot, declared parameters); it never calls
an API. Parameters are declared with the check (`params=[param(...)]`) and read with
`ctx.param(name)`: the declared default unless the scan's `params` set it, validated by type.
"""

from __future__ import annotations

import difflib
import importlib
import json
import pkgutil
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter, ValidationError

from auditor.errors import ConfigError, LintError, MissingData
from auditor.models import (
    JSON,
    CheckMeta,
    CollectionError,
    ParamSpec,
    ParamType,
    Resource,
    Severity,
    Snapshot,
    Status,
)

if TYPE_CHECKING:
    from auditor.providers import ProviderSpec


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


class UndeclaredParameter(Exception):
    """A check read a parameter it did not declare: a bug in the check (its finding is `error`)."""


_PARAM_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "integer": TypeAdapter(StrictInt),
    "number": TypeAdapter(StrictInt | StrictFloat),
    "boolean": TypeAdapter(StrictBool),
    "string": TypeAdapter(StrictStr),
    "string_list": TypeAdapter(list[StrictStr]),
    "integer_list": TypeAdapter(list[StrictInt]),
    "string_map": TypeAdapter(dict[StrictStr, StrictStr]),
}


def param(name: str, type: ParamType, default: JSON, meaning: str) -> ParamSpec:
    """Declare a parameter a check reads. The default must itself be valid for the type."""
    spec = ParamSpec(name=name, type=type, default=default, meaning=meaning)
    _PARAM_ADAPTERS[type].validate_python(default)
    return spec


def summarize(items: Iterable[str], limit: int = 5) -> str:
    """'a, b, c and 4 more': keeps messages short and readable at scale."""
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


Within: TypeAlias = Literal["estate", "account", "region"]


def _scoped(r: Resource, within: Within, value: Any) -> Any:
    """The index key of `value` seen from `r`: the value alone, or with r's account (and region)."""
    if within == "estate":
        return value
    loc = r.location
    return (loc.account, value) if within == "account" else (loc.account, loc.region, value)


_T = TypeVar("_T")


class CheckContext:
    """What a check may consult besides its resource: the rest of the snapshot, read-only.

    `now` is the snapshot's collection time, so that age-based checks give the same verdict
    when a saved snapshot is re-evaluated later.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        params: Mapping[str, JSON] | None = None,
        *,
        derived: Iterable[Resource] = (),
        replaced: frozenset[str] = frozenset(),
    ) -> None:
        self.now: datetime = snapshot.created_at
        self.params: Mapping[str, JSON] = params or {}
        self._allowed: frozenset[str] | None = None
        self._defaults: dict[str, JSON] = {}
        self._current: Check | None = None
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._indexes: dict[tuple[str, str, Within], dict[Any, list[Resource]]] = {}
        self._memo: dict[Hashable, Any] = {}
        by_type = self._by_type
        for r in snapshot.resources:
            by_type[r.type].append(r)
        # what was not read, by resource type ("*": every type of the provider) -> the errors
        self._unread: dict[tuple[str, str], list[CollectionError]] = defaultdict(list)
        for err in snapshot.errors:
            for t in err.resource_types or ("*",):
                self._unread[(err.provider, t)].append(err)
        self.resource: Resource | None = None  # the resource being judged (set by run_check)
        for t in replaced:  # derived types come from the derive step, never from the snapshot
            by_type.pop(t, None)
        for r in derived:
            by_type[r.type].append(r)

    def resources(self, type_: str) -> list[Resource]:
        return self._by_type.get(type_, [])

    def get(self, type_: str, id_: str) -> Resource | None:
        found = self.lookup(type_, "id", id_)
        return found[0] if found else None

    def lookup(
        self, type_: str, attr: str, value: Any, *, within: Within = "estate", of: Resource | None = None
    ) -> list[Resource]:
        """Resources of `type_` whose `attr` equals `value`: the way to find related resources.

        `attr` is a Resource field (`name`, `id`) or an attribute key. `within` narrows the answer
        to the `account`, or the account and `region`, of `of` (default: the resource being
        judged), through the index itself:
        a name that recurs in a thousand accounts (a cluster called `prod`) costs one bucket, not a
        scan of a thousand. The index for each (type, attr, within) is built once, on first use,
        so a check that relates every resource of one type to another type stays linear; never
        scan `resources()` once per resource.

        Fails closed: when `type_` could not be collected (or only in part) in the account of `of`
        (default: the resource being judged), "none found" would be a guess, so this raises MissingData and the
        finding is `error`."""
        near = of if of is not None else self.resource
        if self._unread:
            self._refuse_unread(type_, near)
        if not isinstance(value, Hashable):
            return []
        index = self._indexes.get((type_, attr, within))
        if index is None:
            index = defaultdict(list)
            for r in self.resources(type_):
                v = getattr(r, attr) if attr in ("id", "name") else r.attributes.get(attr)
                if isinstance(v, Hashable):
                    index[_scoped(r, within, v)].append(r)
            self._indexes[(type_, attr, within)] = index
        if within == "estate":
            return index.get(value, [])
        if near is None:
            raise ValueError(f"lookup within {within!r} needs a resource being judged (or `of`)")
        return index.get(_scoped(near, within, value), [])

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """`compute()`, done once per evaluation for `key`: for work that many resources repeat
        on the same input, such as parsing the same metric filter pattern in every account.
        `key` must name everything the value depends on (start it with the check's own name);
        the value must not depend on the resource being judged."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def for_check(self, check: Check) -> CheckContext:
        """Scope parameter reads to what `check` declared (run_check calls this)."""
        if self._current is check:
            return self
        self._current = check
        self._allowed = frozenset(p.name for p in check.meta.params)
        self._defaults = {p.name: p.default for p in check.meta.params}
        return self

    def _refuse_unread(self, type_: str, near: Resource | None) -> None:
        """MissingData when `type_` was not fully read in `near`'s account (every account if None)."""
        provider = type_.split(".", 1)[0]
        account = near.location.account if near is not None else None
        for err in (*self._unread.get((provider, type_), ()), *self._unread.get((provider, "*"), ())):
            if err.scope.account is None or account is None or err.scope.account == account:
                where = "/".join(p for p in (err.scope.account, err.scope.region) if p) or provider
                raise MissingData(
                    type_, f"not fully collected in {where}: {err.operation} failed ({err.kind.value})"
                )

    def param(self, name: str) -> Any:
        """A declared parameter: the scan's value if it set one, else the declared default."""
        if self._allowed is not None and name not in self._allowed:
            raise UndeclaredParameter(f"parameter {name!r} is not declared by this check")
        if name in self.params:
            return self.params[name]
        return self._defaults.get(name)

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
        params: Iterable[ParamSpec] = (),
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
            params=tuple(params),
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

    def params(self) -> dict[str, ParamSpec]:
        """Every declared parameter by name. Checks sharing a name must declare it alike."""
        out: dict[str, ParamSpec] = {}
        problems = []
        for c in self:
            for p in c.meta.params:
                seen = out.get(p.name)
                if seen is not None and (seen.type, seen.default) != (p.type, p.default):
                    problems.append(
                        f"check {c.id}: parameter {p.name} declared as {p.type} = {p.default!r}, "
                        f"elsewhere as {seen.type} = {seen.default!r}"
                    )
                out.setdefault(p.name, p)
        if problems:
            raise LintError(problems)
        return dict(sorted(out.items()))

    def checks_reading(self, name: str) -> list[str]:
        return [c.id for c in self if any(p.name == name for p in c.meta.params)]


def validate_params(
    values: Mapping[str, Any], registry: Registry, path: Any = None, prefix: str = "params"
) -> dict[str, JSON]:
    """The scan's parameters checked against what the checks declare: an unknown name or a
    value of the wrong type is a ConfigError naming the key (and the closest known name)."""
    declared = registry.params()
    out: dict[str, JSON] = {}
    for name, value in values.items():
        spec = declared.get(str(name))
        entry = f"{prefix}.{name}" if prefix else str(name)
        if spec is None:
            near = difflib.get_close_matches(str(name), declared, n=1)
            hint = f"; did you mean {near[0]}?" if near else "; `auditor checks params` lists them"
            raise ConfigError(path, f"unknown parameter{hint}", entry=entry)
        try:
            out[spec.name] = _PARAM_ADAPTERS[spec.type].validate_python(value)
        except ValidationError:
            raise ConfigError(
                path,
                f"expected {spec.type.replace('_', ' ')}, got {type(value).__name__} {value!r}",
                entry=entry,
            ) from None
    return out


def discover_check_sets(package: str) -> list[CheckSet]:
    """Import every module named `checks*` in or below `package` and return its CheckSets."""
    root = importlib.import_module(package)
    found: list[CheckSet] = []
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{package}."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not leaf.startswith("checks"):
            continue
        module = importlib.import_module(info.name)
        found.extend(v for v in vars(module).values() if isinstance(v, CheckSet))
    return found


def load_registry(providers: Mapping[str, ProviderSpec] | None = None) -> Registry:
    """Every check of every provider (built-in and plug-in, or the ones given)."""
    from auditor.providers import discover_providers

    specs = providers if providers is not None else discover_providers()
    return Registry(
        c for spec in specs.values() for cs in discover_check_sets(spec.check_package) for c in cs
    )


def params_markdown(registry: Registry, provider: str | None) -> str:
    """The parameter table of the provider docs (docs/providers/*.md are tested against it)."""
    lines = ["| parameter | type | default | meaning | checks |", "|---|---|---|---|---|"]
    for prm in registry.params().values():
        if provider is not None and not prm.name.startswith(provider + "."):
            continue
        used = ", ".join(f"`{c}`" for c in registry.checks_reading(prm.name))
        default = json.dumps(prm.default).replace("|", "\\|")
        lines.append(f"| `{prm.name}` | {prm.type} | `{default}` | {prm.meaning} | {used} |")
    return "\n".join(lines)
