"""Cosmos DB: network exposure and key-based authentication."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import expect

checks = CheckSet("azure")
ACCOUNT = [T.COSMOSDB]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Cosmos DB"


@checks.check(
    id="azure.cosmosdb.network_access",
    title="Cosmos DB accounts are private or firewalled",
    severity="high",
    resource_types=ACCOUNT,
    rationale="An account open to all networks is protected by its keys alone.",
    remediation="Disable public network access (private endpoints), or restrict it to selected virtual networks and IP ranges.",
    references=[CIS],
)
def network_access(acct: Resource, ctx: CheckContext) -> Verdict:
    access = need(acct, "public_network_access")
    if access == "Disabled":
        return passed("public network access is disabled")
    if need(acct, "vnet_filter") is True or need(acct, "ip_rules"):
        return passed("public access is limited to selected networks")
    return failed(
        "the account accepts connections from every network: disable public access or add a firewall"
    )


@checks.check(
    id="azure.cosmosdb.local_auth_disabled",
    title="Cosmos DB accounts refuse key-based authentication",
    severity="medium",
    resource_types=ACCOUNT,
    rationale="Primary keys grant full access and are shared; Entra ID with RBAC is per identity and auditable.",
    remediation="Move clients to Microsoft Entra ID, then set disableLocalAuth to true.",
    references=[CIS],
)
def local_auth(acct: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        acct,
        "local_auth_disabled",
        True,
        "key-based (local) authentication is disabled",
        "key-based authentication is allowed: set disableLocalAuth to true",
    )
