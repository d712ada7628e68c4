"""Network: NSG rules open to the Internet, NSG flow logs and their retention, Network Watcher coverage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.azure import resources as T

checks = CheckSet("azure")
NSG = [T.NSG]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Networking"
INTERNET = frozenset({"*", "0.0.0.0", "0.0.0.0/0", "internet", "any", "::/0"})


def _covers(ports: list[str], port: int) -> bool:
    for text in ports:
        spec = text.strip()
        if spec == "*":
            return True
        low, _, high = spec.partition("-")
        try:
            if int(low) <= port <= int(high or low):
                return True
        except ValueError:
            continue
    return False


def _all_ports(ports: list[str]) -> bool:
    return any(p.strip() in ("*", "0-65535", "1-65535") for p in ports)


def open_rules(nsg: Resource, match: Callable[[dict[str, Any]], bool]) -> list[str]:
    """Names of inbound Allow rules from the Internet that `match` selects."""
    found = []
    for rule in need(nsg, "rules"):
        if rule.get("direction") != "Inbound" or rule.get("access") != "Allow":
            continue
        if not any(str(s).lower() in INTERNET for s in rule.get("sources", [])):
            continue
        if match(rule):
            found.append(str(rule.get("name")))
    return found


def _verdict(found: list[str], what: str) -> Verdict:
    if found:
        return failed(
            f"rule(s) {summarize(found)} allow {what} from the Internet: restrict their source or delete them"
        )
    return passed(f"no inbound rule allows {what} from the Internet")


def _tcp_port(port: int) -> Callable[[dict[str, Any]], bool]:
    def match(rule: dict[str, Any]) -> bool:
        return str(rule.get("protocol", "*")).lower() in ("tcp", "*") and _covers(
            list(rule.get("ports", [])), port
        )

    return match


@checks.check(
    id="azure.network.nsg_ssh_from_internet",
    title="No NSG rule allows SSH (22) from the Internet",
    severity="high",
    resource_types=NSG,
    rationale="SSH open to the Internet is brute-forced within minutes; use Bastion, JIT access or a VPN.",
    remediation="Delete the rule or limit its source to known addresses; prefer Azure Bastion or just-in-time VM access.",
    references=[CIS],
)
def nsg_ssh(nsg: Resource, ctx: CheckContext) -> Verdict:
    return _verdict(open_rules(nsg, _tcp_port(22)), "SSH (TCP 22)")


@checks.check(
    id="azure.network.nsg_rdp_from_internet",
    title="No NSG rule allows RDP (3389) from the Internet",
    severity="high",
    resource_types=NSG,
    rationale="RDP exposed to the Internet is a top ransomware entry point.",
    remediation="Delete the rule or limit its source; prefer Azure Bastion or just-in-time VM access.",
    references=[CIS],
)
def nsg_rdp(nsg: Resource, ctx: CheckContext) -> Verdict:
    return _verdict(open_rules(nsg, _tcp_port(3389)), "RDP (TCP 3389)")


@checks.check(
    id="azure.network.nsg_udp_from_internet",
    title="No NSG rule allows UDP from the Internet",
    severity="medium",
    resource_types=NSG,
    rationale="UDP services open to the Internet (DNS, NTP, SSDP, CLDAP) are abused for amplification attacks.",
    remediation="Restrict the rule's source and ports, or delete it.",
    references=[CIS],
)
def nsg_udp(nsg: Resource, ctx: CheckContext) -> Verdict:
    found = open_rules(nsg, lambda rule: str(rule.get("protocol", "*")).lower() in ("udp", "*"))
    return _verdict(found, "UDP")


@checks.check(
    id="azure.network.nsg_all_ports_from_internet",
    title="No NSG rule allows every port from the Internet",
    severity="critical",
    resource_types=NSG,
    rationale="A rule allowing all ports from anywhere removes the network boundary entirely.",
    remediation="Replace the rule with rules for the ports and sources actually needed.",
    references=[CIS],
)
def nsg_all_ports(nsg: Resource, ctx: CheckContext) -> Verdict:
    return _verdict(open_rules(nsg, lambda rule: _all_ports(list(rule.get("ports", [])))), "every port")


def _vnet_of(subnet_id: str) -> str:
    return subnet_id.split("/subnets/", 1)[0]


@checks.check(
    id="azure.network.nsg_flow_logs",
    title="NSG traffic is captured by flow logs",
    severity="medium",
    resource_types=NSG,
    rationale="Flow logs are the record of who talked to what; incident response needs them.",
    remediation="Create an NSG flow log (or a VNet flow log on its virtual network) in Network Watcher, sending to a storage account.",
    references=[CIS],
)
def nsg_flow_logs(nsg: Resource, ctx: CheckContext) -> Verdict:
    for log in ctx.lookup(T.FLOW_LOG, "target_id", nsg.id):
        if log.attributes.get("enabled"):
            return passed(f"flow log {log.name} captures this NSG")
    for vnet in sorted({_vnet_of(s) for s in need(nsg, "subnets")}):
        for log in ctx.lookup(T.FLOW_LOG, "target_id", vnet):
            if log.attributes.get("enabled"):
                return passed(f"VNet flow log {log.name} captures the virtual network this NSG protects")
    return failed(
        "no enabled flow log captures this NSG or its virtual network: create one in Network Watcher"
    )


@checks.check(
    id="azure.network.flow_log_retention",
    title="Flow logs are kept long enough",
    severity="low",
    resource_types=[T.FLOW_LOG],
    rationale="Investigations reach back weeks or months; flow logs deleted after a few days answer nothing.",
    remediation="Set the flow log's retention policy to enabled with at least the required days (0 keeps them forever).",
    references=[CIS],
    params=[
        param(
            "azure.network.flow_log_retention_days",
            "integer",
            90,
            "Fewest days flow logs must be kept (0 = forever passes).",
        )
    ],
)
def flow_log_retention(log: Resource, ctx: CheckContext) -> Verdict:
    if need(log, "enabled") is not True:
        return not_applicable("the flow log is disabled")
    least = ctx.param("azure.network.flow_log_retention_days")
    policy = need(log, "retention")
    if not policy or not policy.get("enabled"):
        return failed(
            f"no retention policy: enable it with at least {least} days (logs pile up or vanish by hand)"
        )
    days = policy.get("days") or 0
    if days == 0 or days >= least:
        return passed("flow logs are kept " + ("forever" if days == 0 else f"{days} days"))
    return failed(f"flow logs are kept {days} days: raise the retention to at least {least}")


@checks.check(
    id="azure.network.watcher_all_regions",
    title="Network Watcher is enabled in every region in use",
    severity="medium",
    resource_types=[T.WATCHER_COVERAGE],
    rationale="Flow logs, connection troubleshooting and packet capture need a Network Watcher in the region.",
    remediation="Enable Network Watcher in each listed region: az network watcher configure -l REGION -g NetworkWatcherRG --enabled.",
    references=[CIS],
)
def watcher_all_regions(view: Resource, ctx: CheckContext) -> Verdict:
    used = need(view, "used_regions")
    missing = sorted(set(used) - set(need(view, "watcher_regions")))
    if missing:
        return failed(f"no Network Watcher in {summarize(missing)}: enable one in each region")
    return passed(f"Network Watcher covers every region in use ({len(used)})")
