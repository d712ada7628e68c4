"""What a provider's plan adapter needs on top of `auditor.terraform`: planned values read with the
provider's fixed defaults, gaps for what is known only after apply, and children joined to their parent.

- `planned(res, *path, default=...)` reads the value at `path` (attribute names and block indexes:
  `planned(db, "settings", 0, "ip_configuration", 0, "ipv4_enabled", default=True)`). A value known
  only after apply raises `Unknown` (a gap) when the configuration writes it, or when no default is
  given (what the cloud picks depends on something a plan cannot see); otherwise the configuration
  left it to the provider, and its fixed default for a new resource applies. Null reads the same.
- `pointer(res, *path)` reads an id the configuration may point at another resource: known, or
  that reference, which will not be null once applied (a key created in the same plan).
- `Attrs` collects one resource's attributes and gaps from getters that raise `Unknown`, and
  makes the adapted `Resource` (`Attrs.resource`). A value not shaped as its provider writes it
  (a list where a map belongs) is a `PlanShapeError` naming the resource and attribute: the gate
  exits 2 on it, never 4.
- `Joins` puts child resources (rules, IAM members, policies) under their parent by a known value,
  else through the configuration's references (`Plan.referenced`), so they join even when the
  parent's name or id is known only after apply. A child whose join value is unknown and whose
  references say nothing is an orphan: the adapter makes that attribute a gap on every parent.

- `chain(*mappers)` is a provider's `adapt(plan)`: every resource each mapper makes, in turn.

Provider-agnostic: what any default is, and which attributes there are, is each adapter's business.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

from auditor.models import Location, Resource
from auditor.terraform import SHAPE_ERRORS, Plan, PlanResource, PlanShapeError, Unknown, shape_problem

__all__ = ["Attrs", "Joins", "chain", "json_value", "known", "planned", "pointer", "size", "written"]

REQUIRED: Any = object()  # no default: unknown is a gap, null stays null
_NOT_A_RESOURCE = ("var", "local", "each", "count", "module", "path", "terraform", "self")


def _expression(res: PlanResource, path: tuple[str | int, ...]) -> dict[str, Any] | None:
    """The configuration's expression for `path`: the leaf (`constant_value` / `references`) that
    writes it or an enclosing attribute; None when the configuration does not write it."""
    node: Any = (res.config or {}).get("expressions") or {}
    for part in path:
        if isinstance(node, dict) and ("constant_value" in node or "references" in node):
            return node  # a whole attribute (or a block written as an attribute) covers its parts
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
        if node is None:
            return None
    if isinstance(node, dict):
        return node
    return {"block": node} if isinstance(node, list) else None


def written(res: PlanResource, *path: str | int) -> bool:
    """The configuration writes the attribute or block at `path` (or one that encloses it)."""
    return _expression(res, path) is not None


def known(res: PlanResource, *path: str | int) -> Any:
    """The planned value at `path`, or None when it is unset or known only after apply."""
    try:
        return res.get(*path)
    except Unknown:
        return None


def planned(res: PlanResource, *path: str | int, default: Any = REQUIRED) -> Any:
    """The planned value at `path`, or the provider's fixed `default` when the configuration
    leaves it unset; raises Unknown when it is known only after apply and that is not the case."""
    if res.is_unknown(*path):
        if default is REQUIRED or written(res, *path):
            raise res.unknown_error(*path)
        return default
    value = res.get(*path)
    return default if value is None and default is not REQUIRED else value


def pointer(res: PlanResource, *path: str | int) -> Any:
    """An id or name that may be null: known, or, when the configuration points it at another
    resource's attribute known only after apply, that reference (`google_kms_crypto_key.k.id
    (known after apply)`), which will not be null. Anything else unknown is a gap."""
    if not res.is_unknown(*path):
        return res.get(*path)
    for ref in (_expression(res, path) or {}).get("references") or ():
        if isinstance(ref, str) and "." in ref and ref.split(".", 1)[0] not in _NOT_A_RESOURCE:
            return f"{ref} (known after apply)"
    raise res.unknown_error(*path)


def size(res: PlanResource, *path: str | int) -> int:
    """How many blocks (or list items) the plan holds at `path`. A list known only after apply
    that the configuration does not write holds none of the configuration's: 0."""
    if res.is_unknown(*path):
        if written(res, *path):
            raise res.unknown_error(*path)
        return 0
    value = res.get(*path)
    return len(value) if isinstance(value, list) else 0


def json_value(text: Any) -> Any:
    """JSON text of a plan attribute (a policy document) as data; anything else as it is."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return {"unparsed": text[:2000]}
    return text


class Attrs:
    """The attributes and gaps of one adapted resource."""

    def __init__(self, res: PlanResource) -> None:
        self.res = res
        self.values: dict[str, Any] = {}
        self.gaps: dict[str, str] = {}

    def put(self, key: str, get: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """`key` = `get(*args, **kwargs)` now, or a gap when that needs a value known only after apply."""
        self.put_from((key,), lambda: {key: get(*args, **kwargs)})

    def put_from(self, keys: Iterable[str], get: Callable[[], Mapping[str, Any]]) -> None:
        """Several attributes from one mapping (what a live normaliser returns for them)."""
        keys = tuple(keys)
        try:
            found = get()
        except Unknown as exc:
            for key in keys:
                self.gap(key, f"{self.res.address}: {exc} is {exc.why}")
            return
        except SHAPE_ERRORS as exc:
            raise PlanShapeError(f"{self.res.address} ({', '.join(keys)})", shape_problem(exc)) from None
        for key in keys:
            self.values[key] = found[key]

    def gap(self, key: str, why: str) -> None:
        self.values.pop(key, None)
        self.gaps[key] = why

    def resource(
        self,
        provider: str,
        type_: str,
        *,
        name: Any = None,
        account: Any = None,
        region: Any = None,
        tags: str = "tags",
        shown: PlanResource | None = None,
    ) -> Resource:
        """The adapted resource: named `name` (default its planned `name`, else its address), its
        `tags` attribute (`labels` on Google) as tags; `shown` is the block findings point at."""
        r = self.res
        try:
            planned_tags = known(r, tags) or {}
            return Resource(
                provider=provider,
                type=type_,
                id=r.address,
                name=name or known(r, "name") or r.address,
                location=Location(account=account, region=region),
                tags={str(k): str(v) for k, v in planned_tags.items()},
                attributes=self.values,
                gaps=self.gaps,
                source=(shown or r).source,
            )
        except SHAPE_ERRORS as exc:
            raise PlanShapeError(r.address, shape_problem(exc)) from None


Key = Callable[[PlanResource], Hashable | None]


class Joins:
    """Children by the parent they belong to (see the module docstring): a parent is found by
    `key(parent)`, or by the known value of any of its `values` attributes (a name, an id, an ARN)."""

    def __init__(
        self, plan: Plan, parents: list[PlanResource], key: Key | None = None, *, values: Iterable[str] = ()
    ) -> None:
        self.plan = plan
        self.parents = parents
        self._types = tuple(dict.fromkeys(p.type for p in parents))
        self._by_key: dict[Hashable, PlanResource] = {}
        attrs = tuple(values)
        for p in parents:
            keys = [key(p)] if key is not None else []
            keys += [v for a in attrs if isinstance(v := known(p, a), str) and v]
            for k in keys:
                if k is not None:
                    try:
                        self._by_key.setdefault(k, p)
                    except TypeError as exc:
                        raise PlanShapeError(p.address, shape_problem(exc)) from None

    def parent(self, child: PlanResource, attr: str, key: Key | None = None) -> PlanResource | None:
        """The parent `child`'s `attr` names (by `key(child)`, default the value of `attr`)."""
        value = key(child) if key is not None else known(child, attr)
        try:
            hit = self._by_key.get(value) if isinstance(value, Hashable) and value is not None else None
        except TypeError as exc:  # a tuple holding a map: not a name or an id
            raise PlanShapeError(f"{child.address} ({attr})", shape_problem(exc)) from None
        if hit is not None:
            return hit
        found = [p for p in self.plan.referenced(child, attr, self._types) if p in self.parents]
        return found[0] if len(found) == 1 else None

    def group(
        self, children: Iterable[PlanResource], attr: str, key: Key | None = None
    ) -> tuple[dict[str, list[PlanResource]], list[PlanResource]]:
        """(parent address -> its children, orphans). A child naming a parent outside the plan
        is neither: it changes something this plan does not create."""
        joined: dict[str, list[PlanResource]] = {}
        orphans: list[PlanResource] = []
        for c in children:
            p = self.parent(c, attr, key)
            if p is not None:
                joined.setdefault(p.address, []).append(c)
            elif c.is_unknown(attr):
                orphans.append(c)
        return joined, orphans

    @staticmethod
    def orphaned(attrs: Attrs, orphans: list[PlanResource], key: str, what: str) -> None:
        """Fail closed: `key` is a gap on a parent when some child of it cannot be told apart
        (`what`: "rules for a group", the children and the kind of parent they may belong to)."""
        if orphans:
            names = ", ".join(o.address for o in orphans)
            attrs.gap(key, f"{names}: {what} that cannot be told at plan time")


Mapper = Callable[[Plan], Iterable[Resource]]


def chain(*mappers: Mapper) -> Callable[[Plan], Iterator[Resource]]:
    """A plan adapter (`ProviderSpec.plan_adapter`): the resources each of `mappers` makes of a
    plan, in turn."""

    def adapt(plan: Plan) -> Iterator[Resource]:
        for mapper in mappers:
            yield from mapper(plan)

    return adapt
