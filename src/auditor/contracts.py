"""Resource contracts: every resource type declares its attributes once, next to its provider.

The contract is what collectors, manifest and plan adapters, asset exports and derive steps
promise to produce, and what checks may read. Storage stays `Resource.attributes` (plain JSON,
so snapshots stay plain JSON); the contract says which keys exist, their JSON type, what they
mean and whether they are always present. A provider declares its types in a `TypeSet`::

    TYPES = TypeSet("aws")
    S3_BUCKET = TYPES.declare("aws.s3.bucket", "S3 bucket", {
        "name": attr(str, "Bucket name."),
        "versioning": attr(str | None, "Versioning status: Enabled, Suspended, or null (never enabled)."),
    }, scope="region")

Two validations keep producers and checks honest (both run in the test suite):
- `Contracts.validate(resource)`: a produced resource carries only declared attributes, each of
  its declared JSON type, every always-present one (unless the collector recorded a gap);
- `undeclared_reads(registry, contracts)`: every attribute key a check reads (statically, in
  its function and the provider helpers it calls) is declared by the types it reads it from.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from auditor.models import CollectionError, ErrorKind, Location, Resource, Snapshot

if TYPE_CHECKING:
    from auditor.checks import Check, Registry
    from auditor.providers import ProviderSpec

JsonType = Literal["string", "integer", "number", "boolean", "object", "array", "any"]

_PY_TO_JSON: dict[Any, JsonType] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    dict: "object",
    list: "array",
    tuple: "array",
    object: "any",
    Any: "any",
}


@dataclass(frozen=True)
class Attr:
    """One declared attribute. `types` are JSON types; `required` means always present unless the
    resource names it in `gaps`; `nullable` means null is a meaningful value."""

    types: tuple[JsonType, ...]
    meaning: str
    required: bool = True
    nullable: bool = False

    @property
    def type_text(self) -> str:
        text = " | ".join(self.types)
        return f"{text} | null" if self.nullable else text

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.nullable or "any" in self.types
        return any(_is(value, t) for t in self.types)


def _is(value: Any, t: JsonType) -> bool:
    if t == "any":
        return True
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if t == "object":
        return isinstance(value, dict)
    return isinstance(value, list)  # array


def _json_types(kind: Any) -> tuple[tuple[JsonType, ...], bool]:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        out: list[JsonType] = []
        nullable = False
        for arg in get_args(kind):
            if arg is type(None):
                nullable = True
                continue
            inner, inner_null = _json_types(arg)
            out.extend(inner)
            nullable = nullable or inner_null
        return tuple(dict.fromkeys(out)), nullable
    if origin is not None:
        kind = origin
    if kind not in _PY_TO_JSON:
        raise TypeError(f"attr(): no JSON type for {kind!r}; use str, int, float, bool, list, dict or Any")
    return (_PY_TO_JSON[kind],), False


def attr(kind: Any, meaning: str, *, optional: bool = False) -> Attr:
    """Declare an attribute from a Python type: `attr(str | None, "...")` is a nullable string;
    `optional=True` means the key may be absent (say, only some producers can know it)."""
    json_types, nullable = _json_types(kind)
    return Attr(json_types, meaning, required=not optional, nullable=nullable)


@dataclass(frozen=True)
class ResourceType:
    name: str
    provider: str
    title: str
    attributes: Mapping[str, Attr]
    scope: str = ""  # what one resource of this type covers: account, region, cluster, namespace...
    description: str = ""
    derived: bool = False  # made by a derive step over the snapshot, not read from an API
    # a live scan yields one of these for every scope (account, cluster, server) it read: a snapshot
    # without it for a scope it holds other resources of was cut short, and that scope is `error`
    per_scope: bool = False


@dataclass
class TypeSet:
    """The resource types of one provider, declared at import in its `resources` module."""

    provider: str
    _types: dict[str, ResourceType] = field(default_factory=dict)

    def declare(
        self,
        name: str,
        title: str,
        attributes: Mapping[str, Attr],
        *,
        scope: str = "",
        description: str = "",
        derived: bool = False,
        per_scope: bool = False,
    ) -> str:
        if not name.startswith(self.provider + "."):
            raise ValueError(f"resource type {name!r} must start with {self.provider}.")
        if name in self._types:
            raise ValueError(f"resource type {name!r} declared twice")
        self._types[name] = ResourceType(
            name, self.provider, title, dict(attributes), scope, description, derived, per_scope
        )
        return name

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self._types.values())

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def get(self, name: str) -> ResourceType | None:
        return self._types.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._types)


class Contracts:
    """Every declared resource type, across providers."""

    def __init__(self, type_sets: Iterable[TypeSet]) -> None:
        self._types: dict[str, ResourceType] = {}
        for ts in type_sets:
            for t in ts:
                self._types[t.name] = t

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self._types.values())

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def get(self, name: str) -> ResourceType | None:
        return self._types.get(name)

    def of_provider(self, provider: str) -> list[ResourceType]:
        return [t for t in self._types.values() if t.provider == provider]

    def missing_per_scope(self, snapshot: Snapshot) -> list[CollectionError]:
        """A collection error for every live scope (account, cluster, server) that holds resources
        of a provider but none of a type that provider yields once per scope, unless the snapshot
        says why (a collection error or an exclusion for it)."""
        per_scope: dict[str, list[str]] = {}
        for rt in self._types.values():
            if rt.per_scope:
                per_scope.setdefault(rt.provider, []).append(rt.name)
        if not per_scope:
            return []
        seen: dict[tuple[str, str], set[str]] = {}  # (provider, account) -> types present
        for r in snapshot.resources:
            if r.provider in per_scope and r.source is None and r.location.account:
                seen.setdefault((r.provider, r.location.account), set()).add(r.type)
        explained: list[tuple[str, str | None, set[str]]] = [
            (e.provider, e.scope.account, set(e.resource_types)) for e in snapshot.errors
        ]
        explained += [(x.provider, x.scope.account, set(x.resource_types)) for x in snapshot.exclusions]
        out = []
        for (provider, account), present in sorted(seen.items()):
            for t in per_scope[provider]:
                if t in present:
                    continue
                if any(
                    p == provider and (a is None or a == account) and (not types or t in types)
                    for p, a, types in explained
                ):
                    continue
                out.append(
                    CollectionError(
                        provider=provider,
                        operation="snapshot",
                        scope=Location(account=account),
                        resource_types=(t,),
                        kind=ErrorKind.NOT_COLLECTED,
                        message=f"the snapshot holds resources of {account} but no {t}, and no reason why: "
                        "it was cut short or edited",
                    )
                )
        return out

    def validate(self, resource: Resource) -> list[str]:
        """Problems with one produced resource, each naming the resource and the attribute."""
        where = f"{resource.type} {resource.id}"
        contract = self._types.get(resource.type)
        if contract is None:
            return [f"{where}: resource type {resource.type!r} is not declared"]
        problems = []
        declared = contract.attributes
        for key, value in resource.attributes.items():
            a = declared.get(key)
            if a is None:
                problems.append(f"{where}: attribute {key!r} is not declared by {resource.type}")
            elif not a.accepts(value):
                problems.append(f"{where}: attribute {key!r} is {_json_name(value)}, declared {a.type_text}")
        for key in resource.gaps:
            if key not in declared:
                problems.append(f"{where}: gap {key!r} names an attribute {resource.type} does not declare")
        for key, a in declared.items():
            if a.required and key not in resource.attributes and key not in resource.gaps:
                problems.append(f"{where}: always-present attribute {key!r} is missing (and not a gap)")
        return problems

    def validate_all(self, resources: Iterable[Resource], limit: int = 50) -> list[str]:
        out: list[str] = []
        for r in resources:
            out.extend(self.validate(r))
            if len(out) >= limit:
                break
        return out[:limit]

    def validate_snapshot(self, snapshot: Snapshot, limit: int = 50) -> list[str]:
        return self.validate_all(snapshot.resources, limit)


def _json_name(value: Any) -> str:
    if value is None:
        return "null"
    for t in ("boolean", "integer", "number", "string", "object", "array"):
        if _is(value, t):
            return t
    return type(value).__name__


def load_contracts(providers: Mapping[str, ProviderSpec] | None = None) -> Contracts:
    from auditor.providers import discover_providers

    specs = providers if providers is not None else discover_providers()
    return Contracts(ts for spec in specs.values() if (ts := spec.load_types()) is not None)


# ------------------------------------------------------------------------------------ reads


@dataclass(frozen=True)
class Read:
    """One attribute key a check reads: from its own resource (`own`), or from a resource of
    `type_` found through ctx.lookup / ctx.get (None when the type is not known statically)."""

    key: str
    own: bool
    type_: str | None = None


def _source_tree(func: Callable[..., Any]) -> ast.AST | None:
    try:
        src = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    return ast.parse(src)


def _resolve(node: ast.AST, scope: Mapping[str, Any], bound: Mapping[str, Any] | None = None) -> Any:
    """The value of a constant, a bound helper argument, or a Name / dotted Attribute in the
    function's module; None when it cannot be known statically."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if bound and node.id in bound:
            return bound[node.id]
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, scope)
        return getattr(base, node.attr, None) if base is not None else None
    return None


@dataclass
class _Found:
    reads: set[Read] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    dynamic_params: int = 0  # ctx.param() calls whose name is not known statically


def _walk(
    func: Callable[..., Any],
    own_names: set[str],
    bound: Mapping[str, Any],
    seen: set[tuple[Any, ...]],
    found: _Found,
) -> None:
    tree = _source_tree(func)
    if tree is None:
        return
    scope: Mapping[str, Any] = getattr(func, "__globals__", {})

    def is_own(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id in own_names

    def is_attributes(node: ast.AST) -> ast.AST | None:
        if isinstance(node, ast.Attribute) and node.attr == "attributes":
            return node.value
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            args = node.args
            # need(resource, "key")
            if isinstance(fn, ast.Name) and fn.id == "need" and len(args) >= 2:
                key = _resolve(args[1], scope, bound)
                if isinstance(key, str):
                    found.reads.add(Read(key, is_own(args[0])))
            # resource.attributes.get("key")
            elif isinstance(fn, ast.Attribute) and fn.attr == "get" and args:
                base = is_attributes(fn.value)
                key = _resolve(args[0], scope, bound)
                if base is not None and isinstance(key, str):
                    found.reads.add(Read(key, is_own(base)))
            # ctx.lookup(TYPE, "key", value)
            if isinstance(fn, ast.Attribute) and fn.attr == "lookup" and len(args) >= 2:
                rtype, key = _resolve(args[0], scope, bound), _resolve(args[1], scope, bound)
                if isinstance(key, str) and key not in ("id", "name"):
                    found.reads.add(Read(key, False, rtype if isinstance(rtype, str) else None))
            # ctx.param("name")
            if isinstance(fn, ast.Attribute) and fn.attr == "param" and args:
                name = _resolve(args[0], scope, bound)
                if isinstance(name, str):
                    found.params.add(name)
                else:
                    found.dynamic_params += 1
            # a helper of a provider's own (or of the check's module): follow it, binding its parameters to what the call
            # passes (the check's own resource, or constants such as a parameter name)
            callee = _resolve(fn, scope) if isinstance(fn, ast.Name | ast.Attribute) else None
            if inspect.isfunction(callee) and (
                callee.__module__.startswith("auditor.providers") or callee.__module__ == func.__module__
            ):
                names = list(inspect.signature(callee).parameters)
                inner_own: set[str] = set()
                inner_bound: dict[str, Any] = {}
                for i, a in enumerate(args):
                    if i >= len(names):
                        break
                    if is_own(a):
                        inner_own.add(names[i])
                    value = _resolve(a, scope, bound) if isinstance(a, ast.Constant | ast.Name) else None
                    if isinstance(value, str) and not is_own(a):
                        inner_bound[names[i]] = value
                for kw in node.keywords:
                    if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        inner_bound[kw.arg] = kw.value.value
                key_ = (callee, frozenset(inner_own), frozenset(inner_bound.items()))
                if key_ not in seen:
                    seen.add(key_)
                    _walk(callee, inner_own, inner_bound, seen, found)
        # resource.attributes["key"]
        elif isinstance(node, ast.Subscript):
            base = is_attributes(node.value)
            key = _resolve(node.slice, scope, bound)
            if base is not None and isinstance(key, str):
                found.reads.add(Read(key, is_own(base)))


def _analyse(check: Check) -> _Found:
    func = check.func
    names = list(inspect.signature(func).parameters)
    found = _Found()
    _walk(func, {names[0]} if names else set(), {}, set(), found)
    return found


def check_reads(check: Check) -> set[Read]:
    """The attribute keys `check` reads, found in its source and its provider helpers."""
    return _analyse(check).reads


def param_problems(registry: Registry) -> list[str]:
    """A check that reads a parameter it does not declare, declares one it never reads, or
    reads one whose name cannot be known statically."""
    problems = []
    for check in registry:
        found = _analyse(check)
        declared = {p.name for p in check.meta.params}
        for name in sorted(found.params - declared):
            problems.append(f"check {check.id}: reads parameter {name!r} without declaring it")
        for name in sorted(declared - found.params):
            problems.append(f"check {check.id}: declares parameter {name!r} but never reads it")
        if found.dynamic_params:
            problems.append(f"check {check.id}: reads a parameter whose name is not a constant")
    return problems


def undeclared_reads(registry: Registry, contracts: Contracts) -> list[str]:
    """Every attribute a check reads that the contract of the type it reads it from does not
    declare: a typo, or a key the collector does not write."""
    problems: list[str] = []
    for check in registry:
        meta = check.meta
        own_types = [contracts.get(t) for t in meta.resource_types]
        for t, tc in zip(meta.resource_types, own_types, strict=True):
            if tc is None:
                problems.append(f"check {meta.id}: reads resource type {t!r}, which is not declared")
        provider_types = contracts.of_provider(meta.provider)
        for read in sorted(check_reads(check), key=lambda r: (r.key, r.own, r.type_ or "")):
            if read.own:
                pool = [t for t in own_types if t is not None]
                where = " / ".join(meta.resource_types)
            elif read.type_ is not None:
                found = contracts.get(read.type_)
                pool = [found] if found is not None else []
                where = read.type_
            else:
                pool = provider_types
                where = f"any {meta.provider} type"
            if not any(read.key in t.attributes for t in pool):
                problems.append(f"check {meta.id}: reads attribute {read.key!r}, not declared by {where}")
    return problems
