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


_SEP = "\x1f"  # joins a row's cells so that one search looks at all of them
_FORMULA_AFTER_SEP = re.compile("\x1f[=+\\-@\t\r]").search  # a cell that starts like a formula
_QUOTED = (",", '"', "\r", "\n")  # a cell holding one of these is quoted (csv.QUOTE_MINIMAL)


def _quoted(cell: str) -> str:
    """One cell as the csv module writes it."""
    for ch in _QUOTED:
        if ch in cell:
            return '"' + cell.replace('"', '""') + '"'
    return cell


def write_csv(
    result: ScanResult, path: Path, library: Library | None = None, namespaced: frozenset[str] = frozenset()
) -> Path:
    """One row per finding: the shared finding columns, then the check's title and the controls
    it evidences in each framework (from the crosswalk). For the providers in `namespaced` (whose
    resource contracts scope resources to namespaces: Kubernetes), a finding's region is its
    namespace, so it goes to the `namespace` column and `region` stays empty.

    The rows are exactly what csv.writer writes (a test keeps it so), built here because the csv
    module costs several microseconds a row, which is seconds at a million findings: a row's
    cells are joined once and searched once for a cell that starts like a formula (then every
    cell is defused) and for characters that need quoting (then each cell is quoted as the csv
    module would). The per-check cells (title, controls) are rendered once per check."""
    titles = {c.id: c.title for c in result.checks}
    per_check: dict[str, list[str]] = {}
    if library is not None:
        for check_id, entry in library.crosswalk.items():
            by_fw: dict[Framework, list[str]] = {}
            for fw, cid in entry.items():
                by_fw.setdefault(fw, []).append(cid)
            per_check[check_id] = [" ".join(by_fw.get(fw, [])) for fw in Framework]
    empty = [""] * len(Framework)
    tails: dict[str, str] = {}  # check id -> its cells after the finding's own, as CSV text
    own = len(FINDING_COLUMNS) + 1  # a finding's own cells: the shared columns plus `namespace`
    with open_text(path) as fh:
        csv.writer(fh, lineterminator="\r\n").writerow((*FINDING_COLUMNS, *EXTRA_COLUMNS))
        lines: list[str] = []
        for f in result.findings:
            tail = tails.get(f.check_id)
            if tail is None:
                extra = [titles.get(f.check_id, ""), *per_check.get(f.check_id, empty)]
                tail = tails[f.check_id] = "".join("," + _quoted(safe_cell(c)) for c in extra) + "\r\n"
            loc = f.location
            region = f.region or ""
            in_ns = f.provider in namespaced
            cells: tuple[str, ...] = (
                f.check_id, f.status._value_, f.severity._value_, f.provider, f.resource_type, f.resource_id,
                f.resource_name or "", f.account or "", "" if in_ns else region, f.message,
                " ".join(f.evidence), loc.text if loc is not None else "", f.key, region if in_ns else "",
            )  # fmt: skip
            line = _SEP + _SEP.join(cells)
            if line.count(_SEP) != own or _FORMULA_AFTER_SEP(line) is not None:
                row = ",".join(_quoted(safe_cell(c)) for c in cells)
            elif "," in line or '"' in line or "\n" in line or "\r" in line:
                row = ",".join(map(_quoted, cells))
            else:
                row = line[1:].replace(_SEP, ",")  # the common row: nothing to quote or defuse
            lines.append(row + tail)
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
