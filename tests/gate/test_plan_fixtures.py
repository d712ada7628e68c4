"""The hand-written google and azurerm plans (fixtures/terraform/README.md says why) hold together
the way `terraform show -json` output does, and agree with the .tf sources beside them: a fixture
edited in one place and not the others fails here, not as a puzzling verdict elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.terraform import read_plan, tf_blocks

from .conftest import FIXTURES

HAND_WRITTEN = sorted(
    p.parent for p in FIXTURES.glob("*/*/plan.json") if p.parts[-3] in ("google", "azurerm")
)


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(FIXTURES).as_posix() for p in paths]


def _modules(module: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = [(path, module)]
    for call in (module.get("module_calls") or {}).values():
        out += _modules(call["module"], f"{path}/{call['source']}" if path else call["source"])
    return out


def test_every_hand_written_fixture_is_found() -> None:
    assert _ids(HAND_WRITTEN) == [
        "azurerm/clean",
        "azurerm/insecure",
        "azurerm/legacy",
        "google/clean",
        "google/insecure",
    ]


@pytest.mark.parametrize("fixture", HAND_WRITTEN, ids=_ids(HAND_WRITTEN))
def test_planned_values_and_resource_changes_agree(fixture: Path) -> None:
    doc = json.loads((fixture / "plan.json").read_text())
    assert doc["format_version"] == "1.2" and not doc["errored"]
    planned: dict[str, dict[str, Any]] = {}
    stack = [doc["planned_values"]["root_module"]]
    while stack:
        mod = stack.pop()
        planned.update({r["address"]: r for r in mod.get("resources", [])})
        stack += mod.get("child_modules", [])
    changes = {rc["address"]: rc for rc in doc["resource_changes"]}
    assert set(planned) == set(changes)
    for address, rc in changes.items():
        change = rc["change"]
        assert change["actions"] == ["create"] and change["before"] is None, address
        assert change["after"] == planned[address]["values"], address
        unknown = {k for k, v in change["after_unknown"].items() if v is True}
        assert not unknown & set(change["after"]), address  # unknown values are left out of `after`


def _rendered(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str | bool | int) else ""


@pytest.mark.parametrize("fixture", HAND_WRITTEN, ids=_ids(HAND_WRITTEN))
def test_the_configuration_matches_the_tf_sources(fixture: Path) -> None:
    """Every configured resource is a block of its module's .tf files, every argument it writes
    is written in that block, and every top-level constant is the value written there."""
    doc = json.loads((fixture / "plan.json").read_text())
    for source, module in _modules(doc["configuration"]["root_module"]):
        directory = (fixture / source).resolve()
        blocks: dict[tuple[str, str, str], tuple[Path, int, int]] = {}
        for tf in sorted(directory.glob("*.tf")):
            blocks.update({k: (tf, a, b) for k, (a, b) in tf_blocks(tf).items()})
        for res in module["resources"]:
            kind = "data" if res["mode"] == "data" else "resource"
            found = blocks.get((kind, res["type"], res["name"]))
            assert found is not None, f"{directory}: no block for {res['address']}"
            tf, start, end = found
            text = "\n".join(tf.read_text().splitlines()[start - 1 : end])
            for key, expr in res["expressions"].items():
                assert re.search(rf"^\s*{re.escape(key)}\s*(=|\{{)", text, re.M), f"{res['address']}.{key}"
                shown = _rendered(expr.get("constant_value")) if isinstance(expr, dict) else ""
                if shown:
                    assert re.search(rf"^\s*{re.escape(key)}\s*=\s*{re.escape(shown)}\s*$", text, re.M), (
                        f"{res['address']}.{key} = {shown}"
                    )


@pytest.mark.parametrize("fixture", HAND_WRITTEN, ids=_ids(HAND_WRITTEN))
def test_every_planned_resource_points_at_its_tf_block(fixture: Path, in_repo: Path) -> None:
    plan = read_plan(fixture / "plan.json")
    assert plan.resources
    for r in [*plan.resources, *plan.data]:
        assert r.source is not None and r.source.file.endswith(".tf"), r.address
        line = (in_repo / r.source.file).read_text().splitlines()[(r.source.start_line or 0) - 1]
        assert line.startswith(f'{"data" if r.mode == "data" else "resource"} "{r.type}" "{r.name}"'), (
            r.address
        )
