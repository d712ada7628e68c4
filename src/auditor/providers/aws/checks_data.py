"""Data stores and keys: KMS, RDS, DynamoDB, EFS, AWS Backup, Secrets Manager, SNS, SQS."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from auditor.checks import (
    CheckContext,
    CheckFunc,
    CheckSet,
    Verdict,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import ParamSpec, Resource
from auditor.providers.aws import resources as T
from auditor.providers.aws.policy import public_statements

checks = CheckSet("aws")


def _customer_key(key: Resource) -> Verdict | None:
    if need(key, "manager") != "CUSTOMER":
        return not_applicable("AWS-managed key")
    if need(key, "state") not in ("Enabled", "Disabled"):
        return not_applicable(f"key is {key.attributes.get('state')}")
    return None


@checks.check(
    id="aws.kms.key_rotation",
    title="Customer-managed KMS keys rotate automatically",
    severity="medium",
    resource_types=[T.KMS_KEY],
    rationale="Rotation limits how much data one key version protects and the impact of a key compromise.",
    remediation="EnableKeyRotation on the key.",
)
def kms_rotation(key: Resource, ctx: CheckContext) -> Verdict:
    skip = _customer_key(key)
    if skip:
        return skip
    if need(key, "key_spec") != "SYMMETRIC_DEFAULT" or key.attributes.get("origin") == "EXTERNAL":
        return not_applicable("automatic rotation applies to symmetric keys with AWS key material")
    if need(key, "rotation_enabled"):
        return passed("automatic rotation is on")
    return failed(f"key {key.name} does not rotate")


@checks.check(
    id="aws.kms.key_policy_not_public",
    title="KMS key policies do not grant access to everyone",
    severity="critical",
    resource_types=[T.KMS_KEY],
    rationale="A key policy open to '*' lets any AWS principal use or manage the key.",
    remediation="Name the principals in the key policy or add a kms:CallerAccount / aws:PrincipalOrgID condition.",
)
def kms_policy(key: Resource, ctx: CheckContext) -> Verdict:
    skip = _customer_key(key)
    if skip:
        return skip
    public = public_statements(need(key, "policy"))
    if public:
        return failed(f"key {key.name} policy is open to everyone: {summarize(public)}")
    return passed("key policy names its principals")


def _rds(
    id_: str,
    title: str,
    severity: str,
    rationale: str,
    remediation: str,
    params: Iterable[ParamSpec] = (),
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check over RDS instances (the shared metadata of the RDS checks)."""
    return checks.check(
        id=id_,
        title=title,
        severity=severity,
        resource_types=[T.RDS_INSTANCE],
        rationale=rationale,
        remediation=remediation,
        params=params,
    )


@_rds(
    "aws.rds.storage_encrypted",
    "RDS instances encrypt storage",
    "high",
    "Unencrypted database storage, backups and snapshots expose data at rest.",
    "Restore an encrypted copy from an encrypted snapshot copy and switch over.",
)
def rds_encrypted(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "storage_encrypted"):
        return passed("storage is encrypted")
    return failed(f"database {db.name} storage is not encrypted")


@_rds(
    "aws.rds.not_public",
    "RDS instances are not publicly accessible",
    "critical",
    "A publicly accessible database gets a public DNS name and address.",
    "ModifyDBInstance with PubliclyAccessible=false.",
)
def rds_public(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "publicly_accessible"):
        return failed(f"database {db.name} is publicly accessible")
    return passed("not publicly accessible")


@_rds(
    "aws.rds.backup_retention",
    "RDS automated backups are kept at least 7 days",
    "medium",
    "Automated backups allow point-in-time recovery within the retention window.",
    "ModifyDBInstance with BackupRetentionPeriod >= 7 (parameter aws.rds.min_backup_retention_days).",
    params=[
        param(
            "aws.rds.min_backup_retention_days",
            "integer",
            7,
            "Fewest days of automated backups an RDS instance, or an Aurora, Neptune or DocumentDB cluster, must keep.",
        )
    ],
)
def rds_backup(db: Resource, ctx: CheckContext) -> Verdict:
    want = int(ctx.param("aws.rds.min_backup_retention_days"))
    days = int(need(db, "backup_retention_period") or 0)
    if days < want:
        return failed(f"database {db.name} keeps backups {days} day(s), less than {want}")
    return passed(f"backups kept {days} days")


@_rds(
    "aws.rds.multi_az",
    "RDS instances are Multi-AZ",
    "medium",
    "A standby in another Availability Zone keeps the database available through an AZ failure.",
    "ModifyDBInstance with MultiAZ=true.",
)
def rds_multi_az(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "cluster_id"):
        return not_applicable("Aurora instance: availability is set on the cluster")
    if need(db, "multi_az"):
        return passed("Multi-AZ")
    return failed(f"database {db.name} is single-AZ")


@_rds(
    "aws.rds.deletion_protection",
    "RDS instances have deletion protection",
    "medium",
    "Deletion protection stops an accidental or malicious DeleteDBInstance.",
    "ModifyDBInstance with DeletionProtection=true.",
)
def rds_deletion(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "deletion_protection"):
        return passed("deletion protection is on")
    return failed(f"database {db.name} has no deletion protection")


@_rds(
    "aws.rds.minor_version_upgrade",
    "RDS instances take minor version upgrades automatically",
    "low",
    "Minor versions carry security fixes.",
    "ModifyDBInstance with AutoMinorVersionUpgrade=true.",
)
def rds_minor(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "auto_minor_version_upgrade"):
        return passed("automatic minor version upgrades are on")
    return failed(f"database {db.name} does not upgrade minor versions automatically")


@checks.check(
    id="aws.rds.snapshot_not_public",
    title="RDS snapshots are not public",
    severity="critical",
    resource_types=[T.RDS_SNAPSHOT],
    rationale="A public DB snapshot can be restored by any AWS account.",
    remediation="ModifyDBSnapshotAttribute to remove 'all' from the restore attribute.",
)
def rds_snapshot_public(snap: Resource, ctx: CheckContext) -> Verdict:
    if need(snap, "public"):
        return failed(f"DB snapshot {snap.name} can be restored by anyone")
    return passed("snapshot is not public")


@checks.check(
    id="aws.rds.snapshot_encrypted",
    title="RDS snapshots are encrypted",
    severity="medium",
    resource_types=[T.RDS_SNAPSHOT],
    rationale="Snapshots are full copies of the database.",
    remediation="CopyDBSnapshot with a KMS key and delete the unencrypted snapshot.",
)
def rds_snapshot_encrypted(snap: Resource, ctx: CheckContext) -> Verdict:
    if need(snap, "encrypted"):
        return passed("snapshot is encrypted")
    return failed(f"DB snapshot {snap.name} is not encrypted")


@checks.check(
    id="aws.dynamodb.pitr",
    title="DynamoDB tables have point-in-time recovery",
    severity="medium",
    resource_types=[T.DYNAMODB_TABLE],
    rationale="PITR restores a table to any second of the last 35 days after bad writes or deletes.",
    remediation="UpdateContinuousBackups with PointInTimeRecoveryEnabled=true.",
)
def ddb_pitr(table: Resource, ctx: CheckContext) -> Verdict:
    if need(table, "pitr_status") == "ENABLED":
        return passed("point-in-time recovery is on")
    return failed(f"table {table.name} has no point-in-time recovery")


@checks.check(
    id="aws.dynamodb.kms",
    title="DynamoDB tables are encrypted with a KMS key",
    severity="low",
    resource_types=[T.DYNAMODB_TABLE],
    rationale="A KMS key (AWS-managed or customer-managed) gives key-level access control and CloudTrail records of use.",
    remediation="UpdateTable with SSESpecification SSEType=KMS.",
)
def ddb_kms(table: Resource, ctx: CheckContext) -> Verdict:
    if need(table, "sse_type") == "KMS":
        return passed("encrypted with a KMS key")
    return failed(f"table {table.name} uses the default AWS-owned key")


@checks.check(
    id="aws.efs.encrypted",
    title="EFS file systems are encrypted at rest",
    severity="medium",
    resource_types=[T.EFS_FILE_SYSTEM],
    rationale="File shares often hold exports and documents with sensitive data.",
    remediation="Create an encrypted file system and migrate (encryption cannot be turned on later).",
)
def efs_encrypted(fs: Resource, ctx: CheckContext) -> Verdict:
    if need(fs, "encrypted"):
        return passed("encrypted at rest")
    return failed(f"file system {fs.name} is not encrypted")


@checks.check(
    id="aws.backup.plan_exists",
    title="AWS Backup has a backup plan in every region",
    severity="medium",
    resource_types=[T.BACKUP_REGION],
    rationale="Central backup plans give scheduled, retained, restorable copies of data stores.",
    remediation="CreateBackupPlan with rules and a resource selection in every region with data.",
)
def backup_plan(region: Resource, ctx: CheckContext) -> Verdict:
    plans = [p["name"] for p in need(region, "plans") if not p.get("deleted")]
    if plans:
        return passed(f"backup plan {summarize(plans)}")
    return failed(f"no AWS Backup plan in {region.location.region}")


@checks.check(
    id="aws.secretsmanager.rotation",
    title="Secrets Manager secrets rotate automatically",
    severity="medium",
    resource_types=[T.SECRET],
    rationale="Rotation limits how long a leaked secret stays useful.",
    remediation="RotateSecret with a rotation function and schedule.",
)
def secret_rotation(secret: Resource, ctx: CheckContext) -> Verdict:
    if need(secret, "rotation_enabled"):
        return passed(f"rotates every {secret.attributes.get('rotation_days')} days")
    return failed(f"secret {secret.name} does not rotate")


@checks.check(
    id="aws.sns.encrypted",
    title="SNS topics are encrypted with KMS",
    severity="low",
    resource_types=[T.SNS_TOPIC],
    rationale="Messages at rest in SNS may carry personal or health data.",
    remediation="SetTopicAttributes KmsMasterKeyId.",
)
def sns_encrypted(topic: Resource, ctx: CheckContext) -> Verdict:
    if need(topic, "kms_master_key_id"):
        return passed("encrypted with KMS")
    return failed(f"topic {topic.name} is not encrypted")


@checks.check(
    id="aws.sns.not_public",
    title="SNS topic policies do not grant access to everyone",
    severity="high",
    resource_types=[T.SNS_TOPIC],
    rationale="A public topic lets anyone publish (spoof) or subscribe (exfiltrate).",
    remediation="Restrict the topic policy principals or add aws:SourceAccount / aws:SourceArn conditions.",
)
def sns_public(topic: Resource, ctx: CheckContext) -> Verdict:
    public = public_statements(need(topic, "policy"))
    if public:
        return failed(f"topic {topic.name} policy is open to everyone: {summarize(public)}")
    return passed("topic policy names its principals")


@checks.check(
    id="aws.sqs.encrypted",
    title="SQS queues are encrypted at rest",
    severity="low",
    resource_types=[T.SQS_QUEUE],
    rationale="Queued messages may carry sensitive data.",
    remediation="SetQueueAttributes with KmsMasterKeyId or SqsManagedSseEnabled=true.",
)
def sqs_encrypted(q: Resource, ctx: CheckContext) -> Verdict:
    if need(q, "kms_master_key_id"):
        return passed("encrypted with KMS")
    if need(q, "sqs_managed_sse"):
        return passed("encrypted with SQS-managed keys")
    return failed(f"queue {q.name} is not encrypted")


@checks.check(
    id="aws.sqs.not_public",
    title="SQS queue policies do not grant access to everyone",
    severity="high",
    resource_types=[T.SQS_QUEUE],
    rationale="A public queue lets anyone send or receive messages.",
    remediation="Restrict the queue policy principals or add aws:SourceArn conditions.",
)
def sqs_public(q: Resource, ctx: CheckContext) -> Verdict:
    public = public_statements(need(q, "policy"))
    if public:
        return failed(f"queue {q.name} policy is open to everyone: {summarize(public)}")
    return passed("queue policy names its principals")


@checks.check(
    id="aws.secretsmanager.rotated_within",
    title="Secrets Manager secrets are rotated at least every 90 days",
    severity="medium",
    resource_types=[T.SECRET],
    rationale="A rotation schedule only helps if rotations happen: a secret unrotated for months is as good as static.",
    remediation="RotateSecret with a schedule of at most aws.secretsmanager.max_rotation_days days, and fix "
    "failing rotation functions.",
    params=[
        param(
            "aws.secretsmanager.max_rotation_days",
            "integer",
            90,
            "Longest a secret may go without rotation, and the longest rotation schedule allowed, in days.",
        )
    ],
)
def secret_rotated_within(secret: Resource, ctx: CheckContext) -> Verdict:
    limit = int(ctx.param("aws.secretsmanager.max_rotation_days"))
    if not need(secret, "rotation_enabled"):
        return failed(
            f"secret {secret.name} does not rotate: RotateSecret with a schedule of at most {limit} days"
        )
    every = need(secret, "rotation_days")
    if every is not None and int(every) > limit:
        return failed(
            f"secret {secret.name} rotates every {every} days, more than {limit}: shorten its schedule"
        )
    last = need(secret, "last_rotated") or need(secret, "created")
    if last is None:
        return failed(f"secret {secret.name} has no rotation or creation date: rotate it now")
    age = (ctx.now - datetime.fromisoformat(str(last))) / timedelta(days=1)
    if age > limit:
        return failed(
            f"secret {secret.name} was last rotated {int(age)} days ago, more than {limit}: check its rotation"
        )
    return passed(f"rotated {int(age)} day(s) ago, every {every} days")
