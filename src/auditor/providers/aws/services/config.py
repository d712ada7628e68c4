"""AWS Config: the configuration recorders of a region, their status, and the delivery channels."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, region_id, take
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    def build(res: Results) -> None:
        for key in ("recorders", "status"):
            if isinstance(res[key], CallFailed):
                c.gap(res[key], acct, region, (T.CONFIG_REGION,))
                return
        recs, stats = res["recorders"], res["status"]
        status = {s["name"]: s for s in stats.body.get("ConfigurationRecordersStatus", [])}
        recorders = []
        for rec in recs.body.get("ConfigurationRecorders", []):
            group = rec.get("recordingGroup") or {}
            st = status.get(rec["name"], {})
            recorders.append(
                {
                    "name": rec["name"],
                    "all_supported": bool(group.get("allSupported")),
                    "include_global_resource_types": bool(group.get("includeGlobalResourceTypes")),
                    "recording": bool(st.get("recording")),
                    "last_status": st.get("lastStatus"),
                }
            )
        attrs: dict[str, Any] = {
            "recorders": recorders,
            "records_global": any(
                r["recording"] and r["all_supported"] and r["include_global_resource_types"]
                for r in recorders
            ),
        }
        gaps: dict[str, str] = {}
        evs = [recs.evidence, stats.evidence]
        channels = take(res, "channels", gaps, ("delivery_channels",), evs)
        if channels is not None:
            attrs["delivery_channels"] = [
                {
                    "name": ch.get("name"),
                    "s3_bucket": ch.get("s3BucketName"),
                    "sns_topic": ch.get("snsTopicARN"),
                }
                for ch in channels.get("DeliveryChannels", [])
            ]
        c.add(
            T.CONFIG_REGION,
            region_id(acct, region, "config"),
            acct,
            region,
            attrs,
            evs,
            name=f"AWS Config in {region}",
            gaps=gaps,
        )

    c.gather(
        acct,
        region,
        {
            "recorders": lambda: c.call(acct, region, "config", "DescribeConfigurationRecorders"),
            "status": lambda: c.call(acct, region, "config", "DescribeConfigurationRecorderStatus"),
            "channels": lambda: c.call(acct, region, "config", "DescribeDeliveryChannels"),
        },
        build,
    )


SERVICE = Service(
    name="config",
    fanout="regional",
    operations=(
        "DescribeConfigurationRecorders",
        "DescribeConfigurationRecorderStatus",
        "DescribeDeliveryChannels",
    ),
    produces=(T.CONFIG_REGION,),
    collect=collect,
)
