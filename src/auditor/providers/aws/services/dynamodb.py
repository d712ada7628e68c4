"""DynamoDB: tables, with encryption and point-in-time recovery."""

from __future__ import annotations

from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, take


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "dynamodb", "ListTables", types=(T.DYNAMODB_TABLE,))
    if listed is None:
        return
    for name in listed.body.get("TableNames", []):
        c.gather(
            acct,
            region,
            {
                "table": partial(c.call, acct, region, "dynamodb", "DescribeTable", {"TableName": name}),
                "backups": partial(
                    c.call, acct, region, "dynamodb", "DescribeContinuousBackups", {"TableName": name}
                ),
            },
            partial(_build_table, c, acct, region, name, listed.evidence),
        )


def _build_table(c: Collection, acct: Account, region: str, name: str, list_ev: str, res: Results) -> None:
    gaps: dict[str, str] = {}
    evs = [list_ev]
    desc = take(res, "table", gaps, ("sse_type", "kms_key_arn"), evs)
    cb = take(res, "backups", gaps, ("pitr_status",), evs)
    attrs: dict[str, Any] = {"table_name": name}
    arn = f"arn:aws:dynamodb:{region}:{acct.id}:table/{name}"
    if desc is not None:
        t = desc.get("Table", {})
        arn = t.get("TableArn", arn)
        sse = t.get("SSEDescription") or {}
        attrs["sse_type"] = sse.get("SSEType") if sse.get("Status") in ("ENABLED", "UPDATING") else None
        attrs["kms_key_arn"] = sse.get("KMSMasterKeyArn")
    if cb is not None:
        pitr = (cb.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {}
        attrs["pitr_status"] = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
    c.add(T.DYNAMODB_TABLE, arn, acct, region, attrs, evs, name=name, gaps=gaps)


SERVICE = Service(
    name="dynamodb",
    fanout="regional",
    operations=("ListTables", "DescribeTable", "DescribeContinuousBackups"),
    produces=(T.DYNAMODB_TABLE,),
    collect=collect,
)
