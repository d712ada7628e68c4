"""Build the hand-made AWS sample snapshot of the demo estate (fixtures/demo/aws-sample.json).

Run: .venv/bin/python scripts/make_demo_sample.py
"""

from __future__ import annotations

from pathlib import Path

from auditor.evidence import SnapshotBuilder
from auditor.models import CollectionError, Location, Resource, Target
from auditor.snapshot import save_snapshot

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "aws-sample.json"
ACCOUNT = "123456789012"


def main() -> None:
    b = SnapshotBuilder(tool_version="sample")
    b.add_target(
        Target(provider="aws", label=f"account {ACCOUNT}", options={"regions": ["us-east-1", "eu-west-1"]})
    )
    summary = {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "Users": 4}
    ev = b.record("aws", "iam.GetAccountSummary", {"SummaryMap": summary}, scope=Location(account=ACCOUNT))
    b.add_resource(
        Resource(
            provider="aws",
            type="aws.iam.account_summary",
            id=ACCOUNT,
            name="account summary",
            location=Location(account=ACCOUNT),
            attributes=summary,
            evidence=(ev,),
        )
    )
    buckets = [
        ("customer-records", [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}], True),
        ("public-website", [], False),
        ("build-artifacts", [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}], True),
    ]
    for name, rules, blocked in buckets:
        pab = dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), blocked
        )
        e1 = b.record(
            "aws",
            "s3.GetBucketEncryption",
            {"Rules": rules},
            parameters={"Bucket": name},
            scope=Location(account=ACCOUNT, region="us-east-1"),
        )
        e2 = b.record(
            "aws",
            "s3.GetPublicAccessBlock",
            {"PublicAccessBlockConfiguration": pab},
            parameters={"Bucket": name},
            scope=Location(account=ACCOUNT, region="us-east-1"),
        )
        b.add_resource(
            Resource(
                provider="aws",
                type="aws.s3.bucket",
                id=f"arn:aws:s3:::{name}",
                name=name,
                location=Location(account=ACCOUNT, region="us-east-1"),
                attributes={"encryption_rules": rules, "public_access_block": pab},
                evidence=(e1, e2),
            )
        )
    b.add_error(
        CollectionError(
            provider="aws",
            operation="s3.GetBucketEncryption",
            scope=Location(account=ACCOUNT, region="eu-west-1"),
            resource_types=("aws.s3.bucket",),
            kind="access_denied",
            message="AccessDenied: the scanner role lacks s3:GetEncryptionConfiguration in eu-west-1 (sample gap)",
        )
    )
    save_snapshot(b.build(), OUT)
    print(OUT)


if __name__ == "__main__":
    main()
