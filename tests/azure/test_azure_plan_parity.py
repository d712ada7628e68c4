"""Plan/live parity: a resource the azurerm plan adapter makes from fixtures/terraform/azurerm/
carries the attribute values the collector reads from the reference estate's resource of the same
configuration (the fake's ARM answers), so a check gives a plan and the applied estate one
verdict; the last test judges both and compares the verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure_fixtures import *  # noqa: F403  (the fixture `reference`)
from azure_helpers import evaluate

from auditor.checks import load_registry
from auditor.models import Resource, Snapshot
from auditor.providers import discover_providers
from auditor.providers.azure import resources as T
from auditor.providers.azure.terraform import adapt
from auditor.results import ScanResult
from auditor.terraform import plan_snapshot, read_plan
from auditor_testkit.azure_estate import DEV, PROD
from auditor_testkit.azure_fake import FakeAzure

AZURERM = Path(__file__).resolve().parents[2] / "fixtures" / "terraform" / "azurerm"
NAMES = ("subscription_id", "resource_group", "target_id", "parent_id", "subnets", "network_interfaces")


def _arm(sub: str, group: str, provider: str, *parts: str) -> str:
    return f"/subscriptions/{sub}/resourcegroups/{group}/providers/{provider}/{'/'.join(parts)}".lower()


WATCHER = (
    "networkwatcherrg",
    "microsoft.network",
    "networkwatchers",
    "networkwatcher_westeurope",
    "flowlogs",
)
SQL = ("data", "microsoft.sql", "servers")
PAIRS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        T.STORAGE_ACCOUNT,
        _arm(PROD, "data", "microsoft.storage", "storageaccounts", "passstorage"),
        "clean",
        "azurerm_storage_account.data",
        (),
    ),
    (
        T.NSG,
        _arm(DEV, "network", "microsoft.network", "networksecuritygroups", "fail-nsg"),
        "insecure",
        "azurerm_network_security_group.web",
        ("rules",),
    ),
    (T.FLOW_LOG, _arm(PROD, *WATCHER, "pass-flowlog"), "clean", "azurerm_network_watcher_flow_log.web", ()),
    (T.FLOW_LOG, _arm(DEV, *WATCHER, "fail-flowlog"), "insecure", "azurerm_network_watcher_flow_log.web", ()),
    *[
        pair
        for sub, p, fixture in ((PROD, "pass", "clean"), (DEV, "fail", "insecure"))
        for pair in (
            (T.SQL_SERVER, _arm(sub, *SQL, f"{p}-sql"), fixture, "azurerm_mssql_server.main", ()),
            (
                T.SQL_DATABASE,
                _arm(sub, *SQL, f"{p}-sql", "databases", f"{p}-db"),
                fixture,
                "azurerm_mssql_database.app",
                (),
            ),
        )
    ],
]


def _config(r: Resource, only: tuple[str, ...]) -> dict[str, Any]:
    keys = only or tuple(k for k in r.attributes if k not in NAMES)
    out = {k: r.attributes.get(k) for k in keys}
    if "rules" in out:  # a set in Terraform, a list in ARM: the same rules in another order
        out["rules"] = sorted(out["rules"], key=lambda rule: rule["name"])
    return out


@pytest.mark.parametrize(
    ("type_", "live_id", "fixture", "address", "only"), PAIRS, ids=[f"{p[2]}:{p[3]}" for p in PAIRS]
)
def test_a_planned_resource_carries_what_the_collector_reads_for_the_same_configuration(
    reference: tuple[FakeAzure, Snapshot, ScanResult],
    type_: str,
    live_id: str,
    fixture: str,
    address: str,
    only: tuple[str, ...],
) -> None:
    _, snapshot, _ = reference
    live = {(r.type, r.id): r for r in snapshot.resources}[(type_, live_id)]
    planned = {(r.type, r.id): r for r in adapt(read_plan(AZURERM / fixture / "plan.json"))}[(type_, address)]
    assert set(planned.gaps) <= set(NAMES)
    assert _config(live, only) and _config(planned, only) == _config(live, only)


# checks of a pair that look at other resources, which the two estates do not share
OTHER_SURROUNDINGS: dict[tuple[str, str], tuple[str, ...]] = {
    # the plan's flow log targets the planned group; the live estate's targets another network
    ("insecure", "azurerm_network_security_group.web"): ("azure.network.nsg_flow_logs",),
}


def test_a_plan_and_the_live_estate_of_the_same_configuration_get_the_same_verdicts(
    reference: tuple[FakeAzure, Snapshot, ScanResult],
) -> None:
    """Every check over each pair's type: one verdict for the planned resource and the live one."""
    _, _, live = reference
    planned_found = {
        fixture: evaluate(plan_snapshot([AZURERM / fixture / "plan.json"], discover_providers())).findings
        for fixture in ("clean", "insecure")
    }
    judged = 0
    for type_, live_id, fixture, address, _ in PAIRS:
        checks = {c.id for c in load_registry() if type_ in c.meta.resource_types}
        planned = {
            f.check_id: f.status.value
            for f in planned_found[fixture]
            if f.check_id in checks and f.resource_id == address
        }
        got = {
            f.check_id: f.status.value
            for f in live.findings
            if f.check_id in checks and f.resource_id == live_id
        }
        for check_id in OTHER_SURROUNDINGS.get((fixture, address), ()):
            planned.pop(check_id), got.pop(check_id)
        assert planned and planned == got, f"{fixture}:{address}"
        judged += sum(v in ("pass", "fail") for v in planned.values())
    assert judged >= 15
