"""The report's embedded data: compact, interned, columnar, so 100,000 findings fit in a few MB.

Every string (ids, titles, messages, names) is stored once in `S` and referred to by index.
Findings are one flat integer array `F` of `FIELDS` per finding (check, status, resource,
message, evidence list) plus their 24-hex keys concatenated in `K`; resources, checks,
controls and evidence records are small index tuples. The page's script builds its indexes
from these at load and renders only what is on screen.

Evidence bodies (already redacted at collection, redacted again here) are embedded up to
`BODY_BUDGET` bytes in all; past that a verdict links its evidence file in `evidence/`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from auditor.attestations import ASSURANCE_LABELS
from auditor.catalog import Library
from auditor.models import Assurance, ControlStatus, Evidence, Framework, Status
from auditor.redact import Redactor
from auditor.results import ScanResult
from auditor.snapshot import evidence_filename

STATUSES = [s.value for s in Status]
CONTROL_STATUSES = [s.value for s in ControlStatus]
ASSURANCES = [a.value for a in Assurance]
SEVERITIES = ["critical", "high", "medium", "low", "info"]
FIELDS = 5  # check, status, resource, message, evidence list (-1: none)
BODY_BUDGET = 8 * 1024 * 1024
BODY_MAX = 256 * 1024  # one record larger than this is linked, not embedded


class Strings:
    def __init__(self) -> None:
        self.table: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if value is None:
            return -1
        i = self._index.get(value)
        if i is None:
            i = self._index[value] = len(self.table)
            self.table.append(value)
        return i


def resource_key(
    provider: str, rtype: str, rid: str, account: str | None, region: str | None, source: str | None
) -> str:
    """A stable 16-hex id for a resource (deep links `#/resource/<key>` survive re-runs)."""
    parts = "\x1f".join((provider, account or "", region or "", rtype, rid, source or ""))
    return hashlib.sha256(parts.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _bodies(evidence: Iterable[Evidence]) -> dict[str, str]:
    redactor = Redactor()
    out: dict[str, str] = {}
    used = 0
    for ev in sorted(evidence, key=lambda e: e.id):
        text = json.dumps(redactor.redact(ev.body)[0], indent=1, ensure_ascii=False, sort_keys=True)
        if len(text) > BODY_MAX or used + len(text) > BODY_BUDGET:
            continue
        used += len(text)
        out[ev.id] = text
    return out


def build(
    result: ScanResult,
    library: Library,
    evidence: Iterable[Evidence] = (),
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    s = Strings()
    checks_meta = {c.id: c for c in result.checks}
    evidence = list(evidence)

    # evidence records: from the snapshot (with bodies) or the manifest (links only)
    ev_rows: list[list[Any]] = []
    ev_index: dict[str, int] = {}
    bodies = _bodies(evidence)
    records = (
        [
            (e.id, e.provider, e.operation, e.collected_at.isoformat(), evidence_filename(e), e.sha256)
            for e in evidence
        ]
        if evidence
        else [
            (e["id"], e["provider"], e["operation"], e["collected_at"], e["file"], e["sha256"])
            for e in (manifest or {}).get("evidence", [])
        ]
    )
    for eid, provider, op, at, file, sha in sorted(records):
        ev_index[eid] = len(ev_rows)
        ev_rows.append([s(eid), s(provider), s(op), s(at), s(file), sha, bodies.get(eid)])

    # checks (every one that ran or is mapped to a reported control)
    check_ids = sorted(
        {f.check_id for f in result.findings} | {c.check_id for r in result.controls for c in r.checks}
    )
    check_index = {cid: i for i, cid in enumerate(check_ids)}
    control_of_check: dict[str, list[int]] = {}
    for i, r in enumerate(result.controls):
        for c in r.checks:
            control_of_check.setdefault(c.check_id, []).append(i)
    checks = []
    for cid in check_ids:
        m = checks_meta.get(cid)
        checks.append(
            [
                s(cid),
                s(m.title if m else cid),
                SEVERITIES.index(m.severity.value) if m else -1,
                s(m.provider if m else cid.split(".", 1)[0]),
                s(m.rationale if m else None),
                s(m.remediation if m else None),
                [s(x) for x in m.references] if m else [],
                control_of_check.get(cid, []),
            ]
        )

    # resources and findings
    res_index: dict[tuple[Any, ...], int] = {}
    resources: list[list[int]] = []
    evl_index: dict[tuple[str, ...], int] = {}
    evl: list[list[int]] = []
    flat: list[int] = []
    keys: list[str] = []
    for f in result.findings:
        source = f.source
        rk = (f.provider, f.resource_type, f.resource_id, f.account, f.region, source)
        ri = res_index.get(rk)
        if ri is None:
            ri = res_index[rk] = len(resources)
            resources.append(
                [
                    s(f.provider),
                    s(f.resource_type),
                    s(f.resource_id),
                    s(f.resource_name),
                    s(f.account),
                    s(f.region),
                    s(source),
                    s(resource_key(*rk)),
                ]
            )
        ei = -1
        if f.evidence:
            ei = evl_index.get(f.evidence, -1)
            if ei == -1:
                ei = evl_index[f.evidence] = len(evl)
                evl.append([ev_index[e] if e in ev_index else -2 - s(e) for e in f.evidence])
        flat += (check_index[f.check_id], STATUSES.index(f.status.value), ri, s(f.message), ei)
        keys.append(f.key.rsplit("/", 1)[1])

    # frameworks and controls
    controls = []
    frameworks = []
    attestations: list[list[Any]] = []
    for fw in Framework:
        rows = [(i, r) for i, r in enumerate(result.controls) if r.framework == fw]
        if not rows:
            continue
        tally: dict[str, int] = {}
        by_assurance: dict[str, int] = {}
        for _, r in rows:
            tally[r.status.value] = tally.get(r.status.value, 0) + 1
            state = (r.assurance or Assurance.MANUAL_DUE).value
            by_assurance[state] = by_assurance.get(state, 0) + 1
        manual = sum(1 for _, r in rows if r.manual.state == "attested")
        frameworks.append(
            {"key": fw.value, "name": library.frameworks[fw].name, "short": fw.short_name, "total": len(rows), "tally": tally,
             "assurance": by_assurance, "attested": manual}
        )  # fmt: skip
    for r in result.controls:
        ctl = library.controls.get((r.framework, r.control_id))
        att_ids = []
        for a in r.manual.attestations:
            att_ids.append(len(attestations))
            attestations.append(
                [
                    s(a.owner),
                    s(a.statement),
                    a.attested_at.isoformat(),
                    a.expires.isoformat(),
                    a.state,
                    s(a.valid_for),
                    [[s(e.file), s(e.name), e.sha256, e.size, s(e.url)] for e in a.evidence],
                ]
            )
        controls.append(
            [
                [f.value for f in Framework].index(r.framework.value),
                s(r.control_id),
                s(r.title),
                s(ctl.group if ctl else ""),
                s(ctl.objective if ctl else ""),
                CONTROL_STATUSES.index(r.status.value),
                ASSURANCES.index((r.assurance or Assurance.MANUAL_DUE).value),
                1 if r.manual.state == "attested" else 0,
                r.manual.due_since.isoformat() if r.manual.due_since else None,
                s(r.manual_evidence),
                [check_index[c.check_id] for c in r.checks],
                s(ctl.automation if ctl else ""),
                s(ctl.requirement if ctl and ctl.requirement else None),
                att_ids,
                [check_index[c] for c in r.excluded_checks if c in check_index],
                [0 if c.assessed else 1 for c in r.checks],
            ]
        )

    scan = result.scan
    return {
        "v": 1,
        "scan": {
            "id": scan.id,
            "tool": scan.tool_version,
            "collected": scan.snapshot_created_at.isoformat() if scan.snapshot_created_at else None,
            "evaluated": scan.finished_at.isoformat() if scan.finished_at else None,
            "targets": [[t.provider, t.label] for t in scan.targets],
        },
        "enums": {
            "frameworks": [f.value for f in Framework],
            "status": STATUSES,
            "control_status": CONTROL_STATUSES,
            "assurance": ASSURANCES,
            "assurance_labels": [ASSURANCE_LABELS[Assurance(a)] for a in ASSURANCES],
            "severity": SEVERITIES,
        },
        "summary": result.summary.model_dump(mode="json"),
        "frameworks": frameworks,
        "S": s.table,
        "checks": checks,
        "controls": controls,
        "resources": resources,
        "F": flat,
        "K": "".join(keys),
        "evl": evl,
        "ev": ev_rows,
        "att": attestations,
        "errors": [
            [
                e.provider,
                e.scope_label,
                e.operation,
                e.kind.value,
                ", ".join(e.resource_types) or "all",
                e.message,
            ]
            for e in result.errors
        ],
        "exclusions": _grouped_exclusions(result),
        "skipped": [
            [s.provider, "/".join(p for p in (s.scope.account, s.scope.region) if p), s.reason]
            for s in result.skipped_scopes
        ],
    }


def _grouped_exclusions(result: ScanResult) -> list[list[Any]]:
    """Exclusions grouped by why and where: [origin, provider, scope, reason, [check ids]], so one
    scope left out for one reason is one row, however many checks it concerns."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for x in result.exclusions:
        scope = (
            "/".join(p for p in ((x.scope.account, x.scope.region) if x.scope else ()) if p) or "whole scan"
        )
        groups.setdefault((x.origin, x.provider, scope, x.reason), []).append(x.check_id)
    return [[*key, sorted(set(ids))] for key, ids in sorted(groups.items())]
