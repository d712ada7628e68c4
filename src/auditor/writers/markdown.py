"""summary.md: a short Markdown summary for `$GITHUB_STEP_SUMMARY` or a merge-request comment.

The gate's verdict (when `auditor gate` wrote it into the audit trail), failing findings by
severity with how many are new, unchanged and waived, the failing findings themselves (most
severe first, at most `MAX_ROWS`), what could not be evaluated, and the waivers and baseline
entries worth a reviewer's eye (waived, expired, stale, absent).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from auditor.models import Finding, Severity, Status
from auditor.outputs import write_text
from auditor.writers import WriteContext, Writer

MAX_ROWS = 50
_RANK = {s.value: s.rank for s in Severity}


def _cell(text: object) -> str:
    """Table-safe: no pipes, no line breaks, no HTML, bounded."""
    out = str(text if text is not None else "").replace("\\", "\\\\").replace("|", "\\|")
    out = out.replace("\r", " ").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")
    return out[:300]


def _where(f: Finding) -> str:
    return f"`{_cell(f.source)}`" if f.source else _cell(f.resource_name or f.resource_id)


def _state(f: Finding) -> str:
    if f.waiver is not None:
        return f"waived until {f.waiver.expires.isoformat()} ({_cell(f.waiver.approver)})"
    return f.baseline_state or "new"


def summary_markdown(ctx: WriteContext) -> str:
    result = ctx.result
    lines = ["## auditor", ""]
    verdict = next((t for t in reversed(result.audit_trail) if t.stage == "gate"), None)
    if verdict is not None:
        mark = "✅" if verdict.action == "passed" else "❌"
        lines += [f"{mark} **{_cell(verdict.reason)}**", ""]
    failing = [f for f in result.findings if f.status is Status.FAIL]
    errors = [f for f in result.findings if f.status is Status.ERROR]
    by_sev = Counter(f.severity.value for f in failing)
    lines += ["| severity | failing | new | unchanged | waived |", "|---|---:|---:|---:|---:|"]
    for sev in Severity:
        mine = [f for f in failing if f.severity.value == sev.value]
        if not mine:
            continue
        lines.append(
            f"| {sev.value} | {by_sev[sev.value]} "
            f"| {sum(f.waiver is None and f.baseline_state != 'unchanged' for f in mine)} "
            f"| {sum(f.waiver is None and f.baseline_state == 'unchanged' for f in mine)} "
            f"| {sum(f.waiver is not None for f in mine)} |"
        )
    counts = result.summary.findings
    lines += [
        "",
        f"{sum(counts.values())} findings: {counts.get('fail', 0)} fail, {counts.get('error', 0)} error, "
        f"{counts.get('pass', 0)} pass, {counts.get('not_applicable', 0)} not applicable.",
        "",
    ]
    if failing:
        rows = sorted(failing, key=lambda f: (-_RANK.get(f.severity.value, 4), f.check_id, f.source or ""))
        lines += [
            "### Failing",
            "",
            "| severity | check | where | state | message |",
            "|---|---|---|---|---|",
        ]
        for f in rows[:MAX_ROWS]:
            lines.append(
                f"| {f.severity.value} | `{f.check_id}` | {_where(f)} | {_state(f)} | {_cell(f.message)} |"
            )
        if len(rows) > MAX_ROWS:
            lines.append(f"\n… and {len(rows) - MAX_ROWS} more (see results.sarif / results.json)")
        lines.append("")
    if errors or result.errors:
        lines += ["### Not evaluated", ""]
        for f in errors[:MAX_ROWS]:
            lines.append(f"- `{f.check_id}` {_where(f)}: {_cell(f.message)}")
        for e in result.errors[:MAX_ROWS]:
            lines.append(f"- {_cell(e.operation)}: {_cell(e.message)}")
        lines.append("")
    notes = [t for t in result.audit_trail if t.stage in ("waivers", "baseline") and t.action != "compared"]
    if notes:
        lines += ["### Waivers and baseline", ""]
        for t in notes[:MAX_ROWS]:
            lines.append(f"- **{t.action}** `{_cell(t.check_id)}`: {_cell(t.reason)}")
        lines.append("")
    return "\n".join(lines)


def _write(ctx: WriteContext) -> Path:
    return write_text(ctx.out / "summary.md", summary_markdown(ctx))


WRITER = Writer(
    "markdown", "summary.md", "Markdown summary for $GITHUB_STEP_SUMMARY or an MR comment", _write
)
