"""Edge cases of the GCP adapters and checks, judged offline from hand-built assets."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.checks import CheckContext, load_registry
from auditor.derive import run_derivers
from auditor.engine import run_check
from auditor.models import CollectionError, Resource, Snapshot, Status
from auditor.providers.gcp.derive import DERIVERS
from auditor.providers.gcp.inventory import Inventory, envelopes, scrub

ORG = ["organizations/1"]
PROJECT = ["projects/10", *ORG]


def _project() -> dict[str, Any]:
    return {
        "name": "//cloudresourcemanager.googleapis.com/projects/10",
        "assetType": "cloudresourcemanager.googleapis.com/Project",
        "ancestors": PROJECT,
        "resource": {"data": {"projectNumber": "10", "projectId": "p", "lifecycleState": "ACTIVE"}},
    }


def _resources(*records: dict[str, Any]) -> list[Resource]:
    inv = Inventory()
    for r in (_project(), *records):
        inv.add(envelopes(r, "ev"))
    return inv.build().resources


def verdict(
    check_id: str, records: list[dict[str, Any]], name: str, params: dict[str, Any] | None = None
) -> tuple[Status, str]:
    resources = _resources(*records)
    check = load_registry().get(check_id)
    assert check is not None
    ctx = CheckContext(Snapshot(resources=resources), params)
    target = next(r for r in resources if r.name == name and r.type in check.meta.resource_types)
    f = run_check(check, target, ctx)
    return f.status, f.message


def _fw(name: str, allowed: list[dict[str, Any]], ranges: list[str], **kw: Any) -> dict[str, Any]:
    return {
        "name": f"//compute.googleapis.com/projects/p/global/firewalls/{name}",
        "assetType": "compute.googleapis.com/Firewall",
        "ancestors": PROJECT,
        "resource": {
            "data": {"name": name, "direction": "INGRESS", "sourceRanges": ranges, "allowed": allowed, **kw}
        },
    }


@pytest.mark.parametrize(
    ("allowed", "ranges", "extra", "ssh", "every"),
    [
        ([{"IPProtocol": "tcp", "ports": ["20-30"]}], ["0.0.0.0/0"], {}, Status.FAIL, Status.PASS),
        ([{"IPProtocol": "tcp"}], ["0.0.0.0/0"], {}, Status.FAIL, Status.FAIL),
        ([{"IPProtocol": "udp", "ports": ["22"]}], ["0.0.0.0/0"], {}, Status.PASS, Status.PASS),
        ([{"IPProtocol": "all"}], ["10.0.0.0/8"], {}, Status.PASS, Status.PASS),
        ([{"IPProtocol": "all"}], ["::/0"], {"disabled": True}, Status.PASS, Status.PASS),
    ],
)
def test_firewall_ports_and_ranges(
    allowed: list[dict[str, Any]], ranges: list[str], extra: dict[str, Any], ssh: Status, every: Status
) -> None:
    fw = _fw("rule", allowed, ranges, **extra)
    assert verdict("gcp.compute.firewall_ssh_open", [fw], "rule")[0] == ssh
    assert verdict("gcp.compute.firewall_all_ports_open", [fw], "rule")[0] == every


def _policy(resource: str, asset_type: str, anc: list[str], **policy: Any) -> dict[str, Any]:
    return {"name": resource, "assetType": asset_type, "ancestors": anc, "iam_policy": policy}


def test_audit_logs_with_exempted_members_do_not_count() -> None:
    exempt = _policy(
        "//cloudresourcemanager.googleapis.com/projects/10",
        "cloudresourcemanager.googleapis.com/Project",
        PROJECT,
        audit_configs=[
            {
                "service": "allServices",
                "audit_log_configs": [
                    {"log_type": 3, "exempted_members": ["user:x@example.com"]},
                    {"log_type": 2},
                ],
            }
        ],
    )
    org = {
        "name": "//cloudresourcemanager.googleapis.com/organizations/1",
        "assetType": "cloudresourcemanager.googleapis.com/Organization",
        "ancestors": ORG,
        "resource": {"data": {"name": "organizations/1", "displayName": "org"}},
    }
    status, message = verdict("gcp.logging.data_access_audit_logs", [exempt, org], "p")
    assert status == Status.FAIL and "DATA_READ" in message


ALL_DATA_LOGS = [{"service": "allServices", "audit_log_configs": [{"log_type": 3}, {"log_type": 2}]}]


@pytest.mark.parametrize(("account", "expected"), [("p", Status.PASS), ("copy-of-p", Status.FAIL)])
def test_a_project_policy_counts_only_in_the_project_account(account: str, expected: Status) -> None:
    """The project's own policy is looked up within its account: a policy with the same resource
    name in another account (a copied estate, another target) says nothing about this project."""
    org = {
        "name": "//cloudresourcemanager.googleapis.com/organizations/1",
        "assetType": "cloudresourcemanager.googleapis.com/Organization",
        "ancestors": ORG,
        "resource": {"data": {"name": "organizations/1", "displayName": "org"}},
    }
    logged = _policy(
        "//cloudresourcemanager.googleapis.com/projects/10",
        "cloudresourcemanager.googleapis.com/Project",
        PROJECT,
        audit_configs=ALL_DATA_LOGS,
    )
    built = _resources(org)
    policy = next(r for r in _resources(logged) if r.type == "gcp.iam.policy")
    placed = policy.model_copy(update={"location": policy.location.model_copy(update={"account": account})})
    check = load_registry().get("gcp.logging.data_access_audit_logs")
    assert check is not None
    ctx = CheckContext(Snapshot(resources=[*built, placed]))
    project = next(r for r in built if r.type == "gcp.resourcemanager.project")
    assert run_check(check, project, ctx).status == expected


def test_another_providers_whole_scope_error_leaves_the_organization_policies_whole() -> None:
    """An AWS (or Azure) error for its whole scope says nothing about what GCP read."""
    org = {
        "name": "//cloudresourcemanager.googleapis.com/organizations/1",
        "assetType": "cloudresourcemanager.googleapis.com/Organization",
        "ancestors": ORG,
        "resource": {"data": {"name": "organizations/1", "displayName": "org"}},
    }
    errors = [CollectionError(provider=p, operation="auth", message="no credentials") for p in ("aws", "gcp")]
    for wanted, gapped in ((errors[:1], False), (errors, True)):
        _, (summary,) = run_derivers(Snapshot(resources=_resources(org), errors=wanted), DERIVERS)
        assert ("constraints" in summary.gaps) is gapped


def test_allowed_domains_accept_subdomains_and_google_service_agents() -> None:
    pol = _policy(
        "//storage.googleapis.com/b",
        "storage.googleapis.com/Bucket",
        PROJECT,
        bindings=[
            {
                "role": "roles/storage.objectViewer",
                "members": [
                    "user:a@eu.example.com",
                    "serviceAccount:service-10@gs-project-accounts.iam.gserviceaccount.com",
                    "deleted:user:gone@example.com?uid=1",
                    "group:g@example.com",
                ],
            }
        ],
    )
    assert (
        verdict("gcp.iam.allowed_member_domains", [pol], "b", {"gcp.iam.allowed_domains": ["example.com"]})[0]
        == Status.PASS
    )
    assert verdict("gcp.iam.allowed_member_domains", [pol], "b")[0] == Status.NOT_APPLICABLE


def test_camel_and_snake_records_are_the_same_assets() -> None:
    camel = {
        "name": "n",
        "assetType": "cloudresourcemanager.googleapis.com/Organization",
        "ancestors": ORG,
        "orgPolicy": [
            {"constraint": "constraints/compute.vmExternalIpAccess", "listPolicy": {"allValues": 2}}
        ],
    }
    snake = {
        "name": "n",
        "asset_type": "cloudresourcemanager.googleapis.com/Organization",
        "ancestors": ORG,
        "org_policy": [
            {"constraint": "constraints/compute.vmExternalIpAccess", "list_policy": {"all_values": "DENY"}}
        ],
    }
    assert envelopes(camel, "e") == envelopes(snake, "e")
    (a,) = envelopes(camel, "e")
    assert a.org_policies[0]["all_values"] == "DENY" and a.org_policies[0]["enforced"] is None


def test_scrub_masks_every_metadata_value_but_known_switches() -> None:
    record = {
        "name": "vm",
        "resource": {
            "data": {
                "metadata": {
                    "items": [
                        {"key": "startup-script", "value": "pw=hunter2"},
                        {"key": "enable-oslogin", "value": "TRUE"},
                    ]
                },
                "masterAuth": {"clientKey": "k", "clusterCaCertificate": "c"},
            }
        },
    }
    data = scrub(record)["resource"]["data"]
    assert data["metadata"]["items"] == [
        {"key": "startup-script", "value": "[REDACTED]"},
        {"key": "enable-oslogin", "value": "TRUE"},
    ]
    assert data["masterAuth"] == {"clientKey": "[REDACTED]", "clusterCaCertificate": "c"}
    assert (
        record["resource"]["data"]["metadata"]["items"][0]["value"] == "pw=hunter2"
    )  # the input is not changed
