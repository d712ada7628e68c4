"""Security Hub: whether it is enabled in a region, and which standards are enabled there."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id
from auditor.runtime import CallFailed


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
    attrs: dict[str, Any] = {"hub_arn": (got.body or {}).get("HubArn"), "enabled": got.body is not None}
    gaps: dict[str, str] = {}
    evs = [got.evidence]
    if got.body is not None:
        try:
            standards = c.call(acct, region, "securityhub", "GetEnabledStandards")
            evs.append(standards.evidence)
            attrs["standards"] = [
                {"arn": s.get("StandardsArn"), "status": s.get("StandardsStatus")}
                for s in standards.body.get("StandardsSubscriptions", [])
            ]
        except CallFailed as err:
            gaps["standards"] = err.reason
    c.add(
        T.SECURITYHUB_REGION,
        region_id(acct, region, "securityhub"),
        acct,
        region,
        attrs,
        evs,
        name=f"Security Hub in {region}",
        gaps=gaps,
    )


SERVICE = Service(
    name="securityhub",
    fanout="regional",
    operations=("DescribeHub", "GetEnabledStandards"),
    produces=(T.SECURITYHUB_REGION,),
    collect=collect,
)
