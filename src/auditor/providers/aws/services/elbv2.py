"""Elastic Load Balancing v2: load balancers, with listeners and attributes."""

from __future__ import annotations

from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, take


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "elbv2", "DescribeLoadBalancers", types=(T.ELB_LOAD_BALANCER,))
    if listed is None:
        return
    for lb in listed.body.get("LoadBalancers", []):
        arn = lb["LoadBalancerArn"]
        c.gather(
            acct,
            region,
            {
                "listeners": partial(
                    c.call, acct, region, "elbv2", "DescribeListeners", {"LoadBalancerArn": arn}
                ),
                "attributes": partial(
                    c.call, acct, region, "elbv2", "DescribeLoadBalancerAttributes", {"LoadBalancerArn": arn}
                ),
            },
            partial(_build_load_balancer, c, acct, region, lb, listed.evidence),
        )


def _build_load_balancer(
    c: Collection, acct: Account, region: str, lb: dict[str, Any], list_ev: str, res: Results
) -> None:
    gaps: dict[str, str] = {}
    evs = [list_ev]
    listeners = take(res, "listeners", gaps, ("listeners",), evs)
    lb_attrs = take(res, "attributes", gaps, ("access_logs_enabled", "deletion_protection"), evs)
    attrs: dict[str, Any] = {
        "type": lb.get("Type", "application"),
        "scheme": lb.get("Scheme"),
        "dns_name": lb.get("DNSName"),
    }
    if listeners is not None:
        attrs["listeners"] = [
            {
                "port": li.get("Port"),
                "protocol": li.get("Protocol"),
                "ssl_policy": li.get("SslPolicy"),
                "redirects_to_https": any(
                    a.get("Type") == "redirect" and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
                    for a in li.get("DefaultActions", [])
                ),
            }
            for li in listeners.get("Listeners", [])
        ]
    if lb_attrs is not None:
        kv = {a["Key"]: a.get("Value") for a in lb_attrs.get("Attributes", [])}
        attrs["access_logs_enabled"] = kv.get("access_logs.s3.enabled") == "true"
        attrs["deletion_protection"] = kv.get("deletion_protection.enabled") == "true"
    c.add(
        T.ELB_LOAD_BALANCER,
        lb["LoadBalancerArn"],
        acct,
        region,
        attrs,
        evs,
        name=lb.get("LoadBalancerName"),
        gaps=gaps,
    )


SERVICE = Service(
    name="elbv2",
    fanout="regional",
    operations=("DescribeLoadBalancers", "DescribeListeners", "DescribeLoadBalancerAttributes"),
    produces=(T.ELB_LOAD_BALANCER,),
    collect=collect,
)
