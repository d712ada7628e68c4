"""A real PostgreSQL 15 on 127.0.0.1 for the results-store tests.

`run_postgres()` runs `initdb` and `pg_ctl` from PATH or /usr/lib/postgresql/15/bin (Debian's
`postgresql-15`), in a fresh directory, listening on a free loopback port only (no Unix socket
outside that directory), with trust authentication for the superuser `auditor` and fsync off.
As root it runs them as the unprivileged `postgres` user (runuser), as PostgreSQL requires.
On exit the server is stopped (`pg_ctl stop`, which signals the postmaster's PID) and the
directory removed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor_testkit.local import HOST, free_port, tail

__all__ = ["Postgres", "PostgresError", "pg_bin_dir", "run_postgres"]

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresError(RuntimeError):
    pass


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    directory: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def pg_bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    return DEBIAN_BIN if (DEBIAN_BIN / "initdb").exists() else None


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresError("running as root and there is no 'postgres' user to run PostgreSQL as") from None
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def run_postgres() -> Iterator[Postgres]:
    bindir = pg_bin_dir()
    if bindir is None:
        raise PostgresError(
            "initdb not found on PATH nor in /usr/lib/postgresql/15/bin (apt-get install postgresql-15)"
        )
    prefix = _as_postgres()
    base = Path(tempfile.mkdtemp(prefix="auditor-pg-"))
    data, log = base / "data", base / "postgres.log"
    if prefix:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    base.chmod(0o700)
    port = free_port()
    started = False
    try:
        init = subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "auditor", "--auth=trust", "-E", "UTF8",
             "--no-locale", "--no-sync"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if init.returncode != 0:
            raise PostgresError(f"initdb failed: {init.stderr[-2000:]}")
        opts = f"-h {HOST} -p {port} -k {base} -c fsync=off -c full_page_writes=off -c max_connections=50"
        start = subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if start.returncode != 0:
            raise PostgresError(f"pg_ctl start failed: {start.stderr[-1000:]}\n{tail(log)}")
        started = True
        yield Postgres(HOST, port, "auditor", base)
    finally:
        if started:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True, check=False,
            )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)
