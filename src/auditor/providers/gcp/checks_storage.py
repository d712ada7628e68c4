"""Cloud Storage checks: uniform access, public buckets, versioning, log archive retention."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, passed, summarize
from auditor.models import Resource
from auditor.providers.gcp import policy as P
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.checks_logging import RETENTION
from auditor.providers.gcp.common import CIS

checks = CheckSet("gcp")


@checks.check(
    id="gcp.storage.uniform_access",
    title="Buckets use uniform bucket-level access",
    severity="medium",
    resource_types=[T.BUCKET],
    rationale="With object ACLs, access is decided object by object and no IAM review sees it.",
    remediation="Enable uniform bucket-level access (gcloud storage buckets update --uniform-bucket-level-access).",
    references=[f"{CIS} 5.2"],
)
def uniform_access(bucket: Resource, ctx: CheckContext) -> Verdict:
    if not need(bucket, "uniform_access"):
        return failed(f"enable uniform bucket-level access on bucket {bucket.name}")
    return passed("uniform bucket-level access")


@checks.check(
    id="gcp.storage.bucket_not_public",
    title="Buckets are not readable or writable by the public",
    severity="critical",
    resource_types=[T.BUCKET],
    rationale="A bucket granted to allUsers or allAuthenticatedUsers is open to the internet.",
    remediation="Remove allUsers and allAuthenticatedUsers from the bucket's IAM policy and enforce public access prevention.",
    references=[f"{CIS} 5.1"],
)
def bucket_not_public(bucket: Resource, ctx: CheckContext) -> Verdict:
    pol = P.attached_policy(ctx, T.IAM_POLICY, bucket)
    public = P.public_grants(pol) if pol is not None else []
    if public and need(bucket, "public_access_prevention") != "enforced":
        return failed(f"remove public members from bucket {bucket.name}: {summarize(public)}")
    return passed(
        "no public access" if not public else "public grants are blocked by public access prevention"
    )


@checks.check(
    id="gcp.storage.versioning",
    title="Buckets keep object versions",
    severity="low",
    resource_types=[T.BUCKET],
    rationale="Versioning lets you recover objects overwritten or deleted by mistake or by ransomware.",
    remediation="Enable object versioning (gcloud storage buckets update --versioning).",
)
def versioning(bucket: Resource, ctx: CheckContext) -> Verdict:
    if not need(bucket, "versioning"):
        return failed(f"enable object versioning on bucket {bucket.name}")
    return passed("versioning on")


@checks.check(
    id="gcp.storage.log_bucket_retention_lock",
    title="Buckets that receive exported logs have a locked retention policy",
    severity="high",
    resource_types=[T.BUCKET],
    rationale="Exported logs are evidence; a locked retention policy keeps anyone, admins included, from deleting them.",
    remediation="Set a retention policy on the bucket and lock it (gcloud storage buckets update --retention-period, "
    "then --lock-retention-period).",
    references=[f"{CIS} 2.3"],
    params=[RETENTION],
)
def log_bucket_retention_lock(bucket: Resource, ctx: CheckContext) -> Verdict:
    sinks = ctx.lookup(T.LOG_SINK, "destination_bucket", need(bucket, "bucket_name"))
    if not sinks:
        return not_applicable("no log sink exports to this bucket")
    seconds = need(bucket, "retention_seconds")
    minimum = ctx.param("gcp.logging.min_retention_days")
    if seconds is None or seconds < minimum * 86400 or not need(bucket, "retention_locked"):
        days = seconds // 86400 if seconds else 0
        return failed(
            f"set a retention policy of at least {minimum} days on log archive bucket {bucket.name} and lock it "
            f"(now {days} days, {'locked' if need(bucket, 'retention_locked') else 'unlocked'})"
        )
    return passed(f"locked retention of {seconds // 86400} days")
