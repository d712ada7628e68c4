"""A stand-in hvac client for the unit tests: answers the collector's requests from a route table,
for the failures a real OpenBao cannot be made to produce (HTTP 500s, 429s, fields missing from a
response, a server that stops answering). Handed in through `VaultClients(login=...)`: nothing
is patched.

Routes are keyed by (method, path) as the collector sends them (no `/v1/`, no query string; LIST
paths end in "/"). A value is (status, body) or (status, body, headers); unknown paths answer
404 with no error text (Vault's empty LIST).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Route = tuple[int, Any] | tuple[int, Any, dict[str, str]]


def healthy_routes() -> dict[tuple[str, str], Any]:
    """A small, healthy server: one audit device, the token auth method, one PKI mount with one
    role, the default and root policies, one token."""
    return {
        ("GET", "sys/health"): (
            200,
            {
                "initialized": True,
                "sealed": False,
                "standby": False,
                "version": "2.7.2",
                "cluster_name": "c1",
            },
        ),
        ("GET", "sys/seal-status"): (
            200,
            {"type": "awskms", "sealed": False, "recovery_seal": True, "storage_type": "inmem"},
        ),
        ("GET", "sys/leader"): (200, {"ha_enabled": True, "is_self": True}),
        ("GET", "sys/ha-status"): (
            200,
            {
                "request_id": "r",
                "data": {
                    "nodes": [
                        {
                            "hostname": h,
                            "api_address": f"https://{h}:8200",
                            "active_node": h == "a",
                            "version": "2.7.2",
                        }
                        for h in ("a", "b", "c")
                    ]
                },
            },
        ),
        ("GET", "sys/config/state/sanitized"): (
            200,
            {
                "request_id": "r",
                "data": {
                    "listeners": [
                        {"type": "tcp", "config": {"address": "0.0.0.0:8200", "tls_min_version": "tls12"}}
                    ],
                    "seals": [{"type": "awskms", "disabled": False}],
                    "raw_storage_endpoint": False,
                    "storage": {"type": "inmem"},
                },
            },
        ),
        ("LIST", "sys/version-history/"): (200, {"request_id": "r", "data": {"keys": ["2.7.2"]}}),
        ("GET", "sys/license/status"): (404, {"errors": ["1 error occurred:\n\t* unsupported path\n\n"]}),
        ("GET", "sys/replication/status"): (404, {"errors": ["unsupported path"]}),
        ("GET", "sys/audit"): (
            200,
            {
                "request_id": "r",
                "data": {
                    "file/": {"type": "file", "path": "file/", "local": False, "options": {"file_path": "/a"}}
                },
            },
        ),
        ("GET", "sys/auth"): (
            200,
            {
                "request_id": "r",
                "data": {"token/": {"type": "token", "accessor": "auth_token_1", "local": False}},
            },
        ),
        ("GET", "sys/auth/token/tune"): (
            200,
            {
                "request_id": "r",
                "data": {"default_lease_ttl": 3600, "max_lease_ttl": 86400, "token_type": "default-service"},
            },
        ),
        ("GET", "sys/mounts"): (
            200,
            {"request_id": "r", "data": {"pki/": {"type": "pki", "local": False, "seal_wrap": False}}},
        ),
        ("GET", "sys/mounts/pki/tune"): (
            200,
            {"request_id": "r", "data": {"default_lease_ttl": 3600, "max_lease_ttl": 86400}},
        ),
        ("LIST", "pki/roles/"): (200, {"request_id": "r", "data": {"keys": ["web"]}}),
        ("GET", "pki/roles/web"): (200, {"request_id": "r", "data": PKI_ROLE}),
        ("LIST", "sys/policies/acl/"): (200, {"request_id": "r", "data": {"keys": ["default", "root"]}}),
        ("GET", "sys/policies/acl/default"): (
            200,
            {
                "request_id": "r",
                "data": {"name": "default", "policy": 'path "sys/tools/hash" { capabilities = ["update"] }'},
            },
        ),
        ("GET", "sys/policies/acl/root"): (200, {"request_id": "r", "data": {"name": "root", "policy": ""}}),
        ("LIST", "auth/token/accessors/"): (200, {"request_id": "r", "data": {"keys": ["acc-1"]}}),
        ("POST", "auth/token/lookup-accessor"): (200, {"request_id": "r", "data": token_lookup("acc-1")}),
    }


PKI_ROLE: dict[str, Any] = {
    "max_ttl": 259200,
    "ttl": 0,
    "allow_any_name": False,
    "allowed_domains": ["example.com"],
    "allow_subdomains": True,
    "allow_glob_domains": False,
    "allow_wildcard_certificates": True,
    "key_type": "rsa",
    "key_bits": 2048,
    "enforce_hostnames": True,
    "allow_ip_sans": True,
}


def token_lookup(accessor: str, name: str = "token-ci") -> dict[str, Any]:
    return {
        "accessor": accessor,
        "creation_time": 1767225600,
        "creation_ttl": 3600,
        "display_name": name,
        "entity_id": "",
        "expire_time": "2026-01-01T01:00:00Z",
        "explicit_max_ttl": 0,
        "id": "",
        "issue_time": "2026-01-01T00:00:00Z",
        "meta": None,
        "num_uses": 0,
        "orphan": False,
        "path": "auth/token/create",
        "policies": ["default"],
        "renewable": True,
        "ttl": 3600,
        "type": "service",
    }


@dataclass
class FakeResponse:
    status_code: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode()

    def json(self) -> Any:
        return self.body


class FakeAdapter:
    def __init__(self, vault: FakeVault) -> None:
        self._vault = vault

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        return self._vault.answer(method, url, kwargs.get("json"))


class FakeVault:
    """The server side: the route table, how long each answer takes, and what was asked."""

    def __init__(
        self,
        routes: dict[tuple[str, str], Any] | None = None,
        *,
        delay: float = 0.0,
        raises: Callable[[str, str], BaseException | None] | None = None,
    ) -> None:
        self.routes = healthy_routes() if routes is None else routes
        self.delay = delay
        self.raises = raises
        self.adapter = FakeAdapter(self)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.asked: list[tuple[str, str]] = []

    def login(self, settings: Any) -> FakeVault:
        """The `VaultClients.login` to hand in: the "client" is this object (it has `.adapter`)."""
        return self

    def answer(self, method: str, url: str, body: Any) -> FakeResponse:
        path = url.removeprefix("/v1/").split("?", 1)[0]
        with self._lock:
            self.asked.append((method, path))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            if self.raises is not None and (exc := self.raises(method, path)) is not None:
                raise exc
            route = self.routes.get((method, path), (404, {"errors": []}))
            if callable(route):
                route = route(body)
            status, payload, *rest = route
            return FakeResponse(status, payload, rest[0] if rest else {})
        finally:
            with self._lock:
                self.in_flight -= 1
