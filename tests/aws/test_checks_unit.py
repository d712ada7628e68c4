"""AWS checks on crafted resources: the sides moto cannot represent, edge cases, and fail-closed paths.
No network, no SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.checks import CheckContext, load_registry
from auditor.contracts import load_contracts
from auditor.engine import run_check
from auditor.models import Location, Resource, Snapshot, Status
from auditor.providers.aws import resources as T
from auditor.providers.aws.policy import allows_admin_star, denies_insecure_transport, public_statements

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REG = load_registry()
CONTRACTS = load_contracts()


def res(type_: str, name: str = "r", gaps: dict[str, str] | None = None, **attrs: Any) -> Resource:
    """A resource of `type_` that satisfies its contract: the attributes given, and a gap on
    every other always-present one (a check that reads it reports `error`, as for a collector
    that could not read it). Fails on an undeclared attribute or a wrong JSON type."""
    contract = CONTRACTS.get(type_)
    assert contract is not None, type_
    unset = {
        k: "not set by this test" for k, a in contract.attributes.items() if a.required and k not in attrs
    }
    r = Resource(
        provider="aws",
        type=type_,
        id=f"arn:aws:test:::{name}",
        name=name,
        location=Location(account="111122223333", region="us-east-1"),
        attributes=attrs,
        gaps={**unset, **(gaps or {})},
    )
    assert CONTRACTS.validate(r) == [], CONTRACTS.validate(r)
    return r


def verdict(check_id: str, r: Resource, *others: Resource, params: dict[str, Any] | None = None) -> Status:
    snap = Snapshot(created_at=NOW, resources=[r, *others])
    check = REG.get(check_id)
    assert check is not None, check_id
    return run_check(check, r, CheckContext(snap, params)).status


def days_ago(n: int) -> str:
    return (NOW - timedelta(days=n)).isoformat()


def test_root_mfa_passes_and_root_keys_fail() -> None:
    acct = res(T.IAM_ACCOUNT, AccountMFAEnabled=1, AccountAccessKeysPresent=1)
    assert verdict("aws.iam.root_mfa", acct) == Status.PASS
    assert verdict("aws.iam.root_access_keys", acct) == Status.FAIL


def _user(**kw: Any) -> Resource:
    base: dict[str, Any] = {
        "password_enabled": True,
        "password_last_used": days_ago(5),
        "password_last_changed": days_ago(200),
        "mfa_active": True,
        "access_keys": [{"key": "1", "active": True, "last_rotated": days_ago(10), "last_used": days_ago(1)}],
        "attached_policies": [],
        "inline_policies": [],
    }
    base.update(kw)
    return res(T.IAM_USER, "alice", **base)


def test_unused_credentials() -> None:
    assert verdict("aws.iam.user_unused_credentials", _user()) == Status.PASS
    assert verdict("aws.iam.user_unused_credentials", _user(password_last_used=days_ago(120))) == Status.FAIL
    stale_key = [{"key": "1", "active": True, "last_rotated": days_ago(300), "last_used": None}]
    assert verdict("aws.iam.user_unused_credentials", _user(access_keys=stale_key)) == Status.FAIL
    # a configurable threshold
    assert (
        verdict(
            "aws.iam.user_unused_credentials",
            _user(password_last_used=days_ago(50)),
            params={"aws.iam.credential_unused_days": 30},
        )
        == Status.FAIL
    )


def test_access_key_age() -> None:
    assert verdict("aws.iam.user_access_key_age", _user()) == Status.PASS
    old = [{"key": "2", "active": True, "last_rotated": days_ago(91), "last_used": days_ago(1)}]
    assert verdict("aws.iam.user_access_key_age", _user(access_keys=old)) == Status.FAIL
    inactive = [{"key": "2", "active": False, "last_rotated": days_ago(400), "last_used": None}]
    assert verdict("aws.iam.user_access_key_age", _user(access_keys=inactive)) == Status.NOT_APPLICABLE


def test_missing_credential_report_is_error_not_pass() -> None:
    user = res(
        T.IAM_USER,
        "bob",
        gaps={"mfa_active": "iam.GetCredentialReport failed (access_denied)"},
        password_enabled=True,
    )
    assert verdict("aws.iam.user_console_mfa", user) == Status.ERROR


def test_access_analyzer() -> None:
    on = res(T.ACCESSANALYZER_REGION, analyzers=[{"name": "acct", "type": "ACCOUNT", "status": "ACTIVE"}])
    off = res(T.ACCESSANALYZER_REGION, analyzers=[{"name": "x", "type": "ACCOUNT", "status": "DISABLED"}])
    assert verdict("aws.accessanalyzer.enabled", on) == Status.PASS
    assert verdict("aws.accessanalyzer.enabled", off) == Status.FAIL
    assert verdict("aws.accessanalyzer.enabled", res(T.ACCESSANALYZER_REGION, analyzers=[])) == Status.FAIL


def test_cloudfront() -> None:
    good = res(
        T.CLOUDFRONT_DISTRIBUTION,
        viewer_protocol_policies=["redirect-to-https", "https-only"],
        default_certificate=False,
        minimum_protocol_version="TLSv1.2_2021",
    )
    bad = res(
        T.CLOUDFRONT_DISTRIBUTION,
        viewer_protocol_policies=["allow-all"],
        default_certificate=False,
        minimum_protocol_version="TLSv1",
    )
    assert verdict("aws.cloudfront.https_only", good) == Status.PASS
    assert verdict("aws.cloudfront.https_only", bad) == Status.FAIL
    assert verdict("aws.cloudfront.tls_version", good) == Status.PASS
    assert verdict("aws.cloudfront.tls_version", bad) == Status.FAIL


def test_multi_region_trail_unread_regions_is_error() -> None:
    unread = {
        "trails_complete": "the trails of eu-west-1 (cloudtrail.DescribeTrails: throttled) could not be read"
    }
    acct = res(T.CLOUDTRAIL_ACCOUNT, trails=[], gaps=unread)
    assert verdict("aws.cloudtrail.multi_region_logging", acct) == Status.ERROR
    good = {
        "arn": "arn:aws:cloudtrail:us-east-1:1:trail/org",
        "multi_region": True,
        "logging": True,
        "management_events": "All",
    }
    ok = res(T.CLOUDTRAIL_ACCOUNT, trails=[good], gaps=unread)
    assert verdict("aws.cloudtrail.multi_region_logging", ok) == Status.PASS  # found elsewhere: a true pass
    unknown = {**good, "logging": None}
    assert (
        verdict(
            "aws.cloudtrail.multi_region_logging",
            res(T.CLOUDTRAIL_ACCOUNT, trails=[unknown], trails_complete=True),
        )
        == Status.ERROR
    )
    none = res(T.CLOUDTRAIL_ACCOUNT, trails=[{**good, "multi_region": False}], trails_complete=True)
    assert verdict("aws.cloudtrail.multi_region_logging", none) == Status.FAIL


def test_trail_bucket_in_another_account_is_error() -> None:
    trail = res(T.CLOUDTRAIL_TRAIL, "org-trail", s3_bucket="log-archive-bucket")
    assert verdict("aws.cloudtrail.bucket_not_public", trail) == Status.ERROR


def test_immutable_bucket_parameter() -> None:
    bucket = res(T.S3_BUCKET, "records-2025", object_lock=None, mfa_delete="Disabled")
    assert verdict("aws.s3.bucket_mfa_delete_or_object_lock", bucket) == Status.NOT_APPLICABLE
    params = {"aws.s3.immutable_buckets": ["records-*"]}
    assert verdict("aws.s3.bucket_mfa_delete_or_object_lock", bucket, params=params) == Status.FAIL
    locked = res(T.S3_BUCKET, "records-2024", object_lock=None, mfa_delete="Enabled")
    assert verdict("aws.s3.bucket_mfa_delete_or_object_lock", locked, params=params) == Status.PASS


def test_public_policy_neutralised_by_block_public_access() -> None:
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    blocked = res(T.S3_BUCKET, "b", policy=policy, public_access_block={"RestrictPublicBuckets": True})
    assert verdict("aws.s3.bucket_policy_not_public", blocked) == Status.PASS


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}, True),
        ({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "sqs:SendMessage"}, True),
        ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"}, False),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sns:Publish",
                "Condition": {"StringEquals": {"aws:SourceAccount": "1"}},
            },
            False,
        ),
        ({"Effect": "Deny", "Principal": "*", "Action": "*"}, False),
    ],
)
def test_public_statements(statement: dict[str, Any], public: bool) -> None:
    assert bool(public_statements({"Statement": [statement]})) is public


def test_admin_star_and_tls_predicates() -> None:
    assert allows_admin_star({"Statement": {"Effect": "Allow", "Action": "*:*", "Resource": ["*"]}})
    assert not allows_admin_star({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]})
    assert not allows_admin_star({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    tls = {
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    }
    assert denies_insecure_transport(tls)
    assert not denies_insecure_transport(None)


def test_sg_port_ranges() -> None:
    wide = res(
        T.EC2_SECURITY_GROUP,
        "wide",
        ingress=[
            {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
        is_default=False,
    )
    assert verdict("aws.ec2.sg_ssh_open", wide) == Status.FAIL
    assert verdict("aws.ec2.sg_all_ports_open", wide) == Status.FAIL
    udp = res(
        T.EC2_SECURITY_GROUP,
        "udp",
        ingress=[{"IpProtocol": "udp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    assert verdict("aws.ec2.sg_ssh_open", udp) == Status.PASS


def test_acm_expiry_and_pending() -> None:
    soon = res(T.ACM_CERTIFICATE, "c", status="ISSUED", not_after=(NOW + timedelta(days=5)).isoformat())
    later = res(T.ACM_CERTIFICATE, "c", status="ISSUED", not_after=(NOW + timedelta(days=90)).isoformat())
    pending = res(T.ACM_CERTIFICATE, "c", status="PENDING_VALIDATION", not_after=None)
    assert verdict("aws.acm.certificate_expiry", soon) == Status.FAIL
    assert verdict("aws.acm.certificate_expiry", later) == Status.PASS
    assert verdict("aws.acm.certificate_expiry", pending) == Status.NOT_APPLICABLE


def test_aws_managed_keys_are_not_applicable() -> None:
    key = res(T.KMS_KEY, "aws/s3", manager="AWS", state="Enabled")
    assert verdict("aws.kms.key_rotation", key) == Status.NOT_APPLICABLE
    assert verdict("aws.kms.key_policy_not_public", key) == Status.NOT_APPLICABLE


def test_demo_snapshot_is_recorded_and_holds_no_secret() -> None:
    import gzip
    from pathlib import Path

    from auditor.snapshot import load_snapshot
    from auditor_testkit.aws.moto import CANARY

    path = Path(__file__).parents[2] / "fixtures" / "demo" / "aws.json.gz"
    assert CANARY not in gzip.decompress(path.read_bytes()).decode()
    snap = load_snapshot(path)
    assert len({r.location.account for r in snap.resources}) == 2
    assert len(snap.resources) > 100 and snap.evidence
