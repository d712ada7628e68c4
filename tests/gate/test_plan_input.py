"""A plan is input like any other: a value the plan marks sensitive is never held, never judged
and never rendered; a plan of another shape than `terraform show -json` writes exits 2 naming
the file and the entry, never 4."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.providers import discover_providers
from auditor.redact import REDACTED
from auditor.terraform import SENSITIVE, plan_snapshot, read_plan

from .conftest import CLEAN, FIXTURES, gate

SECRET = "hunter2-Zq8x"  # what a sensitive variable held


def _resource(doc: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in doc["planned_values"]["root_module"]["resources"] if r["address"] == address)


def _change(doc: dict[str, Any], address: str) -> dict[str, Any]:
    change: dict[str, Any] = next(rc for rc in doc["resource_changes"] if rc["address"] == address)["change"]
    return change


def _with_secrets(tmp_path: Path) -> Path:
    """The clean plan, with a policy, a bucket name and a tag written from a sensitive variable
    (Terraform shows them in clear and marks them in `sensitive_values` / `after_sensitive`)."""
    doc = json.loads(CLEAN.read_text())
    policy = _resource(doc, "aws_iam_policy.read")
    policy["values"]["policy"] = policy["values"]["policy"].replace("s3:GetObject", f"s3:{SECRET}")
    policy["sensitive_values"] = {**policy.get("sensitive_values", {}), "policy": True}
    bucket = _resource(doc, "aws_s3_bucket.data")
    bucket["values"]["bucket"] = f"b-{SECRET}"
    bucket["values"]["tags"] = {**(bucket["values"].get("tags") or {}), "owner": SECRET}
    bucket["sensitive_values"] = {"bucket": True, "tags": {"owner": True}}
    _change(doc, "aws_s3_bucket.data")["after_sensitive"] = {"bucket": True, "tags": {"owner": True}}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(doc))
    return plan


def test_sensitive_plan_values_are_masked_and_read_as_gaps(tmp_path: Path) -> None:
    plan = read_plan(_with_secrets(tmp_path), FIXTURES / "clean")
    bucket = next(r for r in plan.resources if r.address == "aws_s3_bucket.data")
    assert SECRET not in json.dumps(bucket.values)
    assert bucket.values["tags"]["owner"] == REDACTED
    snapshot = plan_snapshot([tmp_path / "plan.json"], discover_providers(), root=FIXTURES / "clean")
    assert SECRET not in snapshot.model_dump_json()
    policy = next(r for r in snapshot.resources if r.id == "aws_iam_policy.read")
    assert "document" not in policy.attributes and SENSITIVE in policy.gaps["document"]
    s3 = next(r for r in snapshot.resources if r.id == "aws_s3_bucket.data")
    assert s3.name == "aws_s3_bucket.data" and SENSITIVE in s3.gaps["name"]


def test_no_sensitive_plan_value_reaches_any_output(tmp_path: Path) -> None:
    plan = _with_secrets(tmp_path)
    out = tmp_path / "out"
    code, _, stderr = gate(
        "--plan",
        str(plan),
        "--tf-root",
        str(FIXTURES / "clean"),
        "--out",
        str(out),
        "--format",
        "json,sarif,junit,markdown,html",
    )
    assert code == 1 and "error(s)" in stderr  # what a secret decides is not judged: error, not pass
    assert SECRET not in stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"results.json", "results.sarif", "junit.xml", "summary.md"}
    assert [p.name for p in written if SECRET in p.read_text(errors="replace")] == []
    results = json.loads((out / "results.json").read_text())
    errors = [f for f in results["findings"] if f["status"] == "error"]
    assert errors and all(f["resource_id"] == "aws_iam_policy.read" for f in errors)
    assert all(SENSITIVE in f["message"] for f in errors)


Mutation = Callable[[dict[str, Any]], None]
AZURE = FIXTURES / "azurerm" / "insecure" / "plan.json"


def _set(address: str, attr: str, value: Any) -> Mutation:
    return lambda doc: _resource(doc, address)["values"].__setitem__(attr, value)


@pytest.mark.parametrize(
    ("mutate", "entry"),
    [
        (
            lambda d: d["resource_changes"][0]["change"].__setitem__("actions", 1),
            "resource_changes[0].change.actions",
        ),
        (lambda d: d["resource_changes"][0].__setitem__("address", ["x"]), "resource_changes[0].address"),
        (lambda d: d["planned_values"]["root_module"]["resources"][0].pop("type"), "resources[0].type"),
        (lambda d: d["configuration"]["root_module"]["resources"].__setitem__(0, []), "resources[0]"),
        (
            lambda d: d["configuration"]["provider_config"]["azurerm"].__setitem__("expressions", True),
            "provider_config.azurerm.expressions",
        ),
        (lambda d: d["resource_changes"].pop(0), "azurerm_resource_group.main"),
        (_set("azurerm_storage_account.logs", "tags", 5), "azurerm_storage_account.logs"),
        (_set("azurerm_storage_account.logs", "location", 5), "azurerm_storage_account.logs"),
        (
            _set("azurerm_network_security_group.web", "resource_group_name", {"a": 1}),
            "azurerm_network_security_group.web",
        ),
    ],
)
def test_a_plan_of_another_shape_exits_2_naming_the_file_and_entry(
    tmp_path: Path, mutate: Mutation, entry: str
) -> None:
    doc = json.loads(AZURE.read_text())
    mutate(doc)
    bad = tmp_path / "odd-plan.json"
    bad.write_text(json.dumps(doc))
    code, _, stderr = gate("--plan", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2, stderr
    assert "odd-plan.json" in stderr and entry in stderr and "internal error" not in stderr
