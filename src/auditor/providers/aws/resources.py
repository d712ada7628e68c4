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
_DESCRIBED = (
    "(DescribeKey; absent for AWS-managed keys, which ListAliases names alias/aws/... and which are "
    "not described one by one)."
)

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
        "web_acl_id": attr(str | None, "WAF web ACL attached (ARN or classic id), or null.", optional=True),
        "logging_enabled": attr(
            bool, "Standard access logging to S3 (GetDistributionConfig Logging.Enabled).", optional=True
        ),
        "s3_origins": attr(
            list,
            "Origins on S3 bucket endpoints: {id, domain, oac (OriginAccessControlId or null), "
            "oai (origin access identity or null)}.",
            optional=True,
        ),
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
            "Every trail read in the account: {arn, multi_region, logging, management_events, "
            "log_group_arn, unread}; a value is null where it could not be read, and `unread` names "
            "the trail attributes whose call failed (is_logging, management_events, ...).",
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
        ),
        "delivery_channels": attr(
            list, "Delivery channels: {name, s3_bucket, sns_topic} (DescribeDeliveryChannels).", optional=True
        ),
        "records_global": attr(
            bool,
            "A recorder here records every supported type including the global ones (IAM) and is recording.",
            optional=True,
        ),
    },
    scope="region",
)
GUARDDUTY_REGION = TYPES.declare(
    "aws.guardduty.region",
    "GuardDuty in a region",
    {
        "detectors": attr(
            list,
            "Detectors: {id, status, features}; features maps a protection plan (S3_DATA_EVENTS, "
            "EKS_AUDIT_LOGS, RUNTIME_MONITORING, EBS_MALWARE_PROTECTION, ...) to ENABLED or DISABLED, "
            "and each plan's add-ons as PLAN/ADDON (RUNTIME_MONITORING/EKS_ADDON_MANAGEMENT).",
        ),
        "publishing_destinations": attr(
            list,
            "Where findings are exported (ListPublishingDestinations of every detector): "
            "{detector_id, type, status}.",
            optional=True,
        ),
    },
    scope="region",
)
SECURITYHUB_REGION = TYPES.declare(
    "aws.securityhub.region",
    "Security Hub in a region",
    {
        "hub_arn": attr(str | None, "The hub's ARN, or null when not enabled."),
        "enabled": attr(bool, "Security Hub is enabled."),
        "standards": attr(
            list,
            "Enabled standards (GetEnabledStandards, read when the hub is enabled): {arn, status}.",
            optional=True,
        ),
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
        "metric_filters": attr(
            list,
            "Metric filters on the group (DescribeMetricFilters): {name, pattern, metrics: [{namespace, name}]}.",
            optional=True,
        ),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- keys and compute

KMS_KEY = TYPES.declare(
    "aws.kms.key",
    "KMS key",
    {
        "manager": attr(
            str | None, "CUSTOMER or AWS (AWS: an alias/aws/... alias targets it, or DescribeKey says so)."
        ),
        "state": attr(str | None, "Enabled, Disabled, PendingDeletion, ... " + _DESCRIBED, optional=True),
        "key_spec": attr(str | None, "SYMMETRIC_DEFAULT, RSA_2048, ... " + _DESCRIBED, optional=True),
        "key_usage": attr(str | None, "ENCRYPT_DECRYPT, SIGN_VERIFY, ... " + _DESCRIBED, optional=True),
        "origin": attr(str | None, "AWS_KMS, EXTERNAL, AWS_CLOUDHSM, ... " + _DESCRIBED, optional=True),
        "deletion_date": attr(
            str | None, "Scheduled deletion (ISO 8601), or null. " + _DESCRIBED, optional=True
        ),
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
        "vpc_id": attr(str | None, "VPC the instance runs in, or null (EC2-Classic).", optional=True),
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
        "created": attr(str | None, "When the secret was created (ISO 8601).", optional=True),
    },
    scope="region",
)
SNS_TOPIC = TYPES.declare(
    "aws.sns.topic",
    "SNS topic",
    {
        "kms_master_key_id": attr(str | None, _KMS_KEY),
        "policy": attr(dict | None, _POLICY),
        "confirmed_subscriptions": attr(
            int, "Confirmed subscriptions (ListSubscriptions of the region).", optional=True
        ),
    },
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

# ----------------------------------------------------------------------------- monitoring and detection

CLOUDWATCH_ALARM = TYPES.declare(
    "aws.cloudwatch.alarm",
    "CloudWatch metric alarm",
    {
        "actions_enabled": attr(bool, "The alarm runs its actions."),
        "alarm_actions": attr(list, "ARNs notified when the alarm fires (SNS topics, ...)."),
        "metrics": attr(
            list, "Metrics it watches: {namespace, name} (its own metric, or those of its metric math)."
        ),
        "metric": attr(
            str | None, "NAMESPACE/NAME of the one metric a simple alarm watches; null for metric math."
        ),
        "state": attr(str | None, "OK, ALARM or INSUFFICIENT_DATA."),
    },
    scope="region",
)
INSPECTOR_REGION = TYPES.declare(
    "aws.inspector2.region",
    "Amazon Inspector in a region",
    {
        "status": attr(
            str | None, "The account's Inspector status (ENABLED, DISABLED, ...), or null: never enabled."
        ),
        "resource_state": attr(
            dict, "Scan type (ec2, ecr, lambda, lambdaCode) -> status (ENABLED, DISABLED, ...)."
        ),
    },
    scope="region",
)
MACIE_REGION = TYPES.declare(
    "aws.macie.region",
    "Amazon Macie in a region",
    {"status": attr(str | None, "ENABLED or PAUSED, or null when Macie is not enabled.")},
    scope="region",
)
SSO_REGION = TYPES.declare(
    "aws.ssoadmin.region",
    "IAM Identity Center in a region",
    {
        "instances": attr(list, "Identity Center instances: {arn, owner_account, status}."),
        "has_instance": attr(bool, "At least one instance is listed here."),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- databases and caches

_CLUSTER: dict[str, Any] = {
    "engine": attr(str | None, "Database engine."),
    "engine_version": attr(str | None, "Engine version."),
    "storage_encrypted": attr(bool, "Storage is encrypted."),
    "kms_key_id": attr(str | None, _KMS_KEY),
    "backup_retention_period": attr(int, "Days of automated backups."),
    "deletion_protection": attr(bool, "Deletion protection is on."),
    "log_exports": attr(list, "Log types exported to CloudWatch Logs (audit, error, postgresql, ...)."),
}
RDS_CLUSTER = TYPES.declare(
    "aws.rds.db_cluster",
    "Aurora or Multi-AZ RDS DB cluster",
    {
        **_CLUSTER,
        "iam_auth": attr(bool, "IAM database authentication is enabled."),
        "publicly_accessible": attr(
            bool | None,
            "Multi-AZ DB clusters only: has a public address; null for Aurora (set per instance).",
        ),
        "auto_minor_version_upgrade": attr(
            bool | None, "Multi-AZ DB clusters only: minor versions applied automatically; null for Aurora."
        ),
        "members": attr(list, "DB instance identifiers of the cluster."),
    },
    scope="region",
)
RDS_CLUSTER_SNAPSHOT = TYPES.declare(
    "aws.rds.db_cluster_snapshot",
    "Manual DB cluster snapshot",
    {
        "encrypted": attr(bool, "Encrypted at rest."),
        "db_cluster": attr(str | None, "Cluster it was taken of."),
        "public": attr(bool, "The restore attribute includes all."),
        "shared_with": attr(list, "Account ids it is shared with."),
    },
    scope="region",
)
NEPTUNE_CLUSTER = TYPES.declare(
    "aws.neptune.db_cluster", "Neptune DB cluster", dict(_CLUSTER), scope="region"
)
DOCDB_CLUSTER = TYPES.declare("aws.docdb.db_cluster", "DocumentDB cluster", dict(_CLUSTER), scope="region")
REDSHIFT_CLUSTER = TYPES.declare(
    "aws.redshift.cluster",
    "Redshift cluster",
    {
        "encrypted": attr(bool, "Encrypted at rest."),
        "kms_key_id": attr(str | None, _KMS_KEY),
        "publicly_accessible": attr(bool, "Has a public address."),
        "enhanced_vpc_routing": attr(bool, "COPY/UNLOAD traffic goes through the VPC."),
        "logging_enabled": attr(bool, "Audit logging (DescribeLoggingStatus) is on."),
        "parameter_groups": attr(list, "Names of its parameter groups."),
        "require_ssl": attr(
            bool | None,
            "require_ssl of its parameter group(s) is true; null when no group sets the parameter.",
        ),
    },
    scope="region",
)
ELASTICACHE_CLUSTER = TYPES.declare(
    "aws.elasticache.cluster",
    "ElastiCache replication group, or cache cluster outside one",
    {
        "kind": attr(str, "replication_group or cache_cluster."),
        "engine": attr(str | None, "redis, valkey or memcached."),
        "at_rest_encryption": attr(bool, "Encrypted at rest."),
        "transit_encryption": attr(bool, "TLS in transit."),
        "auth_token_enabled": attr(bool, "Redis AUTH token is required."),
        "user_group_ids": attr(list, "RBAC user groups (Redis/Valkey 6+)."),
        "snapshot_retention_limit": attr(int, "Days automatic backups are kept (0: off)."),
    },
    scope="region",
)
OPENSEARCH_DOMAIN = TYPES.declare(
    "aws.opensearch.domain",
    "OpenSearch or Elasticsearch domain",
    {
        "engine_version": attr(str | None, "OpenSearch_2.11, Elasticsearch_7.10, ..."),
        "encryption_at_rest": attr(bool, "Encrypted at rest."),
        "node_to_node_encryption": attr(bool, "TLS between nodes."),
        "enforce_https": attr(bool, "The endpoint refuses plain HTTP."),
        "tls_policy": attr(str | None, "TLS security policy (Policy-Min-TLS-1-2-2019-07, ...)."),
        "vpc_id": attr(str | None, "VPC the domain is placed in, or null for a public endpoint."),
        "in_vpc": attr(bool, "The domain has VPC options (subnets): no public endpoint."),
        "fine_grained_access": attr(bool, "Fine-grained access control is enabled."),
        "audit_logs": attr(bool, "Audit logs are published to CloudWatch Logs."),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- edge and APIs

CLASSIC_ELB = TYPES.declare(
    "aws.elb.load_balancer",
    "Classic load balancer",
    {
        "scheme": attr(str | None, "internet-facing or internal."),
        "listeners": attr(
            list,
            "Listeners: {port, protocol, instance_protocol, reference_policy (TLS policy or null), "
            "weak_protocols (SSLv3, TLSv1, TLSv1.1 that its policy enables)}.",
        ),
        "access_logs_enabled": attr(bool, "Access logs go to S3."),
        "cross_zone": attr(bool, "Cross-zone load balancing is on."),
    },
    scope="region",
)
APIGW_REST_API = TYPES.declare(
    "aws.apigateway.rest_api",
    "API Gateway REST API",
    {
        "endpoint_types": attr(list, "EDGE, REGIONAL or PRIVATE."),
        "authorizers": attr(list, "Authorizers: {name, type} (TOKEN, REQUEST, COGNITO_USER_POOLS)."),
    },
    scope="region",
)
APIGW_STAGE = TYPES.declare(
    "aws.apigateway.stage",
    "API Gateway REST API stage",
    {
        "api_id": attr(str, "The REST API's id."),
        "logging_level": attr(str | None, "Execution logging level of */* (ERROR, INFO), or null (off)."),
        "access_log_destination": attr(str | None, "Access log destination ARN, or null."),
        "web_acl_arn": attr(str | None, "WAF web ACL associated, or null."),
        "client_certificate_id": attr(str | None, "Client certificate for the backend, or null."),
    },
    scope="region",
)
APIGW_DOMAIN = TYPES.declare(
    "aws.apigateway.domain_name",
    "API Gateway custom domain name",
    {"security_policy": attr(str | None, "TLS_1_0 or TLS_1_2 (or a SecurityPolicy_* name).")},
    scope="region",
)
WAF_WEB_ACL = TYPES.declare(
    "aws.wafv2.web_acl",
    "WAFv2 web ACL (CloudFront-scope ACLs are read in us-east-1, where AWS keeps them)",
    {
        "scope": attr(str, "REGIONAL or CLOUDFRONT."),
        "logging_destinations": attr(
            list, "Log destinations (ListLoggingConfigurations); [] when not logged."
        ),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- network, instances, identity

EC2_NETWORK_ACL = TYPES.declare(
    "aws.ec2.network_acl",
    "VPC network ACL",
    {
        "vpc_id": attr(str | None, "VPC."),
        "is_default": attr(bool, "The VPC's default network ACL."),
        "entries": attr(
            list,
            "Rules: {rule_number, egress, allow, protocol, cidr, from_port, to_port} (DescribeNetworkAcls).",
        ),
        "subnets": attr(list, "Subnets associated."),
    },
    scope="region",
)
EC2_ROUTE_TABLE = TYPES.declare(
    "aws.ec2.route_table",
    "VPC route table",
    {
        "vpc_id": attr(str | None, "VPC."),
        "routes": attr(list, "Routes: {destination, target}."),
        "peering_routes": attr(
            list,
            "Routes to VPC peering connections: {destination, peering_id, peer_cidrs (the CIDR blocks of "
            "the VPC on the other side, or null when the connection is not listed)}.",
        ),
    },
    scope="region",
)
SSM_MANAGED_INSTANCE = TYPES.declare(
    "aws.ssm.managed_instance",
    "Instance managed by Systems Manager",
    {
        "instance_id": attr(str, "i-... (or mi-... for hybrid machines)."),
        "ping_status": attr(str | None, "Online, ConnectionLost or Inactive."),
        "platform": attr(str | None, "Linux, Windows, MacOS."),
        "patch_status": attr(
            str | None, "Patch compliance: COMPLIANT or NON_COMPLIANT, or null where none is reported."
        ),
    },
    scope="region",
)
SSM_DOCUMENT = TYPES.declare(
    "aws.ssm.document",
    "Systems Manager document owned by the account",
    {
        "document_type": attr(str | None, "Command, Automation, ..."),
        "public": attr(bool, "Shared with all (DescribeDocumentPermission)."),
        "shared_with": attr(list, "Account ids it is shared with."),
    },
    scope="region",
)
IAM_SERVER_CERTIFICATE = TYPES.declare(
    "aws.iam.server_certificate",
    "IAM server certificate",
    {
        "expiration": attr(str | None, "Expiry (ISO 8601)."),
        "upload_date": attr(str | None, "Uploaded (ISO 8601)."),
    },
    scope="account",
)

# ----------------------------------------------------------------------------- machine learning

_ENV_NAMES = "Names of its containers' environment variables (values are never kept)."
SAGEMAKER_NOTEBOOK = TYPES.declare(
    "aws.sagemaker.notebook_instance",
    "SageMaker notebook instance",
    {
        "status": attr(str | None, "InService, Stopped, ..."),
        "direct_internet_access": attr(str, "Enabled or Disabled."),
        "root_access": attr(str, "Enabled or Disabled (AWS's default is Enabled)."),
        "kms_key_id": attr(str | None, _KMS_KEY),
        "subnet_id": attr(str | None, "Subnet it is placed in, or null (no VPC)."),
    },
    scope="region",
)
SAGEMAKER_DOMAIN = TYPES.declare(
    "aws.sagemaker.domain",
    "SageMaker (Studio) domain",
    {
        "app_network_access_type": attr(str | None, "PublicInternetOnly or VpcOnly."),
        "kms_key_id": attr(str | None, "Key of the domain's EFS volume, or null."),
        "vpc_id": attr(str | None, "VPC."),
    },
    scope="region",
)
SAGEMAKER_ENDPOINT_CONFIG = TYPES.declare(
    "aws.sagemaker.endpoint_config",
    "SageMaker endpoint configuration",
    {
        "kms_key_id": attr(str | None, "Key of the instances' storage volumes, or null."),
        "data_capture_enabled": attr(bool, "Data capture is on."),
        "data_capture_kms_key_id": attr(str | None, "Key of the captured data in S3, or null."),
    },
    scope="region",
)
SAGEMAKER_MODEL = TYPES.declare(
    "aws.sagemaker.model",
    "SageMaker model",
    {
        "network_isolation": attr(bool, "Containers run with no network access."),
        "vpc_subnets": attr(list, "Subnets of its VPC config ([] when none)."),
        "environment_variable_names": attr(list, _ENV_NAMES),
    },
    scope="region",
)
_JOB: dict[str, Any] = {
    "status": attr(str | None, "InProgress, Completed, Failed, Stopped, ..."),
    "created": attr(str | None, "Creation time (ISO 8601)."),
    "network_isolation": attr(bool, "Containers run with no network access."),
    "inter_container_encryption": attr(bool, "Traffic between the job's instances is encrypted."),
    "vpc_subnets": attr(list, "Subnets of its VPC config ([] when none)."),
    "volume_kms_key_id": attr(str | None, "Key of the ML storage volumes, or null."),
    "output_kms_key_id": attr(str | None, "Key of the output in S3, or null."),
    "environment_variable_names": attr(list, _ENV_NAMES),
}
_RECENT = (
    " (recent ones only: created within --sagemaker-job-days, newest first, at most --sagemaker-max-jobs "
    "per region)"
)
SAGEMAKER_TRAINING_JOB = TYPES.declare(
    "aws.sagemaker.training_job", "SageMaker training job" + _RECENT, dict(_JOB), scope="region"
)
SAGEMAKER_PROCESSING_JOB = TYPES.declare(
    "aws.sagemaker.processing_job", "SageMaker processing job" + _RECENT, dict(_JOB), scope="region"
)
SAGEMAKER_MODEL_PACKAGE_GROUP = TYPES.declare(
    "aws.sagemaker.model_package_group",
    "SageMaker model package group (model registry)",
    {"policy": attr(dict | None, _POLICY)},
    scope="region",
)
BEDROCK_REGION = TYPES.declare(
    "aws.bedrock.region",
    "Amazon Bedrock in a region",
    {
        "invocation_logging": attr(
            dict | None,
            "Model invocation logging: {s3_bucket, log_group} (either may be null), or null when off.",
        ),
        "guardrails": attr(list, "Guardrails: {id, name, status}."),
    },
    scope="region",
)
BEDROCK_CUSTOM_MODEL = TYPES.declare(
    "aws.bedrock.custom_model",
    "Amazon Bedrock custom model",
    {
        "kms_key_arn": attr(str | None, "Customer-managed key the model is encrypted with, or null."),
        "base_model": attr(str | None, "Foundation model it was customised from."),
    },
    scope="region",
)

# ----------------------------------------------------------------------------- containers

ECR_REPOSITORY = TYPES.declare(
    "aws.ecr.repository",
    "ECR repository",
    {
        "scan_on_push": attr(bool, "Basic scanning on push is on for the repository."),
        "enhanced_scanning": attr(
            bool, "The registry's ENHANCED scanning has a rule whose filter matches the repository."
        ),
        "tag_mutability": attr(str | None, "MUTABLE or IMMUTABLE (or their *_WITH_EXCLUSION forms)."),
        "encryption_type": attr(str | None, "AES256 or KMS (KMS_DSSE)."),
        "kms_key": attr(str | None, "KMS key, or null."),
        "policy": attr(dict | None, _POLICY),
        "has_lifecycle_policy": attr(bool, "A lifecycle policy is set."),
    },
    scope="region",
)
EKS_CLUSTER = TYPES.declare(
    "aws.eks.cluster",
    "EKS cluster",
    {
        "version": attr(str | None, "Kubernetes version (1.33 ...)."),
        "endpoint_public_access": attr(bool, "The API endpoint is reachable from the internet."),
        "endpoint_private_access": attr(bool, "The API endpoint is reachable from the VPC."),
        "public_access_cidrs": attr(list, "CIDRs allowed to the public endpoint."),
        "secrets_key_arn": attr(str | None, "KMS key for envelope encryption of Secrets, or null."),
        "enabled_log_types": attr(list, "Control plane log types sent to CloudWatch Logs."),
    },
    scope="region",
)
EKS_NODEGROUP = TYPES.declare(
    "aws.eks.nodegroup",
    "EKS managed node group",
    {
        "cluster": attr(str, "Cluster name."),
        "ssh_key": attr(str | None, "EC2 key pair for SSH (remote access), or null: no remote access."),
        "source_security_groups": attr(list, "Security groups allowed to SSH; [] with a key: 0.0.0.0/0."),
    },
    scope="region",
)
