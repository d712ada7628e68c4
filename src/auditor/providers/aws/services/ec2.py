"""EC2 and VPC: EBS default encryption, security groups, instances, volumes, snapshots (and
their permissions), AMIs, VPCs with their flow logs, network ACLs, and route tables with the
CIDR blocks of the VPCs their peering routes lead to."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, region_id, tags, take
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    for task in (
        _ec2_region,
        _ec2_security_groups,
        _ec2_instances,
        _ec2_volumes,
        _ec2_snapshots,
        _ec2_images,
        _ec2_network_acls,
    ):
        c.submit(acct, region, task, c, acct, region)
    c.gather(
        acct,
        region,
        {
            "tables": lambda: c.call(acct, region, "ec2", "DescribeRouteTables"),
            "peerings": lambda: c.call(acct, region, "ec2", "DescribeVpcPeeringConnections"),
        },
        lambda res: _build_route_tables(c, acct, region, res),
    )
    c.gather(
        acct,
        region,
        {
            "vpcs": lambda: c.call(acct, region, "ec2", "DescribeVpcs"),
            "flow_logs": lambda: c.call(acct, region, "ec2", "DescribeFlowLogs"),
        },
        lambda res: _build_vpcs(c, acct, region, res),
    )


def _ec2_region(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "GetEbsEncryptionByDefault", types=(T.EC2_REGION,))
    if got is None:
        return
    c.add(
        T.EC2_REGION,
        region_id(acct, region, "ec2"),
        acct,
        region,
        {"ebs_encryption_by_default": bool(got.body.get("EbsEncryptionByDefault"))},
        [got.evidence],
        name=f"EC2 settings in {region}",
    )


def _ec2_security_groups(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "DescribeSecurityGroups", types=(T.EC2_SECURITY_GROUP,))
    if got is None:
        return
    for g in got.body.get("SecurityGroups", []):
        c.add(
            T.EC2_SECURITY_GROUP,
            f"arn:aws:ec2:{region}:{acct.id}:security-group/{g['GroupId']}",
            acct,
            region,
            {
                "group_id": g["GroupId"],
                "group_name": g.get("GroupName"),
                "vpc_id": g.get("VpcId"),
                "is_default": g.get("GroupName") == "default",
                "ingress": g.get("IpPermissions", []),
                "egress": g.get("IpPermissionsEgress", []),
            },
            [got.evidence],
            name=tags(g.get("Tags")).get("Name") or g.get("GroupName"),
            tags=tags(g.get("Tags")),
        )


def _ec2_instances(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "DescribeInstances", types=(T.EC2_INSTANCE,))
    if got is None:
        return
    for resv in got.body.get("Reservations", []):
        for i in resv.get("Instances", []):
            i_tags = tags(i.get("Tags"))
            c.add(
                T.EC2_INSTANCE,
                f"arn:aws:ec2:{region}:{acct.id}:instance/{i['InstanceId']}",
                acct,
                region,
                {
                    "instance_id": i["InstanceId"],
                    "state": (i.get("State") or {}).get("Name"),
                    "imds_mode": (i.get("MetadataOptions") or {}).get("HttpTokens"),
                    "http_endpoint": (i.get("MetadataOptions") or {}).get("HttpEndpoint", "enabled"),
                    "public_ip": i.get("PublicIpAddress"),
                    "subnet_id": i.get("SubnetId"),
                    "security_groups": [g.get("GroupId") for g in i.get("SecurityGroups", [])],
                    "vpc_id": i.get("VpcId"),
                },
                [got.evidence],
                name=i_tags.get("Name") or i["InstanceId"],
                tags=i_tags,
            )


def _ec2_volumes(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "DescribeVolumes", types=(T.EC2_VOLUME,))
    if got is None:
        return
    for v in got.body.get("Volumes", []):
        v_tags = tags(v.get("Tags"))
        c.add(
            T.EC2_VOLUME,
            f"arn:aws:ec2:{region}:{acct.id}:volume/{v['VolumeId']}",
            acct,
            region,
            {"volume_id": v["VolumeId"], "encrypted": bool(v.get("Encrypted")), "state": v.get("State")},
            [got.evidence],
            name=v_tags.get("Name") or v["VolumeId"],
            tags=v_tags,
        )


def _ec2_snapshots(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "DescribeSnapshots", {"OwnerIds": ["self"]}, types=(T.EC2_SNAPSHOT,))
    if got is None:
        return
    for snap in got.body.get("Snapshots", []):
        c.submit(acct, region, _ec2_snapshot, c, acct, region, snap, got.evidence)


def _ec2_snapshot(c: Collection, acct: Account, region: str, snap: dict[str, Any], list_ev: str) -> None:
    sid = snap["SnapshotId"]
    attrs: dict[str, Any] = {"snapshot_id": sid, "encrypted": bool(snap.get("Encrypted"))}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        perm = c.call(
            acct,
            region,
            "ec2",
            "DescribeSnapshotAttribute",
            {"SnapshotId": sid, "Attribute": "createVolumePermission"},
        )
        evs.append(perm.evidence)
        perms = perm.body.get("CreateVolumePermissions", [])
        attrs["public"] = any(p.get("Group") == "all" for p in perms)
        attrs["shared_with"] = sorted(p["UserId"] for p in perms if p.get("UserId"))
    except CallFailed as err:
        gaps.update(dict.fromkeys(("public", "shared_with"), err.reason))
    s_tags = tags(snap.get("Tags"))
    c.add(
        T.EC2_SNAPSHOT,
        f"arn:aws:ec2:{region}:{acct.id}:snapshot/{sid}",
        acct,
        region,
        attrs,
        evs,
        name=s_tags.get("Name") or sid,
        gaps=gaps,
        tags=s_tags,
    )


def _ec2_images(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "DescribeImages", {"Owners": ["self"]}, types=(T.EC2_IMAGE,))
    if got is None:
        return
    for img in got.body.get("Images", []):
        c.add(
            T.EC2_IMAGE,
            f"arn:aws:ec2:{region}:{acct.id}:image/{img['ImageId']}",
            acct,
            region,
            {"image_id": img["ImageId"], "public": bool(img.get("Public"))},
            [got.evidence],
            name=img.get("Name") or img["ImageId"],
            tags=tags(img.get("Tags")),
        )


def _build_vpcs(c: Collection, acct: Account, region: str, res: Results) -> None:
    vpcs = res["vpcs"]
    if isinstance(vpcs, CallFailed):
        c.gap(vpcs, acct, region, (T.EC2_VPC,))
        return
    gaps: dict[str, str] = {}
    evs = [vpcs.evidence]
    logs = take(res, "flow_logs", gaps, ("flow_logs",), evs)
    by_vpc: dict[str, list[dict[str, Any]]] = {}
    for fl in (logs or {}).get("FlowLogs", []):
        by_vpc.setdefault(fl.get("ResourceId", ""), []).append(
            {
                "id": fl.get("FlowLogId"),
                "status": fl.get("FlowLogStatus"),
                "traffic_type": fl.get("TrafficType"),
                "destination_type": fl.get("LogDestinationType"),
            }
        )
    for v in vpcs.body.get("Vpcs", []):
        attrs: dict[str, Any] = {"vpc_id": v["VpcId"], "is_default": bool(v.get("IsDefault"))}
        if logs is not None:
            attrs["flow_logs"] = by_vpc.get(v["VpcId"], [])
        v_tags = tags(v.get("Tags"))
        c.add(
            T.EC2_VPC,
            f"arn:aws:ec2:{region}:{acct.id}:vpc/{v['VpcId']}",
            acct,
            region,
            attrs,
            evs,
            name=v_tags.get("Name") or v["VpcId"],
            gaps=dict(gaps),
            tags=v_tags,
        )


def _ec2_network_acls(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "ec2", "DescribeNetworkAcls", types=(T.EC2_NETWORK_ACL,))
    if got is None:
        return
    for acl in got.body.get("NetworkAcls", []):
        entries = [
            {
                "rule_number": e.get("RuleNumber"),
                "egress": bool(e.get("Egress")),
                "allow": e.get("RuleAction") == "allow",
                "protocol": str(e.get("Protocol", "-1")),
                "cidr": e.get("CidrBlock") or e.get("Ipv6CidrBlock"),
                "from_port": (e.get("PortRange") or {}).get("From"),
                "to_port": (e.get("PortRange") or {}).get("To"),
            }
            for e in acl.get("Entries", [])
        ]
        a_tags = tags(acl.get("Tags"))
        c.add(
            T.EC2_NETWORK_ACL,
            f"arn:aws:ec2:{region}:{acct.id}:network-acl/{acl['NetworkAclId']}",
            acct,
            region,
            {
                "vpc_id": acl.get("VpcId"),
                "is_default": bool(acl.get("IsDefault")),
                "entries": entries,
                "subnets": sorted(a["SubnetId"] for a in acl.get("Associations", []) if a.get("SubnetId")),
            },
            [got.evidence],
            name=a_tags.get("Name") or acl["NetworkAclId"],
            tags=a_tags,
        )


def _blocks(side: dict[str, Any]) -> list[str]:
    """The CIDR blocks of one side of a peering connection (IPv4 set, IPv6 set, else its primary)."""
    blocks = [b.get("CidrBlock") for b in side.get("CidrBlockSet") or [] if b.get("CidrBlock")]
    blocks += [b.get("Ipv6CidrBlock") for b in side.get("Ipv6CidrBlockSet") or [] if b.get("Ipv6CidrBlock")]
    return blocks or ([side["CidrBlock"]] if side.get("CidrBlock") else [])


def _peer_sides(peerings: dict[str, Any] | None) -> dict[str, tuple[Any, list[str], list[str]]]:
    """Peering connection id -> (the accepter's VPC id, the requester's blocks, the accepter's
    blocks): read once per region, not once per route table."""
    out: dict[str, tuple[Any, list[str], list[str]]] = {}
    for p in (peerings or {}).get("VpcPeeringConnections", []):
        req, acc = p.get("RequesterVpcInfo") or {}, p.get("AccepterVpcInfo") or {}
        out[p["VpcPeeringConnectionId"]] = (acc.get("VpcId"), _blocks(req), _blocks(acc))
    return out


def _peer_cidrs(
    sides: dict[str, tuple[Any, list[str], list[str]]], pcx: str, vpc_id: Any
) -> list[str] | None:
    """The CIDR blocks of the VPC on the other side of peering `pcx` from `vpc_id` (None: unknown)."""
    if pcx not in sides:
        return None
    accepter, requester_blocks, accepter_blocks = sides[pcx]
    return requester_blocks if accepter == vpc_id else accepter_blocks


def _build_route_tables(c: Collection, acct: Account, region: str, res: Results) -> None:
    tables = res["tables"]
    if isinstance(tables, CallFailed):
        c.gap(tables, acct, region, (T.EC2_ROUTE_TABLE,))
        return
    gaps: dict[str, str] = {}
    evs = [tables.evidence]
    peerings = take(res, "peerings", gaps, ("peering_routes",), evs)
    sides = _peer_sides(peerings)
    for rt in tables.body.get("RouteTables", []):
        routes, peering_routes = [], []
        for r in rt.get("Routes", []):
            dest = (
                r.get("DestinationCidrBlock")
                or r.get("DestinationIpv6CidrBlock")
                or r.get("DestinationPrefixListId")
            )
            target = next(
                (str(v) for k, v in r.items() if k.endswith("Id") and k != "DestinationPrefixListId"), None
            )
            routes.append({"destination": dest, "target": target})
            if r.get("VpcPeeringConnectionId"):
                pcx = r["VpcPeeringConnectionId"]
                peering_routes.append(
                    {
                        "destination": dest,
                        "peering_id": pcx,
                        "peer_cidrs": _peer_cidrs(sides, pcx, rt.get("VpcId")),
                    }
                )
        attrs: dict[str, Any] = {"vpc_id": rt.get("VpcId"), "routes": routes}
        if peerings is not None:
            attrs["peering_routes"] = peering_routes
        rt_tags = tags(rt.get("Tags"))
        c.add(
            T.EC2_ROUTE_TABLE,
            f"arn:aws:ec2:{region}:{acct.id}:route-table/{rt['RouteTableId']}",
            acct,
            region,
            attrs,
            evs,
            name=rt_tags.get("Name") or rt["RouteTableId"],
            gaps=dict(gaps),
            tags=rt_tags,
        )


SERVICE = Service(
    name="ec2",
    fanout="regional",
    operations=(
        "GetEbsEncryptionByDefault",
        "DescribeSecurityGroups",
        "DescribeInstances",
        "DescribeVolumes",
        "DescribeSnapshots",
        "DescribeSnapshotAttribute",
        "DescribeImages",
        "DescribeVpcs",
        "DescribeFlowLogs",
        "DescribeNetworkAcls",
        "DescribeRouteTables",
        "DescribeVpcPeeringConnections",
    ),
    produces=(
        T.EC2_REGION,
        T.EC2_SECURITY_GROUP,
        T.EC2_INSTANCE,
        T.EC2_VOLUME,
        T.EC2_SNAPSHOT,
        T.EC2_IMAGE,
        T.EC2_VPC,
        T.EC2_NETWORK_ACL,
        T.EC2_ROUTE_TABLE,
    ),
    collect=collect,
)
