"""Neptune: DB clusters (DescribeDBClusters filtered to the neptune engine)."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service
from auditor.providers.aws.services.rds import clusters


def collect(c: Collection, acct: Account, region: str) -> None:
    clusters(c, acct, region, "neptune", ("neptune",), T.NEPTUNE_CLUSTER)


SERVICE = Service(
    name="neptune",
    fanout="regional",
    operations=("DescribeDBClusters",),
    produces=(T.NEPTUNE_CLUSTER,),
    collect=collect,
)
