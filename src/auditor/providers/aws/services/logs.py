"""CloudWatch Logs: log groups, with retention and encryption."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "logs", "DescribeLogGroups", types=(T.LOGS_GROUP,))
    if got is None:
        return
    for g in got.body.get("logGroups", []):
        arn = (
            g.get("arn", "").removesuffix(":*")
            or f"arn:aws:logs:{region}:{acct.id}:log-group:{g['logGroupName']}"
        )
        c.add(
            T.LOGS_GROUP,
            arn,
            acct,
            region,
            {"retention_in_days": g.get("retentionInDays"), "kms_key_id": g.get("kmsKeyId")},
            [got.evidence],
            name=g["logGroupName"],
        )


SERVICE = Service(
    name="logs",
    fanout="regional",
    operations=("DescribeLogGroups",),
    produces=(T.LOGS_GROUP,),
    collect=collect,
)
