"""CloudTrail: each region's trails, with status and event selectors. The account-wide view
(aws.cloudtrail.account) is derived from these afterwards (providers/aws/derive.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, take


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(
        acct,
        region,
        "cloudtrail",
        "DescribeTrails",
        {"includeShadowTrails": False},
        types=(T.CLOUDTRAIL_TRAIL,),
    )
    if listed is None:
        return
    for t in listed.body.get("trailList", []):
        arn = t["TrailARN"]
        thunks = {
            "status": partial(c.call, acct, region, "cloudtrail", "GetTrailStatus", {"Name": arn}),
            "selectors": partial(c.call, acct, region, "cloudtrail", "GetEventSelectors", {"TrailName": arn}),
        }
        c.gather(acct, region, thunks, partial(_build_trail, c, acct, region, t, listed.evidence))


def _management_events(sel: dict[str, Any]) -> str | None:
    """The ReadWriteType of management events the trail records (None: none)."""
    kinds = set()
    for s in sel.get("EventSelectors") or []:
        if s.get("IncludeManagementEvents", True):
            kinds.add(s.get("ReadWriteType", "All"))
    for a in sel.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in a.get("FieldSelectors", [])}
        cat = fields.get("eventCategory", {}).get("Equals") or []
        if "Management" in cat:
            ro = fields.get("readOnly", {}).get("Equals")
            kinds.add("All" if not ro else ("ReadOnly" if ro == ["true"] else "WriteOnly"))
    if not sel.get("EventSelectors") and not sel.get("AdvancedEventSelectors"):
        return "All"  # no selectors configured: the trail's default records all management events
    if "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds:
        return "All"
    return next(iter(kinds), None)


def _build_trail(
    c: Collection, acct: Account, region: str, t: dict[str, Any], list_ev: str, res: Results
) -> None:
    gaps: dict[str, str] = {}
    ev = [list_ev]
    status = take(res, "status", gaps, ("is_logging",), ev)
    sel = take(res, "selectors", gaps, ("management_events",), ev)
    attrs: dict[str, Any] = {
        "arn": t["TrailARN"],
        "home_region": t.get("HomeRegion", region),
        "is_multi_region": bool(t.get("IsMultiRegionTrail")),
        "is_organization_trail": bool(t.get("IsOrganizationTrail")),
        "log_file_validation": bool(t.get("LogFileValidationEnabled")),
        "kms_key_id": t.get("KmsKeyId"),
        "cloudwatch_logs_log_group_arn": t.get("CloudWatchLogsLogGroupArn"),
        "s3_bucket": t.get("S3BucketName"),
    }
    if status is not None:
        attrs["is_logging"] = bool(status.get("IsLogging"))
    if sel is not None:
        attrs["management_events"] = _management_events(sel)
    c.add(T.CLOUDTRAIL_TRAIL, t["TrailARN"], acct, region, attrs, ev, name=t.get("Name"), gaps=gaps)


SERVICE = Service(
    name="cloudtrail",
    fanout="regional",
    operations=("DescribeTrails", "GetTrailStatus", "GetEventSelectors"),
    produces=(T.CLOUDTRAIL_TRAIL,),
    collect=collect,
)
