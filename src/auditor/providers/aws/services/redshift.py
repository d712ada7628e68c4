"""Redshift: clusters, with audit logging (one DescribeLoggingStatus each) and require_ssl (one
DescribeClusterParameters per distinct parameter group, shared by the clusters using it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, tags, take


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "redshift", "DescribeClusters", types=(T.REDSHIFT_CLUSTER,))
    if listed is None:
        return
    found = listed.body.get("Clusters", [])
    thunks: dict[str, Callable[[], Any]] = {}
    for cl in found:
        cid = cl["ClusterIdentifier"]
        thunks[f"logging:{cid}"] = partial(
            c.call, acct, region, "redshift", "DescribeLoggingStatus", {"ClusterIdentifier": cid}
        )
        for group in _groups(cl):
            thunks.setdefault(
                f"params:{group}",
                partial(
                    c.call,
                    acct,
                    region,
                    "redshift",
                    "DescribeClusterParameters",
                    {"ParameterGroupName": group},
                ),
            )
    c.gather(acct, region, thunks, partial(_build, c, acct, region, found, listed.evidence))


def _groups(cluster: dict[str, Any]) -> list[str]:
    return [
        g["ParameterGroupName"]
        for g in cluster.get("ClusterParameterGroups") or []
        if g.get("ParameterGroupName")
    ]


def _require_ssl(params: dict[str, Any]) -> bool | None:
    for p in params.get("Parameters", []):
        if p.get("ParameterName") == "require_ssl":
            return str(p.get("ParameterValue")).lower() == "true"
    return None


def _build(
    c: Collection, acct: Account, region: str, found: list[dict[str, Any]], list_ev: str, res: Results
) -> None:
    for cl in found:
        cid = cl["ClusterIdentifier"]
        gaps: dict[str, str] = {}
        evs = [list_ev]
        attrs: dict[str, Any] = {
            "encrypted": bool(cl.get("Encrypted")),
            "kms_key_id": cl.get("KmsKeyId"),
            "publicly_accessible": bool(cl.get("PubliclyAccessible")),
            "enhanced_vpc_routing": bool(cl.get("EnhancedVpcRouting")),
            "parameter_groups": _groups(cl),
        }
        logging = take(res, f"logging:{cid}", gaps, ("logging_enabled",), evs)
        if logging is not None:
            attrs["logging_enabled"] = bool(logging.get("LoggingEnabled"))
        settings = [take(res, f"params:{g}", gaps, ("require_ssl",), evs) for g in attrs["parameter_groups"]]
        if "require_ssl" not in gaps:
            values = [v for v in (_require_ssl(s) for s in settings if s is not None) if v is not None]
            attrs["require_ssl"] = all(values) if values else None
        c.add(
            T.REDSHIFT_CLUSTER,
            f"arn:aws:redshift:{region}:{acct.id}:cluster:{cid}",
            acct,
            region,
            attrs,
            evs,
            name=cid,
            gaps=gaps,
            tags=tags(cl.get("Tags")),
        )


SERVICE = Service(
    name="redshift",
    fanout="regional",
    operations=("DescribeClusters", "DescribeLoggingStatus", "DescribeClusterParameters"),
    produces=(T.REDSHIFT_CLUSTER,),
    collect=collect,
)
