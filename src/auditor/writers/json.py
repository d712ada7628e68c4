"""results.json: the machine-readable results, the stable interface (schema in schemas/)."""

from __future__ import annotations

from pathlib import Path

from auditor.results import write_results
from auditor.writers import WriteContext, Writer


def _write(ctx: WriteContext) -> Path:
    return write_results(ctx.result, ctx.out / "results.json")


WRITER = Writer("json", "results.json", "machine-readable results (JSON Schema in the package)", _write)
