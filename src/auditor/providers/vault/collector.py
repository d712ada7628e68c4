"""Vault / OpenBao collector: reads `sys/*` configuration and engine metadata, never a secret value.

What is read (all GET/LIST, plus POST `auth/token/lookup-accessor`, a read by accessor):
health, seal status, leader/HA, sanitized server config, raft autopilot state, version history,
audit devices, auth methods and their tuning, login MFA enforcements, AppRole role config,
secrets engines and their tuning, KV v2 engine config (never data or metadata of keys), PKI roles
and issuer certificates (public), transit key config (never key material), ACL policies, token
accessors and their lookups (the token id is dropped). Enterprise-only endpoints that answer
"unsupported path" are recorded as not applicable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from auditor.errors import UsageError
from auditor.evidence import SnapshotBuilder
from auditor.models import CollectionError, CollectionExclusion, Location, Resource, Target
from auditor.providers import Progress
from auditor.providers.vault import VaultOptions
from auditor.providers.vault.api import (
    ClientFactory,
    Reply,
    Settings,
    VaultApi,
    build_client,
    resolve_settings,
)
from auditor.providers.vault.common import (
    APPROLE,
    AUDIT,
    AUTH,
    KV,
    MOUNT,
    PKI_ISSUER,
    PKI_ROLE,
    POLICY,
    SERVER,
    TOKEN,
    TRANSIT,
)
from auditor.providers.vault.policy import PolicyParseError, parse_policy
from auditor.runtime import CollectRun

P = "vault"
ALL_TYPES = (SERVER, AUDIT, AUTH, MOUNT, KV, PKI_ROLE, PKI_ISSUER, TRANSIT, APPROLE, POLICY, TOKEN)

_HEALTH = "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&drsecondarycode=200"
# Fields of a token lookup kept as attributes. `id` (the token itself) is never kept.
_TOKEN_FIELDS = (
    "accessor",
    "creation_time",
    "creation_ttl",
    "display_name",
    "entity_id",
    "expire_time",
    "explicit_max_ttl",
    "issue_time",
    "num_uses",
    "orphan",
    "path",
    "policies",
    "renewable",
    "ttl",
    "type",
    "period",
)


def collect(options: VaultOptions, run: CollectRun) -> None:
    if run.clients is not None:
        collect_with(options, run.sink, run.progress, client_factory=run.clients, run=run)
    else:
        collect_with(options, run.sink, run.progress, run=run)


def collect_with(
    options: VaultOptions,
    sink: SnapshotBuilder,
    progress: Progress,
    *,
    client_factory: ClientFactory = build_client,
    env: dict[str, str] | None = None,
    run: CollectRun | None = None,
) -> VaultApi | None:
    """The collector with its seams exposed: tests inject the client factory and environment.
    Returns the API object (its `calls` list every request made), or None if login failed."""
    settings = resolve_settings(options, env)
    scope = Location(account=settings.addr, region=settings.namespace)
    if run is not None and not run.owns(Location(account=settings.addr)):
        # sharded: another shard reads this server (the unit is the server)
        reason = run.shard.exclusion_reason(run.unit(Location(account=settings.addr)))
        sink.add_exclusion(
            CollectionExclusion(provider=P, scope=scope, resource_types=ALL_TYPES, reason=reason)
        )
        return None
    sink.add_target(Target(provider=P, label=settings.label, options=settings.public_options()))
    progress.step(f"vault: logging in to {settings.label} ({settings.auth_method})")
    try:
        client = client_factory(settings)
    except UsageError:
        raise
    except Exception as exc:
        status = getattr(exc, "status_code", None) or getattr(
            getattr(exc, "response", None), "status_code", None
        )
        kind = "access_denied" if status in (400, 401, 403) else "unreachable"
        sink.add_error(
            CollectionError(
                provider=P,
                operation=f"login ({settings.auth_method})",
                scope=scope,
                kind=kind,
                message=f"{type(exc).__name__}: {_short(exc)}",
            )
        )
        return None
    api = VaultApi(client)
    _Run(api, sink, progress, settings, scope, options).run()
    return api


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


def _ts(value: Any) -> str | None:
    """An RFC 3339 string from a Vault time (RFC 3339 text or unix seconds)."""
    if value in (None, "", 0):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).isoformat()
    return str(value)


class _Run:
    def __init__(
        self,
        api: VaultApi,
        sink: SnapshotBuilder,
        progress: Progress,
        settings: Settings,
        scope: Location,
        options: VaultOptions,
    ) -> None:
        self.api, self.sink, self.progress, self.settings = api, sink, progress, settings
        self.scope, self.options = scope, options
        self.base = settings.addr + (f"/{settings.namespace.strip('/')}" if settings.namespace else "")
        self.identity = f"{settings.auth_method} login"

    # ------------------------------------------------------------------ helpers
    def rid(self, *parts: str) -> str:
        return "|".join((self.base, *parts))

    def record(self, reply: Reply, method: str, path: str, **params: Any) -> str:
        body = reply.body if reply.ok else {"status": reply.status, "errors": reply.error}
        return self.sink.record(
            P,
            f"{method} {path.split('?', 1)[0]}",
            _strip_envelope(body),
            parameters=params,
            scope=self.scope,
            identity=self.identity,
        )

    def error(self, reply: Reply, operation: str, types: Iterable[str]) -> None:
        self.sink.add_error(
            CollectionError(
                provider=P,
                operation=operation,
                scope=self.scope,
                resource_types=tuple(types),
                kind=reply.kind or "error",
                message=f"HTTP {reply.status}: {reply.error or 'no detail'}",
            )
        )

    def read(self, path: str, types: Iterable[str]) -> tuple[Reply, str | None]:
        """GET; on failure record a scope error for `types` and return no evidence."""
        reply = self.api.get(path)
        if not reply.ok:
            self.error(reply, f"GET {path}", types)
            return reply, None
        return reply, self.record(reply, "GET", path)

    def listing(self, path: str, types: Iterable[str]) -> tuple[list[str] | None, str | None]:
        """LIST; an empty list is a 404 with no error text; other failures are scope errors."""
        reply = self.api.list(path)
        if reply.empty_list:
            return [], self.record(Reply(200, {"data": {"keys": []}}), "LIST", path)
        if not reply.ok:
            self.error(reply, f"LIST {path}", types)
            return None, None
        keys = (reply.data or {}).get("keys") or []
        return [str(k) for k in keys], self.record(reply, "LIST", path)

    def add(
        self,
        type_: str,
        id_: str,
        name: str,
        attrs: dict[str, Any],
        gaps: dict[str, str],
        ev: Iterable[str | None],
    ) -> None:
        self.sink.add_resource(
            Resource(
                provider=P,
                type=type_,
                id=id_,
                name=name,
                location=self.scope,
                attributes=attrs,
                gaps=gaps,
                evidence=tuple(e for e in ev if e),
            )
        )

    # ------------------------------------------------------------------ sections
    def run(self) -> None:
        steps = (
            ("server status", self.server),
            ("auth methods", self.auth_methods),
            ("secrets engines", self.mounts),
            ("ACL policies", self.policies),
            ("tokens", self.tokens),
        )
        for label, fn in steps:
            if fn == self.server and self.settings.namespace:
                # Health, seal, listeners, HA and audit devices belong to the root namespace and
                # answer "operation unavailable in namespaces": a root-namespace target covers them.
                continue
            self.progress.step(f"vault: {label}")
            fn()

    def server(self) -> None:
        attrs: dict[str, Any] = {}
        gaps: dict[str, str] = {}
        evs: list[str | None] = []
        health = self.api.get(_HEALTH)
        if not health.ok:
            self.error(health, "GET sys/health", ALL_TYPES)
            return
        evs.append(self.record(health, "GET", "sys/health"))
        h = health.body or {}
        attrs.update(
            initialized=h.get("initialized"),
            sealed=h.get("sealed"),
            standby=h.get("standby"),
            version=h.get("version"),
            cluster_name=h.get("cluster_name"),
        )
        seal = self.api.get("sys/seal-status")
        if seal.ok:
            evs.append(self.record(seal, "GET", "sys/seal-status"))
            s = seal.body or {}
            attrs.update(
                seal_type=s.get("type"),
                recovery_seal=s.get("recovery_seal"),
                storage_type=s.get("storage_type"),
                sealed=s.get("sealed", attrs["sealed"]),
            )
        else:
            for k in ("seal_type", "recovery_seal", "storage_type"):
                gaps[k] = seal.why
        version = str(attrs.get("version") or "")
        attrs["product"] = "openbao" if version[:1].isdigit() and int(version.split(".")[0]) >= 2 else "vault"
        leader = self.api.get("sys/leader")
        if leader.ok:
            evs.append(self.record(leader, "GET", "sys/leader"))
            lb = leader.body or {}
            attrs["ha_enabled"] = bool(lb.get("ha_enabled"))
            attrs["raft_committed_index"] = lb.get("raft_committed_index")
        else:
            gaps["ha_enabled"] = leader.why
        ha = self.api.get("sys/ha-status")
        if ha.ok:
            evs.append(self.record(ha, "GET", "sys/ha-status"))
            attrs["ha_nodes"] = [
                {k: n.get(k) for k in ("hostname", "api_address", "active_node", "version")}
                for n in (ha.data or {}).get("nodes") or []
            ]
        else:
            gaps["ha_nodes"] = ha.why
        self._sanitized_config(attrs, gaps, evs)
        self._raft(attrs, gaps, evs)
        vh = self.api.list("sys/version-history")
        if vh.ok:
            evs.append(self.record(vh, "LIST", "sys/version-history"))
            attrs["version_history"] = (vh.data or {}).get("keys") or []
        # Enterprise-only endpoints: "unsupported path" on OpenBao / Vault CE means not applicable.
        for key, path in (("license", "sys/license/status"), ("replication", "sys/replication/status")):
            r = self.api.get(path)
            if r.ok:
                evs.append(self.record(r, "GET", path))
                attrs[key] = "present"
            elif r.status == 404 or r.unsupported:
                attrs[key] = "not_applicable"
            else:
                attrs[key] = f"unreadable (HTTP {r.status})"
        self._audit_devices(attrs, gaps, evs)
        self.add(SERVER, self.base, self.settings.label, attrs, gaps, evs)

    def _sanitized_config(self, attrs: dict[str, Any], gaps: dict[str, str], evs: list[str | None]) -> None:
        r = self.api.get("sys/config/state/sanitized")
        if not r.ok:
            why = r.why
            gaps.update(listeners=why, config_seals=why, raw_storage_endpoint=why)
            return
        evs.append(self.record(r, "GET", "sys/config/state/sanitized"))
        d = r.data or {}
        attrs["listeners"] = [
            {
                "type": li.get("type"),
                "address": (li.get("config") or {}).get("address"),
                "tls_disable": _truthy((li.get("config") or {}).get("tls_disable")),
                "tls_min_version": (li.get("config") or {}).get("tls_min_version"),
            }
            for li in d.get("listeners") or []
        ]
        attrs["config_seals"] = [
            {"type": s.get("type"), "disabled": s.get("disabled")} for s in d.get("seals") or []
        ]
        attrs["raw_storage_endpoint"] = bool(d.get("raw_storage_endpoint"))
        attrs["config_storage_type"] = (d.get("storage") or {}).get("type")

    def _raft(self, attrs: dict[str, Any], gaps: dict[str, str], evs: list[str | None]) -> None:
        storage = attrs.get("storage_type") or attrs.get("config_storage_type")
        if storage != "raft":
            attrs["raft"] = None
            return
        r = self.api.get("sys/storage/raft/autopilot/state")
        if not r.ok:
            gaps["raft"] = r.why
            return
        evs.append(self.record(r, "GET", "sys/storage/raft/autopilot/state"))
        d = r.data or {}
        servers = d.get("servers") or {}
        attrs["raft"] = {
            "healthy": bool(d.get("healthy")),
            "failure_tolerance": d.get("failure_tolerance"),
            "voters": list(d.get("voters") or []),
            "servers": {
                k: {"status": v.get("status"), "healthy": v.get("healthy")} for k, v in servers.items()
            },
        }

    def _audit_devices(self, attrs: dict[str, Any], gaps: dict[str, str], evs: list[str | None]) -> None:
        r, ev = self.read("sys/audit", (AUDIT,))
        if ev is None:
            gaps["audit_devices"] = r.why
            return
        evs.append(ev)
        devices = r.data or {}
        attrs["audit_devices"] = sorted(
            f"{d.get('path') or p}({d.get('type')})" for p, d in devices.items() if isinstance(d, dict)
        )
        for path, d in devices.items():
            if not isinstance(d, dict):
                continue
            opts = d.get("options") or {}
            self.add(
                AUDIT,
                self.rid("audit", path),
                path,
                {
                    "path": path,
                    "type": d.get("type"),
                    "local": d.get("local"),
                    "log_raw": _truthy(opts.get("log_raw")),
                    "hmac_accessor": opts.get("hmac_accessor", True) not in (False, "false"),
                    "options": {
                        k: v
                        for k, v in opts.items()
                        if k
                        in (
                            "file_path",
                            "format",
                            "prefix",
                            "mode",
                            "address",
                            "socket_type",
                            "facility",
                            "tag",
                            "log_raw",
                            "hmac_accessor",
                            "elide_list_responses",
                        )
                    },
                },
                {},
                (ev,),
            )

    def auth_methods(self) -> None:
        r, ev = self.read("sys/auth", (AUTH, APPROLE))
        if ev is None:
            return
        mounts = {p: d for p, d in (r.data or {}).items() if isinstance(d, dict) and "type" in d}
        enforcements, mfa_ev, mfa_gap = self._mfa_enforcements()
        for path, d in sorted(mounts.items()):
            attrs: dict[str, Any] = {
                "path": path,
                "type": d.get("type"),
                "accessor": d.get("accessor"),
                "local": d.get("local"),
            }
            gaps: dict[str, str] = {}
            evs: list[str | None] = [ev, mfa_ev]
            tune = self.api.get(f"sys/auth/{path.rstrip('/')}/tune")
            if tune.ok:
                evs.append(self.record(tune, "GET", f"sys/auth/{path.rstrip('/')}/tune"))
                t = tune.data or {}
                attrs.update(
                    default_lease_ttl=t.get("default_lease_ttl"),
                    max_lease_ttl=t.get("max_lease_ttl"),
                    listing_visibility=t.get("listing_visibility") or "hidden",
                    token_type=t.get("token_type"),
                )
            else:
                for k in ("default_lease_ttl", "max_lease_ttl", "listing_visibility", "token_type"):
                    gaps[k] = tune.why
            if mfa_gap:
                gaps["mfa_enforcements"] = mfa_gap
            else:
                attrs["mfa_enforcements"] = sorted(
                    name
                    for name, e in enforcements.items()
                    if d.get("accessor") in (e.get("auth_method_accessors") or [])
                    or d.get("type") in (e.get("auth_method_types") or [])
                )
            self.add(AUTH, self.rid("auth", path), path, attrs, gaps, evs)
            if d.get("type") == "approle":
                self._approle_roles(path)

    def _mfa_enforcements(self) -> tuple[dict[str, dict[str, Any]], str | None, str | None]:
        names, ev = self.listing_quiet("identity/mfa/login-enforcement")
        if isinstance(names, str):
            return {}, None, names
        out: dict[str, dict[str, Any]] = {}
        for name in names:
            r = self.api.get(f"identity/mfa/login-enforcement/{name}")
            if not r.ok:
                return {}, None, r.why
            self.record(r, "GET", f"identity/mfa/login-enforcement/{name}")
            out[name] = r.data or {}
        return out, ev, None

    def listing_quiet(self, path: str) -> tuple[list[str] | str, str | None]:
        """LIST that reports a failure as a reason string instead of a scope error."""
        reply = self.api.list(path)
        if reply.empty_list:
            return [], self.record(Reply(200, {"data": {"keys": []}}), "LIST", path)
        if not reply.ok:
            return reply.why, None
        keys = (reply.data or {}).get("keys") or []
        return [str(k) for k in keys], self.record(reply, "LIST", path)

    def _approle_roles(self, mount: str) -> None:
        base = f"auth/{mount.rstrip('/')}/role"
        names, lev = self.listing(base, (APPROLE,))
        for name in names or []:
            r = self.api.get(f"{base}/{name}")
            gaps: dict[str, str] = {}
            attrs: dict[str, Any] = {"mount": mount, "role": name}
            ev = None
            if r.ok:
                ev = self.record(r, "GET", f"{base}/{name}")
                d = r.data or {}
                for k in (
                    "bind_secret_id",
                    "secret_id_ttl",
                    "secret_id_num_uses",
                    "secret_id_bound_cidrs",
                    "token_bound_cidrs",
                    "token_ttl",
                    "token_max_ttl",
                    "token_policies",
                    "token_type",
                    "token_num_uses",
                    "token_period",
                ):
                    attrs[k] = d.get(k)
            else:
                gaps.update(
                    dict.fromkeys(
                        ("bind_secret_id", "secret_id_ttl", "secret_id_bound_cidrs", "token_bound_cidrs"),
                        r.why,
                    )
                )
            self.add(APPROLE, self.rid("auth", mount, "role", name), f"{mount}{name}", attrs, gaps, (lev, ev))

    def mounts(self) -> None:
        r, ev = self.read("sys/mounts", (MOUNT, KV, PKI_ROLE, PKI_ISSUER, TRANSIT))
        if ev is None:
            return
        body = r.data or {}
        mounts = {p: d for p, d in body.items() if isinstance(d, dict) and "type" in d}
        for path, d in sorted(mounts.items()):
            mtype = d.get("type")
            opts = d.get("options") or {}
            attrs: dict[str, Any] = {
                "path": path,
                "type": mtype,
                "version": str(opts.get("version") or "1") if mtype in ("kv", "generic") else None,
                "seal_wrap": d.get("seal_wrap"),
                "local": d.get("local"),
            }
            gaps: dict[str, str] = {}
            evs: list[str | None] = [ev]
            tpath = f"sys/mounts/{path.rstrip('/')}/tune"
            tune = self.api.get(tpath)
            if tune.ok:
                evs.append(self.record(tune, "GET", tpath))
                t = tune.data or {}
                attrs.update(
                    default_lease_ttl=t.get("default_lease_ttl"), max_lease_ttl=t.get("max_lease_ttl")
                )
            else:
                gaps.update(
                    dict.fromkeys(
                        ("default_lease_ttl", "max_lease_ttl"),
                        tune.why,
                    )
                )
            self.add(MOUNT, self.rid("mount", path), path, attrs, gaps, evs)
            if mtype == "kv" and attrs["version"] == "2":
                self._kv(path)
            elif mtype == "pki":
                self._pki(path)
            elif mtype == "transit":
                self._transit(path)

    def _kv(self, mount: str) -> None:
        path = f"{mount.rstrip('/')}/config"
        r = self.api.get(path)
        attrs: dict[str, Any] = {"mount": mount}
        gaps: dict[str, str] = {}
        ev = None
        if r.ok:
            ev = self.record(r, "GET", path)
            d = r.data or {}
            attrs.update(
                max_versions=d.get("max_versions"),
                cas_required=d.get("cas_required"),
                delete_version_after=d.get("delete_version_after"),
            )
        else:
            gaps.update(
                dict.fromkeys(
                    ("max_versions", "cas_required", "delete_version_after"),
                    r.why,
                )
            )
        self.add(KV, self.rid("kv", mount), mount, attrs, gaps, (ev,))

    def _pki(self, mount: str) -> None:
        m = mount.rstrip("/")
        names, lev = self.listing(f"{m}/roles", (PKI_ROLE,))
        for name in names or []:
            r = self.api.get(f"{m}/roles/{name}")
            attrs: dict[str, Any] = {"mount": mount, "role": name}
            gaps: dict[str, str] = {}
            ev = None
            if r.ok:
                ev = self.record(r, "GET", f"{m}/roles/{name}")
                d = r.data or {}
                for k in (
                    "max_ttl",
                    "ttl",
                    "allow_any_name",
                    "allowed_domains",
                    "allow_subdomains",
                    "allow_glob_domains",
                    "allow_wildcard_certificates",
                    "key_type",
                    "key_bits",
                    "enforce_hostnames",
                    "allow_ip_sans",
                ):
                    attrs[k] = d.get(k)
            else:
                gaps.update(dict.fromkeys(("max_ttl", "allow_any_name"), r.why))
            self.add(
                PKI_ROLE, self.rid("pki", mount, "role", name), f"{mount}roles/{name}", attrs, gaps, (lev, ev)
            )
        ids, iev = self.listing(f"{m}/issuers", (PKI_ISSUER,))
        for issuer in ids or []:
            r = self.api.get(f"{m}/issuer/{issuer}")
            attrs = {"mount": mount, "issuer_id": issuer}
            gaps = {}
            ev = None
            if r.ok:
                ev = self.record(r, "GET", f"{m}/issuer/{issuer}")
                d = r.data or {}
                attrs["issuer_name"] = d.get("issuer_name")
                cert = _cert_info(d.get("certificate") or "")
                if cert is None:
                    gaps["not_after"] = "the issuer certificate could not be parsed"
                else:
                    attrs.update(cert)
            else:
                gaps["not_after"] = r.why
            name = attrs.get("issuer_name") or issuer
            self.add(
                PKI_ISSUER, self.rid("pki", mount, "issuer", issuer), f"{mount}{name}", attrs, gaps, (iev, ev)
            )

    def _transit(self, mount: str) -> None:
        m = mount.rstrip("/")
        names, lev = self.listing(f"{m}/keys", (TRANSIT,))
        for name in names or []:
            r = self.api.get(f"{m}/keys/{name}")
            attrs: dict[str, Any] = {"mount": mount, "key": name}
            gaps: dict[str, str] = {}
            ev = None
            if r.ok:
                d = r.data or {}
                versions = d.get("keys") or {}
                # Symmetric keys list version -> creation time; asymmetric ones carry public keys.
                created: list[str] = []
                for v in versions.values():
                    if isinstance(v, int | float):
                        created.append(_ts(v) or "")
                    elif isinstance(v, dict) and v.get("creation_time"):
                        created.append(str(v["creation_time"]))
                ev = self.record(
                    Reply(
                        200,
                        {
                            "data": {k: v for k, v in d.items() if k != "keys"}
                            | {"key_versions": sorted(versions)}
                        },
                    ),
                    "GET",
                    f"{m}/keys/{name}",
                )
                attrs.update(
                    type=d.get("type"),
                    exportable=d.get("exportable"),
                    allow_plaintext_backup=d.get("allow_plaintext_backup"),
                    deletion_allowed=d.get("deletion_allowed"),
                    auto_rotate_period=d.get("auto_rotate_period"),
                    latest_version=d.get("latest_version"),
                    min_decryption_version=d.get("min_decryption_version"),
                    latest_version_created=max(created) if created else None,
                )
            else:
                gaps.update(
                    dict.fromkeys(
                        ("exportable", "deletion_allowed", "auto_rotate_period", "latest_version_created"),
                        r.why,
                    )
                )
            self.add(
                TRANSIT,
                self.rid("transit", mount, "key", name),
                f"{mount}keys/{name}",
                attrs,
                gaps,
                (lev, ev),
            )

    def policies(self) -> None:
        names, lev = self.listing("sys/policies/acl", (POLICY,))
        for name in names or []:
            path = f"sys/policies/acl/{name}"
            r = self.api.get(path)
            attrs: dict[str, Any] = {"name": name}
            gaps: dict[str, str] = {}
            ev = None
            if r.ok:
                ev = self.record(r, "GET", path)
                text = str((r.data or {}).get("policy") or "")
                attrs["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()
                try:
                    attrs["rules"] = [rule.as_dict() for rule in parse_policy(text)]
                except PolicyParseError as exc:
                    gaps["rules"] = f"the policy could not be parsed: {exc}"
            else:
                gaps["rules"] = r.why
            self.add(POLICY, self.rid("policy", name), name, attrs, gaps, (lev, ev))

    def tokens(self) -> None:
        if self.options.max_tokens == 0:
            self.sink.add_error(
                CollectionError(
                    provider=P,
                    operation="LIST auth/token/accessors",
                    scope=self.scope,
                    resource_types=(TOKEN,),
                    kind="not_collected",
                    message="token enumeration is turned off (max_tokens=0)",
                )
            )
            return
        accessors, lev = self.listing("auth/token/accessors", (TOKEN,))
        if accessors is None:
            return
        if len(accessors) > self.options.max_tokens:
            self.sink.add_error(
                CollectionError(
                    provider=P,
                    operation="POST auth/token/lookup-accessor",
                    scope=self.scope,
                    resource_types=(TOKEN,),
                    kind="not_collected",
                    message=f"{len(accessors)} tokens exist; only the first {self.options.max_tokens} were looked up (raise max_tokens)",
                )
            )
            accessors = accessors[: self.options.max_tokens]
        for n, accessor in enumerate(accessors, 1):
            if n % 200 == 0:
                self.progress.step(f"vault: token lookups {n}/{len(accessors)}")
            r = self.api.post("auth/token/lookup-accessor", {"accessor": accessor})
            if r.status == 400 and "invalid accessor" in r.error:
                continue  # expired between the list and the lookup
            attrs: dict[str, Any] = {"accessor": accessor}
            gaps: dict[str, str] = {}
            ev = None
            if r.ok:
                d = {k: v for k, v in (r.data or {}).items() if k in _TOKEN_FIELDS}
                ev = self.record(
                    Reply(200, {"data": d}), "POST", "auth/token/lookup-accessor", accessor=accessor
                )
                attrs.update(d)
                attrs["policies"] = list(d.get("policies") or [])
                attrs["expire_time"] = _ts(d.get("expire_time"))
            else:
                why = r.why
                gaps.update(
                    dict.fromkeys(
                        (
                            "policies",
                            "ttl",
                            "expire_time",
                            "orphan",
                            "path",
                            "creation_ttl",
                            "explicit_max_ttl",
                        ),
                        why,
                    )
                )
            name = str(attrs.get("display_name") or accessor)
            self.add(TOKEN, self.rid("token", accessor), f"{name} ({accessor})", attrs, gaps, (lev, ev))


def _strip_envelope(body: Any) -> Any:
    """Keep the response's data; drop per-request noise (request_id) so re-records hash alike."""
    if isinstance(body, dict) and "request_id" in body:
        return {k: v for k, v in body.items() if k in ("data", "warnings")}
    return body


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def _cert_info(pem: str) -> dict[str, Any] | None:
    try:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(pem.encode())
    except Exception:
        return None
    return {
        "subject": cert.subject.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }
