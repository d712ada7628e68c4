"""The results store's tables (SQLAlchemy 2). The migrations in `migrations/versions/` create
them; a test keeps the two equal (alembic's autogenerate comparison finds no difference)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


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


class TargetRow(Base):
    __tablename__ = "scan_targets"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_scan_key", "scan_id", "key"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
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

    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    control_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))


class ErrorRow(Base):
    __tablename__ = "collection_errors"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    resource_types: Mapped[list[str]] = mapped_column(JSON)


class ExclusionRow(Base):
    __tablename__ = "exclusions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[str] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(64))
    account: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class TrailRow(Base):
    """results.json `audit_trail`: every decision a stage took, waivers applied among them."""

    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    check_id: Mapped[str] = mapped_column(String(128))
    finding_key: Mapped[str | None] = mapped_column(String(160))
    scope: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
