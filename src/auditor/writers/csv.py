"""findings.csv: one row per finding, for spreadsheets and ticketing imports."""

from __future__ import annotations

import csv
from pathlib import Path

from auditor.catalog import Library
from auditor.models import Framework
from auditor.outputs import open_text
from auditor.results import FINDING_COLUMNS, ScanResult, finding_row
from auditor.writers import Writer

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A resource name like '=HYPERLINK(...)' must not become a live formula in a spreadsheet.
    return "'" + text if text.startswith(_FORMULA_START) else text


EXTRA_COLUMNS = ("check_title", *(f"{fw.value}_controls" for fw in Framework))


def write_csv(result: ScanResult, path: Path, library: Library | None = None) -> Path:
    """One row per finding: the shared finding columns, then the check's title and the controls
    it evidences in each framework (from the crosswalk)."""
    titles = {c.id: c.title for c in result.checks}
    mapped: dict[str, list[str]] = {}
    if library is not None:
        for check_id, entry in library.crosswalk.items():
            by_fw: dict[Framework, list[str]] = {}
            for fw, cid in entry.items():
                by_fw.setdefault(fw, []).append(cid)
            mapped[check_id] = [" ".join(by_fw.get(fw, [])) for fw in Framework]
    empty = [""] * len(Framework)
    with open_text(path) as fh:
        w = csv.writer(fh)
        w.writerow((*FINDING_COLUMNS, *EXTRA_COLUMNS))
        for f in result.findings:
            row = [" ".join(v) if isinstance(v, list) else v for v in finding_row(f)]
            row += [titles.get(f.check_id, ""), *mapped.get(f.check_id, empty)]
            w.writerow([safe_cell(v) for v in row])
    return path


WRITER = Writer(
    "csv",
    "findings.csv",
    "one row per finding, for spreadsheets and ticket imports",
    lambda ctx: write_csv(ctx.result, ctx.out / "findings.csv", ctx.library),
)
