"""AWS Config: the configuration recorders of a region and their status."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, region_id
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    def build(res: Results) -> None:
        for v in res.values():
            if isinstance(v, CallFailed):
                c.gap(v, acct, region, (T.CONFIG_REGION,))
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
        c.add(
            T.CONFIG_REGION,
            region_id(acct, region, "config"),
            acct,
            region,
            {"recorders": recorders},
            [recs.evidence, stats.evidence],
            name=f"AWS Config in {region}",
        )

    c.gather(
        acct,
        region,
        {
            "recorders": lambda: c.call(acct, region, "config", "DescribeConfigurationRecorders"),
            "status": lambda: c.call(acct, region, "config", "DescribeConfigurationRecorderStatus"),
        },
        build,
    )


SERVICE = Service(
    name="config",
    fanout="regional",
    operations=("DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus"),
    produces=(T.CONFIG_REGION,),
    collect=collect,
)
