"""Which IAM action authorises each API operation the collector calls (pure data, no SDK).

Mostly `<prefix>:<OperationName>`; the exceptions (S3 above all) are listed explicitly.
docs/permissions/aws-readonly.json is generated from `required_actions()` and a test checks
that every operation recorded during the integration scans maps to an action in it.
"""

from __future__ import annotations

# botocore service name -> IAM service prefix, where they differ
SERVICE_PREFIX = {
    "elbv2": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "s3control": "s3",
    "accessanalyzer": "access-analyzer",
}

# (botocore service, operation) -> IAM action, where the action is not named after the operation
ACTION_OVERRIDES = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("sts", "GetCallerIdentity"): "",  # needs no permission
}

# Every operation the collector may call, by botocore service name.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "sts": ("GetCallerIdentity", "AssumeRole"),
    "organizations": ("ListAccounts",),
    "ec2": (
        "DescribeRegions",
        "GetEbsEncryptionByDefault",
        "DescribeSecurityGroups",
        "DescribeInstances",
        "DescribeVolumes",
        "DescribeSnapshots",
        "DescribeSnapshotAttribute",
        "DescribeImages",
        "DescribeVpcs",
        "DescribeFlowLogs",
    ),
    "iam": (
        "GetAccountSummary",
        "GetAccountPasswordPolicy",
        "ListEntitiesForPolicy",
        "GenerateCredentialReport",
        "GetCredentialReport",
        "GetAccountAuthorizationDetails",
    ),
    "s3": (
        "ListBuckets",
        "GetBucketLocation",
        "GetBucketEncryption",
        "GetPublicAccessBlock",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetBucketVersioning",
        "GetBucketLogging",
        "GetObjectLockConfiguration",
    ),
    "s3control": ("GetPublicAccessBlock",),
    "cloudfront": ("ListDistributions",),
    "cloudtrail": ("DescribeTrails", "GetTrailStatus", "GetEventSelectors"),
    "config": ("DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus"),
    "guardduty": ("ListDetectors", "GetDetector"),
    "securityhub": ("DescribeHub",),
    "accessanalyzer": ("ListAnalyzers",),
    "kms": ("ListKeys", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy"),
    "rds": ("DescribeDBInstances", "DescribeDBSnapshots", "DescribeDBSnapshotAttributes"),
    "dynamodb": ("ListTables", "DescribeTable", "DescribeContinuousBackups"),
    "elbv2": ("DescribeLoadBalancers", "DescribeListeners", "DescribeLoadBalancerAttributes"),
    "acm": ("ListCertificates", "DescribeCertificate"),
    "logs": ("DescribeLogGroups",),
    "sns": ("ListTopics", "GetTopicAttributes"),
    "sqs": ("ListQueues", "GetQueueAttributes"),
    "secretsmanager": ("ListSecrets",),
    "lambda": ("ListFunctions", "GetPolicy"),
    "backup": ("ListBackupPlans",),
    "efs": ("DescribeFileSystems",),
}

# Actions that are not Get/List/Describe but are still read-only in effect.
READ_ONLY_EXCEPTIONS = {"iam:GenerateCredentialReport", "sts:AssumeRole"}


def action_for(service: str, operation: str) -> str:
    """The IAM action for a botocore service name and operation name ('' if none is needed)."""
    if (service, operation) in ACTION_OVERRIDES:
        return ACTION_OVERRIDES[(service, operation)]
    return f"{SERVICE_PREFIX.get(service, service)}:{operation}"


def required_actions() -> list[str]:
    return sorted({a for svc, ops in OPERATIONS.items() for op in ops if (a := action_for(svc, op))})


def policy_document() -> dict[str, object]:
    actions = required_actions()
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AuditorReadOnly",
                "Effect": "Allow",
                "Action": [a for a in actions if a != "sts:AssumeRole"],
                "Resource": "*",
            },
            {
                "Sid": "AuditorAssumeScanRoles",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Resource": "arn:aws:iam::*:role/*",
            },
        ],
    }
