"""controls.csv: one row per control per framework, for auditors' spreadsheets.

Columns: the control (framework, id, title, group, automation class), its automated status and
its assurance (status and manual part together), the manual part (state, due since, the
freshest attestation's owner, date and expiry), the mapped checks with their finding counts,
the checks deliberately not run, and what evidence an auditor must request by hand."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from auditor.attestations import ASSURANCE_LABELS
from auditor.catalog import Library
from auditor.models import ControlResult
from auditor.outputs import open_text
from auditor.results import ScanResult
from auditor.writers import WriteContext, Writer
from auditor.writers.csv import safe_cell

COLUMNS = (
    "framework", "control_id", "title", "group", "automation", "status", "assurance", "assurance_label",
    "manual_state", "manual_due_since", "attested_by", "attested_at", "attestation_expires",
    "checks", "checks_failing", "findings_pass", "findings_fail", "findings_error", "findings_not_applicable",
    "excluded_checks", "evidence_request",
)  # fmt: skip


def control_row(r: ControlResult, library: Library) -> list[object]:
    ctl = library.controls.get((r.framework, r.control_id))
    counts: Counter[str] = Counter()
    for s in r.checks:
        counts.update(s.counts)
    latest = r.manual.attestations[0] if r.manual.attestations else None
    return [
        r.framework.value,
        r.control_id,
        r.title,
        ctl.group if ctl else "",
        ctl.automation if ctl else "",
        r.status.value,
        r.assurance.value if r.assurance else "",
        ASSURANCE_LABELS[r.assurance] if r.assurance else "",
        r.manual.state,
        r.manual.due_since.isoformat() if r.manual.due_since else "",
        latest.owner if latest else "",
        latest.attested_at.isoformat() if latest else "",
        latest.expires.isoformat() if latest else "",
        " ".join(s.check_id for s in r.checks),
        " ".join(s.check_id for s in r.checks if s.status is not None and s.status.value == "fail"),
        counts.get("pass", 0),
        counts.get("fail", 0),
        counts.get("error", 0),
        counts.get("not_applicable", 0),
        " ".join(r.excluded_checks),
        r.manual_evidence or "",
    ]


def write_controls_csv(result: ScanResult, path: Path, library: Library) -> Path:
    with open_text(path) as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in result.controls:
            w.writerow([safe_cell(v) for v in control_row(r, library)])
    return path


def _write(ctx: WriteContext) -> Path:
    return write_controls_csv(ctx.result, ctx.out / "controls.csv", ctx.library)


WRITER = Writer(
    "controls-csv", "controls.csv", "one row per control per framework, for auditors' spreadsheets", _write
)
