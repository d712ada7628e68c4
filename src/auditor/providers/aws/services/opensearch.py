"""OpenSearch Service: OpenSearch and Elasticsearch domains (DescribeDomains takes five names a call)."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, unread
from auditor.runtime import CallFailed

_BATCH = 5  # the most names DescribeDomains accepts


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "opensearch", "ListDomainNames", types=(T.OPENSEARCH_DOMAIN,))
    if listed is None:
        return
    names = sorted(d["DomainName"] for d in listed.body.get("DomainNames", []))
    for i in range(0, len(names), _BATCH):
        c.submit(acct, region, _describe, c, acct, region, names[i : i + _BATCH], listed.evidence)


def _attrs(d: dict[str, Any]) -> dict[str, Any]:
    endpoint = d.get("DomainEndpointOptions") or {}
    vpc = d.get("VPCOptions") or {}
    audit = (d.get("LogPublishingOptions") or {}).get("AUDIT_LOGS") or {}
    return {
        "engine_version": d.get("EngineVersion") or d.get("ElasticsearchVersion"),
        "encryption_at_rest": bool((d.get("EncryptionAtRestOptions") or {}).get("Enabled")),
        "node_to_node_encryption": bool((d.get("NodeToNodeEncryptionOptions") or {}).get("Enabled")),
        "enforce_https": bool(endpoint.get("EnforceHTTPS")),
        "tls_policy": endpoint.get("TLSSecurityPolicy"),
        "vpc_id": vpc.get("VPCId"),
        "in_vpc": bool(vpc.get("SubnetIds") or vpc.get("VPCId")),
        "fine_grained_access": bool((d.get("AdvancedSecurityOptions") or {}).get("Enabled")),
        "audit_logs": bool(audit.get("Enabled")),
    }


def _describe(c: Collection, acct: Account, region: str, names: list[str], list_ev: str) -> None:
    try:
        got = c.call(acct, region, "opensearch", "DescribeDomains", {"DomainNames": names})
    except CallFailed as err:
        for name in names:
            c.add(
                T.OPENSEARCH_DOMAIN,
                f"arn:aws:es:{region}:{acct.id}:domain/{name}",
                acct,
                region,
                {},
                [list_ev],
                name=name,
                gaps=unread(T.OPENSEARCH_DOMAIN, err),
            )
        return
    for d in got.body.get("DomainStatusList", []):
        c.add(
            T.OPENSEARCH_DOMAIN,
            d.get("ARN") or f"arn:aws:es:{region}:{acct.id}:domain/{d['DomainName']}",
            acct,
            region,
            _attrs(d),
            [list_ev, got.evidence],
            name=d["DomainName"],
        )


SERVICE = Service(
    name="opensearch",
    fanout="regional",
    operations=("ListDomainNames", "DescribeDomains"),
    produces=(T.OPENSEARCH_DOMAIN,),
    collect=collect,
)
