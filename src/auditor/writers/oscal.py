"""oscal/: OSCAL 1.1.2 assessment results, the assessment plan they import, and the catalogs
and crosswalk profile the plan points at (see `auditor.oscal`)."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.models import utcnow
from auditor.oscal.assessment import AP_FILE, AR_FILE, assessment_plan, assessment_results
from auditor.oscal.catalog import write_catalogs
from auditor.outputs import ensure_dir, write_text
from auditor.writers import WriteContext, Writer


def write_oscal(ctx: WriteContext) -> Path:
    directory = ensure_dir(ctx.out / "oscal", "OSCAL")
    when = utcnow()
    ar = assessment_results(ctx.result, ctx.evidence_manifest(), ctx.out / "evidence", when)
    write_text(directory / AR_FILE, json.dumps(ar, indent=1, ensure_ascii=False))
    ap = assessment_plan(ctx.result, ctx.library, when)
    write_text(directory / AP_FILE, json.dumps(ap, indent=1, ensure_ascii=False))
    write_catalogs(ctx.library, directory, when)
    return directory


WRITER = Writer(
    "oscal",
    "oscal/assessment-results.json",
    "OSCAL 1.1.2 assessment results, with the assessment plan, catalogs and crosswalk profile",
    write_oscal,
)
