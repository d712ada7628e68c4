"""What a scan left out and why: exclusions, the audit trail (waivers applied), the shard.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _scan_fk() -> sa.Column[str]:
    return sa.Column("scan_id", sa.String(64), sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("shard", sa.String(32), nullable=True))
    op.create_table(
        "exclusions",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _scan_fk(),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_exclusions_scan_id", "exclusions", ["scan_id"])
    op.create_table(
        "audit_trail",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _scan_fk(),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("finding_key", sa.String(160), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_trail_scan_id", "audit_trail", ["scan_id"])


def downgrade() -> None:
    op.drop_table("audit_trail")
    op.drop_table("exclusions")
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("shard")
