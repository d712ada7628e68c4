"""CloudFront (global): distributions, with their viewer protocol and TLS settings, WAF, S3
origins and (one GetDistributionConfig each, ListDistributions does not say) access logging."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service
from auditor.runtime import CallFailed


def _is_s3(origin: dict[str, Any]) -> bool:
    domain = str(origin.get("DomainName", ""))
    website = ".s3-website" in domain
    return "S3OriginConfig" in origin or (
        not website and (".s3." in domain or domain.endswith(".s3.amazonaws.com"))
    )


def _s3_origins(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": o.get("Id"),
            "domain": o.get("DomainName"),
            "oac": o.get("OriginAccessControlId") or None,
            "oai": (o.get("S3OriginConfig") or {}).get("OriginAccessIdentity") or None,
        }
        for o in (d.get("Origins") or {}).get("Items") or []
        if _is_s3(o)
    ]


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(
        acct, region, "cloudfront", "ListDistributions", types=(T.CLOUDFRONT_DISTRIBUTION,), account_wide=True
    )
    if got is None:
        return
    for d in (got.body.get("DistributionList") or {}).get("Items", []) or []:
        c.submit(acct, None, _distribution, c, acct, region, d, got.evidence)


def _distribution(c: Collection, acct: Account, region: str, d: dict[str, Any], list_ev: str) -> None:
    behaviors = [d.get("DefaultCacheBehavior", {}), *((d.get("CacheBehaviors") or {}).get("Items") or [])]
    cert = d.get("ViewerCertificate") or {}
    attrs: dict[str, Any] = {
        "domain_name": d.get("DomainName"),
        "viewer_protocol_policies": [b.get("ViewerProtocolPolicy") for b in behaviors],
        "default_certificate": bool(cert.get("CloudFrontDefaultCertificate")),
        "minimum_protocol_version": cert.get("MinimumProtocolVersion"),
        "aliases": (d.get("Aliases") or {}).get("Items") or [],
        "web_acl_id": d.get("WebACLId") or None,
        "s3_origins": _s3_origins(d),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        config = c.call(acct, region, "cloudfront", "GetDistributionConfig", {"Id": d["Id"]})
        evs.append(config.evidence)
        attrs["logging_enabled"] = bool(
            ((config.body.get("DistributionConfig") or {}).get("Logging") or {}).get("Enabled")
        )
    except CallFailed as err:
        gaps["logging_enabled"] = err.reason
    name = (
        attrs["aliases"][0] if attrs["aliases"] else d.get("Id")
    )  # the alternate domain name says what it is
    c.add(T.CLOUDFRONT_DISTRIBUTION, d["ARN"], acct, None, attrs, evs, name=name, gaps=gaps)


SERVICE = Service(
    name="cloudfront",
    fanout="global",
    operations=("ListDistributions", "GetDistributionConfig"),
    produces=(T.CLOUDFRONT_DISTRIBUTION,),
    collect=collect,
)
