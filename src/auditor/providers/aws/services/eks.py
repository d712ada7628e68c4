"""EKS: clusters (endpoint access, secrets encryption, control plane logging, version) and their
managed node groups (remote access)."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, described

_WORLD = ["0.0.0.0/0"]


def _cluster(body: dict[str, Any]) -> dict[str, Any]:
    cl = body.get("cluster") or {}
    vpc = cl.get("resourcesVpcConfig") or {}
    public = bool(vpc.get("endpointPublicAccess", True))  # AWS's default: a public endpoint
    secrets = [
        (e.get("provider") or {}).get("keyArn")
        for e in cl.get("encryptionConfig") or []
        if "secrets" in (e.get("resources") or [])
    ]
    return {
        "version": cl.get("version"),
        "endpoint_public_access": public,
        "endpoint_private_access": bool(vpc.get("endpointPrivateAccess")),
        "public_access_cidrs": list(vpc.get("publicAccessCidrs") or (_WORLD if public else [])),
        "secrets_key_arn": next((k for k in secrets if k), None),
        "enabled_log_types": sorted(
            {
                t
                for entry in (cl.get("logging") or {}).get("clusterLogging") or []
                if entry.get("enabled")
                for t in entry.get("types") or []
            }
        ),
    }


def _nodegroup(body: dict[str, Any]) -> dict[str, Any]:
    ng = body.get("nodegroup") or {}
    remote = ng.get("remoteAccess") or {}
    return {
        "cluster": ng.get("clusterName"),
        "ssh_key": remote.get("ec2SshKey"),
        "source_security_groups": list(remote.get("sourceSecurityGroups") or []),
    }


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "eks", "ListClusters", types=(T.EKS_CLUSTER, T.EKS_NODEGROUP))
    if listed is None:
        return
    for name in listed.body.get("clusters", []):
        c.submit(acct, region, _one_cluster, c, acct, region, name, listed.evidence)
        c.submit(acct, region, _nodegroups, c, acct, region, name)


def _one_cluster(c: Collection, acct: Account, region: str, name: str, list_ev: str) -> None:
    described(
        c,
        acct,
        region,
        T.EKS_CLUSTER,
        f"arn:aws:eks:{region}:{acct.id}:cluster/{name}",
        list_ev,
        lambda: c.call(acct, region, "eks", "DescribeCluster", {"name": name}),
        _cluster,
        name=name,
    )


def _nodegroups(c: Collection, acct: Account, region: str, cluster: str) -> None:
    listed = c.listing(
        acct, region, "eks", "ListNodegroups", {"clusterName": cluster}, types=(T.EKS_NODEGROUP,)
    )
    if listed is None:
        return
    for ng in listed.body.get("nodegroups", []):
        c.submit(acct, region, _one_nodegroup, c, acct, region, cluster, ng, listed.evidence)


def _one_nodegroup(c: Collection, acct: Account, region: str, cluster: str, name: str, list_ev: str) -> None:
    described(
        c,
        acct,
        region,
        T.EKS_NODEGROUP,
        f"arn:aws:eks:{region}:{acct.id}:nodegroup/{cluster}/{name}",
        list_ev,
        lambda: c.call(
            acct, region, "eks", "DescribeNodegroup", {"clusterName": cluster, "nodegroupName": name}
        ),
        _nodegroup,
        name=f"{cluster}/{name}",
    )


SERVICE = Service(
    name="eks",
    fanout="regional",
    operations=("ListClusters", "DescribeCluster", "ListNodegroups", "DescribeNodegroup"),
    produces=(T.EKS_CLUSTER, T.EKS_NODEGROUP),
    collect=collect,
)
