"""EC2 and VPC checks: security groups, EBS encryption, snapshots and images, instances, flow logs."""

from __future__ import annotations

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
from auditor.providers.aws import resources as T

checks = CheckSet("aws")
WORLD = ("0.0.0.0/0", "::/0")
DB_PORTS = (1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017)


def _open_rules(sg: Resource) -> list[tuple[int | None, int | None, str, str]]:
    """(from, to, protocol, cidr) of ingress rules open to the world; ports None = all."""
    out: list[tuple[int | None, int | None, str, str]] = []
    for p in need(sg, "ingress"):
        proto = str(p.get("IpProtocol", "-1"))
        cidrs = [r.get("CidrIp") for r in p.get("IpRanges", [])] + [
            r.get("CidrIpv6") for r in p.get("Ipv6Ranges", [])
        ]
        for cidr in cidrs:
            if cidr in WORLD:
                if proto == "-1":
                    out.append((None, None, proto, str(cidr)))
                else:
                    out.append((p.get("FromPort"), p.get("ToPort"), proto, str(cidr)))
    return out


def _covers(rule: tuple[Any, ...], port: int) -> bool:
    lo, hi, proto, _ = rule
    if proto not in ("-1", "tcp", "6"):
        return False
    return lo is None or (lo == -1) or (int(lo) <= port <= int(hi))


def world_open(sg: Resource, port: int) -> list[str]:
    """`port from cidr` for each ingress rule of `sg` that opens TCP `port` to the internet."""
    return sorted({f"{port} from {r[3]}" for r in _open_rules(sg) if _covers(r, port)})


def _port_check(sg: Resource, ports: tuple[int, ...], label: str) -> Verdict:
    hits = sorted({f"{port} from {r[3]}" for r in _open_rules(sg) for port in ports if _covers(r, port)})
    if hits:
        return failed(
            f"security group {sg.name} ({sg.attributes.get('group_id')}) allows {label} {summarize(hits)}"
        )
    return passed(f"no {label} open to the internet")


@checks.check(
    id="aws.ec2.sg_ssh_open",
    title="Security groups do not allow SSH (22) from the internet",
    severity="high",
    resource_types=[T.EC2_SECURITY_GROUP],
    rationale="SSH open to 0.0.0.0/0 or ::/0 invites brute force and exploitation of the daemon.",
    remediation="Restrict port 22 to known ranges, or use Session Manager and remove the rule.",
)
def sg_ssh(sg: Resource, ctx: CheckContext) -> Verdict:
    return _port_check(sg, (22,), "SSH")


@checks.check(
    id="aws.ec2.sg_rdp_open",
    title="Security groups do not allow RDP (3389) from the internet",
    severity="high",
    resource_types=[T.EC2_SECURITY_GROUP],
    rationale="RDP open to the internet is a leading ransomware entry point.",
    remediation="Restrict port 3389 to known ranges or use Fleet Manager / a bastion.",
)
def sg_rdp(sg: Resource, ctx: CheckContext) -> Verdict:
    return _port_check(sg, (3389,), "RDP")


@checks.check(
    id="aws.ec2.sg_all_ports_open",
    title="Security groups do not allow all traffic from the internet",
    severity="critical",
    resource_types=[T.EC2_SECURITY_GROUP],
    rationale="An all-protocol or all-port rule from the internet exposes every service on the instances.",
    remediation="Replace the rule with the specific ports the service needs.",
)
def sg_all(sg: Resource, ctx: CheckContext) -> Verdict:
    hits = [
        f"{r[2]} from {r[3]}"
        for r in _open_rules(sg)
        if r[0] is None or (r[0] in (0, -1) and r[1] in (65535, -1))
    ]
    if hits:
        return failed(f"security group {sg.name} allows all ports: {summarize(hits)}")
    return passed("no all-ports rule from the internet")


@checks.check(
    id="aws.ec2.sg_db_ports_open",
    title="Security groups do not expose database ports to the internet",
    severity="high",
    resource_types=[T.EC2_SECURITY_GROUP],
    rationale="Databases reachable from the internet are one weak password from a breach.",
    remediation="Allow database ports only from application security groups (parameter aws.ec2.db_ports lists the ports).",
    params=[
        param(
            "aws.ec2.db_ports",
            "integer_list",
            list(DB_PORTS),
            "Database ports that must not be open to the internet.",
        )
    ],
)
def sg_db(sg: Resource, ctx: CheckContext) -> Verdict:
    ports = tuple(int(p) for p in ctx.param("aws.ec2.db_ports"))
    rules = [r for r in _open_rules(sg) if r[0] is not None]
    hits = sorted({f"{port} from {r[3]}" for r in rules for port in ports if _covers(r, port)})
    if hits:
        return failed(f"security group {sg.name} exposes database port(s) {summarize(hits)}")
    return passed("no database port open to the internet")


@checks.check(
    id="aws.ec2.default_sg_closed",
    title="Default security groups allow no traffic",
    severity="medium",
    resource_types=[T.EC2_SECURITY_GROUP],
    rationale="Resources launched without a chosen group land in the default one; it must not let traffic through.",
    remediation="Remove every inbound and outbound rule from each VPC's default security group.",
)
def default_sg(sg: Resource, ctx: CheckContext) -> Verdict:
    if not need(sg, "is_default"):
        return not_applicable("not a default security group")
    n_in, n_out = len(need(sg, "ingress")), len(need(sg, "egress"))
    if n_in or n_out:
        return failed(
            f"default security group {sg.attributes.get('group_id')} of {sg.attributes.get('vpc_id')} has "
            f"{n_in} inbound and {n_out} outbound rule(s)"
        )
    return passed("default security group has no rules")


@checks.check(
    id="aws.ec2.ebs_default_encryption",
    title="EBS encryption by default is on in every region",
    severity="medium",
    resource_types=[T.EC2_REGION],
    rationale="Encryption by default makes every new volume and snapshot encrypted, whoever creates it.",
    remediation="EnableEbsEncryptionByDefault in every enabled region.",
)
def ebs_default(region: Resource, ctx: CheckContext) -> Verdict:
    if need(region, "ebs_encryption_by_default"):
        return passed("EBS encryption by default is on")
    return failed(f"EBS encryption by default is off in {region.location.region}")


@checks.check(
    id="aws.ec2.volume_encrypted",
    title="EBS volumes are encrypted",
    severity="medium",
    resource_types=[T.EC2_VOLUME],
    rationale="Unencrypted volumes and their snapshots expose data at rest.",
    remediation="Snapshot the volume, copy the snapshot with encryption, and replace the volume.",
)
def volume_encrypted(vol: Resource, ctx: CheckContext) -> Verdict:
    if need(vol, "encrypted"):
        return passed("volume is encrypted")
    return failed(f"volume {vol.name} is not encrypted")


@checks.check(
    id="aws.ec2.snapshot_encrypted",
    title="EBS snapshots are encrypted",
    severity="medium",
    resource_types=[T.EC2_SNAPSHOT],
    rationale="Snapshots are copies of the data; they need the same protection as the volume.",
    remediation="CopySnapshot with Encrypted=true and delete the unencrypted one.",
)
def snapshot_encrypted(snap: Resource, ctx: CheckContext) -> Verdict:
    if need(snap, "encrypted"):
        return passed("snapshot is encrypted")
    return failed(f"snapshot {snap.name} is not encrypted")


@checks.check(
    id="aws.ec2.snapshot_not_public",
    title="EBS snapshots are not public",
    severity="critical",
    resource_types=[T.EC2_SNAPSHOT],
    rationale="A public snapshot lets any AWS account create a volume with the data.",
    remediation="ModifySnapshotAttribute to remove the 'all' group from createVolumePermission; enable "
    "block public access for snapshots.",
)
def snapshot_public(snap: Resource, ctx: CheckContext) -> Verdict:
    if need(snap, "public"):
        return failed(f"snapshot {snap.name} can be restored by anyone")
    return passed("snapshot is not public")


@checks.check(
    id="aws.ec2.ami_not_public",
    title="AMIs owned by the account are not public",
    severity="high",
    resource_types=[T.EC2_IMAGE],
    rationale="Public images leak software, configuration and sometimes credentials baked into them.",
    remediation="ModifyImageAttribute to remove the 'all' launch permission; enable block public access for AMIs.",
)
def ami_public(img: Resource, ctx: CheckContext) -> Verdict:
    if need(img, "public"):
        return failed(f"image {img.name} is public")
    return passed("image is private")


@checks.check(
    id="aws.ec2.instance_imdsv2",
    title="EC2 instances require IMDSv2",
    severity="medium",
    resource_types=[T.EC2_INSTANCE],
    rationale="IMDSv1 lets SSRF bugs steal the instance role's credentials.",
    remediation="ModifyInstanceMetadataOptions with HttpTokens=required.",
)
def instance_imdsv2(inst: Resource, ctx: CheckContext) -> Verdict:
    if need(inst, "state") == "terminated":
        return not_applicable("instance is terminated")
    if need(inst, "http_endpoint") == "disabled":
        return passed("instance metadata service is disabled")
    if need(inst, "imds_mode") == "required":
        return passed("IMDSv2 is required")
    return failed(f"instance {inst.name} allows IMDSv1 (HttpTokens={inst.attributes.get('imds_mode')})")


@checks.check(
    id="aws.ec2.instance_no_public_ip",
    title="EC2 instances have no public IP address",
    severity="medium",
    resource_types=[T.EC2_INSTANCE],
    rationale="Instances with public addresses are reachable from the internet whenever a security group allows it.",
    remediation="Place instances in private subnets behind a load balancer or NAT; disable auto-assign public IP.",
)
def instance_public_ip(inst: Resource, ctx: CheckContext) -> Verdict:
    if need(inst, "state") == "terminated":
        return not_applicable("instance is terminated")
    ip = need(inst, "public_ip")
    if ip:
        return failed(f"instance {inst.name} has public IP {ip}")
    return passed("no public IP")


@checks.check(
    id="aws.vpc.flow_logs",
    title="VPC flow logs are enabled",
    severity="medium",
    resource_types=[T.EC2_VPC],
    rationale="Flow logs record accepted and rejected traffic for detection and investigations.",
    remediation="CreateFlowLogs for the VPC (TrafficType ALL) to CloudWatch Logs or S3.",
)
def vpc_flow_logs(vpc: Resource, ctx: CheckContext) -> Verdict:
    logs = [f for f in need(vpc, "flow_logs") if f.get("status", "ACTIVE") == "ACTIVE"]
    if logs:
        return passed(f"flow log {summarize([str(f['id']) for f in logs])} ({logs[0].get('traffic_type')})")
    return failed(f"VPC {vpc.name} has no active flow log")
