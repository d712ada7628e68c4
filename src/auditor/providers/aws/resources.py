"""Resource type names of the AWS provider (shared by the collector and the checks; no SDK here)."""

from __future__ import annotations

IAM_ACCOUNT = "aws.iam.account"
IAM_USER = "aws.iam.user"
IAM_ROLE = "aws.iam.role"
IAM_GROUP = "aws.iam.group"
IAM_POLICY = "aws.iam.policy"
S3_ACCOUNT = "aws.s3.account"
S3_BUCKET = "aws.s3.bucket"
CLOUDFRONT_DISTRIBUTION = "aws.cloudfront.distribution"

CLOUDTRAIL_ACCOUNT = "aws.cloudtrail.account"  # account-wide view built from every region's trails
CLOUDTRAIL_TRAIL = "aws.cloudtrail.trail"
CONFIG_REGION = "aws.config.region"
GUARDDUTY_REGION = "aws.guardduty.region"
SECURITYHUB_REGION = "aws.securityhub.region"
ACCESSANALYZER_REGION = "aws.accessanalyzer.region"
KMS_KEY = "aws.kms.key"
EC2_REGION = "aws.ec2.region"
EC2_SECURITY_GROUP = "aws.ec2.security_group"
EC2_INSTANCE = "aws.ec2.instance"
EC2_VOLUME = "aws.ec2.volume"
EC2_SNAPSHOT = "aws.ec2.snapshot"
EC2_IMAGE = "aws.ec2.image"
EC2_VPC = "aws.ec2.vpc"
RDS_INSTANCE = "aws.rds.db_instance"
RDS_SNAPSHOT = "aws.rds.db_snapshot"
DYNAMODB_TABLE = "aws.dynamodb.table"
ELB_LOAD_BALANCER = "aws.elbv2.load_balancer"
ACM_CERTIFICATE = "aws.acm.certificate"
LOGS_GROUP = "aws.logs.log_group"
SNS_TOPIC = "aws.sns.topic"
SQS_QUEUE = "aws.sqs.queue"
SECRET = "aws.secretsmanager.secret"
LAMBDA_FUNCTION = "aws.lambda.function"
BACKUP_REGION = "aws.backup.region"
EFS_FILE_SYSTEM = "aws.efs.file_system"

GLOBAL_TYPES = (
    IAM_ACCOUNT,
    IAM_USER,
    IAM_ROLE,
    IAM_GROUP,
    IAM_POLICY,
    S3_ACCOUNT,
    S3_BUCKET,
    CLOUDFRONT_DISTRIBUTION,
)

REGIONAL_TYPES = (
    CLOUDTRAIL_TRAIL,
    CONFIG_REGION,
    GUARDDUTY_REGION,
    SECURITYHUB_REGION,
    ACCESSANALYZER_REGION,
    KMS_KEY,
    EC2_REGION,
    EC2_SECURITY_GROUP,
    EC2_INSTANCE,
    EC2_VOLUME,
    EC2_SNAPSHOT,
    EC2_IMAGE,
    EC2_VPC,
    RDS_INSTANCE,
    RDS_SNAPSHOT,
    DYNAMODB_TABLE,
    ELB_LOAD_BALANCER,
    ACM_CERTIFICATE,
    LOGS_GROUP,
    SNS_TOPIC,
    SQS_QUEUE,
    SECRET,
    LAMBDA_FUNCTION,
    BACKUP_REGION,
    EFS_FILE_SYSTEM,
)
