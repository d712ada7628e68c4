"""Settings, login and a thin read-only HTTP layer over hvac for the Vault collector.

`VaultApi` makes every request itself (through hvac's RawAdapter, so TLS, namespace header and
token handling are hvac's) and returns the parsed body or raises `VaultError`, a `CallFailed`
whose `ErrorKind` comes from the HTTP status: the collector decides what a 403 or a 404 means
for the resources it was reading. It remembers which (method, path) it called, so a test can
prove the shipped policy covers every request.

`VaultClients` is the provider's client factory (`CollectRun.clients`): how to log in, from
which environment, and the `VaultApi` of each collected target.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hvac
import requests
from requests.adapters import HTTPAdapter

from auditor.errors import UsageError
from auditor.models import ErrorKind
from auditor.providers.vault import VaultOptions
from auditor.runtime import CallFailed, kind_for_status, retry_after_seconds

DEFAULT_ADDR = "https://127.0.0.1:8200"
_TRUE = {"1", "true", "yes", "on", "t"}


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. Secrets live in `_secrets` and never reach a Target."""

    addr: str
    namespace: str | None
    verify: bool | str
    auth_method: str
    auth_mount: str
    timeout: float
    kubernetes_role: str | None
    kubernetes_jwt_path: str
    pool_size: int = 10  # HTTP connections kept open: one per request in flight
    _secrets: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return f"{self.addr}" + (f" ns={self.namespace}" if self.namespace else "")

    def public_options(self) -> dict[str, Any]:
        return {
            "addr": self.addr,
            "namespace": self.namespace,
            "tls_verify": self.verify if isinstance(self.verify, bool) else f"ca_cert={self.verify}",
            "auth_method": self.auth_method,
            "auth_mount": self.auth_mount,
        }


def _read_secret_file(path: str, what: str) -> str:
    try:
        value = Path(path).expanduser().read_text("utf-8").strip()
    except OSError as exc:
        raise UsageError(f"cannot read the {what} file {path}: {exc.strerror or exc}") from None
    if not value:
        raise UsageError(f"the {what} file {path} is empty")
    return value


def resolve_settings(options: VaultOptions, env: Mapping[str, str] | None = None) -> Settings:
    """Environment variables as defaults, options override; secrets from env or files only."""
    env = os.environ if env is None else env
    addr = (options.addr or env.get("VAULT_ADDR") or DEFAULT_ADDR).rstrip("/")
    namespace = options.namespace or env.get("VAULT_NAMESPACE") or None
    skip = options.skip_verify
    if skip is None:
        skip = env.get("VAULT_SKIP_VERIFY", "").strip().lower() in _TRUE
    ca = options.ca_cert or env.get("VAULT_CACERT") or None
    verify: bool | str = False if skip else (ca or True)
    method = options.auth_method
    secrets: dict[str, str] = {}
    if method == "token":
        if options.token_file:
            secrets["token"] = _read_secret_file(options.token_file, "token")
        elif env.get("VAULT_TOKEN"):
            secrets["token"] = env["VAULT_TOKEN"].strip()
        elif Path("~/.vault-token").expanduser().is_file():
            secrets["token"] = _read_secret_file("~/.vault-token", "token")
        else:
            raise UsageError("no Vault token: set VAULT_TOKEN, --token-file, or ~/.vault-token")
    elif method == "approle":
        role_id = (
            _read_secret_file(options.role_id_file, "role_id")
            if options.role_id_file
            else env.get("VAULT_ROLE_ID", "").strip()
        )
        secret_id = (
            _read_secret_file(options.secret_id_file, "secret_id")
            if options.secret_id_file
            else env.get("VAULT_SECRET_ID", "").strip()
        )
        if not role_id or not secret_id:
            raise UsageError(
                "AppRole login needs a role_id and a secret_id (VAULT_ROLE_ID/VAULT_SECRET_ID or files)"
            )
        secrets.update(role_id=role_id, secret_id=secret_id)
    elif method == "kubernetes":
        if not options.kubernetes_role:
            raise UsageError("Kubernetes login needs --kubernetes-role")
        secrets["jwt"] = _read_secret_file(options.kubernetes_jwt_path, "service-account JWT")
    mount = (options.auth_mount or ("approle" if method == "approle" else "kubernetes")).strip("/")
    return Settings(
        addr=addr,
        namespace=namespace,
        verify=verify,
        auth_method=method,
        auth_mount=mount,
        timeout=options.timeout,
        kubernetes_role=options.kubernetes_role,
        kubernetes_jwt_path=options.kubernetes_jwt_path,
        pool_size=max(10, options.concurrency),
        _secrets=secrets,
    )


def build_client(settings: Settings) -> Any:
    """An hvac client logged in as the scanner. Raises hvac/requests errors on failure."""
    session = requests.Session()
    session.verify = settings.verify  # hvac takes a given session's verify over its own argument
    pool = HTTPAdapter(pool_connections=1, pool_maxsize=settings.pool_size)
    session.mount("https://", pool)
    session.mount("http://", pool)
    client = hvac.Client(
        url=settings.addr,
        namespace=settings.namespace,
        verify=settings.verify,
        timeout=settings.timeout,
        adapter=hvac.adapters.RawAdapter,
        session=session,
    )
    s = settings._secrets
    if settings.auth_method == "token":
        client.token = s["token"]
    elif settings.auth_method == "approle":
        resp = client.auth.approle.login(
            role_id=s["role_id"], secret_id=s["secret_id"], mount_point=settings.auth_mount
        )
        client.token = resp.json()["auth"]["client_token"]
    else:
        resp = client.auth.kubernetes.login(
            role=settings.kubernetes_role, jwt=s["jwt"], mount_point=settings.auth_mount
        )
        client.token = resp.json()["auth"]["client_token"]
    return client


ClientFactory = Callable[[Settings], Any]


class VaultError(CallFailed):
    """A request Vault answered with a non-2xx status, or could not answer at all (`status` 0).

    `kind` comes from the status (`kind_for_status`); a 404 "unsupported path" is `unsupported`
    (a path this server does not have: Enterprise-only, or a feature not built in). `detail` is
    Vault's own error text, which tells an empty LIST (404, no text) from a missing path."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        detail: str,
        *,
        kind: ErrorKind | None = None,
        retry_after: float | None = None,
    ) -> None:
        if kind is None:
            kind = (
                ErrorKind.UNSUPPORTED
                if status == 404 and "unsupported" in detail
                else kind_for_status(status)
            )
        shown = f"HTTP {status}: {detail or 'no detail'}" if status else detail
        super().__init__(
            f"{method} {path.split('?', 1)[0].rstrip('/')}",
            kind,
            shown,
            status=status or None,
            retry_after=retry_after,
        )
        self.detail = detail

    @property
    def unsupported(self) -> bool:
        return self.kind is ErrorKind.UNSUPPORTED

    @property
    def empty_list(self) -> bool:
        """Vault answers a LIST with nothing under it as 404 with no error text."""
        return self.status == 404 and not self.detail


class VaultApi:
    """Read-only requests. GET/LIST everywhere, POST only for `auth/token/lookup-accessor`.

    `request` returns the parsed JSON body (None when empty) or raises `VaultError`. Safe to
    call from many threads at once: `calls` (every (method, path) requested, in order) is kept
    under a lock, and hvac's requests session pools its connections."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []

    def request(self, method: str, path: str, json_body: dict[str, Any] | None = None) -> Any:
        path = path.lstrip("/")
        with self._lock:
            self.calls.append((method, path))
        kwargs: dict[str, Any] = {"raise_exception": False}
        if json_body is not None:
            kwargs["json"] = json_body
        try:
            resp = self._client.adapter.request(method, f"/v1/{path}", **kwargs)
        except requests.exceptions.Timeout as exc:
            raise VaultError(
                method, path, 0, f"timed out: {type(exc).__name__}", kind=ErrorKind.TIMEOUT
            ) from None
        except requests.exceptions.RequestException as exc:
            raise VaultError(
                method,
                path,
                0,
                f"cannot reach the server: {type(exc).__name__}",
                kind=ErrorKind.UNREACHABLE,
            ) from None
        body: Any = None
        if resp.content:
            try:
                body = resp.json()
            except ValueError:
                body = None
        if 200 <= resp.status_code < 300:
            return body
        errors = body.get("errors") if isinstance(body, dict) else None
        text = "; ".join(str(e).replace("\n", " ").replace("\t", "").strip() for e in errors or [])
        raise VaultError(
            method,
            path,
            resp.status_code,
            " ".join(text.split()),
            retry_after=retry_after_seconds((getattr(resp, "headers", None) or {}).get("Retry-After")),
        )


@dataclass
class VaultClients:
    """The Vault provider's client factory: what `CollectRun.clients` holds for "vault"
    (`auditor.scan.collect(..., clients={"vault": VaultClients(...)})`).

    - `login(settings)` returns a logged-in hvac client (default `build_client`). A test hands
      in its own to reach a local server or to stand in for one; raising simulates a failed login.
    - `env` replaces `os.environ` when options are resolved (None: the process environment).
    - `apis`: the `VaultApi` of every target collected through this factory, in order, each
      with its request log (`calls`), so a caller can prove what was requested.

    A bare callable `Settings -> client` given as `CollectRun.clients` is used as `login`."""

    login: ClientFactory = build_client
    env: Mapping[str, str] | None = None
    apis: list[VaultApi] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def of(cls, injected: Any) -> VaultClients:
        if injected is None:
            return cls()
        if isinstance(injected, VaultClients):
            return injected
        if callable(injected):
            return cls(login=injected)
        raise TypeError(f"vault clients must be a VaultClients or a callable, not {type(injected).__name__}")

    def settings(self, options: VaultOptions) -> Settings:
        return resolve_settings(options, self.env)

    def connect(self, settings: Settings) -> VaultApi:
        """Log in (may raise the SDK's errors) and wrap the client."""
        api = VaultApi(self.login(settings))
        with self._lock:
            self.apis.append(api)
        return api
