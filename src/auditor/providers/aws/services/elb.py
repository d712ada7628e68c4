"""Classic Elastic Load Balancing: load balancers, with listeners, their TLS policies and attributes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, take

_TLS = ("HTTPS", "SSL")
_WEAK_PROTOCOLS = ("Protocol-SSLv2", "Protocol-SSLv3", "Protocol-TLSv1", "Protocol-TLSv1.1")


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "elb", "DescribeLoadBalancers", types=(T.CLASSIC_ELB,))
    if listed is None:
        return
    for lb in listed.body.get("LoadBalancerDescriptions", []):
        name = lb["LoadBalancerName"]
        thunks: dict[str, Callable[[], Any]] = {
            "attributes": partial(
                c.call, acct, region, "elb", "DescribeLoadBalancerAttributes", {"LoadBalancerName": name}
            )
        }
        if any(
            (d.get("Listener") or {}).get("Protocol", "").upper() in _TLS
            for d in lb.get("ListenerDescriptions", [])
        ):
            thunks["policies"] = partial(
                c.call, acct, region, "elb", "DescribeLoadBalancerPolicies", {"LoadBalancerName": name}
            )
        c.gather(acct, region, thunks, partial(_build, c, acct, region, lb, listed.evidence))


def _tls_policy(names: list[str], policies: dict[str, dict[str, Any]]) -> tuple[str | None, list[str]]:
    """The listener's reference security policy (or custom:NAME) and the weak protocols it enables."""
    for n in names:
        p = policies.get(n)
        if p is None or p.get("PolicyTypeName") != "SSLNegotiationPolicyType":
            continue
        kv = {
            a.get("AttributeName"): a.get("AttributeValue") for a in p.get("PolicyAttributeDescriptions", [])
        }
        weak = [k.removeprefix("Protocol-") for k in _WEAK_PROTOCOLS if str(kv.get(k)).lower() == "true"]
        return kv.get("Reference-Security-Policy") or f"custom:{n}", weak
    return None, []


def _build(c: Collection, acct: Account, region: str, lb: dict[str, Any], list_ev: str, res: Results) -> None:
    gaps: dict[str, str] = {}
    evs = [list_ev]
    lb_attrs = take(res, "attributes", gaps, ("access_logs_enabled", "cross_zone"), evs)
    policies = take(res, "policies", gaps, ("listeners",), evs) if "policies" in res else {}
    attrs: dict[str, Any] = {"scheme": lb.get("Scheme")}
    if policies is not None:
        by_name = {p.get("PolicyName"): p for p in (policies or {}).get("PolicyDescriptions", [])}
        listeners = []
        for d in lb.get("ListenerDescriptions", []):
            li = d.get("Listener") or {}
            ref, weak = _tls_policy(d.get("PolicyNames") or [], by_name)
            listeners.append(
                {
                    "port": li.get("LoadBalancerPort"),
                    "protocol": str(li.get("Protocol", "")).upper(),
                    "instance_protocol": str(li.get("InstanceProtocol", "")).upper() or None,
                    "reference_policy": ref,
                    "weak_protocols": weak,
                }
            )
        attrs["listeners"] = listeners
    if lb_attrs is not None:
        a = lb_attrs.get("LoadBalancerAttributes") or {}
        attrs["access_logs_enabled"] = bool((a.get("AccessLog") or {}).get("Enabled"))
        attrs["cross_zone"] = bool((a.get("CrossZoneLoadBalancing") or {}).get("Enabled"))
    c.add(
        T.CLASSIC_ELB,
        f"arn:aws:elasticloadbalancing:{region}:{acct.id}:loadbalancer/{lb['LoadBalancerName']}",
        acct,
        region,
        attrs,
        evs,
        name=lb["LoadBalancerName"],
        gaps=gaps,
    )


SERVICE = Service(
    name="elb",
    fanout="regional",
    operations=("DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeLoadBalancerPolicies"),
    produces=(T.CLASSIC_ELB,),
    collect=collect,
)
