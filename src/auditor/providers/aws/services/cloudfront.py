"""CloudFront (global): distributions, with their viewer protocol and TLS settings."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(
        acct, region, "cloudfront", "ListDistributions", types=(T.CLOUDFRONT_DISTRIBUTION,), account_wide=True
    )
    if got is None:
        return
    for d in (got.body.get("DistributionList") or {}).get("Items", []) or []:
        behaviors = [d.get("DefaultCacheBehavior", {}), *((d.get("CacheBehaviors") or {}).get("Items") or [])]
        cert = d.get("ViewerCertificate") or {}
        c.add(
            T.CLOUDFRONT_DISTRIBUTION,
            d["ARN"],
            acct,
            None,
            {
                "domain_name": d.get("DomainName"),
                "viewer_protocol_policies": [b.get("ViewerProtocolPolicy") for b in behaviors],
                "default_certificate": bool(cert.get("CloudFrontDefaultCertificate")),
                "minimum_protocol_version": cert.get("MinimumProtocolVersion"),
                "aliases": (d.get("Aliases") or {}).get("Items") or [],
            },
            [got.evidence],
            name=d.get("Id"),
        )


SERVICE = Service(
    name="cloudfront",
    fanout="global",
    operations=("ListDistributions",),
    produces=(T.CLOUDFRONT_DISTRIBUTION,),
    collect=collect,
)
