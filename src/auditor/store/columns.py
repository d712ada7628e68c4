"""Column shapes every per-scan table shares, used by the models and the migrations alike.

Kept apart from `models.py` on purpose: a migration must not change when the models do, and
these few definitions never change (a new shape is a new name here)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SCAN_FK = "scans.id"


def create_scan_table(op: Any, name: str, *columns: sa.Column[Any], index: bool = True) -> None:
    """`op.create_table(name)` with a row id and the scan it belongs to (deleted with it), then
    `columns`; with `index`, an index on scan_id named as SQLAlchemy names `index=True`."""
    op.create_table(
        name,
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.String(64), sa.ForeignKey(SCAN_FK, ondelete="CASCADE"), nullable=False),
        *columns,
    )
    if index:
        op.create_index(f"ix_{name}_scan_id", name, ["scan_id"])
