"""Report writers. Each reads a ScanResult (and the control library for descriptions) only:
no provider-specific code in any format."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from auditor.catalog import Library
from auditor.errors import UsageError
from auditor.report.csv import write_csv
from auditor.report.html import write_html
from auditor.results import ScanResult, write_results

FORMATS = ("html", "json", "csv")


def render(result: ScanResult, out: Path, formats: Iterable[str], *, library: Library) -> dict[str, Path]:
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if "json" in formats:
        written["json"] = write_results(result, out / "results.json")
    if "csv" in formats:
        written["csv"] = write_csv(result, out / "findings.csv")
    if "html" in formats:
        written["html"] = write_html(result, out / "report.html", library=library)
    return written
