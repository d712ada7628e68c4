"""CloudWatch: metric alarms, with the metrics they watch and the actions they notify."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service


def _metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm watches: its own, or every metric of its metric-math expression."""
    out = []
    if alarm.get("MetricName"):
        out.append({"namespace": alarm.get("Namespace"), "name": alarm["MetricName"]})
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            out.append({"namespace": metric.get("Namespace"), "name": metric["MetricName"]})
    return out


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "cloudwatch", "DescribeAlarms", types=(T.CLOUDWATCH_ALARM,))
    if got is None:
        return
    for a in got.body.get("MetricAlarms", []):
        c.add(
            T.CLOUDWATCH_ALARM,
            a["AlarmArn"],
            acct,
            region,
            {
                "actions_enabled": bool(a.get("ActionsEnabled", True)),
                "alarm_actions": list(a.get("AlarmActions") or []),
                "metrics": _metrics(a),
                "metric": f"{a.get('Namespace')}/{a['MetricName']}" if a.get("MetricName") else None,
                "state": a.get("StateValue"),
            },
            [got.evidence],
            name=a.get("AlarmName"),
        )


SERVICE = Service(
    name="cloudwatch",
    fanout="regional",
    operations=("DescribeAlarms",),
    produces=(T.CLOUDWATCH_ALARM,),
    collect=collect,
)
