"""EFS: file systems and their encryption."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, tags


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "efs", "DescribeFileSystems", types=(T.EFS_FILE_SYSTEM,))
    if got is None:
        return
    for fs in got.body.get("FileSystems", []):
        c.add(
            T.EFS_FILE_SYSTEM,
            fs.get("FileSystemArn")
            or f"arn:aws:elasticfilesystem:{region}:{acct.id}:file-system/{fs['FileSystemId']}",
            acct,
            region,
            {"encrypted": bool(fs.get("Encrypted")), "kms_key_id": fs.get("KmsKeyId")},
            [got.evidence],
            name=fs.get("Name") or fs["FileSystemId"],
            tags=tags(fs.get("Tags")),
        )


SERVICE = Service(
    name="efs",
    fanout="regional",
    operations=("DescribeFileSystems",),
    produces=(T.EFS_FILE_SYSTEM,),
    collect=collect,
)
