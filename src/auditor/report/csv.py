"""findings.csv: one row per finding, for spreadsheets and ticketing imports."""

from __future__ import annotations

import csv
from pathlib import Path

from auditor.results import ScanResult

COLUMNS = (
    "check_id",
    "status",
    "severity",
    "provider",
    "resource_type",
    "resource_id",
    "resource_name",
    "account",
    "region",
    "message",
    "evidence",
    "source",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A resource name like '=HYPERLINK(...)' must not become a live formula in a spreadsheet.
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(result: ScanResult, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for f in result.findings:
            w.writerow(
                [
                    _cell(f.check_id),
                    f.status.value,
                    f.severity.value,
                    _cell(f.provider),
                    _cell(f.resource_type),
                    _cell(f.resource_id),
                    _cell(f.resource_name),
                    _cell(f.account),
                    _cell(f.region),
                    _cell(f.message),
                    " ".join(f.evidence),
                    _cell(f.source),
                ]
            )
    return path
