"""S3 Control (global): the account-level Block Public Access settings."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(
        acct,
        region,
        "s3control",
        "GetPublicAccessBlock",
        {"AccountId": acct.id},
        absent={"NoSuchPublicAccessBlockConfiguration"},
        types=(T.S3_ACCOUNT,),
        account_wide=True,
    )
    if got is None:
        return
    c.add(
        T.S3_ACCOUNT,
        acct.id,
        acct,
        None,
        {"public_access_block": (got.body or {}).get("PublicAccessBlockConfiguration")},
        [got.evidence],
        name=f"S3 settings of {acct.id}",
    )


SERVICE = Service(
    name="s3control",
    fanout="global",
    operations=("GetPublicAccessBlock",),
    produces=(T.S3_ACCOUNT,),
    collect=collect,
)
