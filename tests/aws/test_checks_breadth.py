"""The monitoring, database, edge, ML and container checks on crafted resources: the links of a CIS
alarm chain one at a time, filter patterns compared by meaning, alternatives that also satisfy a
check, and the sides moto cannot represent. No network, no SDK."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.checks import CheckContext
from auditor.engine import run_check
from auditor.models import Location, Resource, Snapshot, Status
from auditor.providers.aws import filter_patterns
from auditor.providers.aws import resources as T
from auditor.providers.aws.checks_monitoring import CIS_ITEMS
from auditor.providers.aws.services.guardduty import features

from .test_checks_unit import NOW, REG, days_ago, res, verdict

ACCOUNT = "111122223333"
GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:cloudtrail"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts"
TRAIL_CHANGES = "aws.cloudwatch.alarm_cloudtrail_changes"
TRAIL_PATTERN = (
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
    "($.eventName = StartLogging) || ($.eventName = StopLogging) }"
)


def _at(r: Resource, id_: str, region: str | None = "us-east-1") -> Resource:
    return r.model_copy(update={"id": id_, "location": Location(account=ACCOUNT, region=region)})


# ----------------------------------------------------------------------------- filter patterns


@pytest.mark.parametrize(
    "written",
    [
        TRAIL_PATTERN,
        "{($.eventName=StopLogging)||($.eventName=StartLogging)||($.eventName=DeleteTrail)||"
        "($.eventName=UpdateTrail)||($.eventName=CreateTrail)}",
        '{ $.eventName = "CreateTrail" || $.eventName = "UpdateTrail" || $.eventName = "DeleteTrail" || '
        '$.eventName = "StartLogging" || $.eventName = "StopLogging" || $.eventName = "PutEventSelectors" }',
        "{ ($.eventName = *Trail) || ($.eventName = *Logging) }",
    ],
)
def test_filter_patterns_compare_by_meaning(written: str) -> None:
    assert filter_patterns.covers(filter_patterns.parse(written), filter_patterns.parse(TRAIL_PATTERN))


@pytest.mark.parametrize(
    "written",
    [
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) }",
        # narrower: only the events of one user
        '{ ($.userIdentity.type = "IAMUser") && (' + TRAIL_PATTERN[1:-1] + ") }",
        "StopLogging",  # a term pattern, not JSON: not judged a match
        "{ ($.eventName = StopLogging ",
    ],
)
def test_filter_patterns_that_miss_events_do_not_cover(written: str) -> None:
    assert not filter_patterns.matches_any(written, [filter_patterns.parse(TRAIL_PATTERN)])


def test_and_distributes_over_or() -> None:
    required = filter_patterns.parse(
        "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = DeleteRoute)) }"
    )
    events = "{ ($.eventSource = ec2.amazonaws.com && $.eventName = DeleteRoute) || ($.eventName = CreateRoute) }"  # fmt: skip
    assert filter_patterns.covers(filter_patterns.parse(events), required)
    assert len(required) == 2


def test_every_cis_pattern_parses_and_covers_itself() -> None:
    for item in CIS_ITEMS:
        for p in item.required:
            assert filter_patterns.covers(p, p), item.key


def test_oversized_patterns_are_refused() -> None:
    huge = " && ".join(f"(($.a{i} = 1) || ($.b{i} = 2))" for i in range(13))
    with pytest.raises(filter_patterns.PatternError):
        filter_patterns.parse("{ " + huge + " }")


# ----------------------------------------------------------------------------- CIS alarm chains


def _account(**trail: Any) -> Resource:
    base = {
        "arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org",
        "multi_region": True,
        "logging": True,
        "management_events": "All",
        "log_group_arn": f"{GROUP_ARN}:*",
        "unread": [],
    }
    base.update(trail)
    return _at(res(T.CLOUDTRAIL_ACCOUNT, trails=[base], trails_complete=True), ACCOUNT, None)


def _group(pattern: str = TRAIL_PATTERN) -> Resource:
    filters = [
        {"name": "trail-changes", "pattern": pattern, "metrics": [{"namespace": "CIS", "name": "Trail"}]}
    ]
    return _at(res(T.LOGS_GROUP, "cloudtrail", metric_filters=filters), GROUP_ARN)


def _alarm(actions: list[str] | None = None, enabled: bool = True, region: str = "us-east-1") -> Resource:
    alarm = res(
        T.CLOUDWATCH_ALARM,
        "trail-changes",
        actions_enabled=enabled,
        alarm_actions=[TOPIC_ARN] if actions is None else actions,
        metric="CIS/Trail",
        metrics=[{"namespace": "CIS", "name": "Trail"}],
        state="OK",
    )
    return _at(alarm, f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:trail-changes", region)


def _topic(confirmed: int = 1) -> Resource:
    return _at(res(T.SNS_TOPIC, "security-alerts", confirmed_subscriptions=confirmed), TOPIC_ARN)


def _chain(*parts: Resource, acct: Resource | None = None) -> Status:
    return verdict(TRAIL_CHANGES, acct or _account(), *parts)


def test_a_complete_chain_passes() -> None:
    assert _chain(_group(), _alarm(), _topic()) == Status.PASS
    reordered = "{($.eventName=StopLogging)||($.eventName=StartLogging)||($.eventName=DeleteTrail)||($.eventName=UpdateTrail)||($.eventName=CreateTrail)}"  # fmt: skip
    assert _chain(_group(reordered), _alarm(), _topic()) == Status.PASS


@pytest.mark.parametrize(
    ("parts", "missing"),
    [
        (lambda: [_group("{ $.eventName = DeleteTrail }"), _alarm(), _topic()], "metric filter"),
        (lambda: [_group(), _topic()], "no alarm"),
        (lambda: [_group(), _alarm(region="eu-west-1"), _topic()], "no alarm"),  # another region's alarm
        (lambda: [_group(), _alarm(actions=[]), _topic()], "notifies no SNS topic"),
        (lambda: [_group(), _alarm(enabled=False), _topic()], "notifies no SNS topic"),
        (lambda: [_group(), _alarm(), _topic(confirmed=0)], "no confirmed subscription"),
    ],
)
def test_each_missing_link_fails_and_is_named(parts: Any, missing: str) -> None:
    acct = _account()
    check = REG.get(TRAIL_CHANGES)
    assert check is not None
    finding = run_check(check, acct, CheckContext(Snapshot(created_at=NOW, resources=[acct, *parts()])))
    assert finding.status == Status.FAIL
    assert missing in finding.message


def test_no_delivering_trail_fails_and_uncollected_links_are_errors() -> None:
    assert _chain(_group(), _alarm(), _topic(), acct=_account(log_group_arn=None)) == Status.FAIL
    assert _chain(_group(), _alarm(), _topic(), acct=_account(management_events="WriteOnly")) == Status.FAIL
    assert _chain(_alarm(), _topic()) == Status.ERROR  # log group not collected
    assert _chain(_group(), _alarm()) == Status.ERROR  # topic not collected


def test_unread_trail_or_trail_list_is_error_not_fail() -> None:
    unread = _account(log_group_arn=None, management_events=None, unread=["management_events"])
    assert _chain(acct=unread) == Status.ERROR
    gap = {
        "trails_complete": "the trails of eu-west-1 (cloudtrail.DescribeTrails: throttled) could not be read"
    }
    incomplete = _at(res(T.CLOUDTRAIL_ACCOUNT, trails=[], gaps=gap), ACCOUNT, None)
    assert _chain(acct=incomplete) == Status.ERROR


def test_metric_filters_that_could_not_be_read_are_error() -> None:
    group = _at(res(T.LOGS_GROUP, "cloudtrail", gaps={"metric_filters": "logs.DescribeMetricFilters: throttled"}), GROUP_ARN)  # fmt: skip
    assert _chain(group, _alarm(), _topic()) == Status.ERROR


# ----------------------------------------------------------------------------- detection, identity


def test_guardduty_reads_the_legacy_data_sources_shape() -> None:
    legacy = {
        "DataSources": {
            "S3Logs": {"Status": "ENABLED"},
            "Kubernetes": {"AuditLogs": {"Status": "DISABLED"}},
            "MalwareProtection": {"ScanEc2InstanceWithFindings": {"EbsVolumes": {"Status": "ENABLED"}}},
        }
    }
    assert features(legacy) == {
        "S3_DATA_EVENTS": "ENABLED",
        "EKS_AUDIT_LOGS": "DISABLED",
        "EBS_MALWARE_PROTECTION": "ENABLED",
    }
    modern = {
        **legacy,
        "Features": [
            {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
            {
                "Name": "RUNTIME_MONITORING",
                "Status": "ENABLED",
                "AdditionalConfiguration": [{"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"}],
            },
        ],
    }
    got = features(modern)
    assert got["EKS_AUDIT_LOGS"] == "ENABLED"  # Features win over DataSources
    assert got["RUNTIME_MONITORING/EKS_ADDON_MANAGEMENT"] == "ENABLED"
    region = res(T.GUARDDUTY_REGION, detectors=[{"id": "d1", "status": "ENABLED", "features": got}])
    assert verdict("aws.guardduty.eks_audit_logs", region) == Status.PASS
    assert verdict("aws.guardduty.runtime_monitoring", region) == Status.PASS
    off = res(T.GUARDDUTY_REGION, detectors=[{"id": "d1", "status": "ENABLED", "features": features(legacy)}])
    assert verdict("aws.guardduty.eks_audit_logs", off) == Status.FAIL
    assert verdict("aws.guardduty.s3_protection", off) == Status.PASS


def test_identity_center_absent_everywhere_fails_informationally() -> None:
    none = res(T.SSO_REGION, instances=[], has_instance=False)
    assert verdict("aws.identitycenter.enabled", none) == Status.FAIL
    elsewhere = _at(res(T.SSO_REGION, "eu", instances=["ssoins-1"], has_instance=True), "sso-eu", "eu-west-1")
    assert verdict("aws.identitycenter.enabled", _at(none, "sso-us"), elsewhere) == Status.PASS


def test_server_certificate_expiry() -> None:
    valid = res(T.IAM_SERVER_CERTIFICATE, "www", expiration=days_ago(-30), upload_date=days_ago(300))
    assert verdict("aws.iam.server_certificate_expired", valid) == Status.PASS
    expired = res(T.IAM_SERVER_CERTIFICATE, "old", expiration=days_ago(3), upload_date=days_ago(400))
    assert verdict("aws.iam.server_certificate_expired", expired) == Status.FAIL


# ----------------------------------------------------------------------------- edge, data


def test_cloudfront_origin_access_control() -> None:
    def dist(*origins: dict[str, Any]) -> Resource:
        return res(T.CLOUDFRONT_DISTRIBUTION, "site", s3_origins=list(origins))

    assert verdict("aws.cloudfront.origin_access_control", dist()) == Status.NOT_APPLICABLE
    assert (
        verdict("aws.cloudfront.origin_access_control", dist({"domain": "b.s3", "oac": "E1"})) == Status.PASS
    )
    legacy = dist({"domain": "b.s3", "oac": None, "oai": "origin-access-identity/cloudfront/E2"})
    assert verdict("aws.cloudfront.origin_access_control", legacy) == Status.FAIL


def test_secret_rotation_age_and_schedule() -> None:
    def secret(**kw: Any) -> Resource:
        base: dict[str, Any] = {"rotation_enabled": True, "rotation_days": 30, "last_rotated": days_ago(10)}
        return res(T.SECRET, "db", last_accessed=None, **{**base, **kw})

    rule = "aws.secretsmanager.rotated_within"
    assert verdict(rule, secret()) == Status.PASS
    assert verdict(rule, secret(rotation_enabled=False)) == Status.FAIL
    assert verdict(rule, secret(rotation_days=180)) == Status.FAIL
    assert verdict(rule, secret(last_rotated=days_ago(120))) == Status.FAIL  # the rotation function fails
    assert verdict(rule, secret(last_rotated=None, created=days_ago(5))) == Status.PASS
    assert verdict(rule, secret(last_rotated=days_ago(120)), params={"aws.secretsmanager.max_rotation_days": 180}) == Status.PASS  # fmt: skip


# ----------------------------------------------------------------------------- VPC


def _acl(*entries: dict[str, Any]) -> Resource:
    return res(T.EC2_NETWORK_ACL, "acl", vpc_id="vpc-1", is_default=False, entries=list(entries), subnets=[])


def _entry(rule: int, allow: bool, cidr: str = "0.0.0.0/0", lo: int | None = None, hi: int | None = None) -> dict[str, Any]:  # fmt: skip
    return {"rule_number": rule, "egress": False, "protocol": "-1" if lo is None else "6", "allow": allow,
            "cidr": cidr, "from_port": lo, "to_port": hi}  # fmt: skip


def test_nacl_rules_apply_in_rule_number_order() -> None:
    rule = "aws.vpc.nacl_admin_ports"
    assert verdict(rule, _acl(_entry(100, True))) == Status.FAIL
    denied_first = _acl(
        _entry(200, True), _entry(10, False, lo=22, hi=22), _entry(20, False, lo=3389, hi=3389)
    )
    assert verdict(rule, denied_first) == Status.PASS
    denied_after = _acl(_entry(10, True, lo=0, hi=1024), _entry(20, False, lo=22, hi=22))
    assert verdict(rule, denied_after) == Status.FAIL
    assert verdict(rule, _acl(_entry(100, True, cidr="10.0.0.0/8"))) == Status.PASS


def test_peering_routes() -> None:
    def table(*routes: dict[str, Any]) -> Resource:
        return res(T.EC2_ROUTE_TABLE, "rt", vpc_id="vpc-1", routes=[], peering_routes=list(routes))

    rule = "aws.vpc.peering_routes_least_access"
    assert verdict(rule, table()) == Status.NOT_APPLICABLE
    narrow = {"destination": "10.1.2.0/24", "peering_id": "pcx-1", "peer_cidrs": ["10.1.0.0/16"]}
    assert verdict(rule, table(narrow)) == Status.PASS
    assert verdict(rule, table({**narrow, "destination": "0.0.0.0/0"})) == Status.FAIL
    assert verdict(rule, table({**narrow, "peer_cidrs": None})) == Status.ERROR  # peering not listed


# ----------------------------------------------------------------------------- ML, containers


def test_sagemaker_model_isolation_and_bedrock_custom_model_key() -> None:
    isolated = res(T.SAGEMAKER_MODEL, "m", network_isolation=True, vpc_subnets=["subnet-1"], environment_variable_names=[])  # fmt: skip
    assert verdict("aws.sagemaker.model_network_isolation", isolated) == Status.PASS
    assert verdict("aws.sagemaker.model_in_vpc", isolated) == Status.PASS
    open_ = res(
        T.SAGEMAKER_MODEL, "m", network_isolation=False, vpc_subnets=[], environment_variable_names=[]
    )
    assert verdict("aws.sagemaker.model_network_isolation", open_) == Status.FAIL
    assert verdict("aws.sagemaker.model_in_vpc", open_) == Status.FAIL
    aws_owned = res(T.BEDROCK_CUSTOM_MODEL, "c", kms_key_arn=None, base_model="amazon.titan-text")
    assert verdict("aws.bedrock.custom_model_cmk", aws_owned) == Status.FAIL
    keyed = res(T.BEDROCK_CUSTOM_MODEL, "c", kms_key_arn="arn:aws:kms:us-east-1:1:key/k", base_model="x")
    assert verdict("aws.bedrock.custom_model_cmk", keyed) == Status.PASS


def test_bedrock_log_destinations() -> None:
    def region(**cfg: Any) -> Resource:
        return res(T.BEDROCK_REGION, "us-east-1", invocation_logging=cfg or None, guardrails=[])

    encrypted = res(T.S3_BUCKET, "ai-logs", encryption_rules=[{"sse": "aws:kms"}])
    plain = res(T.S3_BUCKET, "ai-logs", encryption_rules=[])
    group = res(T.LOGS_GROUP, "bedrock", kms_key_id=None)
    rule = "aws.bedrock.invocation_logging"
    assert verdict(rule, region()) == Status.FAIL
    assert verdict(rule, region(s3_bucket="ai-logs"), encrypted) == Status.PASS
    assert verdict(rule, region(s3_bucket="ai-logs"), plain) == Status.FAIL
    assert verdict(rule, region(s3_bucket="ai-logs")) == Status.ERROR  # bucket in another account
    assert verdict(rule, region(s3_bucket="ai-logs", log_group="bedrock"), encrypted, group) == Status.FAIL


def test_bedrock_guardrails_only_where_required() -> None:
    bare = res(T.BEDROCK_REGION, "us-east-1", invocation_logging=None, guardrails=[])
    rule = "aws.bedrock.guardrails"
    assert verdict(rule, bare) == Status.NOT_APPLICABLE
    assert verdict(rule, bare, params={"aws.bedrock.guardrail_regions": ["us-*"]}) == Status.FAIL
    guarded = res(T.BEDROCK_REGION, "us-east-1", invocation_logging=None, guardrails=[{"name": "g", "status": "READY"}])  # fmt: skip
    assert verdict(rule, guarded, params={"aws.bedrock.guardrail_regions": ["*"]}) == Status.PASS


def test_ecr_and_eks_alternatives() -> None:
    def repo(**kw: Any) -> Resource:
        base: dict[str, Any] = {
            "scan_on_push": False,
            "enhanced_scanning": False,
            "tag_mutability": "MUTABLE",
        }
        return res(T.ECR_REPOSITORY, "app", **{**base, **kw})

    assert verdict("aws.ecr.image_scanning", repo()) == Status.FAIL
    assert verdict("aws.ecr.image_scanning", repo(enhanced_scanning=True)) == Status.PASS
    assert verdict("aws.ecr.tag_immutability", repo(tag_mutability="IMMUTABLE_WITH_EXCLUSION")) == Status.PASS

    def cluster(**kw: Any) -> Resource:
        base: dict[str, Any] = {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]}
        return res(T.EKS_CLUSTER, "prod", **{**base, **kw})

    assert verdict("aws.eks.endpoint_not_public", cluster()) == Status.FAIL
    assert (
        verdict("aws.eks.endpoint_not_public", cluster(public_access_cidrs=["203.0.113.0/24"])) == Status.PASS
    )
    assert verdict("aws.eks.endpoint_not_public", cluster(endpoint_public_access=False)) == Status.PASS
    assert verdict("aws.eks.supported_version", cluster(version="1.29")) == Status.FAIL
    assert verdict("aws.eks.supported_version", cluster(version="1.29"), params={"aws.eks.oldest_supported_version": "1.28"}) == Status.PASS  # fmt: skip

    bastion = res(T.EC2_SECURITY_GROUP, "bastion", group_id="sg-b", ingress=[])
    world = res(
        T.EC2_SECURITY_GROUP,
        "world",
        group_id="sg-w",
        ingress=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    rule = "aws.eks.nodegroup_remote_access"

    def ng(*sources: str) -> Resource:
        return res(T.EKS_NODEGROUP, "ng", cluster="prod", ssh_key="ops", source_security_groups=list(sources))

    assert verdict(rule, ng()) == Status.FAIL
    assert verdict(rule, ng("sg-b"), bastion) == Status.PASS
    assert verdict(rule, ng("sg-w"), world) == Status.FAIL
