"""Cloud Asset records (either spelling) -> the provider's resources, for live listings and exports.

A record is one asset as the API's JSON (`gcloud asset list --format=json`: camelCase) or as
`gcloud asset export` writes it (proto field names: snake_case). `envelopes()` reads either into
`Asset`s; `Inventory` gathers them from every page or file and `build()` turns them into
resources once everything is read (a project's ID, which names its scope, comes from its
Project asset, which may arrive on any page):

- every asset is attributed to its project (Location.account = project ID) through its ancestry;
  assets above projects (organization, folder, their policies and sinks) have no account;
- an asset read twice (an organization and one of its projects both listed) is one resource;
- assets of a project that is not ACTIVE are dropped, and the project is reported in `inactive`.

`scrub()` masks what may hold secrets before a record is stored as evidence: the values of VM
and Workbench metadata other than known switches (startup scripts), GKE client keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.models import Location, Resource
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.adapters import ADAPTERS, METADATA_FLAGS, display_name
from auditor.redact import REDACTED

PROVIDER = "gcp"
CRM = "//cloudresourcemanager.googleapis.com/"
_LEVELS = {T.ORG_ASSET: "organization", T.FOLDER_ASSET: "folder", T.PROJECT_ASSET: "project"}
_LOG_TYPES = {0: "LOG_TYPE_UNSPECIFIED", 1: "ADMIN_READ", 2: "DATA_WRITE", 3: "DATA_READ"}
_ALL_VALUES = {0: None, 1: "ALLOW", 2: "DENY", "ALL_VALUES_UNSPECIFIED": None}


def field_of(record: Mapping[str, Any], snake: str) -> Any:
    """A field by its proto name (snake_case, exports) or its JSON name (camelCase, the API)."""
    if snake in record:
        return record[snake]
    head, *rest = snake.split("_")
    return record.get(head + "".join(p.title() for p in rest))


def integral(value: Any) -> Any:
    """Struct numbers are doubles: 30.0 becomes 30 again, everywhere in a data tree."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value


@dataclass(frozen=True)
class Asset:
    name: str
    asset_type: str
    content: str
    ancestors: tuple[str, ...]
    evidence: str
    location: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    iam_policy: dict[str, Any] = field(default_factory=dict)
    org_policies: tuple[dict[str, Any], ...] = ()

    @property
    def container(self) -> str:
        """projects/N, folders/N or organizations/N the asset belongs to (itself for those)."""
        if self.ancestors:
            return self.ancestors[0]
        parts = self.name.lstrip("/").split("/")[1:]
        return "/".join(parts[:2])


class RecordError(ValueError):
    """A record that is not a Cloud Asset (the export reader names its file and line)."""


def envelopes(record: Any, evidence: str) -> list[Asset]:
    """The assets in one record: one per content it carries (resource, IAM policy, org policies)."""
    if not isinstance(record, Mapping):
        raise RecordError(f"an asset is a JSON object, not {type(record).__name__}")
    name, asset_type = record.get("name"), field_of(record, "asset_type")
    if not isinstance(name, str) or not name or not isinstance(asset_type, str) or not asset_type:
        raise RecordError("an asset needs a name and an asset type (asset_type / assetType)")
    ancestors = tuple(str(a) for a in record.get("ancestors") or () if isinstance(a, str))
    out: list[Asset] = []
    resource = record.get("resource")
    if isinstance(resource, Mapping):
        data = resource.get("data")
        out.append(
            Asset(
                name,
                asset_type,
                T.RESOURCE,
                ancestors,
                evidence,
                location=_str(resource.get("location")),
                data=integral(dict(data)) if isinstance(data, Mapping) else {},
            )
        )
    policy = field_of(record, "iam_policy")
    if isinstance(policy, Mapping):
        out.append(
            Asset(name, asset_type, T.IAM_POLICY_CONTENT, ancestors, evidence, iam_policy=_policy(policy))
        )
    org = field_of(record, "org_policy")
    if isinstance(org, list):
        policies = tuple(_org_policy(p) for p in org if isinstance(p, Mapping))
        out.append(Asset(name, asset_type, T.ORG_POLICY_CONTENT, ancestors, evidence, org_policies=policies))
    return out


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _policy(p: Mapping[str, Any]) -> dict[str, Any]:
    bindings = []
    for b in p.get("bindings") or ():
        if not isinstance(b, Mapping):
            continue
        entry: dict[str, Any] = {
            "role": str(b.get("role", "")),
            "members": [str(m) for m in b.get("members") or ()],
        }
        if isinstance(b.get("condition"), Mapping):
            entry["condition"] = {k: str(v) for k, v in b["condition"].items()}
        bindings.append(entry)
    audit = []
    for c in field_of(p, "audit_configs") or ():
        if not isinstance(c, Mapping):
            continue
        configs = []
        for lc in field_of(c, "audit_log_configs") or ():
            if isinstance(lc, Mapping):
                log_type = field_of(lc, "log_type")
                configs.append(
                    {
                        "log_type": _LOG_TYPES.get(log_type, str(log_type))
                        if isinstance(log_type, int)
                        else str(log_type),
                        "exempted_members": [str(m) for m in field_of(lc, "exempted_members") or ()],
                    }
                )
        audit.append({"service": str(c.get("service", "")), "audit_log_configs": configs})
    return {"bindings": bindings, "audit_configs": audit}


def _org_policy(p: Mapping[str, Any]) -> dict[str, Any]:
    constraint = str(p.get("constraint", "")).removeprefix("constraints/")
    boolean = field_of(p, "boolean_policy")
    listed = field_of(p, "list_policy")
    listed = listed if isinstance(listed, Mapping) else {}
    all_values = field_of(listed, "all_values")
    return {
        "constraint": constraint,
        "enforced": bool(boolean.get("enforced")) if isinstance(boolean, Mapping) else None,
        "allowed_values": [str(v) for v in field_of(listed, "allowed_values") or ()],
        "denied_values": [str(v) for v in field_of(listed, "denied_values") or ()],
        "all_values": _ALL_VALUES.get(all_values, str(all_values)) if all_values is not None else None,
        "inherit_from_parent": bool(field_of(listed, "inherit_from_parent")),
        "restore_default": field_of(p, "restore_default") is not None,
    }


# ------------------------------------------------------------------ evidence scrubbing


def _mask_metadata(metadata: Any) -> Any:
    if isinstance(metadata, Mapping) and isinstance(metadata.get("items"), list):
        items = [
            {**i, "value": i.get("value") if str(i.get("key")) in METADATA_FLAGS else REDACTED}
            if isinstance(i, Mapping) and "value" in i
            else i
            for i in metadata["items"]
        ]
        return {**metadata, "items": items}
    if isinstance(metadata, Mapping):
        return {
            k: (v if k in METADATA_FLAGS or k == "fingerprint" else REDACTED) for k, v in metadata.items()
        }
    return metadata


def scrub(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of one asset record safe to store: metadata values other than known switches are
    masked (startup scripts, user data, SSH keys), and so are GKE client keys."""
    out = dict(record)
    resource = out.get("resource")
    if not isinstance(resource, Mapping) or not isinstance(resource.get("data"), Mapping):
        return out
    data = dict(resource["data"])
    for key in ("metadata", "commonInstanceMetadata"):
        if key in data:
            data[key] = _mask_metadata(data[key])
    if isinstance(data.get("gceSetup"), Mapping) and "metadata" in data["gceSetup"]:
        data["gceSetup"] = {**data["gceSetup"], "metadata": _mask_metadata(data["gceSetup"]["metadata"])}
    auth = data.get("masterAuth")
    if isinstance(auth, Mapping):
        data["masterAuth"] = {
            k: (REDACTED if k in ("clientKey", "password") and v else v) for k, v in auth.items()
        }
    out["resource"] = {**resource, "data": data}
    return out


# ------------------------------------------------------------------ building resources


@dataclass
class Built:
    resources: list[Resource]
    inactive: dict[str, str]  # project ID -> lifecycle state, not scanned
    projects_under: dict[str, set[str]]  # organizations/N or folders/N -> project IDs below it
    dropped: dict[str, set[str]] = field(default_factory=dict)  # inactive project ID -> types not judged

    def exclusions(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        """(project ID, resource types, reason) for every project not judged because not ACTIVE."""
        for pid, state in sorted(self.inactive.items()):
            types = tuple(sorted(self.dropped.get(pid, set()) | {T.PROJECT}))
            yield pid, types, f"project {pid} is {state}, not ACTIVE: not scanned"


class Inventory:
    """Assets from every page or file; `build()` once everything is read. Not thread-safe: the
    collector adds pages from one thread (the gather continuation) or under its own lock."""

    def __init__(self) -> None:
        self._assets: list[Asset] = []

    def add(self, assets: Iterable[Asset]) -> None:
        self._assets.extend(assets)

    def __len__(self) -> int:
        return len(self._assets)

    def build(self) -> Built:
        projects: dict[str, tuple[str, str | None]] = {}  # projects/N -> (project ID, state)
        under: dict[str, set[str]] = {}
        for a in self._assets:
            if a.content == T.RESOURCE and a.asset_type == T.PROJECT_ASSET:
                number = str(a.data.get("projectNumber") or a.container.split("/", 1)[-1])
                state = a.data.get("lifecycleState") or a.data.get("state")
                pid = str(a.data.get("projectId") or number)
                projects[f"projects/{number}"] = (pid, _str(state))
                for anc in a.ancestors[1:]:
                    under.setdefault(anc, set()).add(pid)
        inactive = {pid: state for pid, state in projects.values() if state not in (None, "ACTIVE")}
        skip = {n for n, (pid, _) in projects.items() if pid in inactive}
        names: dict[str, str] = {}
        out: dict[tuple[str, str], Resource] = {}
        dropped: dict[str, set[str]] = {}
        for a in self._assets:
            if a.container in skip:
                rtype = {T.IAM_POLICY_CONTENT: T.IAM_POLICY, T.ORG_POLICY_CONTENT: T.ORG_POLICY}.get(
                    a.content, T.BY_ASSET_TYPE.get(a.asset_type)
                )
                if rtype:
                    dropped.setdefault(projects[a.container][0], set()).add(rtype)
                continue
            if a.content != T.RESOURCE:
                continue
            r = self._resource(a, projects)
            if r is not None:
                names[a.name] = r.name or a.name
                _keep(out, r)
        for a in self._assets:
            if a.container in skip or a.content == T.RESOURCE:
                continue
            for r in self._policies(a, projects, names):
                _keep(out, r)
        return Built(list(out.values()), inactive, under, dropped)

    @staticmethod
    def _location(a: Asset, projects: Mapping[str, tuple[str, str | None]], region: bool = True) -> Location:
        account = None
        if a.container.startswith("projects/"):
            account = projects.get(a.container, (a.container, None))[0]
        return Location(account=account, region=a.location if region else None)

    def _resource(self, a: Asset, projects: Mapping[str, tuple[str, str | None]]) -> Resource | None:
        rtype = T.BY_ASSET_TYPE.get(a.asset_type)
        if rtype is None:
            return None
        loc = self._location(a, projects, region=rtype not in T.HIERARCHY_TYPES)
        attrs = ADAPTERS[rtype](a.data)
        attrs["project_id"] = loc.account
        tags: dict[str, str] = {}
        if rtype == T.PROJECT:
            attrs["ancestors"] = list(a.ancestors)
            tags = dict(attrs["labels"])
        elif rtype == T.LOG_SINK:
            attrs["parent"] = a.container
        return Resource(
            provider=PROVIDER,
            type=rtype,
            id=a.name,
            name=display_name(rtype, a.data, a.name),
            location=loc,
            tags=tags,
            attributes=attrs,
            evidence=(a.evidence,) if a.evidence else (),
        )

    def _policies(
        self, a: Asset, projects: Mapping[str, tuple[str, str | None]], names: Mapping[str, str]
    ) -> Iterator[Resource]:
        loc = self._location(a, projects, region=False)
        label = names.get(a.name) or _hierarchy_label(a.name, projects)
        ev = (a.evidence,) if a.evidence else ()
        if a.content == T.IAM_POLICY_CONTENT:
            yield Resource(
                provider=PROVIDER,
                type=T.IAM_POLICY,
                id=a.name,
                name=label,
                location=loc,
                attributes={
                    "resource": a.name,
                    "asset_type": a.asset_type,
                    "level": _LEVELS.get(a.asset_type, "resource"),
                    "project_id": loc.account,
                    **a.iam_policy,
                },
                evidence=ev,
            )
            return
        for p in a.org_policies:
            yield Resource(
                provider=PROVIDER,
                type=T.ORG_POLICY,
                id=f"{a.name}/policies/{p['constraint']}",
                name=f"{label}: {p['constraint']}",
                location=loc,
                attributes={
                    "resource": a.name,
                    "level": _LEVELS.get(a.asset_type, "project"),
                    "project_id": loc.account,
                    **p,
                },
                evidence=ev,
            )


def _hierarchy_label(name: str, projects: Mapping[str, tuple[str, str | None]]) -> str:
    short = name.removeprefix(CRM)
    return projects[short][0] if short in projects else short.rsplit("/", 1)[-1]


def _keep(out: dict[tuple[str, str], Resource], r: Resource) -> None:
    key = (r.type, r.id)
    seen = out.get(key)
    if seen is None:
        out[key] = r
    elif r.evidence and not set(r.evidence) <= set(seen.evidence):
        out[key] = seen.model_copy(update={"evidence": tuple(dict.fromkeys((*seen.evidence, *r.evidence)))})
