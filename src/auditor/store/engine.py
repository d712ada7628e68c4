"""Store URLs and engines: a bare path is a SQLite file; `postgresql://` uses psycopg 3.

SQLite is opened for several writers at once (shard jobs sharing one file): WAL journal,
a busy timeout, and every transaction begun with `BEGIN IMMEDIATE`, so a writer waits for the
other's commit instead of failing half-way (pysqlite's own transaction handling is turned off,
as SQLAlchemy's documentation recommends for this)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from auditor.errors import UsageError
from auditor.redact import is_secret_key

SQLITE_BUSY_SECONDS = 60.0


def parse_url(text: str) -> URL:
    """A store URL: `sqlite:///path.db`, `postgresql://user@host/db` (psycopg 3), or a path."""
    text = text.strip()
    if not text:
        raise UsageError("--store: empty URL")
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise UsageError(f"--store: not a database URL: {exc}") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    if backend == "sqlite":
        return url
    raise UsageError(f"--store: {backend!r} is not supported; use a SQLite path or postgresql://")


def display(url: URL) -> str:
    """The URL as it may be printed: never with its password, in the user part or in the query
    (libpq reads `?password=` and `?sslpassword=` too)."""
    masked = {k: "redacted" for k in url.query if is_secret_key(k)}
    if masked:
        url = url.update_query_dict(masked)
    return url.render_as_string(hide_password=True)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        _sqlite_events(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
