"""Shared test fixtures. Unit tests may not open a network connection beyond loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name that is not localhost would need DNS: refuse


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise ConnectionRefusedError(f"test tried to reach a non-loopback address: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise ConnectionRefusedError(f"test tried to reach a non-loopback address: {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_external_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    yield


def _skip_or_fail(reason: str) -> None:
    """In CI (.ci/run sets AUDITOR_REQUIRE_SERVERS=1) a server that cannot start is a failure, not a skip."""
    if os.environ.get("AUDITOR_REQUIRE_SERVERS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def skip_or_fail() -> Any:
    """Call with a reason when a local server this test needs cannot be started."""
    return _skip_or_fail
