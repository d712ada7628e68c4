"""Compliance per framework over the last N scans, for the HTML report: the data (`Trend`) and
its rendering as one inline SVG (no chart library, no script, no external reference).

The report writer gets a `Trend` through `WriteContext.trend` (None without history) and
includes `trend_section(trend)`: a `<section>` with the chart and the same numbers as a table.
Every text in it is escaped; the SVG uses presentation attributes only (no `style`), so the
report's Content-Security-Policy needs nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape

from auditor.history import HistoryEntry, compliance_of
from auditor.models import Framework
from auditor.results import ScanResult

DEFAULT_SCANS = 12
_COLOURS = ("#1f6feb", "#d4691e", "#2da44e", "#8250df", "#bf3989", "#57606a")


@dataclass(frozen=True)
class TrendPoint:
    scan_id: str
    started_at: datetime
    compliance: dict[str, float | None]  # framework -> percent (None: nothing assessed)


@dataclass(frozen=True)
class Trend:
    """Oldest scan first; the last point is the scan being reported when it is included."""

    points: tuple[TrendPoint, ...]
    frameworks: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return len(self.points) > 0


def point_of(result: ScanResult) -> TrendPoint:
    comp = compliance_of((c.framework.value, c.status.value) for c in result.controls)
    return TrendPoint(result.scan.id, result.scan.started_at, {fw: c.percent for fw, c in comp.items()})


def build_trend(
    history: Sequence[HistoryEntry], current: ScanResult | None = None, limit: int = DEFAULT_SCANS
) -> Trend:
    """The trend of `history` (newest first, as the store lists it) plus `current`, last."""
    points = [
        TrendPoint(e.id, e.started_at, {fw: c.percent for fw, c in e.compliance.items()})
        for e in reversed(history)
        if current is None or e.id != current.scan.id
    ]
    if current is not None:
        points.append(point_of(current))
    points = points[-limit:]
    fws = sorted({fw for p in points for fw in p.compliance})
    return Trend(tuple(points), tuple(fws))


def _label(fw: str) -> str:
    try:
        return Framework(fw).short_name
    except ValueError:  # a framework this auditor does not know (an older or newer store's)
        return fw


def trend_svg(trend: Trend, *, width: int = 640, height: int = 220) -> Markup:
    """The chart: one line per framework, 0-100 % on the y axis, one point per scan."""
    left, right, top, bottom = 44, 140, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(trend.points)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(pct: float) -> float:
        return top + plot_h * (1 - pct / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape("Compliance per framework over the last " + str(n) + " scans")}">'
    ]
    for tick in (0, 25, 50, 75, 100):
        yy = y(tick)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#57606a">{tick}%</text>'
        )
    for i, p in enumerate(trend.points):
        if n <= 8 or i in (0, n - 1) or i % max(1, n // 6) == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" font-size="10" fill="#57606a">'
                f"{escape(p.started_at.strftime('%m-%d'))}</text>"
            )
    for k, fw in enumerate(trend.frameworks):
        colour = _COLOURS[k % len(_COLOURS)]
        pts = [(i, p.compliance.get(fw)) for i, p in enumerate(trend.points)]
        run: list[str] = []
        for i, pct in [*pts, (n, None)]:
            if pct is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>'
                    )
                run = []
                continue
            run.append(f"{x(i):.1f},{y(pct):.1f}")
        for i, pct in pts:
            if pct is None:
                continue
            p = trend.points[i]
            tip = f"{_label(fw)}: {pct:.1f}% on {p.started_at:%Y-%m-%d %H:%M} (scan {p.scan_id[:12]})"
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(pct):.1f}" r="3" fill="{colour}"><title>{escape(tip)}</title></circle>'
            )
        ly = top + 14 + 18 * k
        last = next((pct for _, pct in reversed(pts) if pct is not None), None)
        legend = f"{_label(fw)}" + (f" {last:.0f}%" if last is not None else "")
        parts.append(
            f'<rect x="{left + plot_w + 12}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + plot_w + 28}" y="{ly}" font-size="12" fill="#24292f">{escape(legend)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_section(trend: Trend) -> Markup:
    """`<section id="trend">`: heading, the SVG, and the numbers as a table (for print and
    screen readers). Empty markup when there is nothing to show."""
    if not trend:
        return Markup("")
    head = "".join(f"<th>{escape(_label(fw))}</th>" for fw in trend.frameworks)
    rows = []
    for p in reversed(trend.points):
        cells = "".join(
            f"<td>{'-' if p.compliance.get(fw) is None else escape(f'{p.compliance[fw]:.1f}%')}</td>"
            for fw in trend.frameworks
        )
        rows.append(f"<tr><td>{escape(p.started_at.strftime('%Y-%m-%d %H:%M'))}</td>"
                    f"<td><code>{escape(p.scan_id[:12])}</code></td>{cells}</tr>")  # fmt: skip
    return Markup(
        '<section id="trend" class="trend"><h2>Compliance trend</h2>'
        f"<p>Controls passing over controls assessed, per framework, over the last {len(trend.points)} scan(s).</p>"
        f"{trend_svg(trend)}"
        f'<table class="trend-table"><thead><tr><th>scan started (UTC)</th><th>scan</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )
