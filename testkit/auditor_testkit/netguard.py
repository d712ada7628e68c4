"""Keep a test process on loopback: refuse every connection to a non-loopback address and every
name lookup of a host that is not localhost.

    with loopback_only():
        ...  # socket.connect / connect_ex to 10.0.0.1 raise ConnectionRefusedError,
             # getaddrinfo("example.com", 443) raises socket.gaierror

Installed as an autouse fixture by tests/conftest.py. It patches the ``socket`` module of this
interpreter only: child processes (moto, OpenBao, etcd, kube-apiserver) are started on
127.0.0.1 by their harnesses, and a test that runs the auditor CLI in a child process starts it
with `guarded_cli(...)`. Nothing is patched at import time.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "GUARDED_CLI",
    "NetworkGuardError",
    "guarded_cli",
    "install",
    "is_local_address",
    "is_local_host",
    "loopback_only",
]


class NetworkGuardError(ConnectionRefusedError):
    """A test tried to reach beyond loopback."""


def is_local_host(host: Any) -> bool:
    """True for names that never need DNS to stay on this machine: no host, ``localhost`` (and
    ``*.localhost``, RFC 6761), and IP literals (a non-loopback literal is refused on connect)."""
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    name = name.rstrip(".").lower()
    if name in ("", "localhost") or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return True


def is_local_address(address: Any) -> bool:
    """True when connecting to ``address`` (a socket address) stays on this machine."""
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name that is not localhost would need DNS: refuse


_lock = threading.Lock()
_depth = 0
_undo: list[Callable[[], None]] = []


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    real = getattr(owner, name)
    setattr(owner, name, make(real))
    _undo.append(lambda: setattr(owner, name, real))


def _guard_connect(real: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if not is_local_address(address):
            raise NetworkGuardError(f"test tried to reach a non-loopback address: {address!r}")
        return real(self, address)

    return connect


def _guard_sendto(real: Any) -> Any:
    def sendto(
        self: socket.socket, data: Any, *rest: Any
    ) -> Any:  # (data, address) or (data, flags, address)
        if rest and not is_local_address(rest[-1]):
            raise NetworkGuardError(f"test tried to send to a non-loopback address: {rest[-1]!r}")
        return real(self, data, *rest)

    return sendto


def _guard_lookup(real: Any) -> Any:
    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local_host(host):
            raise socket.gaierror(socket.EAI_NONAME, f"test tried to resolve a non-local name: {host!r}")
        return real(host, *args, **kwargs)

    return lookup


def install() -> Callable[[], None]:
    """Install the guard; return the function that removes it. Nested installs are counted:
    the guard stays until the outermost one is removed."""
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            _patch(socket.socket, "connect", _guard_connect)
            _patch(socket.socket, "connect_ex", _guard_connect)
            _patch(socket.socket, "sendto", _guard_sendto)  # UDP needs no connect (DNS to 8.8.8.8)
            for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
                _patch(socket, name, _guard_lookup)
    removed = False

    def uninstall() -> None:
        global _depth
        nonlocal removed
        with _lock:
            if removed:
                return
            removed = True
            _depth -= 1
            if _depth == 0:
                while _undo:
                    _undo.pop()()

    return uninstall


# A child Python that runs the auditor CLI behind the guard: a subprocess does not inherit the
# test process's patched socket module, so a CLI started with `python -m auditor` is unguarded.
GUARDED_CLI = (
    "from auditor_testkit.netguard import install; install(); from auditor.entry import main; main()"
)


def guarded_cli(*args: str) -> list[str]:
    """The argv of `auditor ARGS...` in a child Python with the guard installed first."""
    return [sys.executable, "-c", GUARDED_CLI, *args]


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Refuse non-loopback connections and non-local name lookups inside the block."""
    uninstall = install()
    try:
        yield
    finally:
        uninstall()
