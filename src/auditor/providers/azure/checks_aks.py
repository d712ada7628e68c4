"""AKS: identity and RBAC, local accounts, API server exposure, network policy, Azure Policy, upgrades."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import expect

checks = CheckSet("azure")
CLUSTER = [T.AKS]
REF = "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-security"


@checks.check(
    id="azure.aks.rbac_entra",
    title="AKS clusters use Kubernetes RBAC with Microsoft Entra integration",
    severity="high",
    resource_types=CLUSTER,
    rationale="Entra integration ties cluster access to corporate identities (MFA, conditional access, offboarding).",
    remediation="az aks update -g RG -n CLUSTER --enable-aad --aad-admin-group-object-ids GROUP (RBAC must be on at creation).",
    references=[REF],
)
def rbac_entra(cluster: Resource, ctx: CheckContext) -> Verdict:
    rbac = need(cluster, "rbac_enabled")
    aad = need(cluster, "aad_profile")
    if rbac is not True:
        return failed("Kubernetes RBAC is off: recreate the cluster with RBAC enabled")
    if not aad or not aad.get("managed"):
        return failed("no managed Microsoft Entra integration: enable it (az aks update --enable-aad)")
    return passed(
        "Kubernetes RBAC with managed Microsoft Entra integration"
        + (" and Azure RBAC" if aad.get("azure_rbac") else "")
    )


@checks.check(
    id="azure.aks.local_accounts_disabled",
    title="AKS clusters disable local accounts",
    severity="high",
    resource_types=CLUSTER,
    rationale="The local admin kubeconfig bypasses Entra identity and cannot be audited per person.",
    remediation="az aks update -g RG -n CLUSTER --disable-local-accounts.",
    references=[REF],
)
def local_accounts(cluster: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        cluster,
        "local_accounts_disabled",
        True,
        "local accounts are disabled",
        "local accounts are enabled: disable them so every access goes through Microsoft Entra ID",
    )


@checks.check(
    id="azure.aks.api_server_access",
    title="AKS API servers are private or limited to authorised IP ranges",
    severity="high",
    resource_types=CLUSTER,
    rationale="A public API server open to all addresses invites credential stuffing and exploits of the control plane.",
    remediation="Use a private cluster, or az aks update --api-server-authorized-ip-ranges CIDR,... .",
    references=[REF],
)
def api_server_access(cluster: Resource, ctx: CheckContext) -> Verdict:
    if need(cluster, "private_cluster") is True:
        return passed("the API server is private")
    ranges = need(cluster, "authorized_ip_ranges") or []
    if ranges:
        return passed(f"the API server admits {len(ranges)} authorised IP range(s)")
    return failed(
        "the API server is public to every address: make the cluster private or set authorised IP ranges"
    )


@checks.check(
    id="azure.aks.network_policy",
    title="AKS clusters enforce network policies",
    severity="medium",
    resource_types=CLUSTER,
    rationale="Without a network policy engine every pod can reach every other pod.",
    remediation="Create the cluster with --network-policy azure|calico|cilium (or update to Cilium where supported).",
    references=[REF],
)
def network_policy(cluster: Resource, ctx: CheckContext) -> Verdict:
    policy = need(cluster, "network_policy")
    if policy and policy != "none":
        return passed(f"network policy engine: {policy}")
    return failed("no network policy engine: pods are not isolated, enable one")


@checks.check(
    id="azure.aks.azure_policy_addon",
    title="AKS clusters run the Azure Policy add-on",
    severity="medium",
    resource_types=CLUSTER,
    rationale="The add-on enforces and reports pod security and other policies at admission.",
    remediation="az aks enable-addons -g RG -n CLUSTER --addons azure-policy.",
    references=[REF],
)
def azure_policy_addon(cluster: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        cluster,
        "azure_policy_addon",
        True,
        "the Azure Policy add-on is enabled",
        "the Azure Policy add-on is not enabled: enable it",
    )


@checks.check(
    id="azure.aks.auto_upgrade",
    title="AKS clusters have an auto-upgrade channel",
    severity="low",
    resource_types=CLUSTER,
    rationale="Clusters that are never upgraded fall out of support and miss security patches.",
    remediation="az aks update -g RG -n CLUSTER --auto-upgrade-channel patch (or stable).",
    references=[REF],
)
def auto_upgrade(cluster: Resource, ctx: CheckContext) -> Verdict:
    channel = need(cluster, "upgrade_channel")
    if channel and channel != "none":
        return passed(f"auto-upgrade channel: {channel}")
    return failed("no auto-upgrade channel: set one (patch or stable)")
