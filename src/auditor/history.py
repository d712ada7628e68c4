"""A scan as history keeps it, whether read from the results store or from a results directory,
and per-framework compliance over a run of scans.

Compliance of a framework in one scan: controls that pass, over the controls whose automated
part was assessed (pass + fail + error + excluded). Manual, not applicable and not assessed
controls are left out of both; an excluded control was not fully evaluated, so it counts
against compliance, as an error does: only what was shown to pass counts for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from auditor.models import CollectionError, ControlStatus, Status
from auditor.results import ScanResult

ASSESSED = (ControlStatus.PASS, ControlStatus.FAIL, ControlStatus.ERROR, ControlStatus.EXCLUDED)


def scans_back(ref: str) -> int | None:
    """How many whole scans before the latest a relative reference names: `latest` 0,
    `previous` 1, `latest~N` N; None for anything else (an id or a prefix of one)."""
    back = {"latest": 0, "previous": 1}.get(ref)
    if back is None and ref.startswith("latest~") and ref[7:].isdigit():
        back = int(ref[7:])
    return back


@dataclass(frozen=True)
class Compliance:
    framework: str
    counts: Mapping[str, int]  # control status -> number of controls

    @property
    def passing(self) -> int:
        return self.counts.get(ControlStatus.PASS.value, 0)

    @property
    def assessed(self) -> int:
        return sum(self.counts.get(s.value, 0) for s in ASSESSED)

    @property
    def percent(self) -> float | None:
        """Passing over assessed, 0-100; None when nothing was assessed."""
        return round(100.0 * self.passing / self.assessed, 1) if self.assessed else None

    def as_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "percent": self.percent,
            "passing": self.passing,
            "assessed": self.assessed,
            "controls": dict(sorted(self.counts.items())),
        }


def compliance_of(rows: Iterable[tuple[str, str]]) -> dict[str, Compliance]:
    """(framework, control status) pairs -> compliance per framework."""
    by_fw: dict[str, Counter[str]] = {}
    for fw, status in rows:
        by_fw.setdefault(fw, Counter())[status] += 1
    return {fw: Compliance(fw, dict(c)) for fw, c in sorted(by_fw.items())}


@dataclass(frozen=True)
class ResourceRef:
    provider: str
    type: str
    id: str
    account: str | None
    region: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FindingEntry:
    key: str
    check_id: str
    status: str
    severity: str
    provider: str
    resource_type: str
    resource_id: str
    account: str | None
    region: str | None
    message: str
    resource_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ControlEntry:
    framework: str
    control_id: str
    title: str
    status: str


@dataclass(frozen=True)
class ScanRecord:
    """One scan: what diff and history compare."""

    id: str
    started_at: datetime
    tool_version: str
    targets: tuple[tuple[str, str], ...]  # (provider, label)
    findings: tuple[FindingEntry, ...]
    controls: tuple[ControlEntry, ...]
    # (provider, scope label, resource types; empty: all) of each collection error
    error_scopes: frozenset[tuple[str, str, tuple[str, ...]]] = frozenset()
    shard: str | None = None
    origin: str = "store"  # "store" or the results directory it was read from
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def compliance(self) -> dict[str, Compliance]:
        return compliance_of((c.framework, c.status) for c in self.controls)

    @cached_property
    def _error_labels(self) -> frozenset[tuple[str, str]]:
        return frozenset((p, label) for p, label, _ in self.error_scopes)

    def is_scope_error(self, f: FindingEntry) -> bool:
        """A finding that stands for a scope a collection error left unread, not for a resource."""
        return f.status == Status.ERROR.value and (f.provider, f.resource_id) in self._error_labels

    @property
    def resources(self) -> set[ResourceRef]:
        """Every resource some check judged (the findings name them)."""
        return {
            ResourceRef(f.provider, f.resource_type, f.resource_id, f.account, f.region)
            for f in self.findings
            if not self.is_scope_error(f)
        }


def error_scopes(errors: Iterable[CollectionError]) -> frozenset[tuple[str, str, tuple[str, ...]]]:
    return frozenset((e.provider, e.scope_label, tuple(e.resource_types)) for e in errors)


def record_from_result(
    result: ScanResult, *, origin: str = "results", shard: str | None = None
) -> ScanRecord:
    return ScanRecord(
        id=result.scan.id,
        started_at=result.scan.started_at,
        tool_version=result.scan.tool_version,
        targets=tuple((t.provider, t.label) for t in result.scan.targets),
        findings=tuple(
            FindingEntry(
                f.key,
                f.check_id,
                f.status.value,
                f.severity.value,
                f.provider,
                f.resource_type,
                f.resource_id,
                f.account,
                f.region,
                f.message,
                f.resource_name,
            )
            for f in result.findings
        ),
        controls=tuple(
            ControlEntry(c.framework.value, c.control_id, c.title, c.status.value) for c in result.controls
        ),
        error_scopes=error_scopes(result.errors),
        shard=shard,
        origin=origin,
    )


# ---------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class HistoryEntry:
    """One scan in `auditor history`."""

    id: str
    started_at: datetime
    tool_version: str
    targets: tuple[tuple[str, str], ...]
    compliance: Mapping[str, Compliance]
    findings: Mapping[str, int]  # status -> count
    collection_errors: int
    shard: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "tool_version": self.tool_version,
            "shard": self.shard,
            "targets": [{"provider": p, "label": label} for p, label in self.targets],
            "compliance": {fw: c.as_json() for fw, c in self.compliance.items()},
            "findings": dict(self.findings),
            "collection_errors": self.collection_errors,
        }


def target_matches(pattern: str, targets: Iterable[tuple[str, str]]) -> bool:
    """`--target T`: a provider name, a target label, or a glob over the label (`aws 1234*`)."""
    return any(pattern in (p, label) or fnmatchcase(label, pattern) for p, label in targets)


def history_json(entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
    return [e.as_json() for e in entries]


def _pct(c: Compliance | None) -> str:
    if c is None or c.percent is None:
        return "-"
    return f"{c.percent:.1f}% ({c.passing}/{c.assessed})"


def history_table(
    entries: Sequence[HistoryEntry], frameworks: Sequence[str] | None = None
) -> list[list[str]]:
    """Rows (the first is the header) for a plain-text table, newest scan first."""
    fws = list(frameworks or sorted({fw for e in entries for fw in e.compliance}))
    rows = [["scan", "started (UTC)", "targets", *fws, "fail", "error", "coll. errors"]]
    for e in entries:
        labels = ", ".join(label for _, label in e.targets) or "-"
        if e.shard:
            labels += f" [shard {e.shard}]"
        rows.append(
            [
                e.id[:12],
                e.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                labels if len(labels) <= 48 else labels[:45] + "...",
                *(_pct(e.compliance.get(fw)) for fw in fws),
                str(e.findings.get("fail", 0)),
                str(e.findings.get("error", 0)),
                str(e.collection_errors),
            ]
        )
    return rows


def format_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
