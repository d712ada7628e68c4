"""The azurerm plan adapter (auditor.providers.azure.terraform) on the hand-written plans of
fixtures/terraform/azurerm/ (4.x `insecure/` and `clean/`, 3.x `legacy/`): the Azure checks judge
planned resources as they judge collected ones, split resources join their parent, what is known
only after apply is `error`, and findings point at the .tf blocks. Parity with the collector:
tests/azure/test_azure_plan_parity.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.checks import load_registry
from auditor.contracts import load_contracts
from auditor.models import Finding, Resource
from auditor.providers import discover_providers
from auditor.providers.azure import resources as T
from auditor.providers.azure.terraform import MAPPED_TYPES, PRODUCES, adapt
from auditor.scan import evaluate_snapshot
from auditor.terraform import plan_snapshot, read_plan

from .conftest import FIXTURES
from .plans import gate_both, judged, label, points_at, verdicts

AZURERM = FIXTURES / "azurerm"
INSECURE, CLEAN, LEGACY = (AZURERM / f / "plan.json" for f in ("insecure", "clean", "legacy"))
PARAMS = {"azure.storage.require_cmk": True}

# check -> status -> resources, as `<fixture>:<address>` (i: insecure, c: clean, l: legacy)
ACCOUNTS = {
    "i:azurerm_storage_account.logs",
    'i:azurerm_storage_account.data["curated"]',
    'i:azurerm_storage_account.data["raw"]',
}
FLOWLOGS = {"i:azurerm_storage_account.flowlogs"}
LEGACY_ACCOUNT = {"l:azurerm_storage_account.audit"}
CLEAN_ACCOUNTS = {"c:azurerm_storage_account.data", "c:azurerm_storage_account.flowlogs"}
OPEN_NSGS = {
    "i:azurerm_network_security_group.web",
    "i:module.app[0].azurerm_network_security_group.this",
    "i:module.app[1].azurerm_network_security_group.this",
}
CLEAN_NSGS = {"c:azurerm_network_security_group.web", "c:azurerm_network_security_group.app"}
JUMP = {"i:azurerm_network_security_group.jump"}  # its rule's source is known only after apply
NSG_RULES = {"pass": CLEAN_NSGS, "fail": OPEN_NSGS, "error": JUMP}
SERVERS = {"i:azurerm_mssql_server.main", "l:azurerm_sql_server.main"}
CLEAN_SERVER = {"c:azurerm_mssql_server.main"}
VERDICTS: dict[str, dict[str, set[str]]] = {
    "azure.storage.secure_transfer": {
        "pass": CLEAN_ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT | ACCOUNTS - {"i:azurerm_storage_account.logs"},
        "fail": {"i:azurerm_storage_account.logs"},
    },
    "azure.storage.min_tls_12": {
        "pass": CLEAN_ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT | ACCOUNTS - {"i:azurerm_storage_account.logs"},
        "fail": {"i:azurerm_storage_account.logs"},
    },
    "azure.storage.blob_public_access": {
        "pass": CLEAN_ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT,
        "fail": ACCOUNTS,
    },
    "azure.storage.shared_key_access": {"pass": CLEAN_ACCOUNTS | FLOWLOGS, "fail": ACCOUNTS | LEGACY_ACCOUNT},
    "azure.storage.network_default_deny": {
        "pass": CLEAN_ACCOUNTS | FLOWLOGS,
        "fail": ACCOUNTS | LEGACY_ACCOUNT,
    },
    "azure.storage.infrastructure_encryption": {
        "pass": CLEAN_ACCOUNTS,
        "fail": ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT,
    },
    "azure.storage.blob_soft_delete": {"pass": CLEAN_ACCOUNTS, "fail": ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT},
    "azure.storage.container_soft_delete": {
        "pass": CLEAN_ACCOUNTS,
        "fail": ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT,
    },
    "azure.storage.cmk": {
        "pass": {"c:azurerm_storage_account.data"},
        "fail": ACCOUNTS | FLOWLOGS | LEGACY_ACCOUNT | {"c:azurerm_storage_account.flowlogs"},
    },
    "azure.network.nsg_ssh_from_internet": NSG_RULES,
    "azure.network.nsg_rdp_from_internet": NSG_RULES,
    "azure.network.nsg_udp_from_internet": NSG_RULES,
    "azure.network.nsg_all_ports_from_internet": NSG_RULES,
    "azure.network.nsg_flow_logs": {
        # clean `app` is logged through the virtual network of the subnet it is associated with
        "pass": CLEAN_NSGS | {"i:azurerm_network_security_group.web"},
        "fail": OPEN_NSGS - {"i:azurerm_network_security_group.web"} | JUMP,
    },
    "azure.network.flow_log_retention": {
        "pass": {"c:azurerm_network_watcher_flow_log.web", "c:azurerm_network_watcher_flow_log.vnet"},
        "fail": {"i:azurerm_network_watcher_flow_log.web"},
    },
    "azure.sql.auditing": {"pass": CLEAN_SERVER, "fail": SERVERS},
    "azure.sql.entra_admin": {
        "pass": CLEAN_SERVER | {"l:azurerm_sql_server.main"},
        "fail": {"i:azurerm_mssql_server.main"},
    },
    "azure.sql.public_network_access": {"pass": CLEAN_SERVER, "fail": SERVERS},
    "azure.sql.firewall_allow_all": {"pass": CLEAN_SERVER, "fail": SERVERS},
    "azure.sql.tde": {
        "pass": {"c:azurerm_mssql_database.app", "l:azurerm_sql_database.app"},
        "fail": {"i:azurerm_mssql_database.app"},
    },
}


@pytest.fixture(scope="module")
def findings() -> Iterator[list[Finding]]:
    with judged([INSECURE, CLEAN, LEGACY], PARAMS, "azure") as found:
        yield found


def _by_address(fixture: Path) -> dict[str, Resource]:
    return {f"{r.type} {r.id}": r for r in adapt(read_plan(fixture))}


def test_every_check_over_a_planned_type_is_accounted_for() -> None:
    judging = {c.id for c in load_registry() if set(c.meta.resource_types) & set(PRODUCES)}
    assert judging == set(VERDICTS)


@pytest.mark.parametrize("check_id", sorted(VERDICTS))
def test_each_check_passes_and_fails_the_planned_resources_it_should(
    findings: list[Finding], check_id: str
) -> None:
    assert verdicts(findings, check_id) == VERDICTS[check_id]
    assert VERDICTS[check_id]["pass"] and VERDICTS[check_id]["fail"]


def test_every_terraform_type_the_adapter_reads_is_in_a_fixture() -> None:
    planned = {r.type for f in (INSECURE, CLEAN, LEGACY) for r in read_plan(f).resources}
    assert set(MAPPED_TYPES) <= planned


def test_every_adapted_resource_keeps_the_azure_contract() -> None:
    contracts = load_contracts()
    for fixture in (INSECURE, CLEAN, LEGACY):
        resources = list(adapt(read_plan(fixture)))
        assert resources
        assert [p for r in resources for p in contracts.validate(r)] == []
        # the subscription is the provider's: known when applied, and no check reads it
        assert all("subscription_id" in r.gaps for r in resources)


def test_values_known_only_after_apply_are_gaps(findings: list[Finding]) -> None:
    jump = _by_address(INSECURE)[f"{T.NSG} azurerm_network_security_group.jump"]
    assert "rules" in jump.gaps and "source_address_prefix is known only after apply" in jump.gaps["rules"]
    errors = {(f.check_id, label(f)) for f in findings if f.status.value == "error"}
    assert errors == {(c, next(iter(JUMP))) for c in VERDICTS if "error" in VERDICTS[c]}


def test_split_resources_join_their_parent_through_references() -> None:
    insecure, clean, legacy = (_by_address(f) for f in (INSECURE, CLEAN, LEGACY))
    # `storage_account_id = azurerm_storage_account.logs.id`, an id known only after apply
    assert (
        insecure[f"{T.STORAGE_ACCOUNT} azurerm_storage_account.logs"].attributes["network_default_action"]
        == "Allow"
    )
    assert (
        clean[f"{T.STORAGE_ACCOUNT} azurerm_storage_account.data"].attributes["key_source"]
        == "Microsoft.Keyvault"
    )
    # standalone rules join by their group's name and resource group (module instances apart)
    rules = insecure[f"{T.NSG} module.app[1].azurerm_network_security_group.this"].attributes["rules"]
    assert [(r["name"], r["ports"]) for r in rules] == [("all-ports", ["*"]), ("syslog", ["1514", "514"])]
    web = clean[f"{T.NSG} azurerm_network_security_group.web"].attributes["rules"]
    assert [r["name"] for r in web] == ["https", "ssh-from-corp"]  # inline and standalone
    app = clean[f"{T.NSG} azurerm_network_security_group.app"].attributes
    assert app["subnets"] == ["azurerm_virtual_network.main/subnets/app"]
    logs = {r.id: r.attributes for r in clean.values() if r.type == T.FLOW_LOG}
    assert logs["azurerm_network_watcher_flow_log.vnet"]["target_id"] == "azurerm_virtual_network.main"
    assert logs["azurerm_network_watcher_flow_log.web"]["parent_id"] == "azurerm_network_watcher.main"
    server = insecure[f"{T.SQL_SERVER} azurerm_mssql_server.main"].attributes
    assert [r["name"] for r in server["firewall_rules"]] == ["office", "AllowAll"]
    assert server["auditing_state"] == "Disabled" and server["entra_admins"] == []
    old = legacy[f"{T.SQL_SERVER} azurerm_sql_server.main"].attributes
    assert old["entra_admins"] == [
        {"login": "sql-admins", "administrator_type": "ActiveDirectory", "entra_only": False}
    ]
    assert (old["auditing_state"], old["audit_retention_days"]) == ("Enabled", 30)
    assert old["public_network_access"] is None  # azurerm_sql_server does not set it: Enabled
    assert legacy[f"{T.STORAGE_ACCOUNT} azurerm_storage_account.audit"].attributes["https_only"] is True


def _edited(tmp_path: Path, address: str, attr: str) -> Path:
    """INSECURE with `attr` of `address` pointing nowhere this plan can follow."""
    doc = json.loads(INSECURE.read_text())
    stack = [doc["configuration"]["root_module"]]
    while stack:
        mod = stack.pop()
        for r in mod["resources"]:
            if r["address"] == address:
                r["expressions"][attr] = {"references": ["local.somewhere"]}
        stack += [c["module"] for c in (mod.get("module_calls") or {}).values()]
    for rc in doc["resource_changes"]:
        if rc["address"].endswith(address):
            rc["change"]["after"].pop(attr, None)
            rc["change"]["after_unknown"][attr] = True
    stack = [doc["planned_values"]["root_module"]]
    while stack:
        mod = stack.pop()
        for r in mod.get("resources", []):
            if r["address"].endswith(address):
                r["values"].pop(attr, None)
        stack += mod.get("child_modules", [])
    out = tmp_path / "plan.json"
    out.write_text(json.dumps(doc))
    return out


@pytest.mark.parametrize(
    ("address", "attr", "check_id", "judged"),
    [
        (
            "azurerm_network_security_rule.syslog",
            "network_security_group_name",
            "azure.network.nsg_udp_from_internet",
            4,
        ),
        ("azurerm_mssql_firewall_rule.all", "server_id", "azure.sql.firewall_allow_all", 1),
    ],
)
def test_a_child_of_no_telling_parent_makes_its_attribute_a_gap_on_every_parent(
    tmp_path: Path, address: str, attr: str, check_id: str, judged: int
) -> None:
    snap = plan_snapshot([_edited(tmp_path, address, attr)], discover_providers())
    statuses = [f.status.value for f in evaluate_snapshot(snap).findings if f.check_id == check_id]
    assert statuses == ["error"] * judged  # fail closed


def test_findings_point_at_the_tf_block_of_their_resource(findings: list[Finding]) -> None:
    points_at(
        findings,
        {
            (
                "azure.network.nsg_all_ports_from_internet",
                "i:module.app[0].azurerm_network_security_group.this",
            ): (
                "fixtures/terraform/azurerm/insecure/modules/nsg/main.tf",
                'resource "azurerm_network_security_group" "this" {',
            ),
            ("azure.storage.blob_soft_delete", 'i:azurerm_storage_account.data["raw"]'): (
                "",
                'resource "azurerm_storage_account" "data" {',
            ),
            ("azure.sql.tde", "i:azurerm_mssql_database.app"): (
                "",
                'resource "azurerm_mssql_database" "app" {',
            ),
        },
    )


def test_the_gate_fails_the_insecure_plan_and_passes_the_clean_one(tmp_path: Path, in_repo: Path) -> None:
    gate_both(tmp_path, INSECURE, CLEAN, "azure.sql.firewall_allow_all")
