"""Security Hub: whether it is enabled in a region."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(
        acct,
        region,
        "securityhub",
        "DescribeHub",
        absent={"InvalidAccessException", "ResourceNotFoundException"},
        types=(T.SECURITYHUB_REGION,),
    )
    if got is None:
        return
    c.add(
        T.SECURITYHUB_REGION,
        region_id(acct, region, "securityhub"),
        acct,
        region,
        {"hub_arn": (got.body or {}).get("HubArn"), "enabled": got.body is not None},
        [got.evidence],
        name=f"Security Hub in {region}",
    )


SERVICE = Service(
    name="securityhub",
    fanout="regional",
    operations=("DescribeHub",),
    produces=(T.SECURITYHUB_REGION,),
    collect=collect,
)
