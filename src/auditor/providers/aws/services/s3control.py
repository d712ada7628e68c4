"""S3 Control (global): the account-level Block Public Access settings."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(
            acct,
            region,
            "s3control",
            "GetPublicAccessBlock",
            {"AccountId": acct.id},
            absent={"NoSuchPublicAccessBlockConfiguration"},
        )
    except CallFailed as err:
        c.gap(err, acct, None, (T.S3_ACCOUNT,))
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
