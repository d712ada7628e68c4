"""The results store's tables (SQLAlchemy 2). The migrations in `migrations/versions/` create
them; a test keeps the two equal (alembic's autogenerate comparison finds no difference)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from auditor.store.columns import ROW_ID, SCAN_FK


class Base(DeclarativeBase):
    pass


class _PerScan:
    """A row of one scan: its own id, and the scan's (rows go with their scan)."""

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey(SCAN_FK, ondelete="CASCADE"), index=True)


class ScanRow(Base):
    """One scan (or one merged scan, or one shard of a scan)."""

    __tablename__ = "scans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # results.json scan.id
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    snapshot_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tool_version: Mapped[str] = mapped_column(String(64))
    frameworks: Mapped[list[str]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # results.json summary
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shard: Mapped[str | None] = mapped_column(String(32))  # "I/N" for one shard's partial scan


class TargetRow(_PerScan, Base):
    __tablename__ = "scan_targets"

    provider: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)


class FindingRow(_PerScan, Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_scan_key", "scan_id", "key"),)

    # indexed by (scan_id, key) above, not on its own
    scan_id: Mapped[str] = mapped_column(ForeignKey(SCAN_FK, ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(160))  # Finding.key
    check_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(128))
    resource_id: Mapped[str] = mapped_column(Text)
    resource_name: Mapped[str | None] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class ControlRow(Base):
    __tablename__ = "control_results"

    scan_id: Mapped[str] = mapped_column(ForeignKey(SCAN_FK, ondelete="CASCADE"), primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    control_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))


class ErrorRow(_PerScan, Base):
    __tablename__ = "collection_errors"

    provider: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    resource_types: Mapped[list[str]] = mapped_column(JSON)


class ExclusionRow(_PerScan, Base):
    __tablename__ = "exclusions"

    check_id: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(64))
    account: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class TrailRow(_PerScan, Base):
    """results.json `audit_trail`: every decision a stage took, waivers applied among them."""

    __tablename__ = "audit_trail"

    stage: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    check_id: Mapped[str] = mapped_column(String(128))
    finding_key: Mapped[str | None] = mapped_column(String(160))
    scope: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
