"""IAM Identity Center (sso-admin): the instances listed in a region."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "sso-admin", "ListInstances", types=(T.SSO_REGION,))
    if got is None:
        return
    instances = [
        {"arn": i.get("InstanceArn"), "owner_account": i.get("OwnerAccountId"), "status": i.get("Status")}
        for i in got.body.get("Instances", [])
    ]
    c.add(
        T.SSO_REGION,
        region_id(acct, region, "sso"),
        acct,
        region,
        {"instances": instances, "has_instance": bool(instances)},
        [got.evidence],
        name=f"IAM Identity Center in {region}",
    )


SERVICE = Service(
    name="sso-admin",
    fanout="regional",
    operations=("ListInstances",),
    produces=(T.SSO_REGION,),
    collect=collect,
)
