"""Vault / OpenBao collector: reads `sys/*` configuration and engine metadata, never a secret value.

What is read (all GET/LIST, plus POST `auth/token/lookup-accessor`, a read by accessor):
the scanner's own token metadata (`auth/token/lookup-self`, with the token id dropped before it is
recorded: its accessor and display name are the collector's identity in the chain of custody),
health, seal status, leader/HA, sanitized server config, raft autopilot state, version history,
audit devices, auth methods and their tuning, login MFA enforcements, AppRole role config,
secrets engines and their tuning, KV v2 engine config (never data or metadata of keys), PKI roles
and issuer certificates (public), transit key config (never key material), ACL policies, token
accessors and their lookups (the token id is dropped). Enterprise-only endpoints that answer 404
are recorded as not applicable.

How: one `auditor.runtime.Session` per target. After the health read, the independent sections
(server state, auth methods, secrets engines, policies, tokens) run as tasks on the session's
scheduler, and so does every per-mount, per-role, per-key, per-policy and per-accessor read, so
`concurrency` is the number of requests in flight. A failed list read is a collection error for
the resource types it would have produced; a failed (or incomplete) detail read is a gap on
exactly the attributes it would have filled, so a check reading one reports `error`.
Resources are handed to the snapshot in a stable order (type, then id) once every task is done.

`CollectRun.clients` is a `VaultClients` (or a bare `Settings -> hvac client` callable): tests
inject the login and the environment through it and read each target's request log back.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import hvac.exceptions
import requests

from auditor.errors import UsageError
from auditor.models import ErrorKind, Location, Resource
from auditor.providers.vault import VaultOptions
from auditor.providers.vault.api import Settings, VaultApi, VaultClients, VaultError
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
from auditor.providers.vault.resources import TOKEN_FIELDS, TYPES
from auditor.runtime import Called, CallFailed, CollectRun, RetryPolicy, Session, kind_for_status

P = "vault"
_ORDER = {name: i for i, name in enumerate(TYPES.names)}

_HEALTH = "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&drsecondarycode=200"
_AUDIT_OPTIONS = (
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


def _fields(rtype: str, *own: str) -> tuple[str, ...]:
    """The attributes of `rtype` one detail read fills: its contract minus the keys the collector
    knows before reading (`own`), so a new contract attribute is collected (or gapped) at once."""
    contract = TYPES.get(rtype)
    assert contract is not None
    return tuple(k for k, a in contract.attributes.items() if k not in own and a.required)


# What each read fills: when it fails, every one of these is a gap on the resource.
_SEAL = ("seal_type", "recovery_seal", "storage_type")
_LEADER = ("ha_enabled", "raft_committed_index")
_CONFIG = ("listeners", "config_seals", "raw_storage_endpoint", "config_storage_type")
_MOUNT_TUNE = ("default_lease_ttl", "max_lease_ttl")
_AUTH_TUNE = (*_MOUNT_TUNE, "listing_visibility", "token_type")
_KV_FIELDS = _fields(KV, "mount")
_PKI_ROLE_FIELDS = _fields(PKI_ROLE, "mount", "role")
_ISSUER_FIELDS = _fields(PKI_ISSUER, "mount", "issuer_id")
_TRANSIT_FIELDS = _fields(TRANSIT, "mount", "key")
_TRANSIT_COPIED = tuple(k for k in _TRANSIT_FIELDS if k != "latest_version_created")
_APPROLE_FIELDS = _fields(APPROLE, "mount", "role")
_POLICY_FIELDS = _fields(POLICY, "name")
_TOKEN_REQUIRED = _fields(TOKEN, "accessor")
# What `lookup-self` keeps: who the scanner is, never the token (`id`) itself.
_SELF_FIELDS = ("accessor", "display_name", "entity_id", "policies", "path", "type", "ttl", "expire_time")


def collect(options: VaultOptions, run: CollectRun) -> None:
    """Collect one Vault target into `run.sink`. `run.clients`: see `VaultClients`."""
    clients = VaultClients.of(run.clients)
    settings = clients.settings(options)
    scope = Location(account=settings.addr, region=settings.namespace)
    session = Session(
        P,
        run,
        classify=_classify,
        concurrency=options.concurrency,
        identity=f"{settings.auth_method} login",
        retry=RetryPolicy(attempts=options.max_attempts),
    )
    if not session.owns(Location(account=settings.addr), TYPES.names):
        session.close()  # sharded: another shard reads this server (the unit is the server)
        return
    try:
        session.progress.step(f"vault: logging in to {settings.label} ({settings.auth_method})")
        api = _login(session, clients, settings, scope)
        if api is not None:
            _Collection(session, api, settings, scope, options).run()
    finally:
        session.close()
        session.add_target(settings.label, settings.public_options())


def _login(session: Session, clients: VaultClients, settings: Settings, scope: Location) -> VaultApi | None:
    """Log in; a failure is a collection error for the whole target (nothing else is read)."""
    operation = f"login ({settings.auth_method})"
    session.stats.on_call(operation, scope, None)
    if settings.auth_method != "token":  # a token login sends nothing until the first read
        session.stats.request()
    try:
        return clients.connect(settings)
    except UsageError:
        raise
    except Exception as exc:
        session.gap(session.failure(operation, exc), scope=scope)
        return None


def _classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    """The ErrorKind of what hvac or requests raise during login (reads raise `VaultError`)."""
    message = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    denied = (hvac.exceptions.InvalidRequest, hvac.exceptions.Unauthorized, hvac.exceptions.Forbidden)
    if isinstance(exc, denied):  # Vault answers a rejected login with 400
        return ErrorKind.ACCESS_DENIED, message
    if isinstance(exc, hvac.exceptions.RateLimitExceeded):
        return ErrorKind.THROTTLED, message
    if isinstance(exc, hvac.exceptions.VaultDown | hvac.exceptions.BadGateway):
        return ErrorKind.UNREACHABLE, message
    if isinstance(exc, requests.exceptions.Timeout):
        return ErrorKind.TIMEOUT, message
    if isinstance(exc, requests.exceptions.RequestException):
        return ErrorKind.UNREACHABLE, message
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return (ErrorKind.ACCESS_DENIED if status in (400, 401, 403) else kind_for_status(status)), message
    return None


def _empty_list(exc: BaseException) -> Any:
    """The body recorded for a LIST with nothing under it (Vault answers 404 with no error text)."""
    return {"data": {"keys": []}} if isinstance(exc, VaultError) and exc.empty_list else None


def _not_applicable(exc: BaseException) -> Any:
    """The body recorded when an Enterprise-only endpoint answers 404: not applicable here."""
    if isinstance(exc, VaultError) and exc.status == 404:
        return {"status": 404, "errors": exc.detail}
    return None


class _Collection:
    """One target's reads, as tasks on the session's scheduler."""

    def __init__(
        self, session: Session, api: VaultApi, settings: Settings, scope: Location, options: VaultOptions
    ) -> None:
        self.session = session
        self.api = api
        self.settings = settings
        self.scope = scope
        self.options = options
        self.base = settings.addr + (f"/{settings.namespace.strip('/')}" if settings.namespace else "")
        self._lock = threading.Lock()
        self._found: list[Resource] = []
        self._tokens_done = 0

    # ------------------------------------------------------------------ helpers
    def rid(self, *parts: str) -> str:
        return "|".join((self.base, *parts))

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        record: bool = True,
        absent: Callable[[BaseException], Any] | None = None,
    ) -> Called:
        """One request through the session (counted, retried when throttled, recorded). The body
        is the response without its per-request envelope, `{}` when empty, None when `absent`."""
        request_path = path.rstrip("/") + "/" if method == "LIST" else path

        def send() -> Any:
            self.session.stats.request()
            found = _strip_envelope(self.api.request(method, request_path, body))
            return {} if found is None else found

        operation = f"{method} {path.split('?', 1)[0]}"
        return self.session.call(
            operation, send, scope=self.scope, params=params, record=record, absent=absent
        )

    def get(self, path: str, *, absent: Callable[[BaseException], Any] | None = None) -> Called:
        return self.call("GET", path, absent=absent)

    def listing(self, path: str) -> Called:
        return self.call("LIST", path, absent=_empty_list)

    def task(self, fn: Callable[..., None], *args: Any) -> None:
        self.session.submit(fn, *args, scope=self.scope)

    def gather(self, thunks: Mapping[str, Callable[[], Any]], then: Callable[[dict[str, Any]], None]) -> None:
        self.session.gather(thunks, then, scope=self.scope)

    def detail(
        self, path: str, fields: Iterable[str], attrs: dict[str, Any], gaps: dict[str, str], evs: list[str]
    ) -> dict[str, Any] | None:
        """GET `path` and copy `fields` from its data; a failed read gaps every field."""
        fields = tuple(fields)
        try:
            called = self.get(path)
        except CallFailed as err:
            gaps.update(Session.gaps(err, fields))
            return None
        evs.append(called.evidence)
        data = _data(called.body)
        _pick(data, fields, attrs, gaps, f"GET {path}")
        return data

    def each(self, path: str, types: tuple[str, ...], item: Callable[[str, str], None]) -> None:
        """LIST `path`, then `item(name, list_evidence)` as its own task per name. A failed list
        is a collection error for `types` in this target."""
        try:
            listed = self.listing(path)
        except CallFailed as err:
            self.session.gap(err, scope=self.scope, types=types)
            return
        for name in _keys(listed.body):
            self.task(item, name, listed.evidence)

    def add(
        self, type_: str, id_: str, name: str, attrs: dict[str, Any], gaps: dict[str, str], evs: Iterable[str]
    ) -> None:
        resource = Resource(
            provider=P,
            type=type_,
            id=id_,
            name=name,
            location=self.scope,
            attributes=attrs,
            gaps=gaps,
            evidence=tuple(dict.fromkeys(e for e in evs if e)),
        )
        with self._lock:
            self._found.append(resource)

    # ------------------------------------------------------------------ sections
    def whoami(self) -> bool:
        """The scanner's own identity: accessor, display name and entity of its token, recorded
        with the token id dropped, and set as the identity of every later record. A denied lookup
        leaves the login method as the identity (the chain of custody says it is unknown), and so
        does a sealed server (health still reads it); a server that does not answer at all is one
        error for the whole target and nothing more is asked (False)."""
        op = "auth/token/lookup-self"
        try:
            called = self.call("GET", op, record=False)
        except CallFailed as err:
            if err.kind in (ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT) and err.status is None:
                self.session.gap(err, scope=self.scope)  # no answer at all (a sealed server answers 503)
                return False
            self.session.progress.step(f"vault: {op} failed ({err.kind.value}): identity unknown")
            return True
        data = _data(called.body)
        kept = {k: data[k] for k in _SELF_FIELDS if k in data}
        accessor, name = kept.get("accessor"), kept.get("display_name")
        if not accessor:
            return True
        identity = f"{name or 'token'} (accessor {accessor})"
        if kept.get("entity_id"):
            identity += f", entity {kept['entity_id']}"
        self.session.identity = identity
        self.session.record(f"GET {op}", {"data": kept}, scope=self.scope)
        return True

    def run(self) -> None:
        if not self.whoami():
            return
        sections: list[Callable[[], None]] = [self.auth_methods, self.mounts, self.policies, self.tokens]
        if not self.settings.namespace:
            # Health, seal, listeners, HA and audit devices belong to the root namespace and
            # answer "operation unavailable in namespaces": a root-namespace target covers them.
            try:
                health = self.get(_HEALTH)
            except CallFailed as err:
                if err.kind in (ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT):
                    self.session.gap(err, scope=self.scope)  # nothing else will answer either
                    return
                self.session.gap(err, scope=self.scope, types=(SERVER, AUDIT))
            else:
                sections.insert(0, partial(self.server, health))
        for section in sections:
            self.task(section)
        self.session.wait()
        for resource in sorted(self._found, key=lambda r: (_ORDER.get(r.type, len(_ORDER)), r.id)):
            self.session.add(resource)

    def server(self, health: Called) -> None:
        self.session.progress.step("vault: server status")
        self.gather(
            {
                "seal": lambda: self.get("sys/seal-status"),
                "leader": lambda: self.get("sys/leader"),
                "ha": lambda: self.get("sys/ha-status"),
                "config": lambda: self.get("sys/config/state/sanitized"),
                "history": lambda: self.listing("sys/version-history"),
                "license": lambda: self.get("sys/license/status", absent=_not_applicable),
                "replication": lambda: self.get("sys/replication/status", absent=_not_applicable),
                "audit": lambda: self.get("sys/audit"),
            },
            partial(self._server, health),
        )

    def _server(self, health: Called, res: dict[str, Any]) -> None:
        attrs: dict[str, Any] = {}
        gaps: dict[str, str] = {}
        evs = [health.evidence]
        h = health.body or {}
        _pick(h, ("initialized", "sealed", "standby", "version"), attrs, gaps, "GET sys/health")
        attrs["cluster_name"] = h.get("cluster_name") or None
        version = str(attrs.get("version") or "")
        attrs["product"] = "openbao" if version[:1].isdigit() and int(version.split(".")[0]) >= 2 else "vault"

        seal = self.session.take(res, "seal", gaps, _SEAL, evs)
        if seal is not None:
            _pick(seal, ("recovery_seal",), attrs, gaps, "GET sys/seal-status")
            if "type" in seal:
                attrs["seal_type"] = seal["type"]
            else:
                gaps["seal_type"] = "GET sys/seal-status: the response has no 'type'"
            attrs["storage_type"] = seal.get("storage_type")
            if "sealed" in seal:
                attrs["sealed"] = seal["sealed"]
        leader = self.session.take(res, "leader", gaps, _LEADER, evs)
        if leader is not None:
            _pick(leader, ("ha_enabled",), attrs, gaps, "GET sys/leader")
            attrs["raft_committed_index"] = leader.get("raft_committed_index")
        ha = self.session.take(res, "ha", gaps, ("ha_nodes",), evs)
        if ha is not None:
            attrs["ha_nodes"] = [
                {k: n.get(k) for k in ("hostname", "api_address", "active_node", "version")}
                for n in _data(ha).get("nodes") or []
                if isinstance(n, dict)
            ]
        config = self.session.take(res, "config", gaps, _CONFIG, evs)
        if config is not None:
            attrs.update(_sanitized_config(_data(config)))
        history = self.session.take(res, "history", gaps, ("version_history",), evs)
        if "version_history" not in gaps:
            attrs["version_history"] = _keys(history)
        for key in ("license", "replication"):
            body = self.session.take(res, key, gaps, (key,), evs)
            if key not in gaps:
                attrs[key] = "not_applicable" if body is None else "present"
        self._raft(attrs, gaps, evs)
        audit = res.get("audit")
        if isinstance(audit, CallFailed):
            gaps["audit_devices"] = audit.reason
            self.session.gap(audit, scope=self.scope, types=(AUDIT,))
        elif isinstance(audit, Called):
            evs.append(audit.evidence)
            attrs["audit_devices"] = self._audit_devices(_data(audit.body), audit.evidence)
        self.add(SERVER, self.base, self.settings.label, attrs, gaps, evs)

    def _raft(self, attrs: dict[str, Any], gaps: dict[str, str], evs: list[str]) -> None:
        storage = attrs.get("storage_type") or attrs.get("config_storage_type")
        if not storage:
            unknown = [gaps[k] for k in ("storage_type", "config_storage_type") if k in gaps]
            if unknown:  # not raft, or raft that could not be seen? A gap, never "not raft".
                gaps["raft"] = f"the storage type could not be read: {unknown[0]}"
            else:
                attrs["raft"] = None
            return
        if storage != "raft":
            attrs["raft"] = None
            return
        try:
            called = self.get("sys/storage/raft/autopilot/state")
        except CallFailed as err:
            gaps["raft"] = err.reason
            return
        evs.append(called.evidence)
        d = _data(called.body)
        servers = d.get("servers") or {}
        attrs["raft"] = {
            "healthy": bool(d.get("healthy")),
            "failure_tolerance": d.get("failure_tolerance"),
            "voters": list(d.get("voters") or []),
            "servers": {
                k: {"status": v.get("status"), "healthy": v.get("healthy")} for k, v in servers.items()
            },
        }

    def _audit_devices(self, devices: dict[str, Any], ev: str) -> list[str]:
        shown = []
        for path, d in devices.items():
            if not isinstance(d, dict):
                continue
            shown.append(f"{d.get('path') or path}({d.get('type')})")
            opts = d.get("options") or {}
            attrs = {
                "path": path,
                "type": d.get("type"),
                "local": bool(d.get("local")),
                "log_raw": _truthy(opts.get("log_raw")),
                "hmac_accessor": opts.get("hmac_accessor", True) not in (False, "false"),
                "options": {k: v for k, v in opts.items() if k in _AUDIT_OPTIONS},
            }
            self.add(AUDIT, self.rid("audit", path), path, attrs, {}, (ev,))
        return sorted(shown)

    def auth_methods(self) -> None:
        self.session.progress.step("vault: auth methods")
        self.gather(
            {
                "auth": lambda: self.get("sys/auth"),
                "mfa": lambda: self.listing("identity/mfa/login-enforcement"),
            },
            self._auth_listed,
        )

    def _auth_listed(self, res: dict[str, Any]) -> None:
        auth = res["auth"]
        if isinstance(auth, CallFailed):
            self.session.gap(auth, scope=self.scope, types=(AUTH, APPROLE))
            return
        mounts = {p: d for p, d in _data(auth.body).items() if isinstance(d, dict) and "type" in d}
        mfa = res["mfa"]
        names = [] if isinstance(mfa, CallFailed) else _keys(mfa.body)
        thunks: dict[str, Callable[[], Any]] = {}
        for name in names:
            thunks[f"mfa {name}"] = partial(self.get, f"identity/mfa/login-enforcement/{name}")
        for path in mounts:
            thunks[f"tune {path}"] = partial(self.get, f"sys/auth/{path.rstrip('/')}/tune")
        self.gather(thunks, partial(self._auth_read, mounts, auth, mfa, names))
        for path, d in sorted(mounts.items()):
            if d.get("type") == "approle":
                base = f"auth/{path.rstrip('/')}/role"
                self.task(self.each, base, (APPROLE,), partial(self._approle_role, path, base))

    def _auth_read(
        self,
        mounts: dict[str, dict[str, Any]],
        auth: Called,
        mfa: Called | CallFailed,
        names: list[str],
        res: dict[str, Any],
    ) -> None:
        mfa_gap = mfa.reason if isinstance(mfa, CallFailed) else None
        enforcements: dict[str, tuple[dict[str, Any], str]] = {}
        for name in names:
            got = res[f"mfa {name}"]
            if isinstance(got, CallFailed):
                mfa_gap = mfa_gap or got.reason
            else:
                enforcements[name] = (_data(got.body), got.evidence)
        for path, d in sorted(mounts.items()):
            attrs: dict[str, Any] = {
                "path": path,
                "type": d.get("type"),
                "accessor": d.get("accessor"),
                "local": bool(d.get("local")),
            }
            gaps: dict[str, str] = {}
            evs = [auth.evidence] + ([mfa.evidence] if isinstance(mfa, Called) else [])
            tune = self.session.take(res, f"tune {path}", gaps, _AUTH_TUNE, evs)
            if tune is not None:
                t = _data(tune)
                what = f"GET sys/auth/{path.rstrip('/')}/tune"
                _pick(t, ("default_lease_ttl", "max_lease_ttl", "token_type"), attrs, gaps, what)
                # Absent (or empty) listing_visibility is Vault's default: not listed.
                attrs["listing_visibility"] = t.get("listing_visibility") or "hidden"
            if mfa_gap:
                gaps["mfa_enforcements"] = mfa_gap
            else:
                matched = sorted(
                    name
                    for name, (e, _) in enforcements.items()
                    if d.get("accessor") in (e.get("auth_method_accessors") or [])
                    or d.get("type") in (e.get("auth_method_types") or [])
                )
                attrs["mfa_enforcements"] = matched
                evs.extend(enforcements[name][1] for name in matched)
            self.add(AUTH, self.rid("auth", path), path, attrs, gaps, evs)

    def _approle_role(self, mount: str, base: str, name: str, lev: str) -> None:
        attrs: dict[str, Any] = {"mount": mount, "role": name}
        gaps: dict[str, str] = {}
        evs = [lev]
        self.detail(f"{base}/{name}", _APPROLE_FIELDS, attrs, gaps, evs)
        self.add(APPROLE, self.rid("auth", mount, "role", name), f"{mount}{name}", attrs, gaps, evs)

    def mounts(self) -> None:
        self.session.progress.step("vault: secrets engines")
        try:
            listed = self.get("sys/mounts")
        except CallFailed as err:
            self.session.gap(err, scope=self.scope, types=(MOUNT, KV, PKI_ROLE, PKI_ISSUER, TRANSIT))
            return
        mounts = {p: d for p, d in _data(listed.body).items() if isinstance(d, dict) and "type" in d}
        for path, d in sorted(mounts.items()):
            self.task(self._mount, path, d, listed.evidence)
            mtype, m = d.get("type"), path.rstrip("/")
            if mtype == "kv" and _kv_version(d) == "2":
                self.task(self._kv, path)
            elif mtype == "pki":
                self.task(self.each, f"{m}/roles", (PKI_ROLE,), partial(self._pki_role, path))
                self.task(self.each, f"{m}/issuers", (PKI_ISSUER,), partial(self._pki_issuer, path))
            elif mtype == "transit":
                self.task(self.each, f"{m}/keys", (TRANSIT,), partial(self._transit_key, path))

    def _mount(self, path: str, d: dict[str, Any], lev: str) -> None:
        mtype = d.get("type")
        attrs: dict[str, Any] = {
            "path": path,
            "type": mtype,
            "version": _kv_version(d) if mtype in ("kv", "generic") else None,
            "seal_wrap": bool(d.get("seal_wrap")),
            "local": bool(d.get("local")),
        }
        gaps: dict[str, str] = {}
        evs = [lev]
        self.detail(f"sys/mounts/{path.rstrip('/')}/tune", _MOUNT_TUNE, attrs, gaps, evs)
        self.add(MOUNT, self.rid("mount", path), path, attrs, gaps, evs)

    def _kv(self, mount: str) -> None:
        attrs: dict[str, Any] = {"mount": mount}
        gaps: dict[str, str] = {}
        evs: list[str] = []
        self.detail(f"{mount.rstrip('/')}/config", _KV_FIELDS, attrs, gaps, evs)
        self.add(KV, self.rid("kv", mount), mount, attrs, gaps, evs)

    def _pki_role(self, mount: str, name: str, lev: str) -> None:
        attrs: dict[str, Any] = {"mount": mount, "role": name}
        gaps: dict[str, str] = {}
        evs = [lev]
        self.detail(f"{mount.rstrip('/')}/roles/{name}", _PKI_ROLE_FIELDS, attrs, gaps, evs)
        self.add(PKI_ROLE, self.rid("pki", mount, "role", name), f"{mount}roles/{name}", attrs, gaps, evs)

    def _pki_issuer(self, mount: str, issuer: str, lev: str) -> None:
        attrs: dict[str, Any] = {"mount": mount, "issuer_id": issuer}
        gaps: dict[str, str] = {}
        evs = [lev]
        d = self.detail(f"{mount.rstrip('/')}/issuer/{issuer}", ("issuer_name",), attrs, gaps, evs)
        if d is None:
            gaps.update(dict.fromkeys(_ISSUER_FIELDS, gaps["issuer_name"]))
        else:
            cert = _cert_info(d.get("certificate") or "")
            if cert is None:
                gaps.update(
                    dict.fromkeys(
                        ("subject", "not_before", "not_after"), "the issuer certificate could not be parsed"
                    )
                )
            else:
                attrs.update(cert)
        name = attrs.get("issuer_name") or issuer
        self.add(PKI_ISSUER, self.rid("pki", mount, "issuer", issuer), f"{mount}{name}", attrs, gaps, evs)

    def _transit_key(self, mount: str, name: str, lev: str) -> None:
        path = f"{mount.rstrip('/')}/keys/{name}"
        attrs: dict[str, Any] = {"mount": mount, "key": name}
        gaps: dict[str, str] = {}
        evs = [lev]
        try:
            called = self.call("GET", path, record=False)
        except CallFailed as err:
            gaps.update(Session.gaps(err, _TRANSIT_FIELDS))
        else:
            d = _data(called.body)
            versions = d.get("keys") or {}
            # Symmetric keys list version -> creation time; asymmetric ones carry public keys.
            # Only the version numbers are kept as evidence.
            evs.append(
                self.session.record(
                    f"GET {path}",
                    {
                        "data": {k: v for k, v in d.items() if k != "keys"}
                        | {"key_versions": sorted(versions)}
                    },
                    scope=self.scope,
                )
            )
            created: list[str] = []
            for v in versions.values():
                if isinstance(v, int | float):
                    created.append(_ts(v) or "")
                elif isinstance(v, dict) and v.get("creation_time"):
                    created.append(str(v["creation_time"]))
            _pick(d, _TRANSIT_COPIED, attrs, gaps, f"GET {path}")
            attrs["latest_version_created"] = max(created) if created else None
        self.add(TRANSIT, self.rid("transit", mount, "key", name), f"{mount}keys/{name}", attrs, gaps, evs)

    def policies(self) -> None:
        self.session.progress.step("vault: ACL policies")
        self.each("sys/policies/acl", (POLICY,), self._policy)

    def _policy(self, name: str, lev: str) -> None:
        attrs: dict[str, Any] = {"name": name}
        gaps: dict[str, str] = {}
        evs = [lev]
        try:
            called = self.get(f"sys/policies/acl/{name}")
        except CallFailed as err:
            gaps.update(Session.gaps(err, _POLICY_FIELDS))
        else:
            evs.append(called.evidence)
            text = str(_data(called.body).get("policy") or "")
            attrs["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()
            try:
                attrs["rules"] = [rule.as_dict() for rule in parse_policy(text)]
            except PolicyParseError as exc:
                gaps["rules"] = f"the policy could not be parsed: {exc}"
        self.add(POLICY, self.rid("policy", name), name, attrs, gaps, evs)

    def tokens(self) -> None:
        self.session.progress.step("vault: tokens")
        if self.options.max_tokens == 0:
            self.session.exclude(
                (TOKEN,), scope=self.scope, reason="token enumeration is turned off (max_tokens=0)"
            )
            return
        try:
            listed = self.listing("auth/token/accessors")
        except CallFailed as err:
            self.session.gap(err, scope=self.scope, types=(TOKEN,))
            return
        accessors = _keys(listed.body)
        if len(accessors) > self.options.max_tokens:
            self.session.error(
                "POST auth/token/lookup-accessor",
                ErrorKind.NOT_COLLECTED,
                f"{len(accessors)} tokens exist; only the first {self.options.max_tokens} were looked up "
                "(raise max_tokens)",
                scope=self.scope,
                types=(TOKEN,),
            )
            accessors = accessors[: self.options.max_tokens]
        for accessor in accessors:
            self.task(self._token, accessor, listed.evidence, len(accessors))

    def _token(self, accessor: str, lev: str, total: int) -> None:
        op = "auth/token/lookup-accessor"
        attrs: dict[str, Any] = {"accessor": accessor}
        gaps: dict[str, str] = {}
        evs = [lev]
        try:
            called = self.call(
                "POST", op, {"accessor": accessor}, params={"accessor": accessor}, record=False
            )
        except CallFailed as err:
            if isinstance(err, VaultError) and err.status == 400 and "invalid accessor" in err.detail:
                return  # expired between the list and the lookup
            gaps.update(Session.gaps(err, _TOKEN_REQUIRED))
        else:
            kept = {k: v for k, v in _data(called.body).items() if k in TOKEN_FIELDS}
            evs.append(
                self.session.record(
                    f"POST {op}", {"data": kept}, scope=self.scope, params={"accessor": accessor}
                )
            )
            _pick(kept, _TOKEN_REQUIRED, attrs, gaps, f"POST {op}")
            if "period" in kept:
                attrs["period"] = kept["period"]
            if "expire_time" in attrs:
                attrs["expire_time"] = _ts(attrs["expire_time"])
            if "policies" in attrs:
                attrs["policies"] = list(attrs["policies"] or [])
        name = str(attrs.get("display_name") or accessor)
        self.add(TOKEN, self.rid("token", accessor), f"{name} ({accessor})", attrs, gaps, evs)
        with self._lock:
            self._tokens_done += 1
            done = self._tokens_done
        if done % 200 == 0:
            self.session.progress.step(f"vault: token lookups {done}/{total}")


def _pick(
    data: Mapping[str, Any], fields: Iterable[str], attrs: dict[str, Any], gaps: dict[str, str], what: str
) -> None:
    """Copy `fields` from a response; one it lacks is a gap, never a default."""
    for key in fields:
        if key in data:
            attrs[key] = data[key]
        else:
            gaps[key] = f"{what}: the response has no {key!r}"


def _data(body: Any) -> dict[str, Any]:
    """The `data` of a Vault response (or the body itself for the unwrapped sys/* replies)."""
    if isinstance(body, dict) and "data" in body:
        body = body["data"]
    return body if isinstance(body, dict) else {}


def _keys(body: Any) -> list[str]:
    return [str(k) for k in _data(body).get("keys") or []]


def _kv_version(mount: dict[str, Any]) -> str:
    return str((mount.get("options") or {}).get("version") or "1")


def _sanitized_config(d: dict[str, Any]) -> dict[str, Any]:
    def listener(li: dict[str, Any]) -> dict[str, Any]:
        cfg = li.get("config") or {}
        return {
            "type": li.get("type"),
            "address": cfg.get("address"),
            "tls_disable": _truthy(cfg.get("tls_disable")),
            "tls_min_version": cfg.get("tls_min_version"),
        }

    return {
        "listeners": [listener(li) for li in d.get("listeners") or []],
        "config_seals": [
            {"type": s.get("type"), "disabled": s.get("disabled")} for s in d.get("seals") or []
        ],
        "raw_storage_endpoint": bool(d.get("raw_storage_endpoint")),
        "config_storage_type": (d.get("storage") or {}).get("type"),
    }


def _ts(value: Any) -> str | None:
    """An RFC 3339 string from a Vault time (RFC 3339 text or unix seconds)."""
    if value in (None, "", 0):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).isoformat()
    return str(value)


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
