"""The loopback guard refuses what would leave the machine and lets loopback through."""

from __future__ import annotations

import socket
import sys

import pytest

from auditor_testkit.netguard import NetworkGuardError, is_local_address, is_local_host, loopback_only


def test_addresses_and_names() -> None:
    assert is_local_address(("127.0.0.1", 80)) and is_local_address(("::1", 80, 0, 0))
    assert is_local_address(("localhost", 80)) and is_local_address("/run/some.sock")
    assert not is_local_address(("10.0.0.1", 80)) and not is_local_address(("169.254.169.254", 80))
    assert not is_local_address(("example.com", 80))
    assert is_local_host(None) and is_local_host("localhost") and is_local_host("api.localhost")
    assert is_local_host("127.0.0.1") and is_local_host(b"::1") and is_local_host("LOCALHOST.")
    assert not is_local_host("example.com") and not is_local_host("metadata.google.internal")


def test_non_loopback_connect_is_refused_before_any_packet() -> None:
    # The session guard (tests/conftest.py) is active; nesting keeps it active after the block.
    with loopback_only():
        pass
    for target in (("10.255.255.1", 9), ("169.254.169.254", 80)):
        with socket.socket() as s, pytest.raises(NetworkGuardError, match="non-loopback"):
            s.connect(target)
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect_ex(target)


def test_name_lookups_beyond_localhost_are_refused() -> None:
    with pytest.raises(socket.gaierror, match="non-local name"):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(socket.gaierror):
        socket.gethostbyname("metadata.google.internal")
    with pytest.raises(socket.gaierror):
        socket.create_connection(("example.com", 80), timeout=1)
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)


def test_loopback_still_works() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            conn, _ = server.accept()
            conn.close()


def test_udp_sendto_beyond_loopback_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        with pytest.raises(NetworkGuardError, match="non-loopback"):
            s.sendto(b"x", ("10.255.255.1", 53))
        with pytest.raises(NetworkGuardError, match="non-loopback"):
            s.sendto(b"x", 0, ("8.8.8.8", 53))
        s.sendto(b"x", ("127.0.0.1", 9))  # loopback goes through


def test_a_cli_child_process_runs_behind_the_guard() -> None:
    import subprocess

    from auditor_testkit.netguard import GUARDED_CLI, guarded_cli

    assert (
        subprocess.run(guarded_cli("--version"), capture_output=True, text=True, check=False).returncode == 0
    )
    probe = (
        GUARDED_CLI.split("; from auditor.entry")[0]
        + "; import socket; socket.create_connection(('10.255.255.1', 9), 2)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode != 0 and "NetworkGuardError" in done.stderr
