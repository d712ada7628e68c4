"""The toy provider's one check."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource
from toy_provider.resources import WIDGET

checks = CheckSet("toy")


@checks.check(
    id="toy.widget.locked",
    title="Widgets are locked",
    severity="high",
    resource_types=[WIDGET],
    rationale="An unlocked widget can be changed by anyone who reaches it.",
    remediation="Lock the widget in its settings.",
)
def widget_locked(w: Resource, ctx: CheckContext) -> Verdict:
    return passed("locked") if need(w, "locked") else failed(f"widget {w.name} is unlocked: lock it")
