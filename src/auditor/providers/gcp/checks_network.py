"""Network checks: default and legacy networks, open firewall rules, subnets, DNSSEC."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, passed
from auditor.models import Resource
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.common import CIS

checks = CheckSet("gcp")
WORLD = frozenset({"0.0.0.0/0", "::/0"})
PROXY_PURPOSES = frozenset(
    {
        "REGIONAL_MANAGED_PROXY",
        "GLOBAL_MANAGED_PROXY",
        "INTERNAL_HTTPS_LOAD_BALANCER",
        "PRIVATE_SERVICE_CONNECT",
    }
)


@checks.check(
    id="gcp.compute.default_network",
    title="The default network is deleted",
    severity="medium",
    resource_types=[T.NETWORK],
    rationale="The default network opens SSH, RDP and ICMP from anywhere and spans every region.",
    remediation="Move workloads to a custom-mode VPC and delete the network named default.",
    references=[f"{CIS} 3.1"],
)
def default_network(net: Resource, ctx: CheckContext) -> Verdict:
    if need(net, "network_name") == "default":
        return failed(f"delete the default network of project {net.location.account}")
    return passed("not the default network")


@checks.check(
    id="gcp.compute.legacy_network",
    title="No legacy networks",
    severity="medium",
    resource_types=[T.NETWORK],
    rationale="Legacy networks have one global range and no subnetworks: no flow logs, no Private Google Access.",
    remediation="Recreate the network in custom mode and delete the legacy network.",
    references=[f"{CIS} 3.2"],
)
def legacy_network(net: Resource, ctx: CheckContext) -> Verdict:
    if need(net, "legacy"):
        return failed(f"replace legacy network {net.name} with a VPC network")
    return passed("a VPC network")


def _open_to_world(fw: Resource) -> bool:
    return (
        need(fw, "direction") == "INGRESS"
        and not need(fw, "disabled")
        and bool(WORLD & set(need(fw, "source_ranges")))
    )


def _port_in(spec: str, port: int) -> bool:
    lo, _, hi = spec.partition("-")
    return int(lo) <= port <= int(hi or lo)


def _allows(fw: Resource, port: int | None) -> bool:
    """Whether the rule allows TCP `port` (None: every protocol and port)."""
    for a in need(fw, "allowed"):
        proto, ports = a.get("protocol", ""), a.get("ports") or []
        if proto == "all" and port is None:
            return True
        if (
            port is not None
            and proto in ("tcp", "all")
            and (not ports or any(_port_in(p, port) for p in ports))
        ):
            return True
        if port is None and proto in ("tcp", "udp") and not ports:
            return True
    return False


def _firewall(fw: Resource, port: int | None, what: str) -> Verdict:
    if not _open_to_world(fw):
        return passed("not an enabled ingress rule from 0.0.0.0/0")
    if _allows(fw, port):
        return failed(f"restrict the source ranges of firewall rule {fw.name}: it opens {what} to 0.0.0.0/0")
    return passed(f"does not open {what}")


@checks.check(
    id="gcp.compute.firewall_ssh_open",
    title="No firewall rule opens SSH (22) to the internet",
    severity="high",
    resource_types=[T.FIREWALL],
    rationale="SSH open to the internet is brute-forced within minutes; use IAP TCP forwarding instead.",
    remediation="Limit the rule's source ranges (35.235.240.0/20 for IAP) or delete it.",
    references=[f"{CIS} 3.6"],
)
def firewall_ssh_open(fw: Resource, ctx: CheckContext) -> Verdict:
    return _firewall(fw, 22, "SSH (tcp:22)")


@checks.check(
    id="gcp.compute.firewall_rdp_open",
    title="No firewall rule opens RDP (3389) to the internet",
    severity="high",
    resource_types=[T.FIREWALL],
    rationale="RDP open to the internet is a common ransomware entry point.",
    remediation="Limit the rule's source ranges or delete it; reach Windows VMs through IAP.",
    references=[f"{CIS} 3.7"],
)
def firewall_rdp_open(fw: Resource, ctx: CheckContext) -> Verdict:
    return _firewall(fw, 3389, "RDP (tcp:3389)")


@checks.check(
    id="gcp.compute.firewall_all_ports_open",
    title="No firewall rule opens every port to the internet",
    severity="critical",
    resource_types=[T.FIREWALL],
    rationale="A rule allowing all protocols or all ports from anywhere exposes every service of the VMs it targets.",
    remediation="Allow only the protocols and ports the service needs, from the ranges that need them.",
)
def firewall_all_ports_open(fw: Resource, ctx: CheckContext) -> Verdict:
    return _firewall(fw, None, "every port")


@checks.check(
    id="gcp.compute.subnet_flow_logs",
    title="Subnetworks have VPC Flow Logs",
    severity="medium",
    resource_types=[T.SUBNETWORK],
    rationale="Flow logs are the record of who talked to what, for investigations and anomaly detection.",
    remediation="Enable flow logs on the subnetwork (gcloud compute networks subnets update --enable-flow-logs).",
    references=[f"{CIS} 3.8"],
)
def subnet_flow_logs(subnet: Resource, ctx: CheckContext) -> Verdict:
    if need(subnet, "purpose") in PROXY_PURPOSES:
        return not_applicable("a proxy-only subnetwork has no flow logs")
    if not need(subnet, "flow_logs"):
        return failed(f"enable VPC Flow Logs on subnetwork {subnet.name}")
    return passed("flow logs on")


@checks.check(
    id="gcp.compute.subnet_private_google_access",
    title="Subnetworks have Private Google Access",
    severity="low",
    resource_types=[T.SUBNETWORK],
    rationale="VMs without external IPs reach Google APIs only through Private Google Access; without it "
    "teams add external IPs.",
    remediation="Enable Private Google Access on the subnetwork.",
)
def subnet_private_google_access(subnet: Resource, ctx: CheckContext) -> Verdict:
    if need(subnet, "purpose") in PROXY_PURPOSES:
        return not_applicable("a proxy-only subnetwork")
    if not need(subnet, "private_google_access"):
        return failed(f"enable Private Google Access on subnetwork {subnet.name}")
    return passed("Private Google Access on")


@checks.check(
    id="gcp.dns.dnssec_enabled",
    title="Public DNS zones are signed with DNSSEC",
    severity="medium",
    resource_types=[T.DNS_ZONE],
    rationale="DNSSEC stops spoofed answers from redirecting your users.",
    remediation="Turn DNSSEC on for the zone (gcloud dns managed-zones update --dnssec-state on).",
    references=[f"{CIS} 3.3"],
)
def dnssec_enabled(zone: Resource, ctx: CheckContext) -> Verdict:
    if need(zone, "visibility") != "public":
        return not_applicable("a private zone")
    if need(zone, "dnssec_state") != "on":
        return failed(f"turn DNSSEC on for public zone {zone.name}")
    return passed("DNSSEC on")


@checks.check(
    id="gcp.dns.dnssec_no_rsasha1",
    title="DNSSEC keys are not RSASHA1",
    severity="medium",
    resource_types=[T.DNS_ZONE],
    rationale="RSASHA1 is deprecated and weak.",
    remediation="Re-sign the zone with RSASHA256, RSASHA512 or ECDSA keys.",
    references=[f"{CIS} 3.4", f"{CIS} 3.5"],
)
def dnssec_no_rsasha1(zone: Resource, ctx: CheckContext) -> Verdict:
    if need(zone, "visibility") != "public" or need(zone, "dnssec_state") != "on":
        return not_applicable("not a DNSSEC-signed public zone")
    weak = sorted(
        {k.get("key_type", "") for k in need(zone, "key_algorithms") if k.get("algorithm") == "rsasha1"}
    )
    if weak:
        return failed(f"replace the RSASHA1 {' and '.join(weak)} keys of zone {zone.name}")
    return passed("no RSASHA1 key")
