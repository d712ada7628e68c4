"""RDS: DB instances, Aurora and Multi-AZ DB clusters, and manual DB and DB cluster snapshots with
their restore permissions. Neptune and DocumentDB clusters, which the same DescribeDBClusters
lists, are read by their own modules (an engine filter keeps each list to its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, tags
from auditor.runtime import CallFailed

# The engines of RDS DB clusters (Aurora and Multi-AZ DB clusters); neptune and docdb are not.
RDS_CLUSTER_ENGINES = ("aurora", "aurora-mysql", "aurora-postgresql", "mysql", "postgres")


@dataclass(frozen=True)
class _Snapshots:
    """How DB snapshots and DB cluster snapshots are named on the wire (the same shapes otherwise)."""

    type_: str
    noun: str  # DBSnapshot or DBClusterSnapshot
    parent_key: str  # DBInstanceIdentifier or DBClusterIdentifier
    parent_attr: str  # db_instance or db_cluster
    encrypted_key: str  # Encrypted or StorageEncrypted
    arn_kind: str  # snapshot or cluster-snapshot


_DB_SNAPSHOTS = _Snapshots(
    T.RDS_SNAPSHOT, "DBSnapshot", "DBInstanceIdentifier", "db_instance", "Encrypted", "snapshot"
)
_CLUSTER_SNAPSHOTS = _Snapshots(
    T.RDS_CLUSTER_SNAPSHOT,
    "DBClusterSnapshot",
    "DBClusterIdentifier",
    "db_cluster",
    "StorageEncrypted",
    "cluster-snapshot",
)


def collect(c: Collection, acct: Account, region: str) -> None:
    c.submit(acct, region, _rds_instances, c, acct, region)
    c.submit(acct, region, clusters, c, acct, region, "rds", RDS_CLUSTER_ENGINES, T.RDS_CLUSTER)
    c.submit(acct, region, _cluster_snapshots, c, acct, region)
    listed = c.listing(
        acct, region, "rds", "DescribeDBSnapshots", {"SnapshotType": "manual"}, types=(T.RDS_SNAPSHOT,)
    )
    if listed is None:
        return
    for snap in listed.body.get("DBSnapshots", []):
        c.submit(acct, region, _snapshot, c, acct, region, _DB_SNAPSHOTS, snap, listed.evidence)


def _rds_instances(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "rds", "DescribeDBInstances", types=(T.RDS_INSTANCE,))
    if got is None:
        return
    for db in got.body.get("DBInstances", []):
        c.add(
            T.RDS_INSTANCE,
            db["DBInstanceArn"],
            acct,
            region,
            {
                "engine": db.get("Engine"),
                "engine_version": db.get("EngineVersion"),
                "storage_encrypted": bool(db.get("StorageEncrypted")),
                "kms_key_id": db.get("KmsKeyId"),
                "publicly_accessible": bool(db.get("PubliclyAccessible")),
                "backup_retention_period": db.get("BackupRetentionPeriod", 0),
                "multi_az": bool(db.get("MultiAZ")),
                "deletion_protection": bool(db.get("DeletionProtection")),
                "auto_minor_version_upgrade": bool(db.get("AutoMinorVersionUpgrade")),
                "cluster_id": db.get("DBClusterIdentifier"),
            },
            [got.evidence],
            name=db["DBInstanceIdentifier"],
            tags=tags(db.get("TagList")),
        )


def _snapshot(
    c: Collection, acct: Account, region: str, kind: _Snapshots, snap: dict[str, Any], list_ev: str
) -> None:
    sid = snap[f"{kind.noun}Identifier"]
    attrs: dict[str, Any] = {
        "encrypted": bool(snap.get(kind.encrypted_key)),
        kind.parent_attr: snap.get(kind.parent_key),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(acct, region, "rds", f"Describe{kind.noun}Attributes", {f"{kind.noun}Identifier": sid})
        evs.append(got.evidence)
        result = got.body.get(f"{kind.noun}AttributesResult") or {}
        values = [
            v
            for a in result.get(f"{kind.noun}Attributes", [])
            if a.get("AttributeName") == "restore"
            for v in a.get("AttributeValues", [])
        ]
        attrs["public"] = "all" in values
        attrs["shared_with"] = sorted(v for v in values if v != "all")
    except CallFailed as err:
        gaps.update(dict.fromkeys(("public", "shared_with"), err.reason))
    c.add(
        kind.type_,
        snap.get(f"{kind.noun}Arn") or f"arn:aws:rds:{region}:{acct.id}:{kind.arn_kind}:{sid}",
        acct,
        region,
        attrs,
        evs,
        name=sid,
        gaps=gaps,
    )


def clusters(
    c: Collection, acct: Account, region: str, service: str, engines: tuple[str, ...], type_: str
) -> None:
    """The DB clusters of `engines` (DescribeDBClusters of botocore `service`) as `type_`."""
    got = c.listing(
        acct,
        region,
        service,
        "DescribeDBClusters",
        {"Filters": [{"Name": "engine", "Values": list(engines)}]},
        types=(type_,),
    )
    if got is None:
        return
    for db in got.body.get("DBClusters", []):
        if db.get("Engine") not in engines:
            continue
        attrs: dict[str, Any] = {
            "engine": db.get("Engine"),
            "engine_version": db.get("EngineVersion"),
            "storage_encrypted": bool(db.get("StorageEncrypted")),
            "kms_key_id": db.get("KmsKeyId"),
            "backup_retention_period": int(db.get("BackupRetentionPeriod") or 0),
            "deletion_protection": bool(db.get("DeletionProtection")),
            "log_exports": list(db.get("EnabledCloudwatchLogsExports") or []),
        }
        if type_ == T.RDS_CLUSTER:
            attrs["iam_auth"] = bool(db.get("IAMDatabaseAuthenticationEnabled"))
            attrs["publicly_accessible"] = db.get("PubliclyAccessible")
            attrs["auto_minor_version_upgrade"] = db.get("AutoMinorVersionUpgrade")
            attrs["members"] = [m.get("DBInstanceIdentifier") for m in db.get("DBClusterMembers") or []]
        c.add(
            type_,
            db["DBClusterArn"],
            acct,
            region,
            attrs,
            [got.evidence],
            name=db.get("DBClusterIdentifier"),
            tags=tags(db.get("TagList")),
        )


def _cluster_snapshots(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(
        acct,
        region,
        "rds",
        "DescribeDBClusterSnapshots",
        {"SnapshotType": "manual", "Filters": [{"Name": "engine", "Values": list(RDS_CLUSTER_ENGINES)}]},
        types=(T.RDS_CLUSTER_SNAPSHOT,),
    )
    if listed is None:
        return
    for snap in listed.body.get("DBClusterSnapshots", []):
        if snap.get("Engine") in RDS_CLUSTER_ENGINES:
            c.submit(acct, region, _snapshot, c, acct, region, _CLUSTER_SNAPSHOTS, snap, listed.evidence)


SERVICE = Service(
    name="rds",
    fanout="regional",
    operations=(
        "DescribeDBInstances",
        "DescribeDBSnapshots",
        "DescribeDBSnapshotAttributes",
        "DescribeDBClusters",
        "DescribeDBClusterSnapshots",
        "DescribeDBClusterSnapshotAttributes",
    ),
    produces=(
        T.RDS_INSTANCE,
        T.RDS_SNAPSHOT,
        T.RDS_CLUSTER,
        T.RDS_CLUSTER_SNAPSHOT,
    ),
    collect=collect,
)
