"""Schema migrations (alembic, shipped in the package) run on every open, under a lock.

Two processes opening a new store at once do not race: SQLite transactions begin with
`BEGIN IMMEDIATE` (one writer at a time) and PostgreSQL takes a transaction-level advisory
lock, and alembic reads the current revision inside that transaction. A store whose revision
this auditor does not know was written by a newer auditor: it is refused, never altered."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from auditor.errors import AuditorError

SCRIPT_LOCATION = "auditor.store:migrations"
_PG_LOCK = 0x61756469746F72  # "auditor"


class StoreError(AuditorError):
    """The store cannot be reached, read or written, or is newer than this auditor (exit 2)."""

    exit_code = 2


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    rev = scripts().get_current_head()
    assert rev is not None
    return rev


def current(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade(connection: Connection, where: str, revision: str = "head") -> None:
    """Bring the store to `revision` (default the newest this auditor knows), inside the
    caller's transaction; refuse a store at a revision it does not know."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    check_known(connection, where)
    command.upgrade(_config(connection), revision)


def check_known(connection: Connection, where: str) -> None:
    from alembic.util import CommandError

    known = scripts()
    for rev in current(connection):
        try:
            found = known.get_revision(rev)
        except CommandError:
            found = None
        if found is None:
            raise _newer(where, rev)


def _newer(where: str, rev: str) -> StoreError:
    from auditor.version import __version__

    return StoreError(
        f"the results store {where} is at schema revision {rev!r}, which this auditor ({__version__}, "
        f"schema {head()}) does not know: it was written by a newer auditor. Upgrade auditor, or "
        "use another store; the store was not changed"
    )
