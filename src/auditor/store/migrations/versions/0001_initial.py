"""The first schema: scans, their targets, findings, control results and collection errors.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from auditor.store.columns import create_scan_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


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
    create_scan_table(
        op,
        "scan_targets",
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
    )
    create_scan_table(
        op,
        "findings",
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
        index=False,
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
    create_scan_table(
        op,
        "collection_errors",
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resource_types", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in ("collection_errors", "control_results", "findings", "scan_targets", "scans"):
        op.drop_table(table)
