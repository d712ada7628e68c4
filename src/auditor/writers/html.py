"""report.html: one self-contained file (inline CSS and JS, no network), Jinja2 with autoescaping."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from auditor.catalog import Library
from auditor.data import data_dir
from auditor.models import Finding, Framework, Status
from auditor.outputs import write_text
from auditor.results import FINDING_COLUMNS, ScanResult, finding_row
from auditor.writers import Writer

# Failing resources listed under each check in the static part of the page; the rest are
# in the findings explorer, which pages through the embedded data.
MAX_LISTED_PER_CHECK = 50
# Findings embedded for the explorer. Failing and erroring ones come first, so a cap only
# ever drops passing/not-applicable rows; results.json and findings.csv always hold all.
MAX_EMBEDDED = 100_000
_EMBED_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}

FRAMEWORK_NAMES = {
    Framework.SOC2: "SOC 2 (2017 Trust Services Criteria)",
    Framework.HIPAA: "HIPAA Security Rule",
    Framework.ISO27001: "ISO/IEC 27001:2022 Annex A",
}


def _json_for_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no '</script>' or '<!--' can close it."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = _json_for_script
    return env


def _grouped_exclusions(result: ScanResult) -> list[dict[str, Any]]:
    """Exclusions grouped by why and where: one row per (reason, scope), naming its checks."""
    groups: dict[tuple[str, str | None, str | None, str], list[str]] = {}
    for x in result.exclusions:
        key = (
            x.provider,
            x.scope.account if x.scope else None,
            x.scope.region if x.scope else None,
            x.reason,
        )
        groups.setdefault(key, []).append(x.check_id)
    return [
        {"provider": p, "account": a, "region": r, "reason": why, "checks": sorted(set(ids))}
        for (p, a, r, why), ids in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][3]))
    ]


def build_context(result: ScanResult, library: Library) -> dict[str, Any]:
    checks = {c.id: c for c in result.checks}
    failing: dict[str, list[Finding]] = defaultdict(list)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in result.findings:
        counts[f.check_id][f.status.value] += 1
        if f.status in (Status.FAIL, Status.ERROR) and len(failing[f.check_id]) < MAX_LISTED_PER_CHECK:
            failing[f.check_id].append(f)

    frameworks = []
    for fw in Framework:
        rows = [c for c in result.controls if c.framework == fw]
        if not rows:
            continue
        tally: dict[str, int] = defaultdict(int)
        for r in rows:
            tally[r.status.value] += 1
        controls = []
        for r in rows:
            ctl = library.controls.get((fw, r.control_id))
            controls.append(
                {
                    "result": r,
                    "objective": ctl.objective if ctl else "",
                    "requirement": ctl.requirement if ctl else None,
                    "group": ctl.group if ctl else "",
                }
            )
        frameworks.append(
            {
                "key": fw.value,
                "name": FRAMEWORK_NAMES[fw],
                "total": len(rows),
                "tally": dict(tally),
                "controls": controls,
            }
        )

    check_sections = []
    for cid in sorted(counts, key=lambda c: (-(counts[c].get("fail", 0) + counts[c].get("error", 0)), c)):
        meta = checks.get(cid)
        check_sections.append(
            {
                "id": cid,
                "meta": meta,
                "counts": dict(counts[cid]),
                "listed": failing.get(cid, []),
                "unlisted": counts[cid].get("fail", 0)
                + counts[cid].get("error", 0)
                - len(failing.get(cid, [])),
            }
        )
    embedded = result.findings
    if len(embedded) > MAX_EMBEDDED:
        embedded = sorted(embedded, key=lambda f: _EMBED_ORDER[f.status])[:MAX_EMBEDDED]
    return {
        "result": result,
        "scan": result.scan,
        "summary": result.summary,
        "frameworks": frameworks,
        "checks": check_sections,
        "check_titles": {cid: m.title for cid, m in checks.items()},
        "errors": result.errors,
        "exclusions": _grouped_exclusions(result),
        "skipped_scopes": result.skipped_scopes,
        "findings_data": {
            "columns": FINDING_COLUMNS,
            "rows": [finding_row(f) for f in embedded],
        },
        "embedded_total": len(result.findings),
        "embedded_shown": len(embedded),
    }


def write_html(result: ScanResult, path: Path, *, library: Library, templates: Path | None = None) -> Path:
    templates = templates or data_dir("reports")
    env = _environment(templates)
    template = env.get_template("report.html.j2")
    css = (templates / "report.css").read_text("utf-8")
    js = (templates / "report.js").read_text("utf-8")
    html = template.render(css=Markup(css), js=Markup(js), **build_context(result, library))
    return write_text(path, html)


WRITER = Writer(
    "html",
    "report.html",
    "one self-contained page for auditors (no network, prints)",
    lambda ctx: write_html(ctx.result, ctx.out / "report.html", library=ctx.library),
)
