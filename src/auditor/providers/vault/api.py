"""Settings, login and a thin read-only HTTP layer over hvac for the Vault collector.

`VaultApi` makes every request itself (through hvac's RawAdapter, so TLS, namespace header and
token handling are hvac's) and turns every outcome into a `Reply`: the collector decides what a
403 or a 404 means for the resources it was reading. It remembers which (method, path) it
called, so a test can prove the shipped policy covers every request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hvac
import requests

from auditor.errors import UsageError
from auditor.providers.vault import VaultOptions

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
        _secrets=secrets,
    )


def build_client(settings: Settings) -> Any:
    """An hvac client logged in as the scanner. Raises hvac/requests errors on failure."""
    client = hvac.Client(
        url=settings.addr,
        namespace=settings.namespace,
        verify=settings.verify,
        timeout=settings.timeout,
        adapter=hvac.adapters.RawAdapter,
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


@dataclass
class Reply:
    status: int  # HTTP status, 0 when the server could not be reached
    body: Any = None  # parsed JSON body (None when empty or not JSON)
    error: str = ""  # why it failed, for messages
    kind: str = ""  # access_denied | not_found | throttled | timeout | unreachable | error
    request: str = ""  # "GET sys/audit": what was asked, for messages

    @property
    def why(self) -> str:
        """Why the request failed, naming it: the text recorded as a gap or collection error."""
        return f"{self.request}: HTTP {self.status} {self.error}".rstrip()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def data(self) -> Any:
        if isinstance(self.body, dict) and "data" in self.body:
            return self.body["data"]
        return self.body

    @property
    def unsupported(self) -> bool:
        """404 for a path the server does not have (Enterprise-only, or feature not built in)."""
        return self.status == 404 and "unsupported" in self.error

    @property
    def empty_list(self) -> bool:
        """Vault answers a LIST with nothing under it as 404 with no error text."""
        return self.status == 404 and not self.error


def _kind(status: int) -> str:
    if status in (401, 403):
        return "access_denied"
    if status == 404:
        return "not_found"
    if status == 429:
        return "throttled"
    return "error"


class VaultApi:
    """Read-only requests. GET/LIST everywhere, POST only for `auth/token/lookup-accessor`."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, str]] = []

    def request(self, method: str, path: str, json_body: dict[str, Any] | None = None) -> Reply:
        path = path.lstrip("/")
        self.calls.append((method, path))
        kwargs: dict[str, Any] = {"raise_exception": False}
        if json_body is not None:
            kwargs["json"] = json_body
        try:
            resp = self._client.adapter.request(method, f"/v1/{path}", **kwargs)
        except requests.exceptions.Timeout as exc:
            return Reply(
                0, error=f"timed out: {type(exc).__name__}", kind="timeout", request=f"{method} {path}"
            )
        except requests.exceptions.RequestException as exc:
            return Reply(
                0,
                error=f"cannot reach the server: {type(exc).__name__}",
                kind="unreachable",
                request=f"{method} {path}",
            )
        body: Any = None
        if resp.content:
            try:
                body = resp.json()
            except ValueError:
                body = None
        if 200 <= resp.status_code < 300:
            return Reply(resp.status_code, body, request=f"{method} {path}")
        errors = body.get("errors") if isinstance(body, dict) else None
        text = "; ".join(str(e).replace("\n", " ").replace("\t", "").strip() for e in errors or [])
        text = " ".join(text.split())
        return Reply(resp.status_code, body, text, _kind(resp.status_code), f"{method} {path}")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def list(self, path: str) -> Reply:
        return self.request("LIST", path.rstrip("/") + "/")

    def post(self, path: str, body: dict[str, Any]) -> Reply:
        return self.request("POST", path, body)
