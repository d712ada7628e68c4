"""report.html: one self-contained file (inline CSS, JS and data; no network) for auditors.

The page is a small single-page app over compact embedded data (`report_data`): a framework
overview, a page per control (objective, checks, failing resources with remediation, the
population in scope with the evidence behind each verdict, the manual request and its
attestation), check and resource pages, a findings explorer with filters, and deep links
(`#/control/soc2/CC6.1`). It prints every control on its own page. Jinja2 autoescapes the
shell; the data is JSON inside a script element, escaped so no text can close it. The page's
Content-Security-Policy allows only its own script and style, by their SHA-256 (no
'unsafe-inline'): markup that got into the page some other way would not run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from auditor.catalog import Library
from auditor.data import data_dir
from auditor.models import Evidence
from auditor.outputs import write_text
from auditor.results import ScanResult
from auditor.trend import Trend, trend_section
from auditor.writers import WriteContext, Writer, report_data


def _json_for_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no '</script>' or '<!--' can close it."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _csp_hash(text: str) -> str:
    """The CSP source that allows exactly one inline element with this content."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


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


def render_html(
    result: ScanResult,
    *,
    library: Library,
    evidence: Iterable[Evidence] = (),
    manifest: Mapping[str, Any] | None = None,
    print_all: bool = False,
    templates: Path | None = None,
    trend: Trend | None = None,
) -> str:
    """The page as text. `print_all` renders every control at load (for the PDF); `trend` (from
    the results store) adds the compliance-over-time section."""
    templates = templates or data_dir("reports")
    template = _environment(templates).get_template("report.html.j2")
    data = report_data.build(result, library, evidence, manifest)
    css = (templates / "report.css").read_text("utf-8")
    js = (templates / "report.js").read_text("utf-8")
    return template.render(
        css=Markup(css),
        js=Markup(js),
        style_src=_csp_hash(css),
        script_src=_csp_hash(js),
        scan=result.scan,
        frameworks=data["frameworks"],
        data=data,
        print_all=print_all,
        trend_html=trend_section(trend) if trend else None,
    )


def write_html(
    result: ScanResult,
    path: Path,
    *,
    library: Library,
    evidence: Iterable[Evidence] = (),
    manifest: Mapping[str, Any] | None = None,
    templates: Path | None = None,
    trend: Trend | None = None,
) -> Path:
    html = render_html(
        result, library=library, evidence=evidence, manifest=manifest, templates=templates, trend=trend
    )
    return write_text(path, html)


def _write(ctx: WriteContext) -> Path:
    evidence = ctx.snapshot.evidence if ctx.snapshot is not None else ()
    return write_html(
        ctx.result,
        ctx.out / "report.html",
        library=ctx.library,
        evidence=evidence,
        manifest=ctx.evidence_manifest(),
        trend=ctx.trend,
    )


WRITER = Writer("html", "report.html", "one self-contained page for auditors (no network, prints)", _write)
