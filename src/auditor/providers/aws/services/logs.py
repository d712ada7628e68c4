"""CloudWatch Logs: log groups, with retention, encryption and their metric filters."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, take
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    c.gather(
        acct,
        region,
        {
            "groups": lambda: c.call(acct, region, "logs", "DescribeLogGroups"),
            "filters": lambda: c.call(acct, region, "logs", "DescribeMetricFilters"),
        },
        lambda res: _build(c, acct, region, res),
    )


def _build(c: Collection, acct: Account, region: str, res: Results) -> None:
    groups = res["groups"]
    if isinstance(groups, CallFailed):
        c.gap(groups, acct, region, (T.LOGS_GROUP,))
        return
    gaps: dict[str, str] = {}
    evs = [groups.evidence]
    filters = take(res, "filters", gaps, ("metric_filters",), evs)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in (filters or {}).get("metricFilters", []):
        by_group[f.get("logGroupName", "")].append(
            {
                "name": f.get("filterName"),
                "pattern": f.get("filterPattern") or "",
                "metrics": [
                    {"namespace": m.get("metricNamespace"), "name": m.get("metricName")}
                    for m in f.get("metricTransformations") or []
                ],
            }
        )
    for g in groups.body.get("logGroups", []):
        name = g["logGroupName"]
        arn = g.get("arn", "").removesuffix(":*") or f"arn:aws:logs:{region}:{acct.id}:log-group:{name}"
        attrs: dict[str, Any] = {
            "retention_in_days": g.get("retentionInDays"),
            "kms_key_id": g.get("kmsKeyId"),
        }
        if filters is not None:
            attrs["metric_filters"] = by_group.get(name, [])
        c.add(T.LOGS_GROUP, arn, acct, region, attrs, evs, name=name, gaps=dict(gaps))


SERVICE = Service(
    name="logs",
    fanout="regional",
    operations=("DescribeLogGroups", "DescribeMetricFilters"),
    produces=(T.LOGS_GROUP,),
    collect=collect,
)
