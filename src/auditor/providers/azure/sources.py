"""Where every attribute of an Azure resource type comes from, declared once with its contract.

A type read through Resource Graph names its table and ARM type, and each attribute names the
path it is projected from (`graph("properties.minimumTlsVersion", str | None, ...)`). Settings
that Resource Graph does not hold come from an `ArmRead`: one ARM GET per resource, with an
explicit API version and the RBAC action it needs (`arm("blob_service", "properties...", ...)`).
A read may also yield child resources (Key Vault keys, flow logs): each item of its list becomes
a resource of the child type, whose attributes are paths in that item.

From these declarations, and nothing else, come:
- the Resource Graph projection of each table (`Sources.projection`): only what checks read;
- the per-resource reads the collector makes, and what each leaves as a gap when it fails;
- the custom role's actions (`Sources.actions`), which a test holds against what the fake saw.

No SDK import here: the declarations load for offline evaluation too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.contracts import Attr, TypeSet, attr

GRAPH = "graph"  # the attribute is projected from the Resource Graph row
LISTED = "listed"  # the attribute comes from the subscription listing (subscriptions only)
ITEM = "item"  # the attribute of a child comes from its item in the parent's list read

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One attribute: its contract, the read it comes from, the dotted path in that read's body
    (in the projected row for `GRAPH`), and an optional shaping of the raw value."""

    attr: Attr
    read: str
    path: str
    convert: Convert | None = None

    def value(self, body: Any) -> Any:
        raw = value_at(body, self.path)
        return self.convert(raw) if self.convert is not None else raw


def graph(path: str, kind: Any, meaning: str, *, convert: Convert | None = None) -> Field:
    """An attribute projected from the Resource Graph row (`properties.x`, `identity.type`, `kind`)."""
    return Field(attr(kind, meaning), GRAPH, path, convert)


def listed(path: str, kind: Any, meaning: str, *, convert: Convert | None = None) -> Field:
    return Field(attr(kind, meaning), LISTED, path, convert)


def item(path: str, kind: Any, meaning: str, *, convert: Convert | None = None) -> Field:
    """An attribute of a child type, from its item in the list read that yields it."""
    return Field(attr(kind, meaning), ITEM, path, convert)


def arm(read: str, path: str, kind: Any, meaning: str, *, convert: Convert | None = None) -> Field:
    """An attribute read from the body of the ARM read named `read` ("" path: the whole body)."""
    return Field(attr(kind, meaning), read, path, convert)


@dataclass(frozen=True)
class ArmRead:
    """One ARM GET per resource: `path` is relative to the resource id (`{id}/blobServices/default`),
    or absolute for subscriptions (`/subscriptions/{subscription}/providers/...`). A `collection`
    is a list (`value`, paged with `nextLink`). `children` names the type each listed item becomes.
    `applies` says, from the resource's graph attributes, whether the read makes sense at all (a
    FileStorage account has no blob service): when it does not, its attributes are null."""

    name: str
    path: str
    api_version: str
    action: str
    collection: bool = False
    children: str | None = None
    secret_paths: tuple[str, ...] = ()
    applies: Callable[[Mapping[str, Any]], bool] | None = None

    def url(self, resource_id: str, subscription: str) -> str:
        return self.path.format(id=resource_id, subscription=subscription)


@dataclass(frozen=True)
class Source:
    """How one resource type is read."""

    type: str
    table: str | None  # Resource Graph table; None for children of an ARM read
    arm_type: str  # lower-case ARM resource type, as Resource Graph names it
    fields: Mapping[str, Field]
    reads: tuple[ArmRead, ...] = ()
    skip_names: frozenset[str] = frozenset()  # rows not to judge (a server's `master` database)
    read_action: str = ""  # what Resource Graph needs to show the row: `<type>/read`
    name_attr: str | None = None  # the attribute that names the resource (else the ARM name)

    def fields_of(self, read: str) -> dict[str, Field]:
        return {k: f for k, f in self.fields.items() if f.read == read}


def value_at(body: Any, path: str) -> Any:
    """The value at a dotted path (None where any step is missing); "" is the body itself."""
    if not path:
        return body
    here = body
    for step in path.split("."):
        if not isinstance(here, Mapping):
            return None
        here = here.get(step)
    return here


def column(path: str) -> str:
    """The Resource Graph column a projected path is named as (a KQL identifier)."""
    return "p_" + "".join(c if c.isalnum() else "_" for c in path)


def rbac_read_action(arm_type: str) -> str:
    """`microsoft.storage/storageaccounts` -> `Microsoft.Storage/storageAccounts/read`, with the
    casing RBAC documents (action names are case-insensitive, but the role file stays readable)."""
    namespace, _, rest = arm_type.partition("/")
    proper = _NAMESPACES.get(namespace, namespace)
    parts = [_SEGMENTS.get(p, p) for p in rest.split("/")]
    return f"{proper}/{'/'.join(parts)}/read"


_NAMESPACES = {
    "microsoft.storage": "Microsoft.Storage",
    "microsoft.keyvault": "Microsoft.KeyVault",
    "microsoft.network": "Microsoft.Network",
    "microsoft.compute": "Microsoft.Compute",
    "microsoft.sql": "Microsoft.Sql",
    "microsoft.dbforpostgresql": "Microsoft.DBforPostgreSQL",
    "microsoft.dbformysql": "Microsoft.DBforMySQL",
    "microsoft.web": "Microsoft.Web",
    "microsoft.containerservice": "Microsoft.ContainerService",
    "microsoft.machinelearningservices": "Microsoft.MachineLearningServices",
    "microsoft.documentdb": "Microsoft.DocumentDB",
    "microsoft.containerregistry": "Microsoft.ContainerRegistry",
    "microsoft.authorization": "Microsoft.Authorization",
    "microsoft.security": "Microsoft.Security",
    "microsoft.resources": "Microsoft.Resources",
    "microsoft.insights": "Microsoft.Insights",
}
_SEGMENTS = {
    "storageaccounts": "storageAccounts",
    "networksecuritygroups": "networkSecurityGroups",
    "networkwatchers": "networkWatchers",
    "networkinterfaces": "networkInterfaces",
    "virtualmachines": "virtualMachines",
    "flexibleservers": "flexibleServers",
    "managedclusters": "managedClusters",
    "databaseaccounts": "databaseAccounts",
    "roledefinitions": "roleDefinitions",
    "roleassignments": "roleAssignments",
}


# attributes every resource read from Resource Graph carries
_GRAPH_BASE: dict[str, Attr] = {
    "subscription_id": attr(str, "The subscription the resource belongs to."),
    "resource_group": attr(str | None, "The resource group (null for subscription-level resources)."),
}
# attributes every child of an ARM read carries
_CHILD_BASE: dict[str, Attr] = {
    "subscription_id": attr(str, "The subscription the resource belongs to."),
    "parent_id": attr(str, "Lower-case ARM id of the resource whose read listed this one."),
}


@dataclass
class Sources:
    """The read declarations of one provider's types, filled at import (like its TypeSet) and
    read-only afterwards."""

    types: TypeSet
    _by_type: dict[str, Source] = field(default_factory=dict)

    def declare(
        self,
        name: str,
        title: str,
        *,
        arm_type: str,
        fields: Mapping[str, Field],
        table: str | None = "resources",
        reads: Iterable[ArmRead] = (),
        scope: str = "region",
        description: str = "",
        per_scope: bool = False,
        skip_names: Iterable[str] = (),
        base: Mapping[str, Attr] | None = None,
        name_attr: str | None = None,
    ) -> str:
        reads = tuple(reads)
        if name_attr is not None and name_attr not in fields:
            raise ValueError(f"{name}: names its resources by {name_attr!r}, which it does not declare")
        known = {r.name for r in reads} | ({ITEM} if table is None else {GRAPH, LISTED})
        for key, f in fields.items():
            if f.read not in known:
                raise ValueError(f"{name}.{key}: no read named {f.read!r} for this type")
        common = dict(base if base is not None else (_GRAPH_BASE if table else _CHILD_BASE))
        self.types.declare(
            name,
            title,
            {**common, **{k: f.attr for k, f in fields.items()}},
            scope=scope,
            description=description,
            per_scope=per_scope,
        )
        self._by_type[name] = Source(
            name,
            table,
            arm_type,
            dict(fields),
            reads,
            frozenset(skip_names),
            rbac_read_action(arm_type) if table else "",
            name_attr,
        )
        return name

    def __iter__(self) -> Iterator[Source]:
        return iter(self._by_type.values())

    def get(self, name: str) -> Source:
        return self._by_type[name]

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.table for s in self._by_type.values() if s.table))

    def of_table(self, table: str) -> dict[str, Source]:
        """The types a table yields, by lower-case ARM type."""
        return {s.arm_type: s for s in self._by_type.values() if s.table == table}

    def projection(self, table: str) -> list[str]:
        """Every property path the table's types project, in declaration order, once each."""
        paths: dict[str, None] = {}
        for s in self.of_table(table).values():
            for f in s.fields.values():
                if f.read == GRAPH:
                    paths.setdefault(f.path)
        return list(paths)

    def reads(self) -> list[tuple[Source, ArmRead]]:
        return [(s, r) for s in self._by_type.values() for r in s.reads]

    def child_types(self) -> dict[str, tuple[Source, ArmRead]]:
        """Child type -> (the parent's source, the read that lists it)."""
        return {r.children: (s, r) for s, r in self.reads() if r.children}

    def actions(self) -> list[str]:
        """The RBAC actions reading these types needs: `<type>/read` for what Resource Graph shows,
        and each ARM read's own action."""
        found = {s.read_action for s in self._by_type.values() if s.read_action}
        found |= {r.action for _, r in self.reads()}
        return sorted(found, key=str.lower)
