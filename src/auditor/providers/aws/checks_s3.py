"""S3 checks."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource

checks = CheckSet("aws")

BUCKET = "aws.s3.bucket"


@checks.check(
    id="aws.s3.bucket_default_encryption",
    title="S3 buckets encrypt new objects by default",
    severity="medium",
    resource_types=[BUCKET],
    rationale="Default encryption makes sure every object written to the bucket is encrypted at rest, "
    "whatever the client sends.",
    remediation="Set a default encryption rule (SSE-KMS with a customer-managed key for sensitive data) "
    "with PutBucketEncryption.",
)
def bucket_default_encryption(bucket: Resource, ctx: CheckContext) -> Verdict:
    rules = need(bucket, "encryption_rules")
    if not rules:
        return failed("no default encryption rule is configured")
    algos = sorted({r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "?") for r in rules})
    return passed(f"default encryption: {', '.join(algos)}")


@checks.check(
    id="aws.s3.bucket_public_access_block",
    title="S3 buckets block public access",
    severity="high",
    resource_types=[BUCKET],
    rationale="The four Block Public Access settings stop a policy or ACL from making the bucket's data public.",
    remediation="Enable all four Block Public Access settings on the bucket (and on the account).",
)
def bucket_public_access_block(bucket: Resource, ctx: CheckContext) -> Verdict:
    pab = need(bucket, "public_access_block")
    flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    off = [f for f in flags if not (pab or {}).get(f)]
    if off:
        return failed(f"public access block settings off: {', '.join(off)}")
    return passed("all four public access block settings are on")
