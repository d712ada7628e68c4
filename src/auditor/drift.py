"""Drift between two scans, by finding identity (`Finding.key`):

- new failures: failing in B, not failing in A (passing, not applicable, erroring, or absent);
- resolved: failing in A, and in B passing, not applicable, or gone with its resource;
- still failing: failing in both;
- unverified: failing in A and not evaluated in B (an `error` finding, or absent where a
  collection error left its scope unread): never counted as resolved;
- control status changes per framework, and compliance before and after;
- resources added and removed (every resource some check judged, see `ScanRecord.resources`).

A key that appears several times in one scan (two collection errors for one scope) counts
once, with its worst status (fail, then error, then pass, then not applicable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from auditor.history import FindingEntry, ResourceRef, ScanRecord
from auditor.models import Severity, Status

_WORST = {Status.FAIL.value: 0, Status.ERROR.value: 1, Status.PASS.value: 2, Status.NOT_APPLICABLE.value: 3}
ABSENT = "absent"


@dataclass(frozen=True)
class ScanRef:
    id: str
    started_at: datetime
    origin: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "started_at": self.started_at.isoformat(), "origin": self.origin}


@dataclass(frozen=True)
class FindingChange:
    finding: FindingEntry  # B's finding for new and still failing ones, A's for resolved and unverified
    before: str  # status in A (or "absent")
    after: str  # status in B (or "absent")

    def as_json(self) -> dict[str, Any]:
        return {**self.finding.as_json(), "before": self.before, "after": self.after}


@dataclass(frozen=True)
class ControlChange:
    framework: str
    control_id: str
    title: str
    before: str
    after: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Drift:
    a: ScanRef
    b: ScanRef
    new: tuple[FindingChange, ...]
    resolved: tuple[FindingChange, ...]
    still_failing: tuple[FindingChange, ...]
    unverified: tuple[FindingChange, ...]
    controls: tuple[ControlChange, ...]
    compliance: Mapping[str, tuple[float | None, float | None]]
    resources_added: tuple[ResourceRef, ...]
    resources_removed: tuple[ResourceRef, ...]

    def new_at_or_above(self, severity: Severity) -> list[FindingChange]:
        return [c for c in self.new if Severity(c.finding.severity).rank >= severity.rank]

    def counts(self) -> dict[str, int]:
        return {
            "new_failures": len(self.new),
            "resolved": len(self.resolved),
            "still_failing": len(self.still_failing),
            "unverified": len(self.unverified),
            "control_changes": len(self.controls),
            "resources_added": len(self.resources_added),
            "resources_removed": len(self.resources_removed),
        }

    def new_by_severity(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for c in self.new:
            out[c.finding.severity] = out.get(c.finding.severity, 0) + 1
        return out

    def as_json(self, *, limit: int | None = None) -> dict[str, Any]:
        def cap(items: Iterable[Any]) -> list[Any]:
            rows = [i.as_json() for i in items]
            return rows if limit is None else rows[:limit]

        return {
            "a": self.a.as_json(),
            "b": self.b.as_json(),
            "counts": self.counts(),
            "new_by_severity": self.new_by_severity(),
            "compliance": {
                fw: {"before": before, "after": after}
                for fw, (before, after) in sorted(self.compliance.items())
            },
            "new_failures": cap(self.new),
            "resolved": cap(self.resolved),
            "still_failing": cap(self.still_failing),
            "unverified": cap(self.unverified),
            "control_changes": cap(self.controls),
            "resources_added": cap(self.resources_added),
            "resources_removed": cap(self.resources_removed),
        }


def _by_key(findings: Iterable[FindingEntry]) -> dict[str, FindingEntry]:
    out: dict[str, FindingEntry] = {}
    for f in findings:
        have = out.get(f.key)
        if have is None or _WORST.get(f.status, 9) < _WORST.get(have.status, 9):
            out[f.key] = f
    return out


def _scope_label(f: FindingEntry) -> str:
    return "/".join(p for p in (f.provider, f.account, f.region) if p)


def _unread_in(scan: ScanRecord, f: FindingEntry) -> bool:
    label = _scope_label(f)
    return any(
        p == f.provider
        and (label == scope or label.startswith(scope + "/"))
        and (not types or f.resource_type in types)
        for p, scope, types in scan.error_scopes
    )


def _order(c: FindingChange) -> tuple[int, str, str]:
    return (-Severity(c.finding.severity).rank, c.finding.check_id, c.finding.resource_id)


def _res_order(r: ResourceRef) -> tuple[str, ...]:
    return (r.provider, r.type, r.account or "", r.region or "", r.id)


def diff(a: ScanRecord, b: ScanRecord) -> Drift:
    before, after = _by_key(a.findings), _by_key(b.findings)
    fail = Status.FAIL.value
    new, resolved, still, unverified = [], [], [], []
    for key, f in after.items():
        old = before.get(key)
        if f.status == fail:
            if old is not None and old.status == fail:
                still.append(FindingChange(f, fail, fail))
            else:
                new.append(FindingChange(f, old.status if old else ABSENT, fail))
    for key, old in before.items():
        if old.status != fail:
            continue
        now = after.get(key)
        if now is not None and now.status == fail:
            continue
        if (now is not None and now.status == Status.ERROR.value) or (now is None and _unread_in(b, old)):
            unverified.append(FindingChange(old, fail, now.status if now else ABSENT))
        else:
            resolved.append(FindingChange(old, fail, now.status if now else ABSENT))
    ctl_a = {(c.framework, c.control_id): c for c in a.controls}
    controls = []
    for c in b.controls:
        old_c = ctl_a.get((c.framework, c.control_id))
        if old_c is None or old_c.status != c.status:
            controls.append(
                ControlChange(c.framework, c.control_id, c.title, old_c.status if old_c else ABSENT, c.status)
            )
    ca, cb = a.compliance, b.compliance
    compliance = {
        fw: (ca[fw].percent if fw in ca else None, cb[fw].percent if fw in cb else None)
        for fw in sorted({*ca, *cb})
    }
    ra, rb = a.resources, b.resources
    return Drift(
        a=ScanRef(a.id, a.started_at, a.origin),
        b=ScanRef(b.id, b.started_at, b.origin),
        new=tuple(sorted(new, key=_order)),
        resolved=tuple(sorted(resolved, key=_order)),
        still_failing=tuple(sorted(still, key=_order)),
        unverified=tuple(sorted(unverified, key=_order)),
        controls=tuple(sorted(controls, key=lambda c: (c.framework, c.control_id))),
        compliance=compliance,
        resources_added=tuple(sorted(rb - ra, key=_res_order)),
        resources_removed=tuple(sorted(ra - rb, key=_res_order)),
    )
