"""DocumentDB: clusters (DescribeDBClusters filtered to the docdb engine)."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service
from auditor.providers.aws.services.rds import clusters


def collect(c: Collection, acct: Account, region: str) -> None:
    clusters(c, acct, region, "docdb", ("docdb",), T.DOCDB_CLUSTER)


SERVICE = Service(
    name="docdb",
    fanout="regional",
    operations=("DescribeDBClusters",),
    produces=(T.DOCDB_CLUSTER,),
    collect=collect,
)
