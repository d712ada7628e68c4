"""VPC: network ACLs open to remote administration, peering routes wider than the peer, and
instances running in a default VPC."""

from __future__ import annotations

import ipaddress
from typing import Any

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    errored,
    failed,
    need,
    not_applicable,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.aws import resources as T

checks = CheckSet("aws")
WORLD = ("0.0.0.0/0", "::/0")
ADMIN_PORTS = (22, 3389)


def _entry_covers(e: dict[str, Any], port: int) -> bool:
    """An ingress rule for TCP (or all protocols) whose port range includes `port`."""
    if e.get("egress") or str(e.get("protocol")) not in ("-1", "6", "tcp", "all"):
        return False
    lo, hi = e.get("from_port"), e.get("to_port")
    return lo is None or hi is None or int(lo) <= port <= int(hi)


def open_admin_ports(acl: Resource) -> list[str]:
    """`port from cidr` for each admin port the first matching rule (by rule number) allows from the internet."""
    entries = sorted(
        (e for e in need(acl, "entries") if not e.get("egress")), key=lambda e: int(e.get("rule_number") or 0)
    )
    out = []
    for port in ADMIN_PORTS:
        for e in entries:
            if e.get("cidr") in WORLD and _entry_covers(e, port):
                if e.get("allow"):
                    out.append(f"{port} from {e.get('cidr')} (rule {e.get('rule_number')})")
                break
    return out


@checks.check(
    id="aws.vpc.nacl_admin_ports",
    title="Network ACLs do not allow SSH or RDP from the internet",
    severity="high",
    resource_types=[T.EC2_NETWORK_ACL],
    rationale="CIS AWS Foundations 5.1: remote administration ports open to 0.0.0.0/0 at the subnet boundary.",
    remediation="Add a lower-numbered DENY entry for TCP 22 and 3389 from 0.0.0.0/0 and ::/0, or replace the "
    "allow-all rule with the ports the subnet serves.",
)
def nacl_admin_ports(acl: Resource, ctx: CheckContext) -> Verdict:
    hits = open_admin_ports(acl)
    if hits:
        return failed(f"network ACL {acl.name} ({need(acl, 'vpc_id')}) allows {summarize(hits)}: deny them")
    return passed("SSH and RDP are not open to the internet")


def _within(dest: str, peer_cidrs: list[str]) -> bool:
    try:
        net = ipaddress.ip_network(dest, strict=False)
        return any(
            net.version == (peer := ipaddress.ip_network(c, strict=False)).version and net.subnet_of(peer)  # type: ignore[arg-type]
            for c in peer_cidrs
        )
    except ValueError:
        return False


@checks.check(
    id="aws.vpc.peering_routes_least_access",
    title="Routes to VPC peering connections are no wider than the peer",
    severity="medium",
    resource_types=[T.EC2_ROUTE_TABLE],
    rationale="CIS AWS Foundations 5.5: a peering route wider than the peer VPC (0.0.0.0/0, a /8) sends "
    "traffic for networks the peering was not meant for.",
    remediation="Replace the route with one whose destination is the peer VPC's CIDR block (or a subnet of it).",
)
def peering_routes(rt: Resource, ctx: CheckContext) -> Verdict:
    routes = need(rt, "peering_routes")
    if not routes:
        return not_applicable("no route to a peering connection")
    unknown = [str(r.get("peering_id")) for r in routes if r.get("peer_cidrs") is None]
    wide = [
        f"{r.get('destination')} via {r.get('peering_id')}"
        for r in routes
        if r.get("peer_cidrs") is not None and not _within(str(r.get("destination")), list(r["peer_cidrs"]))
    ]
    if wide:
        return failed(
            f"route table {rt.name} routes {summarize(wide)}, wider than the peer VPC: narrow the destination"
        )
    if unknown:
        return errored(f"peering connection(s) {summarize(unknown)} of route table {rt.name} were not listed")
    return passed("peering routes stay within the peer VPC")


@checks.check(
    id="aws.ec2.instance_not_in_default_vpc",
    title="EC2 instances do not run in a default VPC",
    severity="low",
    resource_types=[T.EC2_INSTANCE],
    rationale="Default VPCs give every subnet a route to the internet and public addresses by default.",
    remediation="Launch the workload in a purpose-built VPC (and delete the default VPCs you do not use).",
)
def not_in_default_vpc(inst: Resource, ctx: CheckContext) -> Verdict:
    if need(inst, "state") == "terminated":
        return not_applicable("terminated")
    vpc_id = need(inst, "vpc_id")
    if vpc_id is None:
        return not_applicable("not in a VPC")
    vpc = next(
        (v for v in ctx.lookup(T.EC2_VPC, "vpc_id", vpc_id, within="region", of=inst)),
        None,
    )
    if vpc is None:
        return errored(f"VPC {vpc_id} of instance {inst.name} was not collected")
    if need(vpc, "is_default"):
        return failed(
            f"instance {inst.name} runs in the default VPC {vpc_id}: move it to a purpose-built VPC"
        )
    return passed(f"runs in {vpc.name}")
