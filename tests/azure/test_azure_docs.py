"""docs/providers/azure.md stays true to the declarations: its parameter table is the one
`auditor checks params --provider azure --format markdown` prints, and it lists every check."""

from __future__ import annotations

import re

from azure_helpers import ROOT

from auditor.checks import load_registry, params_markdown

DOC = ROOT / "docs" / "providers" / "azure.md"
BEGIN = "<!-- BEGIN GENERATED: auditor checks params --provider azure --format markdown -->"
END = "<!-- END GENERATED -->"


def test_parameter_table_is_generated_from_the_declarations() -> None:
    text = DOC.read_text("utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1, f"{DOC.name} needs the marker comments"
    documented = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert documented == params_markdown(load_registry(), "azure"), (
        f"{DOC.name}: the parameter table differs from the checks' declarations; replace the lines "
        "between the markers with the output of `auditor checks params --provider azure --format markdown`"
    )


def test_check_table_lists_every_azure_check() -> None:
    section = DOC.read_text("utf-8").split("\n## Checks", 1)[1]
    listed = set(re.findall(r"^\| `(azure\.[a-z0-9_.]+)` \|", section, re.M))
    assert listed == {c.id for c in load_registry() if c.meta.provider == "azure"}


def test_every_read_the_docs_promise_is_declared() -> None:
    from auditor.providers.azure import resources as T

    text = DOC.read_text("utf-8")
    for _, read in T.SOURCES.reads():
        assert read.api_version in text, f"{read.action} {read.api_version} is not documented"
