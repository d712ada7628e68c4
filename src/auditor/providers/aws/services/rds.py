"""RDS: DB instances, and manual DB snapshots with their restore permissions."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, tags
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    c.submit(acct, region, _rds_instances, c, acct, region)
    listed = c.listing(
        acct, region, "rds", "DescribeDBSnapshots", {"SnapshotType": "manual"}, types=(T.RDS_SNAPSHOT,)
    )
    if listed is None:
        return
    for snap in listed.body.get("DBSnapshots", []):
        c.submit(acct, region, _rds_snapshot, c, acct, region, snap, listed.evidence)


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


def _rds_snapshot(c: Collection, acct: Account, region: str, snap: dict[str, Any], list_ev: str) -> None:
    sid = snap["DBSnapshotIdentifier"]
    attrs: dict[str, Any] = {
        "encrypted": bool(snap.get("Encrypted")),
        "db_instance": snap.get("DBInstanceIdentifier"),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(acct, region, "rds", "DescribeDBSnapshotAttributes", {"DBSnapshotIdentifier": sid})
        evs.append(got.evidence)
        values = [
            v
            for a in (got.body.get("DBSnapshotAttributesResult") or {}).get("DBSnapshotAttributes", [])
            if a.get("AttributeName") == "restore"
            for v in a.get("AttributeValues", [])
        ]
        attrs["public"] = "all" in values
        attrs["shared_with"] = sorted(v for v in values if v != "all")
    except CallFailed as err:
        gaps.update(dict.fromkeys(("public", "shared_with"), err.reason))
    c.add(
        T.RDS_SNAPSHOT,
        snap.get("DBSnapshotArn") or f"arn:aws:rds:{region}:{acct.id}:snapshot:{sid}",
        acct,
        region,
        attrs,
        evs,
        name=sid,
        gaps=gaps,
    )


SERVICE = Service(
    name="rds",
    fanout="regional",
    operations=("DescribeDBInstances", "DescribeDBSnapshots", "DescribeDBSnapshotAttributes"),
    produces=(
        T.RDS_INSTANCE,
        T.RDS_SNAPSHOT,
    ),
    collect=collect,
)
