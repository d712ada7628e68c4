"""ElastiCache: replication groups (Redis, Valkey) and the cache clusters outside any
(Memcached, single-node Redis), with encryption, authentication and backups."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service
from auditor.runtime import CallFailed


def _attrs(kind: str, item: dict[str, Any], engine: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "engine": engine,
        "at_rest_encryption": bool(item.get("AtRestEncryptionEnabled")),
        "transit_encryption": bool(item.get("TransitEncryptionEnabled")),
        "auth_token_enabled": bool(item.get("AuthTokenEnabled")),
        "user_group_ids": list(item.get("UserGroupIds") or []),
        "snapshot_retention_limit": int(item.get("SnapshotRetentionLimit") or 0),
    }


def collect(c: Collection, acct: Account, region: str) -> None:
    c.gather(
        acct,
        region,
        {
            "groups": lambda: c.call(acct, region, "elasticache", "DescribeReplicationGroups"),
            "clusters": lambda: c.call(acct, region, "elasticache", "DescribeCacheClusters"),
        },
        lambda res: _build(c, acct, region, res),
    )


def _build(c: Collection, acct: Account, region: str, res: Results) -> None:
    groups, clusters = res["groups"], res["clusters"]
    engines: dict[str, str] = {}
    if isinstance(clusters, CallFailed):
        c.gap(clusters, acct, region, (T.ELASTICACHE_CLUSTER,))
    else:
        for cc in clusters.body.get("CacheClusters", []):
            if cc.get("ReplicationGroupId"):
                engines.setdefault(cc["ReplicationGroupId"], cc.get("Engine") or "redis")
                continue
            c.add(
                T.ELASTICACHE_CLUSTER,
                cc.get("ARN") or f"arn:aws:elasticache:{region}:{acct.id}:cluster:{cc['CacheClusterId']}",
                acct,
                region,
                _attrs("cache_cluster", cc, cc.get("Engine")),
                [clusters.evidence],
                name=cc["CacheClusterId"],
            )
    if isinstance(groups, CallFailed):
        c.gap(groups, acct, region, (T.ELASTICACHE_CLUSTER,))
        return
    for g in groups.body.get("ReplicationGroups", []):
        gid = g["ReplicationGroupId"]
        c.add(
            T.ELASTICACHE_CLUSTER,
            g.get("ARN") or f"arn:aws:elasticache:{region}:{acct.id}:replicationgroup:{gid}",
            acct,
            region,
            _attrs("replication_group", g, g.get("Engine") or engines.get(gid, "redis")),
            [groups.evidence],
            name=gid,
        )


SERVICE = Service(
    name="elasticache",
    fanout="regional",
    operations=("DescribeReplicationGroups", "DescribeCacheClusters"),
    produces=(T.ELASTICACHE_CLUSTER,),
    collect=collect,
)
