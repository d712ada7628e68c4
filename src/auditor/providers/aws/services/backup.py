"""AWS Backup: the backup plans of a region."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "backup", "ListBackupPlans", types=(T.BACKUP_REGION,))
    if got is None:
        return
    c.add(
        T.BACKUP_REGION,
        region_id(acct, region, "backup"),
        acct,
        region,
        {
            "plans": [
                {
                    "name": p.get("BackupPlanName"),
                    "id": p.get("BackupPlanId"),
                    "deleted": bool(p.get("DeletionDate")),
                }
                for p in got.body.get("BackupPlansList", [])
            ]
        },
        [got.evidence],
        name=f"AWS Backup in {region}",
    )


SERVICE = Service(
    name="backup",
    fanout="regional",
    operations=("ListBackupPlans",),
    produces=(T.BACKUP_REGION,),
    collect=collect,
)
