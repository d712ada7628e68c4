"""findings.csv: one row per finding, for spreadsheets and ticketing imports."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from auditor.catalog import Library
from auditor.contracts import load_contracts
from auditor.models import Framework
from auditor.outputs import open_text
from auditor.results import FINDING_COLUMNS, ScanResult
from auditor.writers import Writer

_FORMULA_START = frozenset("=+-@\t\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else value if isinstance(value, str) else str(value)
    # A resource name like '=HYPERLINK(...)' must not become a live formula in a spreadsheet.
    return "'" + text if text[:1] in _FORMULA_START else text


EXTRA_COLUMNS = ("namespace", "check_title", *(f"{fw.value}_controls" for fw in Framework))


_SEP = "\x1f"  # joins a row's cells before one check for characters that need quoting
_NEEDS_QUOTING = re.compile(r'[",\r\n]').search


def write_csv(
    result: ScanResult, path: Path, library: Library | None = None, namespaced: frozenset[str] = frozenset()
) -> Path:
    """One row per finding: the shared finding columns, then the check's title and the controls
    it evidences in each framework (from the crosswalk). For the providers in `namespaced` (whose
    resource contracts scope resources to namespaces: Kubernetes), a finding's region is its
    namespace, so it goes to the `namespace` column and `region` stays empty.

    Fast path for the common row: its cells are joined once and, when nothing in the line needs
    quoting, written as is; any other row goes through the csv module. Either way every cell
    that could start a spreadsheet formula is defused."""
    titles = {c.id: c.title for c in result.checks}
    per_check: dict[str, list[str]] = {}
    if library is not None:
        for check_id, entry in library.crosswalk.items():
            by_fw: dict[Framework, list[str]] = {}
            for fw, cid in entry.items():
                by_fw.setdefault(fw, []).append(cid)
            per_check[check_id] = [" ".join(by_fw.get(fw, [])) for fw in Framework]
    empty = [""] * len(Framework)
    extra = {
        cid: [safe_cell(titles.get(cid, "")), *map(safe_cell, per_check.get(cid, empty))] for cid in titles
    }
    blank = ["", *empty]
    no_ns = safe_cell("")
    with open_text(path) as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow((*FINDING_COLUMNS, *EXTRA_COLUMNS))
        lines: list[str] = []
        for f in result.findings:
            in_ns = f.provider in namespaced
            row = [
                safe_cell(f.check_id), f.status.value, f.severity.value, safe_cell(f.provider), safe_cell(f.resource_type),
                safe_cell(f.resource_id), safe_cell(f.resource_name), safe_cell(f.account), no_ns if in_ns else safe_cell(f.region),
                safe_cell(f.message), safe_cell(" ".join(f.evidence)), safe_cell(f.source), f.key,
                safe_cell(f.region) if in_ns else no_ns, *(extra.get(f.check_id) or blank),
            ]  # fmt: skip
            line = _SEP.join(row)
            if _NEEDS_QUOTING(line) is None and line.count(_SEP) == len(row) - 1:
                lines.append(line.replace(_SEP, ",") + "\r\n")
            else:
                fh.writelines(lines)
                lines.clear()
                w.writerow(row)
            if len(lines) >= 5_000:
                fh.writelines(lines)
                lines.clear()
        fh.writelines(lines)
    return path


def _namespaced() -> frozenset[str]:
    return frozenset(t.provider for t in load_contracts() if t.scope == "namespace")


WRITER = Writer(
    "csv",
    "findings.csv",
    "one row per finding, for spreadsheets and ticket imports",
    lambda ctx: write_csv(ctx.result, ctx.out / "findings.csv", ctx.library, _namespaced()),
)
