"""ACM: certificates and their expiry."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, iso
from auditor.runtime import CallFailed

_ACM_KEY_TYPES = [
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
]


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(
        acct,
        region,
        "acm",
        "ListCertificates",
        {"Includes": {"keyTypes": _ACM_KEY_TYPES}},
        types=(T.ACM_CERTIFICATE,),
    )
    if listed is None:
        return
    for cert in listed.body.get("CertificateSummaryList", []):
        if cert.get("NotAfter") is not None or cert.get("Status") not in ("ISSUED", None):
            _acm_resource(c, acct, region, cert, [listed.evidence])
        else:
            c.submit(acct, region, _acm_describe, c, acct, region, cert, listed.evidence)


def _acm_describe(c: Collection, acct: Account, region: str, cert: dict[str, Any], list_ev: str) -> None:
    try:
        got = c.call(acct, region, "acm", "DescribeCertificate", {"CertificateArn": cert["CertificateArn"]})
    except CallFailed as err:
        _acm_resource(c, acct, region, cert, [list_ev], gap=err.reason)
        return
    _acm_resource(c, acct, region, {**cert, **got.body.get("Certificate", {})}, [list_ev, got.evidence])


def _acm_resource(
    c: Collection, acct: Account, region: str, cert: dict[str, Any], evs: list[str], gap: str | None = None
) -> None:
    c.add(
        T.ACM_CERTIFICATE,
        cert["CertificateArn"],
        acct,
        region,
        {
            "domain_name": cert.get("DomainName"),
            "status": cert.get("Status"),
            "not_after": iso(cert.get("NotAfter")),
            "in_use": cert.get("InUse"),
            "type": cert.get("Type"),
        },
        evs,
        name=cert.get("DomainName"),
        gaps={"not_after": gap} if gap else None,
    )


SERVICE = Service(
    name="acm",
    fanout="regional",
    operations=("ListCertificates", "DescribeCertificate"),
    produces=(T.ACM_CERTIFICATE,),
    conditional={
        "DescribeCertificate": "only for issued certificates ListCertificates returns without NotAfter",
    },
    collect=collect,
)
