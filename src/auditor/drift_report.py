"""Renderings of a `Drift`: a plain-text table, Markdown (a pull request or ticket comment),
and one self-contained HTML page (autoescaped, no script, no network)."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, StrictUndefined, select_autoescape

from auditor.drift import Drift, FindingChange
from auditor.history import ResourceRef, format_table

LISTED = 200  # rows listed per section in table / Markdown / HTML (JSON has every one)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _where(c: FindingChange) -> str:
    f = c.finding
    return "/".join(p for p in (f.account, f.region) if p) or "-"


def _res(r: ResourceRef) -> str:
    where = "/".join(p for p in (r.account, r.region) if p)
    return f"{r.provider} {r.type} {r.id}" + (f" ({where})" if where else "")


def headline(d: Drift) -> str:
    n = d.counts()
    return (
        f"{n['new_failures']} new failure(s), {n['resolved']} resolved, {n['still_failing']} still failing, "
        f"{n['unverified']} unverified; {n['control_changes']} control change(s); "
        f"resources +{n['resources_added']} -{n['resources_removed']}"
    )


def _finding_sections(d: Drift) -> list[tuple[str, Sequence[FindingChange]]]:
    return [
        ("New failures", d.new),
        ("Resolved", d.resolved),
        ("Unverified (failing in A, not evaluated in B)", d.unverified),
        ("Still failing", d.still_failing),
    ]


def _resource_sections(d: Drift) -> list[tuple[str, Sequence[ResourceRef]]]:
    return [("Resources added", d.resources_added), ("Resources removed", d.resources_removed)]


def _control_rows(d: Drift) -> list[list[str]]:
    rows = [["framework", "control", "before", "after"]]
    return rows + [[c.framework, c.control_id, c.before, c.after] for c in d.controls[:LISTED]]


def _compliance_rows(d: Drift) -> list[list[str]]:
    return [["framework", "A", "B"], *([fw, _pct(x), _pct(y)] for fw, (x, y) in d.compliance.items())]


def _finding_rows(items: Sequence[FindingChange]) -> list[list[str]]:
    rows = [["severity", "check", "resource", "where", "before", "after"]]
    for c in items[:LISTED]:
        f = c.finding
        rows.append([f.severity, f.check_id, f.resource_id, _where(c), c.before, c.after])
    return rows


def render_table(d: Drift) -> str:
    out = [f"A: {d.a.id} ({d.a.started_at:%Y-%m-%d %H:%M} UTC, {d.a.origin})",
           f"B: {d.b.id} ({d.b.started_at:%Y-%m-%d %H:%M} UTC, {d.b.origin})",
           headline(d), ""]  # fmt: skip
    if d.compliance:
        out += ["Compliance", format_table(_compliance_rows(d)), ""]
    for title, items in _finding_sections(d):
        if items:
            more = f" (first {LISTED} of {len(items)})" if len(items) > LISTED else ""
            out += [f"{title}{more}", format_table(_finding_rows(items)), ""]
    if d.controls:
        out += ["Control status changes", format_table(_control_rows(d)), ""]
    for title, res in _resource_sections(d):
        if res:
            out += [title, *(f"  {_res(r)}" for r in res[:LISTED]), ""]
    return "\n".join(out).rstrip() + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(c) for c in rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows[1:]]
    return lines


def render_markdown(d: Drift) -> str:
    out = [
        "## Audit drift",
        "",
        f"A `{d.a.id[:12]}` ({d.a.started_at:%Y-%m-%d %H:%M} UTC) -> B `{d.b.id[:12]}` ({d.b.started_at:%Y-%m-%d %H:%M} UTC)",
        "",
        f"**{headline(d)}**",
        "",
    ]
    if d.compliance:
        out += [*_md_table(_compliance_rows(d)), ""]
    for title, items in _finding_sections(d):
        if items:
            out += [f"### {title.split(' (')[0]} ({len(items)})", "", *_md_table(_finding_rows(items)), ""]
    if d.controls:
        out += [f"### Control status changes ({len(d.controls)})", "", *_md_table(_control_rows(d)), ""]
    for title, res in _resource_sections(d):
        if res:
            out += [f"### {title} ({len(res)})", "", *(f"- `{_md_cell(_res(r))}`" for r in res[:LISTED]), ""]
    return "\n".join(out).rstrip() + "\n"


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Audit drift {{ d.a.id[:12] }} -> {{ d.b.id[:12] }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#24292f}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.sev-critical,.sev-high{color:#cf222e;font-weight:600}.muted{color:#57606a}
</style></head><body>
<h1>Audit drift</h1>
<p class="muted">A <code>{{ d.a.id }}</code> ({{ d.a.started_at.strftime('%Y-%m-%d %H:%M') }} UTC, {{ d.a.origin }})<br>
B <code>{{ d.b.id }}</code> ({{ d.b.started_at.strftime('%Y-%m-%d %H:%M') }} UTC, {{ d.b.origin }})</p>
<p><strong>{{ headline }}</strong></p>
{% if d.compliance %}<h2>Compliance</h2><table><tr><th>framework</th><th>A</th><th>B</th></tr>
{% for fw, pair in d.compliance.items() %}<tr><td>{{ fw }}</td><td>{{ pct(pair[0]) }}</td><td>{{ pct(pair[1]) }}</td></tr>{% endfor %}</table>{% endif %}
{% for title, items in sections %}{% if items %}<h2>{{ title }} ({{ items|length }})</h2>
<table><tr><th>severity</th><th>check</th><th>resource</th><th>where</th><th>before</th><th>after</th><th>message</th></tr>
{% for c in items[:listed] %}<tr><td class="sev-{{ c.finding.severity }}">{{ c.finding.severity }}</td><td>{{ c.finding.check_id }}</td>
<td>{{ c.finding.resource_id }}</td><td>{{ where(c) }}</td><td>{{ c.before }}</td><td>{{ c.after }}</td><td>{{ c.finding.message }}</td></tr>
{% endfor %}</table>{% endif %}{% endfor %}
{% if d.controls %}<h2>Control status changes ({{ d.controls|length }})</h2><table><tr><th>framework</th><th>control</th><th>title</th><th>before</th><th>after</th></tr>
{% for c in d.controls[:listed] %}<tr><td>{{ c.framework }}</td><td>{{ c.control_id }}</td><td>{{ c.title }}</td><td>{{ c.before }}</td><td>{{ c.after }}</td></tr>{% endfor %}</table>{% endif %}
{% for title, res in resources %}{% if res %}<h2>{{ title }} ({{ res|length }})</h2><ul>
{% for r in res[:listed] %}<li><code>{{ resname(r) }}</code></li>{% endfor %}</ul>{% endif %}{% endfor %}
</body></html>
"""


def render_html(d: Drift) -> str:
    env = Environment(autoescape=select_autoescape(default_for_string=True), undefined=StrictUndefined)
    return env.from_string(_HTML).render(
        d=d,
        headline=headline(d),
        pct=_pct,
        where=_where,
        resname=_res,
        listed=LISTED,
        sections=_finding_sections(d),
        resources=_resource_sections(d),
    )
