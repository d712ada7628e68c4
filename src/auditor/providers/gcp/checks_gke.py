"""GKE checks: control plane exposure, identity, authorization, node security, upgrades."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed, summarize
from auditor.models import Resource
from auditor.providers.gcp import resources as T

checks = CheckSet("gcp")

CIS = "CIS Google Kubernetes Engine Benchmark v1.5"


@checks.check(
    id="gcp.gke.control_plane_access",
    title="GKE control planes are private or limited to authorized networks",
    severity="high",
    resource_types=[T.GKE_CLUSTER],
    rationale="A public control plane endpoint open to any address is one credential leak away from the cluster.",
    remediation="Enable the private endpoint, or master authorized networks with your ranges.",
    references=[f"{CIS} 5.6.3", f"{CIS} 5.6.4"],
)
def control_plane_access(c: Resource, ctx: CheckContext) -> Verdict:
    if need(c, "private_endpoint") or need(c, "master_authorized_networks"):
        return passed("private endpoint or authorized networks")
    return failed(f"enable master authorized networks (or the private endpoint) on cluster {c.name}")


@checks.check(
    id="gcp.gke.workload_identity",
    title="GKE clusters use Workload Identity",
    severity="medium",
    resource_types=[T.GKE_CLUSTER],
    rationale="Without it, pods use the node's service account and can read the node metadata server.",
    remediation="Enable Workload Identity (gcloud container clusters update --workload-pool=PROJECT.svc.id.goog).",
    references=[f"{CIS} 5.2.2"],
)
def workload_identity(c: Resource, ctx: CheckContext) -> Verdict:
    if not need(c, "workload_identity_pool"):
        return failed(f"enable Workload Identity on cluster {c.name}")
    return passed(f"workload pool {need(c, 'workload_identity_pool')}")


@checks.check(
    id="gcp.gke.legacy_abac_disabled",
    title="GKE legacy ABAC is off",
    severity="high",
    resource_types=[T.GKE_CLUSTER],
    rationale="Legacy ABAC grants broad static permissions that RBAC cannot restrict.",
    remediation="Disable legacy authorization (gcloud container clusters update --no-enable-legacy-authorization).",
    references=[f"{CIS} 5.8.4"],
)
def legacy_abac_disabled(c: Resource, ctx: CheckContext) -> Verdict:
    if need(c, "legacy_abac"):
        return failed(f"disable legacy ABAC on cluster {c.name}")
    return passed("RBAC only")


@checks.check(
    id="gcp.gke.network_policy",
    title="GKE clusters enforce NetworkPolicy",
    severity="medium",
    resource_types=[T.GKE_CLUSTER],
    rationale="Without enforcement every pod can reach every other pod.",
    remediation="Use Dataplane V2, or enable network policy enforcement.",
    references=[f"{CIS} 5.6.7"],
)
def network_policy(c: Resource, ctx: CheckContext) -> Verdict:
    if need(c, "network_policy") or need(c, "dataplane_v2"):
        return passed("NetworkPolicy enforced")
    return failed(f"enable Dataplane V2 or network policy enforcement on cluster {c.name}")


@checks.check(
    id="gcp.gke.shielded_nodes",
    title="GKE clusters use Shielded Nodes",
    severity="medium",
    resource_types=[T.GKE_CLUSTER],
    rationale="Shielded nodes prove their identity to the control plane, so a rogue node cannot join.",
    remediation="Enable shielded nodes (gcloud container clusters update --enable-shielded-nodes).",
    references=[f"{CIS} 5.5.5"],
)
def shielded_nodes(c: Resource, ctx: CheckContext) -> Verdict:
    if not need(c, "shielded_nodes"):
        return failed(f"enable shielded nodes on cluster {c.name}")
    return passed("shielded nodes")


@checks.check(
    id="gcp.gke.auto_upgrade",
    title="GKE clusters follow a release channel and node pools auto-upgrade",
    severity="medium",
    resource_types=[T.GKE_CLUSTER],
    rationale="Security patches reach clusters only through upgrades.",
    remediation="Enrol the cluster in a release channel and enable auto-upgrade on every node pool.",
    references=[f"{CIS} 5.5.3", f"{CIS} 5.5.4"],
)
def auto_upgrade(c: Resource, ctx: CheckContext) -> Verdict:
    manual = sorted(p for p, on in need(c, "node_pools_auto_upgrade").items() if not on)
    problems = ([] if need(c, "release_channel") else ["enrol it in a release channel"]) + (
        [f"enable auto-upgrade on node pools {summarize(manual)}"] if manual else []
    )
    if problems:
        return failed(f"cluster {c.name}: {'; '.join(problems)}")
    return passed(f"release channel {need(c, 'release_channel')}, every pool auto-upgrades")


@checks.check(
    id="gcp.gke.binary_authorization",
    title="GKE clusters enforce Binary Authorization",
    severity="medium",
    resource_types=[T.GKE_CLUSTER],
    rationale="Only attested images should run; Binary Authorization enforces it at admission.",
    remediation="Set --binauthz-evaluation-mode=PROJECT_SINGLETON_POLICY_ENFORCE on the cluster.",
    references=[f"{CIS} 5.10.5"],
)
def binary_authorization(c: Resource, ctx: CheckContext) -> Verdict:
    if not need(c, "binary_authorization"):
        return failed(f"enforce Binary Authorization on cluster {c.name}")
    return passed("Binary Authorization enforced")


@checks.check(
    id="gcp.gke.legacy_client_auth",
    title="GKE clusters issue no client certificate and use no basic authentication",
    severity="high",
    resource_types=[T.GKE_CLUSTER],
    rationale="Legacy client certificates cannot be revoked; basic auth is a static password.",
    remediation="Recreate the cluster without --issue-client-certificate and without a username.",
    references=[f"{CIS} 5.8.1", f"{CIS} 5.8.2"],
)
def legacy_client_auth(c: Resource, ctx: CheckContext) -> Verdict:
    bad = [
        w
        for w, on in (
            ("a client certificate", need(c, "client_certificate")),
            ("basic auth", need(c, "basic_auth")),
        )
        if on
    ]
    if bad:
        return failed(f"cluster {c.name} uses {' and '.join(bad)}: recreate it without legacy authentication")
    return passed("no legacy client authentication")
