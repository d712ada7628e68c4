"""Azure Machine Learning: workspace exposure and encryption, and compute open to the Internet."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import expect, public_network_closed

checks = CheckSet("azure")
WORKSPACE = [T.ML_WORKSPACE]
REF = "https://learn.microsoft.com/azure/machine-learning/concept-enterprise-security"


@checks.check(
    id="azure.ml.public_network_access",
    title="ML workspaces are not reachable over public networks",
    severity="medium",
    resource_types=WORKSPACE,
    rationale="Workspaces hold training data, models and credentials to data stores; private endpoints keep them internal.",
    remediation="Add a private endpoint, then set the workspace's publicNetworkAccess to Disabled.",
    references=[REF],
)
def public_network_access(ws: Resource, ctx: CheckContext) -> Verdict:
    return public_network_closed(
        ws, "public_network_access", "set publicNetworkAccess to Disabled and use a private endpoint"
    )


@checks.check(
    id="azure.ml.cmk",
    title="ML workspaces are encrypted with a customer-managed key",
    severity="low",
    resource_types=WORKSPACE,
    rationale="A customer-managed key lets you revoke access to workspace metadata and data you control.",
    remediation="Customer-managed keys are set at creation: create the workspace with a Key Vault key and migrate.",
    references=[REF],
)
def cmk(ws: Resource, ctx: CheckContext) -> Verdict:
    if need(ws, "encryption_status") == "Enabled":
        return passed("encrypted with a customer-managed key")
    return failed("encrypted with Microsoft-managed keys: recreate the workspace with a customer-managed key")


@checks.check(
    id="azure.ml.hbi_workspace",
    title="ML workspaces are flagged high business impact",
    severity="low",
    resource_types=WORKSPACE,
    rationale="The HBI flag limits the diagnostic data Microsoft collects and encrypts local scratch disks.",
    remediation="The flag is set at creation (hbiWorkspace: true): create the workspace with it and migrate.",
    references=[REF],
)
def hbi(ws: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        ws,
        "hbi_workspace",
        True,
        "the high-business-impact flag is set",
        "the high-business-impact flag is not set: recreate the workspace with hbiWorkspace true",
    )


@checks.check(
    id="azure.ml.compute_public_access",
    title="ML compute has no public IP and no public SSH",
    severity="medium",
    resource_types=[T.ML_COMPUTE],
    rationale="Compute instances with a public IP or open SSH are reachable from the Internet with the workspace's data on them.",
    remediation="Recreate the compute with enableNodePublicIp false (no public IP) and SSH access disabled.",
    references=[REF],
)
def compute_public_access(compute: Resource, ctx: CheckContext) -> Verdict:
    if need(compute, "compute_type") not in ("ComputeInstance", "AmlCompute"):
        return not_applicable("only compute instances and clusters have node IPs")
    problems = []
    if need(compute, "public_ip") is not False:
        problems.append("a public IP")
    if need(compute, "ssh_public_access") == "Enabled":
        problems.append("public SSH")
    if problems:
        return failed(
            f"the compute has {' and '.join(problems)}: recreate it with no public IP and SSH disabled"
        )
    return passed("no public IP and no public SSH")
