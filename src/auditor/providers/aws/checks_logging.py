"""Logging and detection: CloudTrail, AWS Config, GuardDuty, Security Hub, Access Analyzer, CloudWatch Logs."""

from __future__ import annotations

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    errored,
    failed,
    need,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.aws import resources as T
from auditor.providers.aws.policy import public_statements

checks = CheckSet("aws")


@checks.check(
    id="aws.cloudtrail.multi_region_logging",
    title="A multi-region CloudTrail trail is logging management events",
    severity="high",
    resource_types=[T.CLOUDTRAIL_ACCOUNT],
    rationale="Without an account-wide trail, API activity in some regions goes unrecorded.",
    remediation="Create a multi-region trail (or an organization trail) recording read and write management "
    "events, and StartLogging.",
)
def multi_region_logging(acct: Resource, ctx: CheckContext) -> Verdict:
    trails = need(acct, "trails")
    good = [
        t["arn"].rsplit("/", 1)[-1]
        for t in trails
        if t.get("multi_region") and t.get("logging") and t.get("management_events") == "All"
    ]
    if good:
        return passed(f"multi-region trail logging all management events: {summarize(good)}")
    need(acct, "trails_complete")  # a gap: some region's trails could not be read -> error, not fail
    unknown = [
        t["arn"].rsplit("/", 1)[-1]
        for t in trails
        if t.get("multi_region")
        and (
            t.get("logging") is None or (t.get("logging") and "management_events" in (t.get("unread") or ()))
        )
    ]
    if unknown:
        return errored(
            f"the status or event selectors of multi-region trail(s) {summarize(unknown)} could not be read"
        )
    return failed("no multi-region trail is logging read and write management events")


@checks.check(
    id="aws.cloudtrail.trail_logging",
    title="CloudTrail trails are logging",
    severity="medium",
    resource_types=[T.CLOUDTRAIL_TRAIL],
    rationale="A stopped trail records nothing.",
    remediation="StartLogging on the trail, or delete it if it is not needed.",
)
def trail_logging(trail: Resource, ctx: CheckContext) -> Verdict:
    if need(trail, "is_logging"):
        return passed("trail is logging")
    return failed(f"trail {trail.name} is not logging")


@checks.check(
    id="aws.cloudtrail.log_file_validation",
    title="CloudTrail log file validation is enabled",
    severity="medium",
    resource_types=[T.CLOUDTRAIL_TRAIL],
    rationale="Digest files prove that log files were not modified or deleted after delivery.",
    remediation="UpdateTrail with EnableLogFileValidation=true.",
)
def log_file_validation(trail: Resource, ctx: CheckContext) -> Verdict:
    if need(trail, "log_file_validation"):
        return passed("log file validation is on")
    return failed(f"trail {trail.name} has log file validation off")


@checks.check(
    id="aws.cloudtrail.kms_encryption",
    title="CloudTrail logs are encrypted with a KMS key",
    severity="medium",
    resource_types=[T.CLOUDTRAIL_TRAIL],
    rationale="SSE-KMS adds a key policy gate on who can read audit logs.",
    remediation="UpdateTrail with KmsKeyId set to a customer-managed key.",
)
def trail_kms(trail: Resource, ctx: CheckContext) -> Verdict:
    if need(trail, "kms_key_id"):
        return passed("logs are encrypted with a KMS key")
    return failed(f"trail {trail.name} does not use a KMS key")


@checks.check(
    id="aws.cloudtrail.cloudwatch_delivery",
    title="CloudTrail delivers to CloudWatch Logs",
    severity="low",
    resource_types=[T.CLOUDTRAIL_TRAIL],
    rationale="Delivery to CloudWatch Logs enables metric filters and alarms on API activity.",
    remediation="UpdateTrail with CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn.",
)
def trail_cloudwatch(trail: Resource, ctx: CheckContext) -> Verdict:
    group = need(trail, "cloudwatch_logs_log_group_arn")
    if group:
        return passed(f"delivers to {group.split(':log-group:')[-1].removesuffix(':*')}")
    return failed(f"trail {trail.name} does not deliver to CloudWatch Logs")


@checks.check(
    id="aws.cloudtrail.bucket_not_public",
    title="The CloudTrail log bucket is not public",
    severity="critical",
    resource_types=[T.CLOUDTRAIL_TRAIL],
    rationale="Public audit logs reveal the account's activity and infrastructure to anyone.",
    remediation="Remove public statements and ACL grants from the log bucket and enable Block Public Access.",
)
def trail_bucket_not_public(trail: Resource, ctx: CheckContext) -> Verdict:
    name = need(trail, "s3_bucket")
    bucket = next(iter(ctx.lookup(T.S3_BUCKET, "name", name)), None)
    if bucket is None:
        return errored(f"log bucket {name} was not collected (another account?): scan that account too")
    policy = need(bucket, "policy")
    pab = need(bucket, "public_access_block") or {}
    public = [] if pab.get("RestrictPublicBuckets") else public_statements(policy)
    grants = [
        g
        for g in need(bucket, "acl_grants")
        if str(g.get("grantee_uri", "")).endswith(("AllUsers", "AuthenticatedUsers"))
    ]
    if pab.get("IgnorePublicAcls"):
        grants = []
    if public or grants:
        what = [*public, *(f"ACL {g['permission']}" for g in grants)]
        return failed(f"log bucket {name} of trail {trail.name} is public: {summarize(what)}")
    return passed(f"log bucket {name} is not public")


@checks.check(
    id="aws.config.recorder_enabled",
    title="AWS Config records all resources in every region",
    severity="medium",
    resource_types=[T.CONFIG_REGION],
    rationale="The configuration history is the inventory and change record auditors sample from.",
    remediation="Create a configuration recorder with allSupported=true and a delivery channel, and start it, "
    "in every enabled region.",
)
def config_recorder(region: Resource, ctx: CheckContext) -> Verdict:
    recs = need(region, "recorders")
    if not recs:
        return failed(f"no AWS Config recorder in {region.location.region}")
    good = [r["name"] for r in recs if r.get("recording") and r.get("all_supported")]
    if good:
        return passed(f"recorder {summarize(good)} records all supported resources")
    return failed(
        f"recorder {summarize([r['name'] for r in recs])} in {region.location.region} is stopped or records a subset"
    )


@checks.check(
    id="aws.guardduty.enabled",
    title="GuardDuty is enabled in every region",
    severity="high",
    resource_types=[T.GUARDDUTY_REGION],
    rationale="GuardDuty detects compromised credentials, crypto-mining and reconnaissance from logs it reads itself.",
    remediation="Enable GuardDuty (CreateDetector) in every enabled region, ideally via the organization's delegated admin.",
)
def guardduty_enabled(region: Resource, ctx: CheckContext) -> Verdict:
    dets = need(region, "detectors")
    if any(d.get("status") == "ENABLED" for d in dets):
        return passed("a GuardDuty detector is enabled")
    if dets:
        return failed(f"GuardDuty detector(s) in {region.location.region} are suspended")
    return failed(f"GuardDuty is not enabled in {region.location.region}")


@checks.check(
    id="aws.securityhub.enabled",
    title="Security Hub is enabled in every region",
    severity="medium",
    resource_types=[T.SECURITYHUB_REGION],
    rationale="Security Hub aggregates findings and runs the standard controls continuously.",
    remediation="EnableSecurityHub in every enabled region (with the AWS Foundational Security Best Practices standard).",
)
def securityhub_enabled(region: Resource, ctx: CheckContext) -> Verdict:
    if need(region, "enabled"):
        return passed("Security Hub is enabled")
    return failed(f"Security Hub is not enabled in {region.location.region}")


@checks.check(
    id="aws.accessanalyzer.enabled",
    title="IAM Access Analyzer is enabled in every region",
    severity="medium",
    resource_types=[T.ACCESSANALYZER_REGION],
    rationale="Access Analyzer finds resources shared outside the account or organization.",
    remediation="CreateAnalyzer of type ACCOUNT (or ORGANIZATION from the management/delegated account) in every region.",
)
def accessanalyzer_enabled(region: Resource, ctx: CheckContext) -> Verdict:
    active = [a["name"] for a in need(region, "analyzers") if a.get("status") == "ACTIVE"]
    if active:
        return passed(f"active analyzer {summarize(active)}")
    return failed(f"no active IAM Access Analyzer in {region.location.region}")


@checks.check(
    id="aws.logs.retention",
    title="CloudWatch log groups keep logs for at least a year",
    severity="low",
    resource_types=[T.LOGS_GROUP],
    rationale="Investigations and audits need logs from the whole audit period; 'never expire' is fine, short is not.",
    remediation="PutRetentionPolicy with retentionInDays >= 365 (parameter aws.logs.min_retention_days).",
    params=[
        param(
            "aws.logs.min_retention_days",
            "integer",
            365,
            "Fewest days a CloudWatch log group must retain events (never-expire passes).",
        )
    ],
)
def logs_retention(group: Resource, ctx: CheckContext) -> Verdict:
    want = int(ctx.param("aws.logs.min_retention_days"))
    days = need(group, "retention_in_days")
    if days is None:
        return passed("logs never expire")
    if int(days) < want:
        return failed(f"log group {group.name} keeps logs {days} days, less than {want}")
    return passed(f"logs kept {days} days")


@checks.check(
    id="aws.logs.kms_encryption",
    title="CloudWatch log groups are encrypted with a KMS key",
    severity="low",
    resource_types=[T.LOGS_GROUP],
    rationale="A customer-managed key puts a key-policy gate on who can read log data.",
    remediation="AssociateKmsKey on the log group.",
)
def logs_kms(group: Resource, ctx: CheckContext) -> Verdict:
    if need(group, "kms_key_id"):
        return passed("encrypted with a KMS key")
    return failed(f"log group {group.name} is not encrypted with a KMS key")
