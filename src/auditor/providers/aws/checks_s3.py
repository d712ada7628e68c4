"""S3 checks: account and bucket public access, encryption, TLS, versioning, immutability, logging."""

from __future__ import annotations

import fnmatch

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
from auditor.providers.aws.policy import denies_insecure_transport, public_statements

checks = CheckSet("aws")
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _pab_off(pab: dict[str, object] | None) -> list[str]:
    return [f for f in PAB_FLAGS if not (pab or {}).get(f)]


@checks.check(
    id="aws.s3.account_public_access_block",
    title="S3 Block Public Access is on for the whole account",
    severity="high",
    resource_types=[T.S3_ACCOUNT],
    rationale="The account-level block overrides any bucket policy or ACL that would make data public, "
    "including buckets created later.",
    remediation="PutPublicAccessBlock (s3control) for the account with all four settings true.",
)
def account_public_access_block(acct: Resource, ctx: CheckContext) -> Verdict:
    off = _pab_off(need(acct, "public_access_block"))
    if off:
        return failed(f"account-level block public access settings off: {', '.join(off)}")
    return passed("all four account-level block public access settings are on")


@checks.check(
    id="aws.s3.bucket_default_encryption",
    title="S3 buckets encrypt new objects by default",
    severity="medium",
    resource_types=[T.S3_BUCKET],
    rationale="Default encryption makes sure every object written to the bucket is encrypted at rest, "
    "whatever the client sends.",
    remediation="Set a default encryption rule (SSE-KMS with a customer-managed key for sensitive data) "
    "with PutBucketEncryption.",
)
def bucket_default_encryption(bucket: Resource, ctx: CheckContext) -> Verdict:
    rules = need(bucket, "encryption_rules")
    if not rules:
        return failed(f"bucket {bucket.name} has no default encryption rule")
    algos = sorted({r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "?") for r in rules})
    return passed(f"default encryption: {', '.join(algos)}")


@checks.check(
    id="aws.s3.bucket_public_access_block",
    title="S3 buckets block public access",
    severity="high",
    resource_types=[T.S3_BUCKET],
    rationale="The four Block Public Access settings stop a policy or ACL from making the bucket's data public.",
    remediation="Enable all four Block Public Access settings on the bucket (and on the account).",
)
def bucket_public_access_block(bucket: Resource, ctx: CheckContext) -> Verdict:
    off = _pab_off(need(bucket, "public_access_block"))
    if off:
        return failed(f"bucket {bucket.name}: public access block settings off: {', '.join(off)}")
    return passed("all four public access block settings are on")


@checks.check(
    id="aws.s3.bucket_policy_not_public",
    title="S3 bucket policies do not grant access to everyone",
    severity="critical",
    resource_types=[T.S3_BUCKET],
    rationale="An Allow for principal '*' without a limiting condition publishes the bucket's data.",
    remediation="Remove the public statement or restrict it with aws:SourceVpce / aws:PrincipalOrgID; turn on Block Public Access.",
)
def bucket_policy_not_public(bucket: Resource, ctx: CheckContext) -> Verdict:
    policy = need(bucket, "policy")
    if policy is None:
        return passed("no bucket policy")
    public = public_statements(policy)
    if not public:
        return passed("bucket policy grants nothing to everyone")
    pab = bucket.attributes.get("public_access_block") or {}
    if pab.get("RestrictPublicBuckets"):
        return passed(f"public statements {summarize(public)} are neutralised by RestrictPublicBuckets")
    return failed(f"bucket {bucket.name} policy is public: {summarize(public)}")


@checks.check(
    id="aws.s3.bucket_acl_not_public",
    title="S3 bucket ACLs do not grant access to everyone",
    severity="critical",
    resource_types=[T.S3_BUCKET],
    rationale="ACL grants to AllUsers or AuthenticatedUsers expose the bucket to the internet.",
    remediation="Remove the AllUsers/AuthenticatedUsers grants (or set Object Ownership to BucketOwnerEnforced).",
)
def bucket_acl_not_public(bucket: Resource, ctx: CheckContext) -> Verdict:
    grants = [g for g in need(bucket, "acl_grants") if g.get("grantee_uri") in PUBLIC_GRANTEES]
    if not grants:
        return passed("no public ACL grants")
    pab = bucket.attributes.get("public_access_block") or {}
    if pab.get("IgnorePublicAcls"):
        return passed("public ACL grants are ignored (IgnorePublicAcls)")
    shown = [f"{g['grantee_uri'].rsplit('/', 1)[-1]}:{g['permission']}" for g in grants]
    return failed(f"bucket {bucket.name} ACL grants {summarize(shown)}")


@checks.check(
    id="aws.s3.bucket_tls_only",
    title="S3 bucket policies deny requests that do not use TLS",
    severity="medium",
    resource_types=[T.S3_BUCKET],
    rationale="Without a Deny on aws:SecureTransport=false, clients may read and write data in clear text.",
    remediation="Add a Deny statement for all principals on s3:* when aws:SecureTransport is false.",
)
def bucket_tls_only(bucket: Resource, ctx: CheckContext) -> Verdict:
    if denies_insecure_transport(need(bucket, "policy")):
        return passed("bucket policy denies non-TLS requests")
    return failed(f"bucket {bucket.name} does not deny requests without TLS")


@checks.check(
    id="aws.s3.bucket_versioning",
    title="S3 bucket versioning is enabled",
    severity="medium",
    resource_types=[T.S3_BUCKET],
    rationale="Versioning keeps prior versions of objects so that overwrites and deletions can be undone.",
    remediation="PutBucketVersioning with Status=Enabled.",
)
def bucket_versioning(bucket: Resource, ctx: CheckContext) -> Verdict:
    status = need(bucket, "versioning")
    if status == "Enabled":
        return passed("versioning is enabled")
    return failed(f"bucket {bucket.name} versioning is {status}")


def _immutability_required(bucket: Resource, ctx: CheckContext) -> str | None:
    for trail in ctx.lookup(T.CLOUDTRAIL_TRAIL, "s3_bucket", bucket.name):
        return f"it holds the logs of CloudTrail trail {trail.name}"
    for pattern in ctx.param("aws.s3.immutable_buckets") or []:
        if fnmatch.fnmatch(bucket.name or "", str(pattern)):
            return f"it matches aws.s3.immutable_buckets pattern {pattern!r}"
    return None


@checks.check(
    id="aws.s3.bucket_mfa_delete_or_object_lock",
    title="Log and record buckets have MFA delete or Object Lock",
    severity="medium",
    resource_types=[T.S3_BUCKET],
    rationale="Audit logs and records must survive a compromised administrator: MFA delete or Object Lock "
    "prevents silent deletion.",
    remediation="Enable Object Lock (with a default retention) or MFA delete on the bucket. Which buckets need "
    "it: CloudTrail log buckets and those matched by parameter aws.s3.immutable_buckets (glob patterns).",
    params=[
        param(
            "aws.s3.immutable_buckets",
            "string_list",
            [],
            "Glob patterns of bucket names that must have Object Lock (CloudTrail log buckets always must).",
        )
    ],
)
def bucket_mfa_delete_or_object_lock(bucket: Resource, ctx: CheckContext) -> Verdict:
    # read first: an unreadable Object Lock configuration is an error on every bucket, so a failed
    # GetObjectLockConfiguration is never hidden behind "not a log or record bucket"
    lock = need(bucket, "object_lock")
    why = _immutability_required(bucket, ctx)
    if why is None:
        return not_applicable("not a log or record bucket")
    if lock and lock.get("ObjectLockEnabled") == "Enabled":
        return passed(f"Object Lock is enabled ({why})")
    if need(bucket, "mfa_delete") == "Enabled":
        return passed(f"MFA delete is enabled ({why})")
    return failed(f"bucket {bucket.name} has neither Object Lock nor MFA delete, but {why}")


@checks.check(
    id="aws.s3.bucket_access_logging",
    title="S3 server access logging is enabled",
    severity="low",
    resource_types=[T.S3_BUCKET],
    rationale="Access logs record who read or changed which object, for investigations and audits.",
    remediation="PutBucketLogging with a target bucket (not the bucket itself).",
)
def bucket_access_logging(bucket: Resource, ctx: CheckContext) -> Verdict:
    log = need(bucket, "logging")
    if log and log.get("TargetBucket"):
        return passed(f"access logs go to {log['TargetBucket']}")
    return failed(f"bucket {bucket.name} has no server access logging")
