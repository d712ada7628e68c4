"""The first schema: scans, their targets, findings, control results and collection errors.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _scan_fk() -> sa.Column[str]:
    return sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snapshot_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("frameworks", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_scans_started_at", "scans", ["started_at"])
    op.create_table(
        "scan_targets",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _scan_fk(),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
    )
    op.create_index("ix_scan_targets_scan_id", "scan_targets", ["scan_id"])
    op.create_table(
        "findings",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _scan_fk(),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(128), nullable=False),
        sa.Column("resource_id", sa.Text(), nullable=False),
        sa.Column("resource_name", sa.Text(), nullable=True),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
    )
    op.create_index("ix_findings_scan_key", "findings", ["scan_id", "key"])
    op.create_table(
        "control_results",
        sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("framework", sa.String(32), primary_key=True),
        sa.Column("control_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "collection_errors",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _scan_fk(),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resource_types", sa.JSON(), nullable=False),
    )
    op.create_index("ix_collection_errors_scan_id", "collection_errors", ["scan_id"])


def downgrade() -> None:
    for table in ("collection_errors", "control_results", "findings", "scan_targets", "scans"):
        op.drop_table(table)
