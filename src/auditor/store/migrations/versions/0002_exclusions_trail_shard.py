"""What a scan left out and why: exclusions, the audit trail (waivers applied), the shard.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from auditor.store.columns import create_scan_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("shard", sa.String(32), nullable=True))
    create_scan_table(
        op,
        "exclusions",
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    create_scan_table(
        op,
        "audit_trail",
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("finding_key", sa.String(160), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_trail")
    op.drop_table("exclusions")
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("shard")
