"""Shapes raw ARM JSON into the attribute values the resource contracts promise.

Each function takes the raw value at a declared path (or a whole read's body) and returns plain
JSON; ids are lower-cased (ARM ids are case-insensitive and services disagree on their casing),
so `ctx.lookup` matches them. None in means "not set" and stays None unless said otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def _items(value: Any) -> list[Any]:
    """The list itself, or the `value` list of a collection body."""
    if isinstance(value, Mapping):
        value = value.get("value")
    return list(value) if isinstance(value, list) else []


def _props(item: Any) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        p = item.get("properties")
        if isinstance(p, Mapping):
            return p
    return {}


def lower_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value.lower() if isinstance(value, str) and value else None


def ids(value: Any) -> list[str]:
    """Ids of a list of `{"id": ...}` references."""
    return [i for i in (lower_id(v) for v in _items(value)) if i]


def lower_list(value: Any) -> list[str]:
    return [v.lower() for v in _items(value) if isinstance(v, str)]


def count(value: Any) -> int:
    return len(_items(value))


def names(value: Any) -> list[str]:
    """`name` of each item (a management group ancestor chain, say)."""
    return [str(v["name"]) for v in _items(value) if isinstance(v, Mapping) and v.get("name")]


def retention(value: Any) -> dict[str, Any] | None:
    """A retention policy `{enabled, days}`; None when the service reports none."""
    if not isinstance(value, Mapping):
        return None
    days = value.get("days")
    return {"enabled": bool(value.get("enabled")), "days": days if isinstance(days, int) else None}


def _list_of(value: Any, *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        v = value.get(key)
        if isinstance(v, str) and v:
            out.append(v)
        elif isinstance(v, list):
            out.extend(str(x) for x in v if x)
    return out


def nsg_rules(value: Any) -> list[dict[str, Any]]:
    """Custom security rules of an NSG: direction, access, protocol, source prefixes, destination
    port ranges (as written: `*`, `22`, `1000-2000`), priority."""
    out = []
    for rule in _items(value):
        p = _props(rule)
        out.append(
            {
                "name": str(rule.get("name") or ""),
                "direction": str(p.get("direction") or ""),
                "access": str(p.get("access") or ""),
                "protocol": str(p.get("protocol") or "*"),
                "sources": _list_of(p, "sourceAddressPrefix", "sourceAddressPrefixes"),
                "ports": _list_of(p, "destinationPortRange", "destinationPortRanges"),
                "priority": p.get("priority") if isinstance(p.get("priority"), int) else None,
            }
        )
    return out


def diagnostic_settings(body: Any) -> list[dict[str, Any]]:
    """Diagnostic settings: name, the log categories (or category groups) enabled, and the
    destinations set (storage, workspace, event hub, partner)."""
    out = []
    for item in _items(body):
        p = _props(item)
        logs = []
        for log in p.get("logs") or []:
            if isinstance(log, Mapping) and log.get("enabled"):
                logs.append(str(log.get("category") or log.get("categoryGroup") or ""))
        destinations = [
            name
            for name, key in (
                ("storage", "storageAccountId"),
                ("workspace", "workspaceId"),
                ("event_hub", "eventHubAuthorizationRuleId"),
                ("partner", "marketplacePartnerId"),
            )
            if p.get(key)
        ]
        out.append({"name": str(item.get("name") or ""), "logs": logs, "destinations": destinations})
    return out


def security_contacts(body: Any) -> list[dict[str, Any]]:
    """Defender for Cloud security contacts (API 2023-12-01-preview shape, and the older
    `alertNotifications` one): whether emails are set (not the addresses), whether alert mails
    go out and from which severity, and which roles are notified."""
    out = []
    for item in _items(body):
        p = _props(item)
        severity = None
        alerts = False
        for src in p.get("notificationsSources") or []:
            if isinstance(src, Mapping) and src.get("sourceType") == "Alert":
                alerts = True
                severity = src.get("minimalSeverity")
        legacy = p.get("alertNotifications")
        if isinstance(legacy, Mapping):
            alerts = legacy.get("state") == "On"
            severity = legacy.get("minimalSeverity", severity)
        enabled = p.get("isEnabled")
        raw_roles = p.get("notificationsByRole")
        by_role: Mapping[str, Any] = raw_roles if isinstance(raw_roles, Mapping) else {}
        out.append(
            {
                "name": str(item.get("name") or ""),
                "emails_set": bool(str(p.get("emails") or "").strip()),
                "enabled": True if enabled is None else bool(enabled),
                "alert_notifications": alerts,
                "minimal_severity": str(severity) if severity else None,
                "notify_roles": [str(r) for r in by_role.get("roles") or []]
                if by_role.get("state") == "On"
                else [],
            }
        )
    return out


def alert_conditions(value: Any) -> list[dict[str, str]]:
    """The `allOf` conditions of an activity-log alert, as {field, equals} (values lower-case)."""
    out = []
    conditions = value.get("allOf") if isinstance(value, Mapping) else None
    for cond in conditions or []:
        if isinstance(cond, Mapping) and cond.get("field"):
            out.append({"field": str(cond["field"]), "equals": str(cond.get("equals") or "").lower()})
    return out


def action_groups(value: Any) -> int:
    return len((value or {}).get("actionGroups") or []) if isinstance(value, Mapping) else 0


def rotation_policy(value: Any) -> dict[str, Any] | None:
    """A key's rotation policy: whether a lifetime action rotates it automatically, and the
    expiry it gives new versions. None when the key has no policy."""
    if not isinstance(value, Mapping):
        return None
    actions = value.get("lifetimeActions") or []
    rotate = any(
        isinstance(a, Mapping) and str((a.get("action") or {}).get("type", "")).lower() == "rotate"
        for a in actions
    )
    expiry = (value.get("attributes") or {}).get("expiryTime")
    return {"auto_rotate": rotate, "expiry_time": str(expiry) if expiry else None}


def public_ips(value: Any) -> list[str]:
    """Public IP address ids attached to a NIC's IP configurations."""
    out = []
    for cfg in _items(value):
        ref = lower_id(_props(cfg).get("publicIPAddress"))
        if ref:
            out.append(ref)
    return out


def os_disk_managed(value: Any) -> bool | None:
    if not isinstance(value, Mapping):
        return None
    return bool(value.get("managedDisk")) and not value.get("vhd")


def unmanaged_disks(value: Any) -> int:
    return sum(1 for d in _items(value) if isinstance(d, Mapping) and d.get("vhd"))


def entra_admins(body: Any) -> list[dict[str, Any]]:
    """A SQL server's Microsoft Entra administrators: login and whether only Entra logins are allowed."""
    return [
        {
            "login": str(_props(a).get("login") or ""),
            "administrator_type": str(_props(a).get("administratorType") or ""),
            "entra_only": bool(_props(a).get("azureADOnlyAuthentication")),
        }
        for a in _items(body)
    ]


def firewall_rules(body: Any) -> list[dict[str, str]]:
    return [
        {
            "name": str(r.get("name") or ""),
            "start": str(_props(r).get("startIpAddress") or ""),
            "end": str(_props(r).get("endIpAddress") or ""),
        }
        for r in _items(body)
    ]


def server_parameters(wanted: Iterable[str]) -> Callable[[Any], dict[str, str]]:
    """From a flexible server's configuration list, the values of the `wanted` parameters."""
    keep = frozenset(wanted)

    def pick(body: Any) -> dict[str, str]:
        out = {}
        for item in _items(body):
            name = item.get("name") if isinstance(item, Mapping) else None
            if name in keep:
                out[str(name)] = str(_props(item).get("value") or "")
        return out

    return pick


def aad_profile(value: Any) -> dict[str, bool] | None:
    if not isinstance(value, Mapping):
        return None
    return {"managed": bool(value.get("managed")), "azure_rbac": bool(value.get("enableAzureRBAC"))}


def role_actions(value: Any) -> list[str]:
    """Every action (not data action) a role definition's permissions grant."""
    out: list[str] = []
    for perm in _items(value):
        if isinstance(perm, Mapping):
            out.extend(str(a) for a in perm.get("actions") or [])
    return out


def ip_rules(value: Any) -> list[str]:
    return [str(r.get("ipAddressOrRange")) for r in _items(value) if isinstance(r, Mapping)]


def role_guid(value: Any) -> str | None:
    """The GUID at the end of a role definition id (the same in every scope)."""
    return value.rsplit("/", 1)[-1].lower() if isinstance(value, str) and value else None
