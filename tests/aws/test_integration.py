"""The AWS collector against moto in server mode: every check failing and passing on real API
responses, multi-account via Organizations, multi-region, and fault cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.checks import load_registry
from auditor.contracts import check_reads
from auditor.providers.aws.checks_monitoring import CIS_ITEMS
from auditor.providers.aws.iam_actions import CONDITIONAL, OPERATIONS, READ_ONLY_EXCEPTIONS, action_for
from auditor_testkit.aws.moto import ACCOUNT, CANARY

pytestmark = [
    pytest.mark.integration,
]
MEMBER = "MEMBER"  # replaced by the member account id

# check id -> (marker of a resource that must FAIL, marker of one that must PASS).
# A marker matches the finding's resource name, id or account. None: that side cannot be
# represented in moto and is covered by tests/aws/test_checks_unit.py (named there).
EXPECT: dict[str, tuple[str | None, str | None]] = {
    "aws.iam.root_mfa": (ACCOUNT, None),  # moto never reports root MFA: unit test for pass
    "aws.iam.root_access_keys": (None, ACCOUNT),  # root keys cannot be created: unit test for fail
    "aws.iam.password_min_length": (ACCOUNT, MEMBER),
    "aws.iam.password_complexity": (ACCOUNT, MEMBER),
    "aws.iam.password_reuse_prevention": (ACCOUNT, MEMBER),
    "aws.iam.password_max_age": (ACCOUNT, MEMBER),
    "aws.iam.support_role": (MEMBER, ACCOUNT),
    "aws.iam.user_console_mfa": ("fail-user-nomfa-direct", "pass-user-mfa"),
    "aws.iam.user_unused_credentials": (None, "pass-user-mfa"),  # needs 90-day-old dates: unit test
    "aws.iam.user_access_key_age": (None, "pass-user-mfa"),  # needs a 90-day-old key: unit test
    "aws.iam.user_no_direct_policies": ("fail-user-nomfa-direct", "pass-user-mfa"),
    "aws.iam.policy_no_admin_star": ("fail-policy-admin-star", "pass-policy-readonly"),
    "aws.iam.inline_policy_no_admin_star": ("fail-user-inline-admin", "pass-role-ec2"),
    "aws.iam.role_trust_not_public": ("fail-role-public-trust", "pass-role-ec2"),
    "aws.s3.account_public_access_block": (ACCOUNT, MEMBER),
    "aws.s3.bucket_default_encryption": ("fail-bucket-public", "pass-bucket-"),
    "aws.s3.bucket_public_access_block": ("fail-bucket-public", "pass-bucket-"),
    "aws.s3.bucket_policy_not_public": ("fail-bucket-public", "pass-bucket-"),
    "aws.s3.bucket_acl_not_public": ("fail-bucket-public", "pass-bucket-"),
    "aws.s3.bucket_tls_only": ("fail-bucket-public", "pass-bucket-"),
    "aws.s3.bucket_versioning": ("fail-bucket-public", "pass-bucket-"),
    "aws.s3.bucket_mfa_delete_or_object_lock": ("fail-trail-bucket", "pass-trail-bucket"),
    "aws.s3.bucket_access_logging": ("fail-bucket-public", "pass-bucket-"),
    "aws.cloudtrail.multi_region_logging": (MEMBER, ACCOUNT),
    "aws.cloudtrail.trail_logging": ("fail-trail", "pass-trail"),
    "aws.cloudtrail.log_file_validation": ("fail-trail", "pass-trail"),
    "aws.cloudtrail.kms_encryption": ("fail-trail", "pass-trail"),
    "aws.cloudtrail.cloudwatch_delivery": ("fail-trail", "pass-trail"),
    "aws.cloudtrail.bucket_not_public": ("fail-trail", "pass-trail"),
    "aws.config.recorder_enabled": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.guardduty.enabled": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.securityhub.enabled": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.accessanalyzer.enabled": (None, None),  # moto has no Access Analyzer: error here, unit tests
    "aws.logs.retention": ("fail-loggroup", "pass-loggroup"),
    "aws.logs.kms_encryption": ("fail-loggroup", "pass-loggroup"),
    "aws.ec2.sg_ssh_open": ("fail-sg-ssh", "pass-sg-web"),
    "aws.ec2.sg_rdp_open": ("fail-sg-rdp", "pass-sg-web"),
    "aws.ec2.sg_all_ports_open": ("fail-sg-all", "pass-sg-web"),
    "aws.ec2.sg_db_ports_open": ("fail-sg-db", "pass-sg-web"),
    "aws.ec2.default_sg_closed": ("=default", "pass-default-sg"),
    "aws.ec2.ebs_default_encryption": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.ec2.volume_encrypted": ("fail-vol", "pass-vol"),
    "aws.ec2.snapshot_encrypted": ("fail-snap", "pass-snap"),
    "aws.ec2.snapshot_not_public": ("fail-snap-public", "pass-snap"),
    "aws.ec2.ami_not_public": ("fail-ami-public", "pass-ami"),
    "aws.ec2.instance_imdsv2": ("fail-instance-imdsv1", "pass-instance"),
    "aws.ec2.instance_no_public_ip": ("fail-instance-imdsv1-public", "pass-instance"),
    "aws.vpc.flow_logs": ("^vpc-", "pass-vpc"),
    "aws.kms.key_rotation": ("fail-key-public-norotation", "pass-key-rotated"),
    "aws.kms.key_policy_not_public": ("fail-key-public-norotation", "pass-key-rotated"),
    "aws.rds.storage_encrypted": ("fail-db-", "pass-db-"),
    "aws.rds.not_public": ("fail-db-", "pass-db-"),
    "aws.rds.backup_retention": ("fail-db-", "pass-db-"),
    "aws.rds.multi_az": ("fail-db-", "pass-db-"),
    "aws.rds.deletion_protection": ("fail-db-", "pass-db-"),
    "aws.rds.minor_version_upgrade": ("fail-db-", "pass-db-"),
    "aws.rds.snapshot_not_public": ("fail-dbsnap-public", "pass-dbsnap"),
    "aws.rds.snapshot_encrypted": ("fail-dbsnap", "pass-dbsnap"),
    "aws.dynamodb.pitr": ("fail-table", "pass-table"),
    "aws.dynamodb.kms": ("fail-table", "pass-table"),
    "aws.efs.encrypted": ("fail-efs", "pass-efs"),
    "aws.backup.plan_exists": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.secretsmanager.rotation": ("fail-secret-norotation", "pass-secret-rotated"),
    "aws.sns.encrypted": ("fail-topic", "pass-topic"),
    "aws.sns.not_public": ("fail-topic-public", "pass-topic"),
    "aws.sqs.encrypted": ("fail-queue", "pass-queue"),
    "aws.sqs.not_public": ("fail-queue-public", "pass-queue"),
    "aws.elbv2.https_listeners": ("fail-alb", "pass-alb"),
    "aws.elbv2.tls_policy": ("fail-alb", "pass-alb"),
    "aws.elbv2.access_logs": ("fail-alb", "pass-alb"),
    "aws.acm.certificate_expiry": ("fail-cert-expiring", "pass-cert"),
    "aws.cloudfront.https_only": ("fail-cdn", "pass-cdn"),
    "aws.cloudfront.tls_version": (None, None),  # moto reports the default certificate: unit tests
    "aws.lambda.not_public": ("fail-fn-public", "pass-fn"),
    "aws.lambda.supported_runtime": ("fail-fn-public-oldruntime", "pass-fn"),
    # monitoring: every CIS alarm chain in the management account; the member has no trail
    **{f"aws.cloudwatch.alarm_{item.key}": (MEMBER, ACCOUNT) for item in CIS_ITEMS},
    "aws.securityhub.standards_enabled": ("eu-west-1", f"{ACCOUNT}/us-east-1"),  # standards: the local fake
    "aws.inspector2.enabled": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.macie.enabled": (f"{ACCOUNT}/eu-west-1", f"{ACCOUNT}/us-east-1"),  # moto enables Macie everywhere
    "aws.guardduty.s3_protection": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.guardduty.eks_audit_logs": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.guardduty.runtime_monitoring": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.guardduty.malware_protection": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.guardduty.findings_exported": ("eu-west-1", f"{ACCOUNT}/us-east-1"),  # destinations: the local fake
    "aws.config.delivery_channel": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.config.global_resources_recorded": (MEMBER, ACCOUNT),
    "aws.identitycenter.enabled": (None, ACCOUNT),  # moto lists an instance in every region: unit test
    # databases
    "aws.rds.cluster_storage_encrypted": ("fail-cluster", "pass-cluster"),
    "aws.rds.cluster_backup_retention": ("fail-cluster", "pass-cluster"),
    "aws.rds.cluster_deletion_protection": ("fail-cluster", "pass-cluster"),
    "aws.rds.cluster_iam_auth": ("fail-cluster", "pass-cluster"),
    "aws.rds.cluster_not_public": ("fail-cluster", "pass-cluster"),
    "aws.rds.cluster_minor_version_upgrade": ("fail-cluster", "pass-cluster"),
    "aws.rds.cluster_snapshot_not_public": ("fail-csnap-public", "pass-csnap"),
    "aws.rds.cluster_snapshot_encrypted": ("fail-csnap", "pass-csnap"),
    "aws.neptune.cluster_encrypted": ("fail-neptune", "pass-neptune"),
    "aws.neptune.backup_retention": ("fail-neptune", "pass-neptune"),
    "aws.neptune.deletion_protection": ("fail-neptune", "pass-neptune"),
    "aws.neptune.audit_logs": ("fail-neptune", "pass-neptune"),
    "aws.docdb.cluster_encrypted": ("fail-docdb", "pass-docdb"),  # DocumentDB: the local fake
    "aws.docdb.backup_retention": ("fail-docdb", "pass-docdb"),
    "aws.docdb.deletion_protection": ("fail-docdb", "pass-docdb"),
    "aws.docdb.audit_logs": ("fail-docdb", "pass-docdb"),
    "aws.redshift.encrypted": ("fail-redshift", "pass-redshift"),
    "aws.redshift.not_public": ("fail-redshift", "pass-redshift"),
    "aws.redshift.audit_logging": ("fail-redshift", "pass-redshift"),
    "aws.redshift.require_ssl": ("fail-redshift", "pass-redshift"),  # parameter values: the local fake
    "aws.redshift.enhanced_vpc_routing": ("fail-redshift", "pass-redshift"),
    "aws.elasticache.encryption_at_rest": ("fail-cache", "pass-cache"),
    "aws.elasticache.encryption_in_transit": ("fail-cache", "pass-cache"),
    "aws.elasticache.auth": ("fail-cache", "pass-cache"),
    "aws.elasticache.redis_backups": ("fail-cache", "pass-cache"),
    "aws.opensearch.encryption_at_rest": ("fail-search", "pass-search"),
    "aws.opensearch.node_to_node_encryption": ("fail-search", "pass-search"),
    "aws.opensearch.https_tls": ("fail-search", "pass-search"),
    "aws.opensearch.in_vpc": ("fail-search", "pass-search"),
    "aws.opensearch.fine_grained_access": ("fail-search", "pass-search"),
    "aws.opensearch.audit_logs": ("fail-search", "pass-search"),
    # edge
    "aws.elb.https_listeners": ("fail-clb", "pass-clb"),
    "aws.elb.tls_policy": ("fail-clb", "pass-clb"),
    "aws.elb.access_logs": ("fail-clb", "pass-clb"),
    "aws.elb.cross_zone": ("fail-clb", "pass-clb"),
    "aws.apigateway.stage_logging": ("fail-api", "pass-api"),
    "aws.apigateway.stage_waf": ("fail-api", "pass-api"),
    "aws.apigateway.authorizer": ("fail-api", "pass-api"),
    "aws.apigateway.domain_tls": ("fail-api", "pass-api"),
    "aws.cloudfront.waf": ("fail-cdn", "pass-cdn"),
    "aws.cloudfront.logging": ("fail-cdn", "pass-cdn"),
    "aws.cloudfront.origin_access_control": ("fail-cdn", None),  # moto drops OriginAccessControlId: unit test
    "aws.wafv2.logging": ("fail-acl", "pass-acl"),
    # network, systems, identity
    "aws.vpc.nacl_admin_ports": ("fail-nacl", "pass-nacl"),
    "aws.vpc.peering_routes_least_access": ("fail-rt-peering", "pass-rt-peering"),
    "aws.ec2.instance_not_in_default_vpc": ("fail-instance-defaultvpc", "pass-instance"),
    "aws.ssm.instance_managed": ("fail-instance-imdsv1", "pass-instance"),  # SSM inventory: the local fake
    "aws.ssm.patch_compliance": ("fail-node-unpatched", "pass-instance"),
    "aws.ssm.document_not_public": ("fail-doc-public", "pass-doc"),
    "aws.secretsmanager.rotated_within": ("fail-secret", "pass-secret-rotated"),
    "aws.iam.server_certificate_expired": (
        "fail-cert-expired",
        None,
    ),  # moto dates every cert 2012: unit test
    # ML platform
    "aws.sagemaker.notebook_no_direct_internet": ("fail-nb", "pass-nb"),
    "aws.sagemaker.notebook_no_root": ("fail-nb", "pass-nb"),
    "aws.sagemaker.notebook_kms": ("fail-nb", "pass-nb"),
    "aws.sagemaker.notebook_in_vpc": ("fail-nb", "pass-nb"),
    "aws.sagemaker.domain_vpc_only": ("fail-domain", "pass-domain"),
    "aws.sagemaker.domain_kms": ("fail-domain", "pass-domain"),
    "aws.sagemaker.endpoint_config_kms": ("fail-endpoint-config", "pass-endpoint-config"),
    "aws.sagemaker.endpoint_data_capture_kms": ("fail-endpoint-config", "pass-endpoint-config"),
    "aws.sagemaker.model_network_isolation": (
        "fail-model",
        None,
    ),  # moto drops EnableNetworkIsolation: unit test
    "aws.sagemaker.model_in_vpc": ("fail-model", "pass-model"),
    "aws.sagemaker.job_network_isolation": ("fail-job", "pass-job"),
    "aws.sagemaker.job_inter_container_encryption": ("fail-job", "pass-job"),
    "aws.sagemaker.job_in_vpc": ("fail-job", "pass-job"),
    "aws.sagemaker.job_kms": ("fail-job", "pass-job-train"),  # moto drops a processing job's volume key
    "aws.sagemaker.model_package_group_not_public": ("fail-mpg-public", "pass-mpg"),  # policy: the local fake
    "aws.bedrock.invocation_logging": ("eu-west-1", f"{ACCOUNT}/us-east-1"),
    "aws.bedrock.custom_model_cmk": (None, "pass-custom-model"),  # moto always sets a key: unit test
    "aws.bedrock.guardrails": ("eu-west-1", f"{ACCOUNT}/us-east-1"),  # guardrails: the local fake
    "aws.ecr.image_scanning": ("fail-repo", "pass-repo"),
    "aws.ecr.tag_immutability": ("fail-repo", "pass-repo"),
    "aws.ecr.kms": ("fail-repo", "pass-repo"),
    "aws.ecr.not_public": ("fail-repo", "pass-repo"),
    "aws.ecr.lifecycle_policy": ("fail-repo", "pass-repo"),
    "aws.eks.endpoint_not_public": ("fail-eks", "pass-eks"),
    "aws.eks.secrets_encryption": ("fail-eks", "pass-eks"),
    "aws.eks.control_plane_logging": ("fail-eks", "pass-eks"),
    "aws.eks.supported_version": ("fail-eks", "pass-eks"),
    "aws.eks.nodegroup_remote_access": ("fail-ng", "pass-ng"),
}


def all_output_text(out: Path) -> str:
    parts = []
    for p in sorted(out.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name.endswith(".gz"):
                data = gzip.decompress(data)
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def _matches(f: dict[str, object], marker: str, member: str) -> bool:
    marker = member if marker == MEMBER else marker
    name = str(f.get("resource_name") or "")
    if marker.startswith("="):
        return name == marker[1:]
    if marker.startswith("^"):
        return name.startswith(marker[1:])
    hay = " ".join(str(f.get(k) or "") for k in ("resource_name", "resource_id", "account", "region"))
    return marker in hay


def test_every_registered_aws_check_has_an_expectation() -> None:
    ids = {c.id for c in load_registry() if c.meta.provider == "aws"}
    assert ids == set(EXPECT)
    assert len(ids) >= 180


@pytest.mark.parametrize("check_id", sorted(EXPECT))
def test_check_fails_and_passes_on_real_responses(clean_scan: Any, estate: list[str], check_id: str) -> None:
    fail_marker, pass_marker = EXPECT[check_id]
    findings = clean_scan.findings(check_id=check_id)
    if fail_marker:
        bad = [f for f in findings if _matches(f, fail_marker, estate[1])]
        assert bad and all(f["status"] == "fail" for f in bad if f["status"] != "not_applicable"), (
            check_id,
            [(f["resource_name"], f["status"], f["message"]) for f in bad],
        )
        assert any(f["status"] == "fail" for f in bad)
    if pass_marker:
        good = [
            f
            for f in findings
            if _matches(f, pass_marker, estate[1])
            and not (fail_marker and _matches(f, fail_marker, estate[1]))
        ]
        assert good and any(f["status"] == "pass" for f in good), (
            check_id,
            [(f["resource_name"], f["status"]) for f in good],
        )
        assert not any(f["status"] == "fail" for f in good), (
            check_id,
            [f["message"] for f in good if f["status"] == "fail"],
        )


def test_scan_covers_both_accounts_and_regions(clean_scan: Any, estate: list[str]) -> None:
    accounts = {f["account"] for f in clean_scan.results["findings"]}
    assert set(estate) <= accounts
    regions = {f["region"] for f in clean_scan.findings(check_id="aws.guardduty.enabled")}
    assert regions == {"us-east-1", "eu-west-1"}
    # the member account's regional findings exist too (its regions were scanned via the assumed role)
    assert {f["account"] for f in clean_scan.findings(check_id="aws.config.recorder_enabled")} == set(estate)


def test_clean_scan_only_gap_is_access_analyzer(clean_scan: Any) -> None:
    # moto does not implement IAM Access Analyzer: those calls fail and are recorded, nothing else
    ops = {e["operation"] for e in clean_scan.results["errors"]}
    assert ops == {"accessanalyzer.ListAnalyzers"}
    assert {f["status"] for f in clean_scan.findings(check_id="aws.accessanalyzer.enabled")} == {"error"}
    assert clean_scan.exit_code == 3


def test_no_secret_reaches_any_output(clean_scan: Any) -> None:
    text = all_output_text(clean_scan.out)
    assert "DB_PASSWORD" in text  # the variable name is kept (auditors see which variables exist)
    assert CANARY not in text


def test_sagemaker_container_environment_keeps_names_only(clean_scan: Any) -> None:
    """DescribeModel answers the containers' environment values (moto returns the canary): the
    evidence stores them masked and the model resource keeps the variable names."""
    manifest = json.loads((clean_scan.out / "evidence" / "manifest.json").read_text())
    models = [e for e in manifest["evidence"] if e["operation"] == "sagemaker.DescribeModel"]
    assert models
    for entry in models:
        body = (clean_scan.out / "evidence" / entry["file"]).read_text("utf-8")
        assert CANARY not in body and "DB_PASSWORD" in body and "[REDACTED]" in body
    snap = json.loads(gzip.decompress((clean_scan.out / "snapshot.json.gz").read_bytes()))
    assert CANARY not in json.dumps(snap)
    names = [
        r["attributes"]["environment_variable_names"]
        for r in snap["resources"]
        if r["type"] == "aws.sagemaker.model"
    ]
    assert names and all(n == ["API_URL", "DB_PASSWORD"] for n in names)


def test_findings_cite_stored_evidence(clean_scan: Any) -> None:
    manifest = json.loads((clean_scan.out / "evidence" / "manifest.json").read_text())
    ids = {e["id"] for e in manifest["evidence"]}
    cited = {e for f in clean_scan.results["findings"] for e in f["evidence"]}
    assert cited and cited <= ids
    ops = {e["operation"] for e in manifest["evidence"]}
    assert {"iam.GetCredentialReport", "s3.GetBucketPolicy", "ec2.DescribeSecurityGroups"} <= ops


def test_requests_are_counted_and_never_repeated(clean_scan: Any) -> None:
    opts = clean_scan.options
    assert opts["api_requests"] >= sum(1 for _ in opts["api_operations_called"])
    assert opts["api_repeated_calls"] == 0


def test_permission_policy_covers_exactly_the_operations_called(clean_scan: Any, fault_scan: Any) -> None:
    """Every operation a scan calls is declared (and so in the shipped policy); every declared one
    is called by one of the two scans, or is listed as conditional with why."""
    policy = json.loads(
        (Path(__file__).parents[2] / "docs" / "permissions" / "aws-readonly.json").read_text()
    )
    allowed = {a for s in policy["Statement"] for a in s["Action"]}
    called = set(clean_scan.options["api_operations_called"]) | set(
        fault_scan.options["api_operations_called"]
    )
    assert len(called) > 40
    for item in sorted(called):
        svc, op = item.split(".")
        assert op in OPERATIONS.get(svc, ()), f"{item} is called but declared by no service"
        action = action_for(svc, op)
        assert not action or action in allowed, f"{item} needs {action}, not in aws-readonly.json"
    declared = {f"{svc}.{op}" for svc, ops in OPERATIONS.items() for op in ops}
    conditional = {f"{svc}.{op}" for svc, op in CONDITIONAL}
    assert declared - called <= conditional, sorted(declared - called - conditional)
    needed = {action_for(*item.split(".")) for item in declared} - {""}
    assert needed == allowed
    for action in allowed:
        verb = action.split(":")[1]
        assert verb.startswith(("Get", "List", "Describe")) or action in READ_ONLY_EXCEPTIONS, action


def test_fault_scan_records_each_gap_for_its_scope(fault_scan: Any) -> None:
    assert fault_scan.exit_code == 3
    errors = fault_scan.results["errors"]
    kinds = {(e["scope"]["region"], e["operation"].split(".")[0], e["kind"]) for e in errors}
    assert ("us-east-1", "kms", "access_denied") in kinds
    throttled = [e for e in errors if e["kind"] == "throttled"]
    assert throttled and all(e["scope"]["region"] == "eu-west-1" for e in throttled)
    # each throttled call was retried (2 attempts) before it was recorded
    assert fault_scan.throttled_responses >= 2 * len(throttled)
    assert any(r == "ap-southeast-2" and k == "unreachable" for r, _, k in kinds)
    # access denied on KMS: every KMS check is `error` in us-east-1, none passes
    kms = fault_scan.findings(check_id="aws.kms.key_rotation", region="us-east-1")
    assert kms and {f["status"] for f in kms} == {"error"}
    for region in ("eu-west-1", "ap-southeast-2"):
        gd = fault_scan.findings(check_id="aws.guardduty.enabled", region=region)
        assert gd and {f["status"] for f in gd} == {"error"}, region


def _cross_type() -> set[str]:
    """Checks that read other resources than their own (ctx.lookup / ctx.get)."""
    return {
        c.id for c in load_registry() if c.meta.provider == "aws" and any(not r.own for r in check_reads(c))
    }


def test_fault_scan_loses_nothing_else(clean_scan: Any, fault_scan: Any) -> None:
    cross = _cross_type()

    def verdicts(scan: Any) -> dict[tuple[str, str], str]:
        return {
            (f["check_id"], f["resource_id"]): f["status"]
            for f in scan.results["findings"]
            if f["account"] == ACCOUNT
            and f["region"] in ("us-east-1", None)
            and not f["check_id"].startswith(("aws.kms.", "aws.accessanalyzer."))
        }

    clean, fault = verdicts(clean_scan), verdicts(fault_scan)
    assert set(clean) == set(fault), (
        sorted(set(clean) - set(fault))[:5],
        sorted(set(fault) - set(clean))[:5],
    )
    own = {k: v for k, v in clean.items() if k[0] not in cross}
    assert own == {k: fault[k] for k in own}, [k for k in own if own[k] != fault[k]][:5]
    # A check that relates resources across types fails closed when the related type was not
    # fully read in the account (eu-west-1 is throttled): it says `error`, or what it said before.
    changed = {k: (clean[k], fault[k]) for k in clean if k[0] in cross and clean[k] != fault[k]}
    assert all(after == "error" for _, after in changed.values()), changed
    # Whether a bucket needs Object Lock depends on the account's trails: with trails unread in a
    # region, "no trail logs here" would be a guess, so those verdicts fail closed as `error`.
    judged = {
        f["status"]
        for f in fault_scan.results["findings"]
        if f["check_id"] == LOOKS_UP_TRAILS and f["account"] == ACCOUNT
    }
    assert judged == {"error"}


LOOKS_UP_TRAILS = "aws.s3.bucket_mfa_delete_or_object_lock"


def test_role_arn_is_assumed_before_the_scan(moto: Any, estate: list[str]) -> None:
    """Through an injected client factory: the test hands in boto3 sessions, nothing is patched."""
    import boto3

    from auditor.evidence import SnapshotBuilder
    from auditor.providers.aws import AwsOptions
    from auditor.providers.aws.collector import AwsCollector
    from auditor.runtime import CollectRun

    asked: list[str | None] = []

    def sessions(creds: dict[str, str] | None) -> boto3.Session:
        asked.append((creds or {}).get("aws_access_key_id"))
        return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")

    role = f"arn:aws:iam::{estate[1]}:role/OrganizationAccountAccessRole"
    opts = AwsOptions(role_arn=role, endpoint_url=moto.url, max_attempts=2)
    with (collector := AwsCollector(opts, CollectRun(SnapshotBuilder(), clients=sessions))).session:
        accounts = collector.accounts()
    assert [a.id for a in accounts] == [estate[1]]
    assert "assumed-role" in str(accounts[0].identity)
    # the base credentials assume the role; every later call uses the role's credentials
    assert asked[0] is None and len(asked) == 2 and asked[1] not in (None, "testing")
    # --accounts that the credentials cannot reach is recorded, not silently skipped
    sink = SnapshotBuilder()
    opts = AwsOptions(accounts=["999999999999"], endpoint_url=moto.url)
    with (collector := AwsCollector(opts, CollectRun(sink, clients=sessions))).session:
        assert collector.accounts() == []
    assert [e.kind for e in sink.errors] == ["not_collected"]


def test_saved_snapshot_re_evaluates_offline_to_the_same_findings(
    clean_scan: Any, params_file: Path, tmp_path: Path
) -> None:
    """Collection is separate from evaluation: the saved snapshot alone (with the same parameters)
    reproduces every verdict."""
    from click.testing import CliRunner

    from auditor.cli import main

    out = tmp_path / "offline"
    snap = clean_scan.out / "snapshot.json.gz"
    args = ["scan", "--from-snapshot", str(snap), "--params", str(params_file), "--out", str(out), "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == clean_scan.exit_code
    again = json.loads((out / "results.json").read_text("utf-8"))

    def key(f: dict[str, Any]) -> tuple[str, ...]:
        return (f["check_id"], f["resource_id"], f["status"], f["message"], *f["evidence"])

    assert sorted(map(key, again["findings"])) == sorted(map(key, clean_scan.results["findings"]))
    assert [(c["control_id"], c["status"]) for c in again["controls"]] == [
        (c["control_id"], c["status"]) for c in clean_scan.results["controls"]
    ]


def test_a_failed_describe_regions_is_recorded_when_regions_are_given(
    aws: Any, estate: list[str], tmp_path: Path
) -> None:
    """With --regions, a failed DescribeRegions used to be dropped: the scan went on as if the
    requested regions were confirmed enabled. It is recorded, and the scan exits 3."""
    from auditor_testkit.aws.moto import FaultProxy, ProxyRules

    from .conftest import run_cli

    proxy = FaultProxy(aws.url, ProxyRules(deny_operations={"ec2.DescribeRegions"}))
    try:
        scan = run_cli(
            [
                "--regions",
                "us-east-1",
                "--endpoint-url",
                proxy.url,
                "--max-attempts",
                "1",
                "--format",
                "json",
            ],
            tmp_path / "out",
        )
    finally:
        proxy.stop()
    errors = [e for e in scan.results["errors"] if e["operation"] == "ec2.DescribeRegions"]
    assert [(e["kind"], e["scope"]["account"], e["scope"]["region"]) for e in errors] == [
        ("access_denied", ACCOUNT, None)
    ]
    assert "us-east-1" in errors[0]["message"]
    assert scan.exit_code == 3
    # the requested region was still scanned
    assert scan.findings(check_id="aws.guardduty.enabled", region="us-east-1", status="pass")


def test_assumed_role_sessions_are_renewed_before_they_expire(
    aws: Any, estate: list[str], tmp_path: Path
) -> None:
    """The proxy makes every assumed-role session last 2 s and refuses expired ones with
    ExpiredToken, as AWS does after the session duration; the scan (longer than that) keeps
    working because the collector assumes the roles again before they expire."""
    from auditor_testkit.aws.moto import FaultProxy, ProxyRules

    from .conftest import run_cli

    rules = ProxyRules(session_seconds=2.0, latency=0.06)
    proxy = FaultProxy(aws.url, rules)
    try:
        scan = run_cli(
            [
                "--org-role",
                "OrganizationAccountAccessRole",
                "--regions",
                "us-east-1",
                "--endpoint-url",
                proxy.url,
                "--max-attempts",
                "2",
                "--concurrency",
                "4",
                "--format",
                "json",
            ],
            tmp_path / "out",
        )
    finally:
        proxy.stop()
    assert float(scan.options["collect_seconds"]) > 2 * 2.0  # outlasts the sessions
    assert rules.expired == 0
    assert not [e for e in scan.results["errors"] if "xpired" in e["message"]]
    assert rules.assumed > 2 * len(estate)  # each account's role was assumed again, more than once
    assert {e["operation"] for e in scan.results["errors"]} == {"accessanalyzer.ListAnalyzers"}
