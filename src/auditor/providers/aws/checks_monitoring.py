"""Monitoring and detection: the CIS CloudWatch alarm chains, Security Hub standards, Inspector,
Macie, GuardDuty protection plans and findings export, AWS Config delivery and global
resources, IAM Identity Center.

A CIS monitoring item (CIS AWS Foundations Benchmark section 4) is judged as a chain, once per
account: a multi-region trail logging every management event delivers to a CloudWatch Logs
group; that group has a metric filter whose pattern matches (at least) the item's events,
compared by meaning (auditor.providers.aws.filter_patterns), not as text; an alarm watches
the filter's metric in the same account and region; the alarm's actions are enabled and
notify an SNS topic; the topic has a confirmed subscription. The message names the first
missing link and what to create there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from auditor.checks import (
    CheckContext,
    CheckFunc,
    CheckSet,
    Verdict,
    errored,
    failed,
    need,
    param,
    passed,
    summarize,
)
from auditor.models import ParamSpec, Resource, Status
from auditor.providers.aws import filter_patterns
from auditor.providers.aws import resources as T

checks = CheckSet("aws")


# ----------------------------------------------------------------------------- CIS alarm chains


@dataclass(frozen=True)
class CisItem:
    key: str  # check id: aws.cloudwatch.alarm_<key>
    what: str  # what the alarm is about, for titles and messages
    cis: str  # CIS AWS Foundations Benchmark v3.0 recommendation
    patterns: tuple[str, ...]  # the accepted filter patterns (the CIS one first): any one suffices

    @cached_property
    def required(self) -> list[filter_patterns.Pattern]:
        """The accepted patterns, parsed once (not once per account judged)."""
        return [filter_patterns.parse(p) for p in self.patterns]


def _names(source: str | None, *events: str) -> str:
    """A CIS pattern: any of `events` (from `source`, when given)."""
    alternatives = " || ".join(f"($.eventName = {e})" for e in events)
    return f"{{ ($.eventSource = {source}) && ({alternatives}) }}" if source else f"{{ {alternatives} }}"


CIS_ITEMS = (
    CisItem("unauthorized_api_calls", "unauthorized API calls", "4.1", (
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    )),
    CisItem("console_signin_without_mfa", "console sign-in without MFA", "4.2", (
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    )),
    CisItem("root_usage", "use of the root user", "4.3", (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    )),
    CisItem("iam_policy_changes", "IAM policy changes", "4.4", (_names(
        None, "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
        "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
        "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
        "DetachGroupPolicy",
    ),)),
    CisItem("cloudtrail_changes", "CloudTrail configuration changes", "4.5", (_names(
        None, "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"
    ),)),
    CisItem("console_auth_failures", "console authentication failures", "4.6", (
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    )),
    CisItem("cmk_disable_or_deletion", "disabling or scheduled deletion of customer-managed KMS keys", "4.7", (
        _names("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
    )),
    CisItem("s3_bucket_policy_changes", "S3 bucket policy changes", "4.8", (_names(
        "s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
        "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
        "DeleteBucketReplication",
    ),)),
    CisItem("config_changes", "AWS Config configuration changes", "4.9", (_names(
        "config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
        "PutConfigurationRecorder",
    ),)),
    CisItem("security_group_changes", "security group changes", "4.10", (_names(
        None, "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
    ),)),
    CisItem("nacl_changes", "network ACL changes", "4.11", (_names(
        None, "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
    ),)),
    CisItem("network_gateway_changes", "network gateway changes", "4.12", (_names(
        None, "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
        "DeleteInternetGateway", "DetachInternetGateway",
    ),)),
    CisItem("route_table_changes", "route table changes", "4.13", (_names(
        "ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
        "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
    ),)),
    CisItem("vpc_changes", "VPC changes", "4.14", (_names(
        None, "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
    ),)),
    CisItem("organizations_changes", "AWS Organizations changes", "4.15", (_names(
        "organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount",
        "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
        "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
        "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
        "UpdatePolicy", "UpdateOrganizationalUnit",
    ),)),
)  # fmt: skip


@dataclass(frozen=True)
class _Link:
    """How far one candidate chain got: the furthest decides the message."""

    depth: int
    verdict: Verdict


def _short(arn: str, marker: str) -> str:
    return arn.split(marker, 1)[-1].removesuffix(":*")


def _topic_links(alarm: Resource, metric: str, ctx: CheckContext) -> Iterator[_Link]:
    topics = [a for a in need(alarm, "alarm_actions") if str(a).startswith("arn:aws:sns:")]
    if not need(alarm, "actions_enabled") or not topics:
        yield _Link(4, failed(
            f"alarm {alarm.name} on metric {metric} notifies no SNS topic or has its actions disabled: "
            "add an SNS topic to its AlarmActions and enable its actions"
        ))  # fmt: skip
        return
    for arn in topics:
        topic = ctx.get(T.SNS_TOPIC, arn)
        if topic is None:
            yield _Link(
                5, errored(f"SNS topic {arn} of alarm {alarm.name} was not collected: scan its account")
            )
        elif int(need(topic, "confirmed_subscriptions")) > 0:
            yield _Link(6, passed(
                f"alarm {alarm.name} on metric {metric} notifies SNS topic {topic.name} "
                f"({need(topic, 'confirmed_subscriptions')} confirmed subscription(s))"
            ))  # fmt: skip
        else:
            yield _Link(5, failed(
                f"SNS topic {topic.name} (alarm {alarm.name}) has no confirmed subscription: "
                "subscribe the people or system that respond"
            ))  # fmt: skip


def _group_links(trail: str, group: Resource, item: CisItem, ctx: CheckContext) -> Iterator[_Link]:
    def matching(pattern: Any) -> bool:
        # the same pattern text recurs in every account: parse and compare it once per item
        return ctx.memo(
            ("aws.cloudwatch.filter_matches", item.key, pattern),
            lambda: filter_patterns.matches_any(pattern, item.required),
        )

    filters = [f for f in need(group, "metric_filters") if matching(f.get("pattern", ""))]
    if not filters:
        yield _Link(2, failed(
            f"log group {group.name} (trail {trail}) has no metric filter matching {item.what}: "
            f"PutMetricFilter on it with the pattern {item.patterns[0]}"
        ))  # fmt: skip
        return
    for f in filters:
        for m in f.get("metrics") or []:
            metric = f"{m.get('namespace')}/{m.get('name')}"
            alarms = ctx.lookup(T.CLOUDWATCH_ALARM, "metric", metric, within="region", of=group)
            if not alarms:
                yield _Link(3, failed(
                    f"metric {metric} (filter {f.get('name')} on log group {group.name}) has no alarm: "
                    "PutMetricAlarm on it with an SNS topic in AlarmActions"
                ))  # fmt: skip
            for alarm in alarms:
                yield from _topic_links(alarm, metric, ctx)


def alarm_chain(acct: Resource, ctx: CheckContext, item: CisItem) -> Verdict:
    trails = need(acct, "trails")
    delivering = [
        t
        for t in trails
        if t.get("multi_region")
        and t.get("logging")
        and t.get("management_events") == "All"
        and t.get("log_group_arn")
    ]
    if not delivering:
        need(acct, "trails_complete")  # some region's trails unread: no chain found is a guess -> error
        unknown = [
            t["arn"]
            for t in trails
            if t.get("multi_region") and (t.get("logging") is None or t.get("unread"))
        ]
        if unknown:
            return errored(f"the status of multi-region trail(s) {summarize(unknown)} could not be read")
        return failed(
            f"account {acct.location.account} has no multi-region trail logging all management events to "
            "CloudWatch Logs: set CloudWatchLogsLogGroupArn on one, then add the metric filter and alarm for "
            f"{item.what}"
        )
    links: list[_Link] = []
    for t in delivering:
        trail = _short(t["arn"], ":trail/")
        group = ctx.get(T.LOGS_GROUP, str(t["log_group_arn"]).removesuffix(":*"))
        if group is None:
            links.append(_Link(1, errored(
                f"log group {_short(t['log_group_arn'], ':log-group:')} of trail {trail} was not collected "
                "(another account or region?): scan it too"
            )))  # fmt: skip
            continue
        links.extend(_group_links(trail, group, item, ctx))
    # a complete chain passes; else an unjudgeable one is an error (it may be complete); else the
    # chain that got furthest says what is missing
    for status in (Status.PASS, Status.ERROR):
        found = next((link for link in links if link.verdict.status is status), None)
        if found is not None:
            return found.verdict
    return max(links, key=lambda link: link.depth).verdict


def _register(item: CisItem) -> None:
    @checks.check(
        id=f"aws.cloudwatch.alarm_{item.key}",
        title=f"A CloudWatch alarm on {item.what} notifies a subscribed SNS topic",
        severity="medium",
        resource_types=[T.CLOUDTRAIL_ACCOUNT],
        rationale=f"CIS AWS Foundations {item.cis}: {item.what} should reach a person within minutes, not at "
        "the next log review.",
        remediation="Deliver a multi-region trail to CloudWatch Logs; on its log group PutMetricFilter with the "
        f"pattern {item.patterns[0]}; PutMetricAlarm on the filter's metric with an SNS topic in AlarmActions; "
        "subscribe the responders to the topic.",
        references=["https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"],
    )
    def chain(acct: Resource, ctx: CheckContext) -> Verdict:
        return alarm_chain(acct, ctx, item)


for _item in CIS_ITEMS:
    _register(_item)


# ----------------------------------------------------------------------------- detection services

_STANDARDS = ["aws-foundational-security-best-practices", "cis-aws-foundations-benchmark"]


@checks.check(
    id="aws.securityhub.standards_enabled",
    title="Security Hub runs the required standards in every region",
    severity="medium",
    resource_types=[T.SECURITYHUB_REGION],
    rationale="Security Hub only evaluates the controls of the standards that are enabled.",
    remediation="EnableSecurityHub, then BatchEnableStandards for each standard of parameter "
    "aws.securityhub.required_standards, in every region.",
    params=[
        param(
            "aws.securityhub.required_standards",
            "string_list",
            _STANDARDS,
            "Security Hub standards that must be enabled in every region (a name in the standard's ARN, "
            "such as cis-aws-foundations-benchmark).",
        )
    ],
)
def securityhub_standards(region: Resource, ctx: CheckContext) -> Verdict:
    wanted = [str(s) for s in ctx.param("aws.securityhub.required_standards")]
    if not need(region, "enabled"):
        return failed(
            f"Security Hub is not enabled in {region.location.region}: EnableSecurityHub and enable "
            f"{summarize(wanted)}"
        )
    ready = [str(s.get("arn")) for s in need(region, "standards") if s.get("status") == "READY"]
    missing = [w for w in wanted if not any(f"/{w}/" in arn for arn in ready)]
    if missing:
        return failed(
            f"Security Hub in {region.location.region} does not run {summarize(missing)}: BatchEnableStandards"
        )
    return passed(f"standards enabled: {summarize(wanted)}")


@checks.check(
    id="aws.inspector2.enabled",
    title="Amazon Inspector scans the required resource types in every region",
    severity="medium",
    resource_types=[T.INSPECTOR_REGION],
    rationale="Inspector finds known vulnerabilities in instances, images and functions continuously.",
    remediation="Inspector2 Enable with the resource types of parameter aws.inspector2.scan_types, in every "
    "region (or from the delegated administrator for the organization).",
    params=[
        param(
            "aws.inspector2.scan_types",
            "string_list",
            ["ec2", "ecr"],
            "Inspector scan types that must be enabled (ec2, ecr, lambda, lambdaCode).",
        )
    ],
)
def inspector_enabled(region: Resource, ctx: CheckContext) -> Verdict:
    wanted = [str(s) for s in ctx.param("aws.inspector2.scan_types")]
    state = need(region, "resource_state")
    off = [w for w in wanted if state.get(w) != "ENABLED"]
    if off:
        return failed(f"Inspector in {region.location.region} does not scan {summarize(off)}: Enable them")
    return passed(f"Inspector scans {summarize(wanted)}")


@checks.check(
    id="aws.macie.enabled",
    title="Amazon Macie is enabled in every region",
    severity="medium",
    resource_types=[T.MACIE_REGION],
    rationale="Macie discovers and classifies sensitive data (PII, PHI, credentials) in S3.",
    remediation="EnableMacie in every region (or from the delegated administrator) and run discovery jobs.",
)
def macie_enabled(region: Resource, ctx: CheckContext) -> Verdict:
    status = need(region, "status")
    if status == "ENABLED":
        return passed("Macie is enabled")
    return failed(f"Macie is {str(status or 'not enabled').lower()} in {region.location.region}: EnableMacie")


def _detectors(region: Resource) -> list[dict[str, Any]]:
    return [d for d in need(region, "detectors") if d.get("status") == "ENABLED"]


def _protection(region: Resource, label: str, fix: str, *features: str) -> Verdict:
    dets = _detectors(region)
    if not dets:
        return failed(f"GuardDuty is not enabled in {region.location.region}: CreateDetector with {label} on")
    on = [str(d["id"]) for d in dets if any((d.get("features") or {}).get(f) == "ENABLED" for f in features)]
    if on:
        return passed(f"{label} is on (detector {summarize(on)})")
    return failed(f"GuardDuty in {region.location.region} has {label} off: {fix}")


def _guardduty(
    id_: str, title: str, rationale: str, remediation: str, params: Iterable[ParamSpec] = ()
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check over a region's GuardDuty detectors."""
    return checks.check(
        id=id_, title=title, severity="medium", resource_types=[T.GUARDDUTY_REGION],
        rationale=rationale, remediation=remediation, params=params,
    )  # fmt: skip


@_guardduty(
    "aws.guardduty.s3_protection",
    "GuardDuty S3 protection is on in every region",
    "S3 protection watches data events for exfiltration and suspicious access to buckets.",
    "UpdateDetector with the S3_DATA_EVENTS feature ENABLED.",
)
def guardduty_s3(region: Resource, ctx: CheckContext) -> Verdict:
    return _protection(region, "S3 protection", "enable the S3_DATA_EVENTS feature", "S3_DATA_EVENTS")


@_guardduty(
    "aws.guardduty.eks_audit_logs",
    "GuardDuty monitors EKS audit logs in every region",
    "EKS audit log monitoring detects suspicious Kubernetes API activity.",
    "UpdateDetector with the EKS_AUDIT_LOGS feature ENABLED.",
)
def guardduty_eks_audit(region: Resource, ctx: CheckContext) -> Verdict:
    return _protection(
        region, "EKS audit log monitoring", "enable the EKS_AUDIT_LOGS feature", "EKS_AUDIT_LOGS"
    )


@_guardduty(
    "aws.guardduty.runtime_monitoring",
    "GuardDuty runtime monitoring covers EKS in every region",
    "Runtime monitoring sees process, file and network activity inside nodes and containers.",
    "UpdateDetector with RUNTIME_MONITORING ENABLED and its EKS_ADDON_MANAGEMENT add-on ENABLED.",
)
def guardduty_runtime(region: Resource, ctx: CheckContext) -> Verdict:
    return _protection(
        region,
        "runtime monitoring",
        "enable RUNTIME_MONITORING with EKS_ADDON_MANAGEMENT",
        "RUNTIME_MONITORING",
        "EKS_RUNTIME_MONITORING",
    )


@_guardduty(
    "aws.guardduty.malware_protection",
    "GuardDuty malware protection scans EC2 volumes in every region",
    "Malware protection scans the EBS volumes of instances with suspicious findings.",
    "UpdateDetector with the EBS_MALWARE_PROTECTION feature ENABLED.",
)
def guardduty_malware(region: Resource, ctx: CheckContext) -> Verdict:
    return _protection(
        region, "malware protection", "enable the EBS_MALWARE_PROTECTION feature", "EBS_MALWARE_PROTECTION"
    )


@_guardduty(
    "aws.guardduty.findings_exported",
    "GuardDuty findings are exported in every region",
    "Exported findings outlive GuardDuty's 90-day retention and reach the SIEM.",
    "CreatePublishingDestination (S3, with a KMS key) for the detector.",
)
def guardduty_exported(region: Resource, ctx: CheckContext) -> Verdict:
    dets = _detectors(region)
    if not dets:
        return failed(
            f"GuardDuty is not enabled in {region.location.region}: CreateDetector and export its findings"
        )
    publishing = [d for d in need(region, "publishing_destinations") if d.get("status") == "PUBLISHING"]
    if publishing:
        return passed(
            f"findings are exported to {summarize(sorted({str(d.get('type')) for d in publishing}))}"
        )
    return failed(
        f"GuardDuty findings in {region.location.region} are not exported: CreatePublishingDestination for the detector"
    )


# ----------------------------------------------------------------------------- AWS Config, Identity Center


def _regions(found: Iterable[Resource]) -> list[str]:
    return sorted(str(r.location.region) for r in found)


@checks.check(
    id="aws.config.delivery_channel",
    title="AWS Config delivers its configuration history in every region",
    severity="medium",
    resource_types=[T.CONFIG_REGION],
    rationale="Without a delivery channel the recorder keeps no history in S3 for auditors to sample.",
    remediation="PutDeliveryChannel with an S3 bucket (and an SNS topic) next to the recorder.",
)
def config_delivery(region: Resource, ctx: CheckContext) -> Verdict:
    channels = [str(ch.get("name")) for ch in need(region, "delivery_channels")]
    if not need(region, "recorders"):
        return failed(f"no AWS Config recorder or delivery channel in {region.location.region}: create both")
    if channels:
        return passed(f"delivery channel {summarize(channels)}")
    return failed(
        f"AWS Config in {region.location.region} has no delivery channel: PutDeliveryChannel to an S3 bucket"
    )


@checks.check(
    id="aws.config.global_resources_recorded",
    title="AWS Config records global resources (IAM) in one region",
    severity="low",
    resource_types=[T.CONFIG_REGION],
    rationale="IAM users, roles and policies are global: one region's recorder must include them, or their "
    "change history is missing.",
    remediation="Set recordingGroup includeGlobalResourceTypes=true (with allSupported) on the recorder of one "
    "region, the home region.",
)
def config_global(region: Resource, ctx: CheckContext) -> Verdict:
    if need(region, "records_global"):
        return passed("global resource types are recorded here")
    elsewhere = _regions(ctx.lookup(T.CONFIG_REGION, "records_global", True, within="account", of=region))
    if elsewhere:
        return passed(f"global resource types are recorded in {summarize(elsewhere)}")
    return failed(
        f"no AWS Config recorder of account {region.location.account} records global resource types: set "
        "includeGlobalResourceTypes on one region's recorder"
    )


@checks.check(
    id="aws.identitycenter.enabled",
    title="IAM Identity Center is in use (informational)",
    severity="info",
    resource_types=[T.SSO_REGION],
    rationale="Identity Center gives workforce users federated, short-lived access instead of IAM users.",
    remediation="Enable IAM Identity Center (in the organization's management account) and grant access "
    "through permission sets.",
)
def identity_center(region: Resource, ctx: CheckContext) -> Verdict:
    if need(region, "has_instance"):
        return passed("an Identity Center instance is here")
    elsewhere = _regions(ctx.lookup(T.SSO_REGION, "has_instance", True, within="account", of=region))
    if elsewhere:
        return passed(f"Identity Center is in {summarize(elsewhere)}")
    return failed(
        f"account {region.location.account} lists no IAM Identity Center instance: enable it, or confirm that "
        "workforce access is managed from another account"
    )
