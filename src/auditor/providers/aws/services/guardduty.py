"""GuardDuty: the detectors of a region and their status."""

from __future__ import annotations

from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, region_id, take


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "guardduty", "ListDetectors", types=(T.GUARDDUTY_REGION,))
    if listed is None:
        return
    ids = listed.body.get("DetectorIds", [])

    def build(res: Results) -> None:
        detectors: list[dict[str, Any]] = []
        gaps: dict[str, str] = {}
        evs = [listed.evidence]
        for det_id in ids:
            d = take(res, det_id, gaps, ("detectors",), evs)
            if d is not None:
                detectors.append({"id": det_id, "status": d.get("Status")})
        c.add(
            T.GUARDDUTY_REGION,
            region_id(acct, region, "guardduty"),
            acct,
            region,
            {"detectors": detectors},
            evs,
            name=f"GuardDuty in {region}",
            gaps=gaps,
        )

    c.gather(
        acct,
        region,
        {d: partial(c.call, acct, region, "guardduty", "GetDetector", {"DetectorId": d}) for d in ids},
        build,
    )


SERVICE = Service(
    name="guardduty",
    fanout="regional",
    operations=("ListDetectors", "GetDetector"),
    produces=(T.GUARDDUTY_REGION,),
    collect=collect,
)
