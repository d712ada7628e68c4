"""Shapes of judgement several Azure services share (public network access, ON/OFF parameters,
TLS versions). Pure functions over collected attributes; the checks call them with constants, so
the contract analysis sees every attribute they read."""

from __future__ import annotations

from typing import Any

from auditor.checks import Verdict, errored, failed, need, passed
from auditor.models import Resource

CLOSED = ("Disabled", "SecuredByPerimeter")
MODERN_TLS = ("TLSv1.2", "TLSv1.3")


def public_network_closed(r: Resource, key: str, remedy: str) -> Verdict:
    """`key` holds publicNetworkAccess: Disabled (or a network security perimeter) passes."""
    value = need(r, key)
    if value in CLOSED:
        return passed(f"public network access is {value}")
    shown = value or "not set (Enabled by default)"
    return failed(f"public network access is {shown}: {remedy}")


def is_on(value: Any) -> bool:
    return str(value).strip().lower() in ("on", "true", "1", "enabled")


def server_parameter(r: Resource, name: str) -> str | None:
    """The value of one flexible-server parameter, or None when the server did not report it."""
    params = need(r, "parameters")
    value = params.get(name) if isinstance(params, dict) else None
    return str(value) if value is not None else None


def parameter_on(r: Resource, name: str, remedy: str) -> Verdict:
    value = server_parameter(r, name)
    if value is None:
        return errored(f"the server did not report the parameter {name}")
    if is_on(value):
        return passed(f"{name} is {value}")
    return failed(f"{name} is {value or 'empty'}: {remedy}")


def tls_versions_modern(value: str) -> bool:
    """A comma-separated TLS version list (TLSv1.2,TLSv1.3) that allows nothing older than 1.2."""
    versions = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    return bool(versions) and all(v in MODERN_TLS for v in versions)


def expect(r: Resource, key: str, want: Any, ok: str, bad: str) -> Verdict:
    """Pass when attribute `key` is exactly `want` (True, False, a string), else fail with `bad`
    (a missing value fails too: a setting not reported is not a setting made)."""
    value = need(r, key)
    return passed(ok) if value == want and type(value) is type(want) else failed(bad)
