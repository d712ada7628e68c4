"""Container Registry: the shared admin user and network exposure."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import public_network_closed

checks = CheckSet("azure")
REGISTRY = [T.ACR]
REF = "https://learn.microsoft.com/azure/container-registry/security-controls-policy"


@checks.check(
    id="azure.acr.admin_user_disabled",
    title="Container registries have the admin user disabled",
    severity="high",
    resource_types=REGISTRY,
    rationale="The admin user is one shared credential with push and pull rights to every repository.",
    remediation="az acr update -n REGISTRY --admin-enabled false; use Entra identities or scoped tokens.",
    references=[REF],
)
def admin_user(registry: Resource, ctx: CheckContext) -> Verdict:
    if need(registry, "admin_user_enabled") is True:
        return failed("the admin user is enabled: disable it and use Microsoft Entra identities or tokens")
    return passed("the admin user is disabled")


@checks.check(
    id="azure.acr.public_network_access",
    title="Container registries are not reachable over public networks",
    severity="medium",
    resource_types=REGISTRY,
    rationale="Private registries keep images (and the secrets baked into them) off the Internet.",
    remediation="Add a private endpoint (Premium SKU), then az acr update -n REGISTRY --public-network-enabled false.",
    references=[REF],
)
def public_network_access(registry: Resource, ctx: CheckContext) -> Verdict:
    return public_network_closed(registry, "public_network_access", "set publicNetworkAccess to Disabled")
