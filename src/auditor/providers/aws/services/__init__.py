"""What the AWS collector reads: one module per AWS service, each declaring itself as data.

A service module holds the code that reads one botocore service and ends with its declaration::

    SERVICE = Service(
        name="sns",                      # the botocore service name (the client it calls)
        fanout="regional",               # "global": once per account; "regional": once per account and region
        operations=("ListTopics", "GetTopicAttributes"),   # every API operation it may call
        produces=(T.SNS_TOPIC,),         # the resource types it writes
        collect=collect,                 # collect(collection, account, region)
    )

The collector runs every service of `SERVICES` for every account (and region), the IAM policy
in docs/permissions/aws-readonly.json is derived from the declared operations
(`iam_actions.OPERATIONS`), and `Collection.call` refuses an operation its service did not
declare. Each `collect` is one task on the collection's scheduler: per-resource detail calls
are fanned out with `gather`, so they run in parallel and the last one builds the resource. A
list call that fails records a CollectionError for exactly its (account, region, resource
types); a detail call that fails leaves a gap on that one resource. Secret values are never
requested (no GetSecretValue, no user data, no SecureString parameters); the responses that
carry them anyway (Lambda ListFunctions and SageMaker describe calls: environment variables;
API Gateway GetStages: stage variables) are masked before storage through the call's
`secret_paths`, and at most the variable names reach the resource.

Adding a service: see "Adding a service" in docs/providers/aws.md.
"""

from __future__ import annotations

from auditor.providers.aws.common import Service
from auditor.providers.aws.services import (
    accessanalyzer,
    acm,
    apigateway,
    backup,
    bedrock,
    cloudfront,
    cloudtrail,
    cloudwatch,
    config,
    docdb,
    dynamodb,
    ec2,
    ecr,
    efs,
    eks,
    elasticache,
    elb,
    elbv2,
    guardduty,
    iam,
    inspector2,
    kms,
    lambda_,
    logs,
    macie2,
    neptune,
    opensearch,
    rds,
    redshift,
    s3,
    s3control,
    sagemaker,
    secretsmanager,
    securityhub,
    sns,
    sqs,
    ssm,
    ssoadmin,
    wafv2,
)

# In scheduling order: the global services first (IAM's credential report takes longest).
# tests/aws/test_services.py fails when a module of this package is missing here.
SERVICES: tuple[Service, ...] = (
    iam.SERVICE,
    s3control.SERVICE,
    s3.SERVICE,
    cloudfront.SERVICE,
    cloudtrail.SERVICE,
    config.SERVICE,
    guardduty.SERVICE,
    securityhub.SERVICE,
    accessanalyzer.SERVICE,
    kms.SERVICE,
    ec2.SERVICE,
    rds.SERVICE,
    dynamodb.SERVICE,
    elbv2.SERVICE,
    acm.SERVICE,
    logs.SERVICE,
    sns.SERVICE,
    sqs.SERVICE,
    secretsmanager.SERVICE,
    lambda_.SERVICE,
    backup.SERVICE,
    efs.SERVICE,
    cloudwatch.SERVICE,
    inspector2.SERVICE,
    macie2.SERVICE,
    ssoadmin.SERVICE,
    neptune.SERVICE,
    docdb.SERVICE,
    redshift.SERVICE,
    elasticache.SERVICE,
    opensearch.SERVICE,
    elb.SERVICE,
    apigateway.SERVICE,
    wafv2.SERVICE,
    ssm.SERVICE,
    sagemaker.SERVICE,
    bedrock.SERVICE,
    ecr.SERVICE,
    eks.SERVICE,
)

# What a failed DescribeRegions leaves unread: everything the regional services produce.
REGIONAL_TYPES: tuple[str, ...] = tuple(t for s in SERVICES if s.fanout == "regional" for t in s.produces)
# What the global services produce: a shard that does not own an account's global unit excludes these.
GLOBAL_TYPES: tuple[str, ...] = tuple(t for s in SERVICES if s.fanout == "global" for t in s.produces)
