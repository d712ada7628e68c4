"""IAM Access Analyzer: the analyzers of a region."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "accessanalyzer", "ListAnalyzers", types=(T.ACCESSANALYZER_REGION,))
    if got is None:
        return
    c.add(
        T.ACCESSANALYZER_REGION,
        region_id(acct, region, "accessanalyzer"),
        acct,
        region,
        {
            "analyzers": [
                {"name": a.get("name"), "type": a.get("type"), "status": a.get("status")}
                for a in got.body.get("analyzers", [])
            ]
        },
        [got.evidence],
        name=f"IAM Access Analyzer in {region}",
    )


SERVICE = Service(
    name="accessanalyzer",
    fanout="regional",
    operations=("ListAnalyzers",),
    produces=(T.ACCESSANALYZER_REGION,),
    collect=collect,
)
