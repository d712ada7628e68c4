"""docs/providers/gcp.md says what the declarations say."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.checks import load_registry, params_markdown

DOC = Path(__file__).parents[2] / "docs" / "providers" / "gcp.md"
BEGIN = "<!-- BEGIN generated: auditor checks params --provider gcp --format markdown -->"
END = "<!-- END generated -->"


def test_the_parameters_table_is_generated_from_the_declarations() -> None:
    text = DOC.read_text("utf-8")
    assert text.count(BEGIN) == 1 and END in text.split(BEGIN, 1)[1]
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert shown == params_markdown(load_registry(), "gcp"), (
        "regenerate the table between the markers with: auditor checks params --provider gcp --format markdown"
    )


def test_every_check_is_listed() -> None:
    section = DOC.read_text("utf-8").split("\n## Checks\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(gcp\.[a-z0-9_.]+)` \|", section, re.M))
    gcp = {c.id for c in load_registry() if c.meta.provider == "gcp"}
    assert listed == gcp
    assert f"evaluates {len(gcp)} checks" in DOC.read_text("utf-8")
