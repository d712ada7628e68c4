"""The AWS resource types: every attribute the collector writes, its JSON type and meaning.

Pure declarations (no SDK): the collector promises exactly these attributes, the checks may read
only these (tests/aws validate both against the contract). An attribute is always present
unless it is declared `optional=True`, or the resource names it in `gaps` because the call
that fills it failed. The module-level names (`S3_BUCKET`, ...) are what checks and service
modules use.
"""

from __future__ import annotations

from typing import Any

from auditor.contracts import TypeSet, attr

TYPES = TypeSet("aws")

_POLICY = "Policy document (parsed JSON), or null when there is none."
_KMS_KEY = "KMS key id or ARN, or null when not encrypted with a KMS key."

# ----------------------------------------------------------------------------- IAM (global)

IAM_ACCOUNT = TYPES.declare(
    "aws.iam.account",
    "IAM settings of an account",
    {
        "AccountMFAEnabled": attr(int | None, "GetAccountSummary: 1 when the root user has MFA."),
        "AccountAccessKeysPresent": attr(
            int | None, "GetAccountSummary: 1 when the root user has access keys."
        ),
        "password_policy": attr(dict | None, "The account password policy, or null when none is set."),
        "support_role_entities": attr(
            list, "Principals with AWSSupportAccess attached, as role/NAME, group/NAME, user/NAME."
        ),
        "root_credentials": attr(
            dict | None,
            "The root user's credential report row (password_*, mfa_active, access_keys), "
            "or null when the report has none.",
        ),
    },
    scope="account",
    per_scope=True,
)

_PRINCIPAL: dict[str, Any] = {
    "arn": attr(str, "ARN."),
    "attached_policies": attr(list, "ARNs of the managed policies attached."),
    "inline_policies": attr(list, "Inline policies: {name, document}."),
}

IAM_USER = TYPES.declare(
    "aws.iam.user",
    "IAM user",
    {
        **_PRINCIPAL,
        "groups": attr(list, "Names of the groups the user is in."),
        "create_date": attr(str | None, "When the user was created (ISO 8601)."),
        # from the credential report (a gap on each when the report could not be read)
        "password_enabled": attr(bool, "The user has a console password."),
        "password_last_used": attr(str | None, "Last console sign-in (ISO 8601), null if never."),
        "password_last_changed": attr(str | None, "Last password change (ISO 8601), null if never."),
        "mfa_active": attr(bool, "The user has an MFA device."),
        "user_creation_time": attr(str | None, "Creation time per the credential report (ISO 8601)."),
        "access_keys": attr(list, "Access keys 1 and 2: {key, active, last_rotated, last_used}."),
    },
    scope="account",
)
IAM_ROLE = TYPES.declare(
    "aws.iam.role",
    "IAM role",
    {
        **_PRINCIPAL,
        "path": attr(str, "The role's path (/ or /service-role/ ...)."),
        "trust_policy": attr(dict | None, "The trust (assume-role) policy document."),
    },
    scope="account",
)
IAM_GROUP = TYPES.declare("aws.iam.group", "IAM group", dict(_PRINCIPAL), scope="account")
IAM_POLICY = TYPES.declare(
    "aws.iam.policy",
    "Customer-managed IAM policy",
    {
        "arn": attr(str, "ARN."),
        "attachment_count": attr(int, "How many users, groups and roles it is attached to."),
        "document": attr(dict | None, "The default version's document."),
    },
    scope="account",
)

# ----------------------------------------------------------------------------- S3, CloudFront

S3_ACCOUNT = TYPES.declare(
    "aws.s3.account",
    "S3 settings of an account",
    {
        "public_access_block": attr(
            dict | None, "Account-level Block Public Access settings, or null when none are set."
        )
    },
    scope="account",
)
S3_BUCKET = TYPES.declare(
    "aws.s3.bucket",
    "S3 bucket",
    {
        "name": attr(str, "Bucket name."),
        "encryption_rules": attr(list, "Default encryption rules ([] when none)."),
        "public_access_block": attr(dict | None, "Bucket Block Public Access settings, or null when none."),
        "policy": attr(dict | None, _POLICY),
        "acl_grants": attr(list, "ACL grants: {grantee_uri, grantee_type, permission}."),
        "versioning": attr(str, "Versioning status: Enabled, Suspended or Disabled (never enabled)."),
        "mfa_delete": attr(str, "MFA delete: Enabled or Disabled."),
        "logging": attr(dict | None, "Server access logging (TargetBucket, TargetPrefix), or null when off."),
        "object_lock": attr(dict | None, "Object Lock configuration, or null when none."),
    },
    scope="region",
)
CLOUDFRONT_DISTRIBUTION = TYPES.declare(
    "aws.cloudfront.distribution",
    "CloudFront distribution",
    {
        "domain_name": attr(str | None, "The distribution's *.cloudfront.net name."),
        "viewer_protocol_policies": attr(
            list, "ViewerProtocolPolicy of the default and every cache behavior."
        ),
        "default_certificate": attr(bool, "Uses the default *.cloudfront.net certificate."),
        "minimum_protocol_version": attr(str | None, "Minimum TLS version for viewers (TLSv1.2_2021 ...)."),
        "aliases": attr(list, "Alternate domain names."),
    },
    scope="account",
)

# ----------------------------------------------------------------------------- logging and detection

CLOUDTRAIL_TRAIL = TYPES.declare(
    "aws.cloudtrail.trail",
    "CloudTrail trail",
    {
        "arn": attr(str, "Trail ARN."),
        "home_region": attr(str, "Region the trail was created in."),
        "is_multi_region": attr(bool, "Records events of every region."),
        "is_organization_trail": attr(bool, "Records events of every account of the organization."),
        "log_file_validation": attr(bool, "Writes digest files."),
        "kms_key_id": attr(str | None, _KMS_KEY),
        "cloudwatch_logs_log_group_arn": attr(str | None, "Log group it delivers to, or null."),
        "s3_bucket": attr(str | None, "Name of the bucket the logs go to."),
        "is_logging": attr(bool, "GetTrailStatus: the trail is recording."),
        "management_events": attr(
            str | None, "Management events recorded: All, ReadOnly, WriteOnly, or null for none."
        ),
    },
    scope="region",
)
CLOUDTRAIL_ACCOUNT = TYPES.declare(
    "aws.cloudtrail.account",
    "CloudTrail of an account (every region's trails)",
    {
        "trails": attr(
            list,
            "Every trail read in the account: {arn, multi_region, logging, management_events}; "
            "logging and management_events are null where the trail's status could not be read.",
        ),
        "trails_complete": attr(
            bool,
            "Always true when present: every region's trails were read. A gap names the regions "
            "whose trails could not be read (then `trails` may miss some).",
        ),
    },
    scope="account",
    derived=True,
    description="Derived from the snapshot's aws.cloudtrail.trail resources and collection errors "
    "(auditor.providers.aws.derive), never collected.",
)
CONFIG_REGION = TYPES.declare(
    "aws.config.region",
    "AWS Config in a region",
    {
        "recorders": attr(
            list,
            "Configuration recorders: {name, all_supported, include_global_resource_types, recording, last_status}.",
        )
    },
    scope="region",
)
GUARDDUTY_REGION = TYPES.declare(
    "aws.guardduty.region",
    "GuardDuty in a region",
    {"detectors": attr(list, "Detectors: {id, status}.")},
    scope="region",
)
SECURITYHUB_REGION = TYPES.declare(
    "aws.securityhub.region",
    "Security Hub in a region",
    {
        "hub_arn": attr(str | None, "The hub's ARN, or null when not enabled."),
        "enabled": attr(bool, "Security Hub is enabled."),
    },
    scope="region",
)
ACCESSANALYZER_REGION = TYPES.declare(
    "aws.accessanalyzer.region",
    "IAM Access Analyzer in a region",
    {"analyzers": attr(list, "Analyzers: {name, type, status}.")},
    scope="region",
)
LOGS_GROUP = TYPES.declare(
    "aws.logs.log_group",
    "CloudWatch Logs log group",
    {
        "retention_in_days": attr(int | None, "Days events are kept, or null for never expire."),
        "kms_key_id": attr(str | None, _KMS_KEY),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- keys and compute

KMS_KEY = TYPES.declare(
    "aws.kms.key",
    "KMS key",
    {
        "manager": attr(str | None, "CUSTOMER or AWS."),
        "state": attr(str | None, "Enabled, Disabled, PendingDeletion, ..."),
        "key_spec": attr(str | None, "SYMMETRIC_DEFAULT, RSA_2048, ..."),
        "key_usage": attr(str | None, "ENCRYPT_DECRYPT, SIGN_VERIFY, ..."),
        "origin": attr(str | None, "AWS_KMS, EXTERNAL, AWS_CLOUDHSM, ..."),
        "deletion_date": attr(str | None, "Scheduled deletion (ISO 8601), or null."),
        "rotation_enabled": attr(
            bool,
            "Automatic rotation is on (read for enabled or disabled customer-managed symmetric keys "
            "with AWS key material only).",
            optional=True,
        ),
        "policy": attr(
            dict | None,
            "The default key policy (read for enabled or disabled customer-managed keys only).",
            optional=True,
        ),
    },
    scope="region",
)
EC2_REGION = TYPES.declare(
    "aws.ec2.region",
    "EC2 settings of a region",
    {"ebs_encryption_by_default": attr(bool, "New EBS volumes are encrypted by default.")},
    scope="region",
)
EC2_SECURITY_GROUP = TYPES.declare(
    "aws.ec2.security_group",
    "EC2 security group",
    {
        "group_id": attr(str, "sg-..."),
        "group_name": attr(str | None, "Group name."),
        "vpc_id": attr(str | None, "VPC the group belongs to."),
        "is_default": attr(bool, "The VPC's default security group."),
        "ingress": attr(list, "Inbound rules as DescribeSecurityGroups returns them (IpPermissions)."),
        "egress": attr(list, "Outbound rules (IpPermissionsEgress)."),
    },
    scope="region",
)
EC2_INSTANCE = TYPES.declare(
    "aws.ec2.instance",
    "EC2 instance",
    {
        "instance_id": attr(str, "i-..."),
        "state": attr(str | None, "running, stopped, terminated, ..."),
        "imds_mode": attr(str | None, "HttpTokens: required (IMDSv2 only) or optional."),
        "http_endpoint": attr(str | None, "Instance metadata endpoint: enabled or disabled."),
        "public_ip": attr(str | None, "Public IPv4 address, or null."),
        "subnet_id": attr(str | None, "Subnet."),
        "security_groups": attr(list, "Security group ids."),
    },
    scope="region",
)
EC2_VOLUME = TYPES.declare(
    "aws.ec2.volume",
    "EBS volume",
    {
        "volume_id": attr(str, "vol-..."),
        "encrypted": attr(bool, "Encrypted at rest."),
        "state": attr(str | None, "in-use, available, ..."),
    },
    scope="region",
)
EC2_SNAPSHOT = TYPES.declare(
    "aws.ec2.snapshot",
    "EBS snapshot owned by the account",
    {
        "snapshot_id": attr(str, "snap-..."),
        "encrypted": attr(bool, "Encrypted at rest."),
        "public": attr(bool, "createVolumePermission includes group all."),
        "shared_with": attr(list, "Account ids it is shared with."),
    },
    scope="region",
)
EC2_IMAGE = TYPES.declare(
    "aws.ec2.image",
    "AMI owned by the account",
    {"image_id": attr(str, "ami-..."), "public": attr(bool, "Launchable by everyone.")},
    scope="region",
)
EC2_VPC = TYPES.declare(
    "aws.ec2.vpc",
    "VPC",
    {
        "vpc_id": attr(str, "vpc-..."),
        "is_default": attr(bool, "The region's default VPC."),
        "flow_logs": attr(list, "Flow logs of the VPC: {id, status, traffic_type, destination_type}."),
    },
    scope="region",
)
LAMBDA_FUNCTION = TYPES.declare(
    "aws.lambda.function",
    "Lambda function",
    {
        "runtime": attr(str | None, "python3.12, nodejs20.x, ... (null for container images)."),
        "package_type": attr(str, "Zip or Image."),
        "environment_variable_names": attr(
            list, "Names of the environment variables (values are never kept)."
        ),
        "policy": attr(dict | None, "Resource-based policy, or null when none."),
    },
    scope="region",
)
ELB_LOAD_BALANCER = TYPES.declare(
    "aws.elbv2.load_balancer",
    "Application, network or gateway load balancer",
    {
        "type": attr(str, "application, network or gateway."),
        "scheme": attr(str | None, "internet-facing or internal."),
        "dns_name": attr(str | None, "DNS name."),
        "listeners": attr(list, "Listeners: {port, protocol, ssl_policy, redirects_to_https}."),
        "access_logs_enabled": attr(bool, "Access logs go to S3."),
        "deletion_protection": attr(bool, "Deletion protection is on."),
    },
    scope="region",
)
ACM_CERTIFICATE = TYPES.declare(
    "aws.acm.certificate",
    "ACM certificate",
    {
        "domain_name": attr(str | None, "Primary domain name."),
        "status": attr(str | None, "ISSUED, PENDING_VALIDATION, EXPIRED, ..."),
        "not_after": attr(str | None, "Expiry (ISO 8601), null when not issued."),
        "in_use": attr(bool | None, "Attached to a load balancer, distribution, ..."),
        "type": attr(str | None, "AMAZON_ISSUED, IMPORTED or PRIVATE."),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- data stores

RDS_INSTANCE = TYPES.declare(
    "aws.rds.db_instance",
    "RDS DB instance",
    {
        "engine": attr(str | None, "Database engine."),
        "engine_version": attr(str | None, "Engine version."),
        "storage_encrypted": attr(bool, "Storage is encrypted."),
        "kms_key_id": attr(str | None, _KMS_KEY),
        "publicly_accessible": attr(bool, "Has a public DNS name and address."),
        "backup_retention_period": attr(int, "Days of automated backups (0: off)."),
        "multi_az": attr(bool, "Has a standby in another Availability Zone."),
        "deletion_protection": attr(bool, "Deletion protection is on."),
        "auto_minor_version_upgrade": attr(bool, "Minor versions are applied automatically."),
        "cluster_id": attr(str | None, "Aurora cluster it belongs to, or null."),
    },
    scope="region",
)
RDS_SNAPSHOT = TYPES.declare(
    "aws.rds.db_snapshot",
    "Manual RDS DB snapshot",
    {
        "encrypted": attr(bool, "Encrypted at rest."),
        "db_instance": attr(str | None, "Instance it was taken of."),
        "public": attr(bool, "The restore attribute includes all."),
        "shared_with": attr(list, "Account ids it is shared with."),
    },
    scope="region",
)
DYNAMODB_TABLE = TYPES.declare(
    "aws.dynamodb.table",
    "DynamoDB table",
    {
        "table_name": attr(str, "Table name."),
        "sse_type": attr(str | None, "KMS when encrypted with a KMS key; null for the AWS-owned key."),
        "kms_key_arn": attr(str | None, "The KMS key, or null."),
        "pitr_status": attr(str, "Point-in-time recovery: ENABLED or DISABLED."),
    },
    scope="region",
)
EFS_FILE_SYSTEM = TYPES.declare(
    "aws.efs.file_system",
    "EFS file system",
    {"encrypted": attr(bool, "Encrypted at rest."), "kms_key_id": attr(str | None, _KMS_KEY)},
    scope="region",
)
BACKUP_REGION = TYPES.declare(
    "aws.backup.region",
    "AWS Backup in a region",
    {"plans": attr(list, "Backup plans: {name, id, deleted}.")},
    scope="region",
)
SECRET = TYPES.declare(
    "aws.secretsmanager.secret",
    "Secrets Manager secret (metadata only, never the value)",
    {
        "rotation_enabled": attr(bool, "Rotates automatically."),
        "rotation_days": attr(int | None, "Days between rotations."),
        "last_rotated": attr(str | None, "Last rotation (ISO 8601)."),
        "last_accessed": attr(str | None, "Last access (ISO 8601, a date)."),
    },
    scope="region",
)
SNS_TOPIC = TYPES.declare(
    "aws.sns.topic",
    "SNS topic",
    {"kms_master_key_id": attr(str | None, _KMS_KEY), "policy": attr(dict | None, _POLICY)},
    scope="region",
)
SQS_QUEUE = TYPES.declare(
    "aws.sqs.queue",
    "SQS queue",
    {
        "url": attr(str, "Queue URL."),
        "kms_master_key_id": attr(str | None, _KMS_KEY),
        "sqs_managed_sse": attr(bool, "Encrypted with SQS-managed keys."),
        "policy": attr(dict | None, _POLICY),
    },
    scope="region",
)
