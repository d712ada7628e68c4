"""Loopback ports and child server processes: the small pieces every harness needs."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

__all__ = ["HOST", "closed_port_url", "free_port", "free_ports", "stop_process", "tail"]

HOST = "127.0.0.1"


def free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port() -> int:
    """One free TCP port on 127.0.0.1."""
    return free_ports(1)[0]


def closed_port_url(scheme: str = "http") -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    return f"{scheme}://{HOST}:{free_port()}"


def stop_process(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """Stop one process by PID: terminate, wait, then kill."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a server log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
