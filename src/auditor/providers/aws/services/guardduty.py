"""GuardDuty: the detectors of a region, their status and protection plans, and where their
findings are exported."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, region_id, take

# The legacy DataSources shape, for detectors that predate the Features API.
_DATA_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("S3_DATA_EVENTS", ("S3Logs", "Status")),
    ("EKS_AUDIT_LOGS", ("Kubernetes", "AuditLogs", "Status")),
    ("EBS_MALWARE_PROTECTION", ("MalwareProtection", "ScanEc2InstanceWithFindings", "EbsVolumes", "Status")),
)


def features(detector: dict[str, Any]) -> dict[str, str]:
    """Protection plan -> ENABLED/DISABLED, add-ons as PLAN/ADDON, from Features or DataSources."""
    out: dict[str, str] = {}
    for name, path in _DATA_SOURCES:
        node: Any = detector.get("DataSources") or {}
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str):
            out[name] = node
    for f in detector.get("Features") or []:
        out[str(f.get("Name"))] = str(f.get("Status"))
        for extra in f.get("AdditionalConfiguration") or []:
            out[f"{f.get('Name')}/{extra.get('Name')}"] = str(extra.get("Status"))
    return out


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "guardduty", "ListDetectors", types=(T.GUARDDUTY_REGION,))
    if listed is None:
        return
    ids = listed.body.get("DetectorIds", [])

    def build(res: Results) -> None:
        detectors: list[dict[str, Any]] = []
        destinations: list[dict[str, Any]] = []
        gaps: dict[str, str] = {}
        evs = [listed.evidence]
        for det_id in ids:
            d = take(res, f"detector:{det_id}", gaps, ("detectors",), evs)
            if d is not None:
                detectors.append({"id": det_id, "status": d.get("Status"), "features": features(d)})
            pub = take(res, f"destinations:{det_id}", gaps, ("publishing_destinations",), evs)
            for dest in (pub or {}).get("Destinations", []):
                destinations.append(
                    {"detector_id": det_id, "type": dest.get("DestinationType"), "status": dest.get("Status")}
                )
        attrs: dict[str, Any] = {"detectors": detectors}
        if "publishing_destinations" not in gaps:
            attrs["publishing_destinations"] = destinations
        c.add(
            T.GUARDDUTY_REGION,
            region_id(acct, region, "guardduty"),
            acct,
            region,
            attrs,
            evs,
            name=f"GuardDuty in {region}",
            gaps=gaps,
        )

    thunks: dict[str, Callable[[], Any]] = {}
    for d in ids:
        thunks[f"detector:{d}"] = partial(c.call, acct, region, "guardduty", "GetDetector", {"DetectorId": d})
        thunks[f"destinations:{d}"] = partial(
            c.call, acct, region, "guardduty", "ListPublishingDestinations", {"DetectorId": d}
        )
    c.gather(acct, region, thunks, build)


SERVICE = Service(
    name="guardduty",
    fanout="regional",
    operations=("ListDetectors", "GetDetector", "ListPublishingDestinations"),
    produces=(T.GUARDDUTY_REGION,),
    collect=collect,
)
