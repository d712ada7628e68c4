"""The results store: every scan's results kept in a database (SQLAlchemy 2), for history,
drift and trends.

    store = open_store("history.db")              # a SQLite file (the default)
    store = open_store("postgresql://u@db/audit")  # shared history (psycopg 3)
    store.write(result)                            # scan, targets, findings, controls, errors,
                                                   # exclusions, audit trail (waivers applied)
    store.history(target="aws", limit=10)          # newest first, with compliance per framework
    store.load("latest")                           # a ScanRecord, for `auditor diff`

Opening runs the shipped alembic migrations (see `auditor.store.migrate`); a store written by a
newer auditor is refused. Every failure to reach, read or write the store is a `StoreError`
(exit 2) that names the store without its password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from auditor.history import (
    Compliance,
    ControlEntry,
    FindingEntry,
    HistoryEntry,
    ScanRecord,
    compliance_of,
    scans_back,
    target_matches,
)
from auditor.models import Finding, utcnow
from auditor.results import ScanResult
from auditor.store.migrate import StoreError

__all__ = ["Store", "StoreError", "open_store"]

_BATCH = 5000  # rows per INSERT
_PAGE = 200  # scans per page of `history` (and per IN (...) list)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_FINDING_COLUMNS = (
    "key", "check_id", "status", "severity", "provider", "resource_type", "resource_id",
    "resource_name", "account", "region", "message", "source",
)  # fmt: skip


def _finding_row(f: Finding) -> dict[str, Any]:
    row = {k: getattr(f, k) for k in _FINDING_COLUMNS}
    row["status"], row["severity"] = f.status.value, f.severity.value
    return row


def _missing_extra(exc: ImportError) -> StoreError:
    return StoreError(
        f"the results store needs the 'store' extra ({exc.name} is not installed): "
        "pip install 'auditor[store]'"
    )


class Store:
    """An open results store. Thread-compatible; open one per process."""

    def __init__(self, url: str) -> None:
        try:
            from auditor.store.engine import display, make_engine, parse_url
        except ImportError as exc:
            raise _missing_extra(exc) from None
        self.url = parse_url(url)
        self.where = display(self.url)
        try:
            self.engine = make_engine(self.url)
        except ImportError as exc:
            raise _missing_extra(exc) from None
        except OSError as exc:
            raise StoreError(f"results store {self.where}: cannot open it: {exc}") from None
        self._migrate()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _tx(self, doing: str) -> Iterator[Any]:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.begin() as conn:
                yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            text = " ".join(str(cause).split())[:400]
            raise StoreError(
                f"results store {self.where}: cannot {doing}: {type(cause).__name__}: {text}"
            ) from None
        except OSError as exc:
            raise StoreError(f"results store {self.where}: cannot {doing}: {exc}") from None

    def _migrate(self) -> None:
        from auditor.store import migrate

        with self._tx("open it (schema migration)") as conn:
            migrate.upgrade(conn, self.where)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def write(self, result: ScanResult, *, shard: str | None = None) -> str:
        """Store one scan's results in one transaction; returns the scan id."""
        from sqlalchemy import insert, select

        from auditor.store.models import (
            ControlRow,
            ErrorRow,
            ExclusionRow,
            FindingRow,
            ScanRow,
            TargetRow,
            TrailRow,
        )

        sid = result.scan.id
        with self._tx("write the scan") as conn:
            if conn.execute(select(ScanRow.id).where(ScanRow.id == sid)).first() is not None:
                raise StoreError(f"results store {self.where}: scan {sid} is already stored")
            conn.execute(
                insert(ScanRow),
                [
                    {
                        "id": sid,
                        "started_at": result.scan.started_at,
                        "finished_at": result.scan.finished_at,
                        "snapshot_created_at": result.scan.snapshot_created_at,
                        "tool_version": result.scan.tool_version,
                        "frameworks": list(result.scan.frameworks),
                        "summary": result.summary.model_dump(mode="json"),
                        "recorded_at": utcnow(),
                        "shard": shard,
                    }
                ],
            )
            self._insert(
                conn,
                TargetRow,
                (
                    {"scan_id": sid, "provider": t.provider, "label": t.label, "options": t.options}
                    for t in result.scan.targets
                ),
            )
            self._insert(
                conn,
                FindingRow,
                ({"scan_id": sid, **_finding_row(f)} for f in result.findings),
            )
            self._insert(
                conn,
                ControlRow,
                (
                    {
                        "scan_id": sid,
                        "framework": c.framework.value,
                        "control_id": c.control_id,
                        "title": c.title,
                        "status": c.status.value,
                    }
                    for c in result.controls
                ),
            )
            self._insert(
                conn,
                ErrorRow,
                (
                    {
                        "scan_id": sid,
                        "provider": e.provider,
                        "operation": e.operation,
                        "account": e.scope.account,
                        "region": e.scope.region,
                        "kind": e.kind.value,
                        "message": e.message,
                        "resource_types": list(e.resource_types),
                    }
                    for e in result.errors
                ),
            )
            self._insert(
                conn,
                ExclusionRow,
                (
                    {
                        "scan_id": sid,
                        "check_id": x.check_id,
                        "origin": x.origin,
                        "provider": x.provider,
                        "account": x.scope.account if x.scope else None,
                        "region": x.scope.region if x.scope else None,
                        "reason": x.reason,
                    }
                    for x in result.exclusions
                ),
            )
            self._insert(
                conn,
                TrailRow,
                (
                    {
                        "scan_id": sid,
                        "stage": t.stage,
                        "action": t.action,
                        "check_id": t.check_id,
                        "finding_key": t.finding_key,
                        "scope": t.scope,
                        "reason": t.reason,
                    }
                    for t in result.audit_trail
                ),
            )
        return sid

    @staticmethod
    def _insert(conn: Any, table: Any, rows: Any) -> None:
        from sqlalchemy import insert

        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)

    # ------------------------------------------------------------------ reading

    def history(
        self,
        *,
        target: str | None = None,
        framework: str | None = None,
        limit: int | None = 20,
        include_shards: bool = True,
        providers: frozenset[str] | None = None,
    ) -> list[HistoryEntry]:
        """Scans, newest first, with compliance per framework (only `framework`, if given), of
        `target` and of exactly the `providers`, if given. Scans are read a page at a time, and
        no further page once `limit` entries are found."""
        from sqlalchemy import select

        from auditor.store.models import ScanRow

        out: list[HistoryEntry] = []
        query = select(ScanRow.__table__).order_by(ScanRow.started_at.desc(), ScanRow.id)
        if not include_shards:
            query = query.where(ScanRow.shard.is_(None))
        with self._tx("read the scan history") as conn:
            offset = 0
            while True:
                page = list(conn.execute(query.offset(offset).limit(_PAGE)).mappings())
                out.extend(self._entries(conn, page, target, framework, providers))
                if limit is not None and len(out) >= limit:
                    return out[:limit]
                if len(page) < _PAGE:
                    return out
                offset += _PAGE

    @staticmethod
    def _entries(
        conn: Any,
        page: list[Any],
        target: str | None,
        framework: str | None,
        providers: frozenset[str] | None,
    ) -> list[HistoryEntry]:
        """The history entries of one page of scan rows (three queries, whatever its size)."""
        from sqlalchemy import func, select

        from auditor.store.models import ControlRow, ErrorRow, TargetRow

        targets: dict[str, list[tuple[str, str]]] = {}
        for row in conn.execute(
            select(TargetRow.scan_id, TargetRow.provider, TargetRow.label)
            .where(TargetRow.scan_id.in_([s["id"] for s in page]))
            .order_by(TargetRow.id)
        ):
            targets.setdefault(row.scan_id, []).append((row.provider, row.label))
        chosen = [
            s
            for s in page
            if (target is None or target_matches(target, targets.get(s["id"], [])))
            and (providers is None or {p for p, _ in targets.get(s["id"], [])} == providers)
        ]
        if not chosen:
            return []
        cids = [s["id"] for s in chosen]
        controls: dict[str, list[tuple[str, str]]] = {}
        cq = (
            select(ControlRow.scan_id, ControlRow.framework, ControlRow.status, func.count())
            .where(ControlRow.scan_id.in_(cids))
            .group_by(ControlRow.scan_id, ControlRow.framework, ControlRow.status)
        )
        if framework:
            cq = cq.where(ControlRow.framework == framework)
        for sid, fw, status, n in conn.execute(cq):
            controls.setdefault(sid, []).extend([(fw, status)] * int(n))
        errors = dict(
            conn.execute(
                select(ErrorRow.scan_id, func.count())
                .where(ErrorRow.scan_id.in_(cids))
                .group_by(ErrorRow.scan_id)
            ).all()
        )
        out = []
        for s in chosen:
            comp: dict[str, Compliance] = compliance_of(controls.get(s["id"], []))
            if framework and not comp:
                continue
            summary = s["summary"] or {}
            out.append(
                HistoryEntry(
                    id=s["id"],
                    started_at=_utc(s["started_at"]) or utcnow(),
                    tool_version=s["tool_version"],
                    targets=tuple(targets.get(s["id"], [])),
                    compliance=comp,
                    findings=dict(summary.get("findings", {})),
                    collection_errors=int(errors.get(s["id"], 0)),
                    shard=s["shard"],
                )
            )
        return out

    def resolve(self, ref: str) -> str:
        """A scan id from `latest`, `previous` (the one before the latest), `latest~N`, a full
        id, or a unique prefix of one. Partial shard scans are never `latest`."""
        from sqlalchemy import select

        from auditor.store.models import ScanRow

        ref = ref.strip()
        back = scans_back(ref)
        with self._tx("read the scan history") as conn:
            if back is not None:
                ids = conn.execute(
                    select(ScanRow.id)
                    .where(ScanRow.shard.is_(None))
                    .order_by(ScanRow.started_at.desc(), ScanRow.id)
                    .offset(back)
                    .limit(1)
                ).scalars()
                found = list(ids)
                if not found:
                    raise StoreError(f"results store {self.where}: no scan {ref!r} (it holds fewer scans)")
                return str(found[0])
            matches = list(
                conn.execute(
                    select(ScanRow.id).where(ScanRow.id.startswith(ref, autoescape=True)).limit(2)
                ).scalars()
            )
        if not matches:
            raise StoreError(f"results store {self.where}: no scan {ref!r}")
        if len(matches) > 1:
            raise StoreError(
                f"results store {self.where}: {ref!r} names more than one scan; give more of the id"
            )
        return str(matches[0])

    def load(self, ref: str) -> ScanRecord:
        from sqlalchemy import select

        from auditor.store.models import ControlRow, ErrorRow, FindingRow, ScanRow, TargetRow

        sid = self.resolve(ref)
        with self._tx("read a scan") as conn:
            scan = conn.execute(select(ScanRow.__table__).where(ScanRow.id == sid)).mappings().one()
            targets = [
                (r.provider, r.label)
                for r in conn.execute(
                    select(TargetRow.provider, TargetRow.label)
                    .where(TargetRow.scan_id == sid)
                    .order_by(TargetRow.id)
                )
            ]
            findings = tuple(
                FindingEntry(
                    r.key,
                    r.check_id,
                    r.status,
                    r.severity,
                    r.provider,
                    r.resource_type,
                    r.resource_id,
                    r.account,
                    r.region,
                    r.message,
                    r.resource_name,
                )
                for r in conn.execute(
                    select(FindingRow.__table__).where(FindingRow.scan_id == sid).order_by(FindingRow.id)
                )
            )
            controls = tuple(
                ControlEntry(r.framework, r.control_id, r.title, r.status)
                for r in conn.execute(select(ControlRow.__table__).where(ControlRow.scan_id == sid))
            )
            scopes = frozenset(
                (
                    str(r.provider),
                    "/".join(p for p in (r.provider, r.account, r.region) if p),
                    tuple(r.resource_types or ()),
                )
                for r in conn.execute(
                    select(
                        ErrorRow.provider, ErrorRow.account, ErrorRow.region, ErrorRow.resource_types
                    ).where(ErrorRow.scan_id == sid)
                )
            )
        return ScanRecord(
            id=sid,
            started_at=_utc(scan["started_at"]) or utcnow(),
            tool_version=scan["tool_version"],
            targets=tuple(targets),
            findings=findings,
            controls=controls,
            error_scopes=scopes,
            shard=scan["shard"],
            origin=f"store {self.where}",
        )


def open_store(url: str) -> Store:
    """Open (and migrate) the store at `url`: a SQLite path or `sqlite:///...`, or `postgresql://...`."""
    return Store(url)
