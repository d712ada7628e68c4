"""Helpers shared by the Vault check modules: durations, versions, resource type names. No SDK."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

SERVER = "vault.server"
AUDIT = "vault.audit_device"
AUTH = "vault.auth_method"
MOUNT = "vault.secrets_engine"
KV = "vault.kv_engine"
PKI_ROLE = "vault.pki_role"
PKI_ISSUER = "vault.pki_issuer"
TRANSIT = "vault.transit_key"
APPROLE = "vault.approle_role"
K8S_ROLE = "vault.kubernetes_role"
JWT_ROLE = "vault.jwt_role"
POLICY = "vault.policy"
TOKEN = "vault.token"

REFS = "https://developer.hashicorp.com/vault/docs"
_DUR = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(value: Any) -> int:
    """Seconds from a Vault duration: an int, a numeric string, or Go-style text ('768h0m0s', '30d')."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    parts = _DUR.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {value!r}")
    return int(sum(float(n) * _UNIT[u] for n, u in parts))


def human(secs: int) -> str:
    if secs <= 0:
        return "0 (unlimited/system default)"
    if secs % 86400 == 0:
        return f"{secs // 86400}d"
    if secs % 3600 == 0:
        return f"{secs // 3600}h"
    return f"{secs}s"


def version_tuple(text: str) -> tuple[int, ...]:
    core = re.match(r"v?(\d+(?:\.\d+)*)", str(text).strip())
    if not core:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(x) for x in core.group(1).split("."))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
