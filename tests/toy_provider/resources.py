"""The toy provider's resource contract."""

from __future__ import annotations

from auditor.contracts import TypeSet, attr

TYPES = TypeSet("toy")
WIDGET = TYPES.declare(
    "toy.widget",
    "Widget",
    {
        "name": attr(str, "Widget name."),
        "locked": attr(bool, "Whether the widget is locked."),
        "owner": attr(str | None, "Who owns it, or null.", optional=True),
    },
    scope="account",
)
