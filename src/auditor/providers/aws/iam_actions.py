"""Which IAM action authorises each API operation the collector calls (no SDK).

The operations are those the service modules (`services/*.py`, `SERVICE.operations`) and the
account discovery (`accounts.OPERATIONS`) declare; the action is mostly
`<prefix>:<OperationName>`, the exceptions (S3 above all) are listed here.
docs/permissions/aws-readonly.json is `policy_document()` (regenerate it with
`python -m auditor.providers.aws.iam_actions > docs/permissions/aws-readonly.json`); tests check
that it is up to date, and that the integration scans call exactly the declared operations.
"""

from __future__ import annotations

import json

from auditor.providers.aws import accounts
from auditor.providers.aws.services import SERVICES

# botocore service name -> IAM service prefix, where they differ
SERVICE_PREFIX = {
    "elbv2": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "s3control": "s3",
    "accessanalyzer": "access-analyzer",
    "sso-admin": "sso",
    "opensearch": "es",
    "elb": "elasticloadbalancing",
    "neptune": "rds",  # Neptune and DocumentDB share the RDS control plane and its actions
    "docdb": "rds",
}

# (botocore service, operation) -> IAM action, where the action is not named after the operation
ACTION_OVERRIDES = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("sts", "GetCallerIdentity"): "",  # needs no permission
    # API Gateway authorises by HTTP method on the resource path: every read is apigateway:GET
    ("apigateway", "GetRestApis"): "apigateway:GET",
    ("apigateway", "GetStages"): "apigateway:GET",
    ("apigateway", "GetAuthorizers"): "apigateway:GET",
    ("apigateway", "GetDomainNames"): "apigateway:GET",
}


def _operations() -> dict[str, tuple[str, ...]]:
    found: dict[str, dict[str, None]] = {}
    declared = [*accounts.OPERATIONS.items(), *((s.name, s.operations) for s in SERVICES)]
    for service, ops in declared:
        found.setdefault(service, {}).update(dict.fromkeys(ops))
    return {service: tuple(ops) for service, ops in sorted(found.items())}


# Every operation the collector may call, by botocore service name: what the service modules
# and the account discovery declare.
OPERATIONS: dict[str, tuple[str, ...]] = _operations()

# Declared operations a scan may not call even over a full estate, with why.
CONDITIONAL: dict[tuple[str, str], str] = {
    **accounts.CONDITIONAL,
    **{(s.name, op): why for s in SERVICES for op, why in s.conditional.items()},
}

# Actions that are not Get/List/Describe but are still read-only in effect.
READ_ONLY_EXCEPTIONS = {
    "iam:GenerateCredentialReport",
    "sts:AssumeRole",
    "apigateway:GET",
    "inspector2:BatchGetAccountStatus",
}


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


if __name__ == "__main__":
    print(json.dumps(policy_document(), indent=2))
