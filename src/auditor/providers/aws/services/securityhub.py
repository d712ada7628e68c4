"""Security Hub: whether it is enabled in a region."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(
            acct,
            region,
            "securityhub",
            "DescribeHub",
            absent={"InvalidAccessException", "ResourceNotFoundException"},
        )
    except CallFailed as err:
        c.gap(err, acct, region, (T.SECURITYHUB_REGION,))
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
