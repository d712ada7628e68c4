"""findings.csv: one row per finding, for spreadsheets and ticketing imports."""

from __future__ import annotations

import csv
from pathlib import Path

from auditor.results import FINDING_COLUMNS, ScanResult, finding_row
from auditor.writers import Writer

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A resource name like '=HYPERLINK(...)' must not become a live formula in a spreadsheet.
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(result: ScanResult, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(FINDING_COLUMNS)
        for f in result.findings:
            w.writerow([_cell(" ".join(v) if isinstance(v, list) else v) for v in finding_row(f)])
    return path


WRITER = Writer(
    "csv",
    "findings.csv",
    "one row per finding, for spreadsheets and ticket imports",
    lambda ctx: write_csv(ctx.result, ctx.out / "findings.csv"),
)
