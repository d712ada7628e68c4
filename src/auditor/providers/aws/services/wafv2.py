"""WAFv2: web ACLs and whether they are logged. Regional ACLs in every region; CloudFront-scope
ACLs in us-east-1, the one region AWS serves them from (a scan without us-east-1 does not read them).
ListWebACLs and ListLoggingConfigurations have no botocore paginator: NextMarker is followed here."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service
from auditor.runtime import CallFailed

CLOUDFRONT_REGION = "us-east-1"


def _pages(
    c: Collection, acct: Account, region: str, operation: str, scope: str, key: str
) -> tuple[list[Any], list[str]]:
    """Every item of a NextMarker listing, and the evidence of each page."""
    items: list[Any] = []
    evidence: list[str] = []
    params: dict[str, Any] = {"Scope": scope, "Limit": 100}
    while True:
        got = c.call(acct, region, "wafv2", operation, params)
        evidence.append(got.evidence)
        items.extend(got.body.get(key, []))
        marker = got.body.get("NextMarker")
        if not marker or not got.body.get(key):
            return items, evidence
        params = {**params, "NextMarker": marker}


def collect(c: Collection, acct: Account, region: str) -> None:
    scopes = ["REGIONAL", *(["CLOUDFRONT"] if region == CLOUDFRONT_REGION else [])]
    thunks: dict[str, Callable[[], Any]] = {}
    for scope in scopes:
        thunks[f"acls:{scope}"] = partial(_pages, c, acct, region, "ListWebACLs", scope, "WebACLs")
        thunks[f"logging:{scope}"] = partial(
            _pages, c, acct, region, "ListLoggingConfigurations", scope, "LoggingConfigurations"
        )
    c.gather(acct, region, thunks, partial(_build, c, acct, region, scopes))


def _build(c: Collection, acct: Account, region: str, scopes: list[str], res: Results) -> None:
    for scope in scopes:
        acls, logging = res[f"acls:{scope}"], res[f"logging:{scope}"]
        if isinstance(acls, CallFailed):
            c.gap(acls, acct, region, (T.WAF_WEB_ACL,))
            continue
        gaps: dict[str, str] = {}
        found, evs = acls
        destinations: dict[str, list[str]] = {}
        if isinstance(logging, CallFailed):
            gaps["logging_destinations"] = logging.reason
        else:
            configs, log_evs = logging
            evs = [*evs, *log_evs]
            destinations = {
                cfg["ResourceArn"]: list(cfg.get("LogDestinationConfigs") or []) for cfg in configs
            }
        for acl in found:
            attrs: dict[str, Any] = {"scope": scope}
            if not gaps:
                attrs["logging_destinations"] = destinations.get(acl["ARN"], [])
            c.add(T.WAF_WEB_ACL, acl["ARN"], acct, region, attrs, evs, name=acl.get("Name"), gaps=dict(gaps))


SERVICE = Service(
    name="wafv2",
    fanout="regional",
    operations=("ListWebACLs", "ListLoggingConfigurations"),
    produces=(T.WAF_WEB_ACL,),
    collect=collect,
)
