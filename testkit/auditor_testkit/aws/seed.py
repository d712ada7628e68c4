"""Seed a moto server with a small realistic estate: known-good (`pass-*`) and known-bad (`fail-*`)
resources, so each check can be shown failing and passing on real API responses.

`seed_estate` builds the reference estate (tests, demo); `seed_bulk` adds N x a block of cheap
resources per region (benchmark scale). Secret values in the estate are `auditor_testkit.aws.moto.CANARY`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from functools import partial
from typing import Any

import boto3

from auditor_testkit.aws import seed_services
from auditor_testkit.aws.gaps import MotoGaps
from auditor_testkit.aws.moto import ACCOUNT, CANARY


def _client(url: str, service: str, region: str, creds: dict[str, str] | None = None) -> Any:
    kw: dict[str, Any] = {"region_name": region, "endpoint_url": url}
    if creds:
        kw.update(creds)
    else:
        kw.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client(service, **kw)


def _cert(days: int, cn: str, *, issued_days_ago: int = 1) -> tuple[bytes, bytes]:
    """A self-signed certificate for `cn` valid until `days` from now (negative: expired), and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=issued_days_ago))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
    )


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def _stmt_policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN_STAR = _stmt_policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
READ_ONLY = _stmt_policy({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::x/*"})
TRUST_EC2 = _stmt_policy(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)


def create_organization(url: str, region: str = "us-east-1") -> list[str]:
    """An organization with one member account; returns [management, member] account ids."""
    org = _client(url, "organizations", region)
    org.create_organization(FeatureSet="ALL")
    status = org.create_account(AccountName="member", Email="member@example.com")["CreateAccountStatus"]
    member = (
        status.get("AccountId")
        or org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"][
            "AccountId"
        ]
    )
    return [ACCOUNT, member]


def assume_creds(url: str, account: str, role: str = "OrganizationAccountAccessRole") -> dict[str, str]:
    sts = _client(url, "sts", "us-east-1")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="seed")["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def seed_estate(
    url: str,
    regions: list[str],
    creds: dict[str, str] | None = None,
    *,
    member: bool = False,
    gaps: MotoGaps | None = None,
) -> None:
    """The reference estate of one account. `member=True` seeds the second account of the
    organization, which flips the account-wide settings (strong password policy, account
    public access block on, no support role, no trail). `url` should be a `MotoGaps` in front
    of moto (`gaps`, which also stands in for the SSM agents): with plain moto the operations
    moto lacks fail."""
    home = regions[0]

    def cl(service: str, region: str = home) -> Any:
        return _client(url, service, region, creds)

    acct = cl("sts").get_caller_identity()["Account"]
    sfx = acct[-4:]
    _seed_iam(cl("iam"), member)
    if member:
        s3c = cl("s3control")
        s3c.meta.events.register("before-send.s3-control.*", _strip_prefix)
        s3c.put_public_access_block(
            AccountId=acct,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        return
    s3 = cl("s3")
    kms = cl("kms")
    good_key = kms.create_key(Description="pass-key-rotated")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=good_key["KeyId"])
    kms.create_key(
        Description="fail-key-public-norotation",
        Policy=_stmt_policy({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
    )
    _seed_s3(s3, sfx, good_key["Arn"])
    _seed_cloudtrail(cl, sfx, good_key["Arn"], acct)
    seed_services.seed_cis_alarms(cl, acct, "pass-trail-logs")
    places = [
        _seed_region(url, region, creds, acct, first=i == 0, gaps=gaps) for i, region in enumerate(regions)
    ]
    expired = _cert(-10, "old.example.com", issued_days_ago=400)
    seed_services.seed_global(cl, acct, sfx, places[0].cert_arn, expired)


def _strip_prefix(request: Any, **_: Any) -> None:
    from auditor.providers.aws.collector import _strip_account_host_prefix

    _strip_account_host_prefix(request)


def _seed_iam(iam: Any, member: bool) -> None:
    if member:
        iam.update_account_password_policy(
            MinimumPasswordLength=14,
            RequireSymbols=True,
            RequireNumbers=True,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
            PasswordReusePrevention=24,
            MaxPasswordAge=90,
        )
        return
    iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=1)
    # users
    iam.create_group(GroupName="pass-group-readers")
    grp_pol = iam.create_policy(PolicyName="pass-policy-readonly", PolicyDocument=READ_ONLY)["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="pass-group-readers", PolicyArn=grp_pol)
    iam.create_user(UserName="pass-user-mfa")
    iam.create_login_profile(UserName="pass-user-mfa", Password=CANARY + "aA1!")
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="pass-user-mfa")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="pass-user-mfa",
        SerialNumber=dev["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.add_user_to_group(UserName="pass-user-mfa", GroupName="pass-group-readers")
    iam.create_access_key(UserName="pass-user-mfa")
    iam.create_user(UserName="fail-user-nomfa-direct")
    iam.create_login_profile(UserName="fail-user-nomfa-direct", Password=CANARY + "aA1!")
    iam.attach_user_policy(
        UserName="fail-user-nomfa-direct", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    iam.create_user(UserName="fail-user-inline-admin")
    iam.put_user_policy(UserName="fail-user-inline-admin", PolicyName="admin", PolicyDocument=ADMIN_STAR)
    iam.create_policy(PolicyName="fail-policy-admin-star", PolicyDocument=ADMIN_STAR)
    iam.create_role(RoleName="pass-role-ec2", AssumeRolePolicyDocument=TRUST_EC2)
    iam.put_role_policy(RoleName="pass-role-ec2", PolicyName="read", PolicyDocument=READ_ONLY)
    iam.create_role(
        RoleName="fail-role-public-trust",
        AssumeRolePolicyDocument=_stmt_policy(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        ),
    )
    iam.create_role(
        RoleName="pass-role-support",
        AssumeRolePolicyDocument=_stmt_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    iam.attach_role_policy(RoleName="pass-role-support", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")


def _seed_s3(s3: Any, sfx: str, key_arn: str) -> None:
    log_bucket = f"pass-logs-{sfx}"
    s3.create_bucket(Bucket=log_bucket)
    good = f"pass-bucket-{sfx}"
    s3.create_bucket(Bucket=good)
    s3.put_bucket_encryption(
        Bucket=good,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}
            ]
        },
    )
    for b in (good, log_bucket):
        s3.put_public_access_block(
            Bucket=b,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    s3.put_bucket_policy(
        Bucket=good,
        Policy=_stmt_policy(
            {
                "Sid": "TLSOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{good}", f"arn:aws:s3:::{good}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
    )
    s3.put_bucket_versioning(Bucket=good, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_acl(Bucket=log_bucket, ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket=good,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": log_bucket, "TargetPrefix": "good/"}},
    )
    bad = f"fail-bucket-public-{sfx}"
    s3.create_bucket(Bucket=bad, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(
        Bucket=bad,
        Policy=_stmt_policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bad}/*",
            }
        ),
    )
    s3.put_bucket_acl(Bucket=bad, ACL="public-read")
    # CloudTrail buckets: one locked (pass), one plain and public (fail)
    s3.create_bucket(Bucket=f"pass-trail-bucket-{sfx}", ObjectLockEnabledForBucket=True)
    s3.put_bucket_versioning(Bucket=f"pass-trail-bucket-{sfx}", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket=f"fail-trail-bucket-{sfx}")
    s3.put_bucket_policy(
        Bucket=f"fail-trail-bucket-{sfx}",
        Policy=_stmt_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::fail-trail-bucket-{sfx}/*",
            }
        ),
    )


def _seed_cloudtrail(cl: Any, sfx: str, key_arn: str, acct: str) -> None:
    logs = cl("logs")
    logs.create_log_group(logGroupName="pass-trail-logs", kmsKeyId=key_arn)
    logs.put_retention_policy(logGroupName="pass-trail-logs", retentionInDays=400)
    group_arn = f"arn:aws:logs:us-east-1:{acct}:log-group:pass-trail-logs:*"
    ct = cl("cloudtrail")
    ct.create_trail(
        Name="pass-trail",
        S3BucketName=f"pass-trail-bucket-{sfx}",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key_arn,
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{acct}:role/pass-role-ec2",
    )
    ct.start_logging(Name="pass-trail")
    ct.create_trail(Name="fail-trail", S3BucketName=f"fail-trail-bucket-{sfx}")


def _seed_region(
    url: str, region: str, creds: dict[str, str] | None, acct: str, *, first: bool, gaps: MotoGaps | None
) -> seed_services.Place:
    def cl(service: str) -> Any:
        return _client(url, service, region, creds)

    rs = region.replace("-", "")
    ec2 = cl("ec2")
    logs = cl("logs")
    if first:
        # region-wide services on in the first region only: the others fail those checks
        cfg = cl("config")
        cfg.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{acct}:role/pass-role-ec2",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
            }
        )
        cfg.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": f"pass-logs-{acct[-4:]}"}
        )
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
        cl("guardduty").create_detector(Enable=True, Features=seed_services.GUARDDUTY_FEATURES)
        cl("securityhub").enable_security_hub()
        ec2.enable_ebs_encryption_by_default()
        backup = cl("backup")
        backup.create_backup_plan(
            BackupPlan={
                "BackupPlanName": "pass-daily",
                "Rules": [
                    {
                        "RuleName": "daily",
                        "TargetBackupVaultName": "Default",
                        "ScheduleExpression": "cron(0 5 * * ? *)",
                    }
                ],
            }
        )
    # network: a VPC with flow logs and a closed default SG (pass), the default VPC without (fail)
    vpc = ec2.create_vpc(
        CidrBlock="10.1.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"pass-vpc-{rs}"}]}],
    )["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName="pass-flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{acct}:role/pass-role-ec2",
    )
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    if default_sg.get("IpPermissions"):
        ec2.revoke_security_group_ingress(
            GroupId=default_sg["GroupId"], IpPermissions=default_sg["IpPermissions"]
        )
    if default_sg.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(
            GroupId=default_sg["GroupId"], IpPermissions=default_sg["IpPermissionsEgress"]
        )
    ec2.create_tags(Resources=[default_sg["GroupId"]], Tags=[{"Key": "Name", "Value": "pass-default-sg"}])
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]

    def sg(name: str, perms: list[dict[str, Any]]) -> str:
        gid: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        if perms:
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=perms)
        return gid

    world4, world6 = [{"CidrIp": "0.0.0.0/0"}], [{"CidrIpv6": "::/0"}]
    sg("fail-sg-ssh", [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": world4}])
    sg("fail-sg-rdp", [{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": world6}])
    sg("fail-sg-all", [{"IpProtocol": "-1", "IpRanges": world4}])
    sg("fail-sg-db", [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": world4}])
    web = sg(
        "pass-sg-web",
        [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": world4},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        ],
    )

    # storage
    def tag(name: str, rtype: str) -> list[dict[str, Any]]:
        return [{"ResourceType": rtype, "Tags": [{"Key": "Name", "Value": name}]}]

    good_vol = ec2.create_volume(
        AvailabilityZone=f"{region}a",
        Size=1,
        Encrypted=True,
        TagSpecifications=tag(f"pass-vol-{rs}", "volume"),
    )["VolumeId"]
    bad_vol = ec2.create_volume(
        AvailabilityZone=f"{region}a",
        Size=1,
        Encrypted=False,
        TagSpecifications=tag(f"fail-vol-{rs}", "volume"),
    )["VolumeId"]
    ec2.create_snapshot(VolumeId=good_vol, TagSpecifications=tag(f"pass-snap-{rs}", "snapshot"))
    pub = ec2.create_snapshot(VolumeId=bad_vol, TagSpecifications=tag(f"fail-snap-public-{rs}", "snapshot"))[
        "SnapshotId"
    ]
    ec2.modify_snapshot_attribute(
        SnapshotId=pub, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    # compute
    good_ami = ec2.register_image(Name=f"pass-ami-{rs}", RootDeviceName="/dev/sda1")["ImageId"]
    bad_ami = ec2.register_image(Name=f"fail-ami-public-{rs}", RootDeviceName="/dev/sda1")["ImageId"]
    ec2.modify_image_attribute(ImageId=bad_ami, LaunchPermission={"Add": [{"Group": "all"}]})
    good_inst = ec2.run_instances(
        ImageId=good_ami,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnets[0],
        SecurityGroupIds=[web],
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        TagSpecifications=tag(f"pass-instance-{rs}", "instance"),
        UserData=CANARY,
    )["Instances"][0]["InstanceId"]
    ec2.modify_instance_metadata_options(InstanceId=good_inst, HttpTokens="required", HttpEndpoint="enabled")
    ec2.run_instances(
        ImageId=good_ami,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnets[1], "AssociatePublicIpAddress": True}],
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        TagSpecifications=tag(f"fail-instance-imdsv1-public-{rs}", "instance"),
    )
    # databases
    rds = cl("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=f"pass-db-{rs}",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword=CANARY,
        AllocatedStorage=20,
        StorageEncrypted=True,
        PubliclyAccessible=False,
        BackupRetentionPeriod=14,
        MultiAZ=True,
        DeletionProtection=True,
        AutoMinorVersionUpgrade=True,
    )
    rds.create_db_instance(
        DBInstanceIdentifier=f"fail-db-{rs}",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        MasterUsername="admin",
        MasterUserPassword=CANARY,
        AllocatedStorage=20,
        StorageEncrypted=False,
        PubliclyAccessible=True,
        BackupRetentionPeriod=1,
        MultiAZ=False,
        DeletionProtection=False,
        AutoMinorVersionUpgrade=False,
    )
    rds.create_db_snapshot(DBInstanceIdentifier=f"pass-db-{rs}", DBSnapshotIdentifier=f"pass-dbsnap-{rs}")
    rds.create_db_snapshot(
        DBInstanceIdentifier=f"fail-db-{rs}", DBSnapshotIdentifier=f"fail-dbsnap-public-{rs}"
    )
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier=f"fail-dbsnap-public-{rs}", AttributeName="restore", ValuesToAdd=["all"]
    )
    ddb = cl("dynamodb")
    schema = {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    ddb.create_table(
        TableName=f"pass-table-{rs}", SSESpecification={"Enabled": True, "SSEType": "KMS"}, **schema
    )
    ddb.update_continuous_backups(
        TableName=f"pass-table-{rs}", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.create_table(TableName=f"fail-table-{rs}", **schema)
    cl("efs").create_file_system(
        CreationToken=f"pass-{rs}", Encrypted=True, Tags=[{"Key": "Name", "Value": f"pass-efs-{rs}"}]
    )
    cl("efs").create_file_system(
        CreationToken=f"fail-{rs}", Encrypted=False, Tags=[{"Key": "Name", "Value": f"fail-efs-{rs}"}]
    )
    # certificates and load balancers
    acm = cl("acm")
    good_pem, good_key = _cert(400, f"pass-cert-{rs}.example.com")
    bad_pem, bad_key = _cert(10, f"fail-cert-expiring-{rs}.example.com")
    good_cert = acm.import_certificate(Certificate=good_pem, PrivateKey=good_key)["CertificateArn"]
    acm.import_certificate(Certificate=bad_pem, PrivateKey=bad_key)
    elb = cl("elbv2")
    tg = elb.create_target_group(Name=f"tg-{rs}", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0][
        "TargetGroupArn"
    ]
    forward = [{"Type": "forward", "TargetGroupArn": tg}]
    good_lb = elb.create_load_balancer(Name=f"pass-alb-{rs}", Subnets=subnets, Scheme="internet-facing")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    elb.create_listener(
        LoadBalancerArn=good_lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": good_cert}],
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        DefaultActions=forward,
    )
    elb.create_listener(
        LoadBalancerArn=good_lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ],
    )
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=good_lb,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": f"pass-logs-{acct[-4:]}"},
        ],
    )
    bad_lb = elb.create_load_balancer(Name=f"fail-alb-{rs}", Subnets=subnets, Scheme="internet-facing")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=bad_lb, Protocol="HTTP", Port=80, DefaultActions=forward)
    elb.create_listener(
        LoadBalancerArn=bad_lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": good_cert}],
        SslPolicy="ELBSecurityPolicy-2016-08",
        DefaultActions=forward,
    )
    # logs, messaging, secrets, functions
    kms_arn = cl("kms").create_key(Description=f"pass-key-data-{rs}")["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=f"pass-loggroup-{rs}", kmsKeyId=kms_arn)
    logs.put_retention_policy(logGroupName=f"pass-loggroup-{rs}", retentionInDays=400)
    logs.create_log_group(logGroupName=f"fail-loggroup-{rs}")
    logs.put_retention_policy(logGroupName=f"fail-loggroup-{rs}", retentionInDays=30)
    sns = cl("sns")
    sns.create_topic(Name=f"pass-topic-{rs}", Attributes={"KmsMasterKeyId": kms_arn})
    bad_topic = sns.create_topic(Name=f"fail-topic-public-{rs}")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=bad_topic,
        AttributeName="Policy",
        AttributeValue=_stmt_policy(
            {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": bad_topic}
        ),
    )
    sqs = cl("sqs")
    sqs.create_queue(QueueName=f"pass-queue-{rs}", Attributes={"KmsMasterKeyId": kms_arn})
    bad_q = sqs.create_queue(
        QueueName=f"fail-queue-public-{rs}", Attributes={"SqsManagedSseEnabled": "false"}
    )["QueueUrl"]
    sqs.set_queue_attributes(
        QueueUrl=bad_q,
        Attributes={
            "Policy": _stmt_policy(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"}
            )
        },
    )
    sm = cl("secretsmanager")
    sm.create_secret(Name=f"fail-secret-norotation-{rs}", SecretString=CANARY)
    good_secret = sm.create_secret(Name=f"pass-secret-rotated-{rs}", SecretString=CANARY)["ARN"]
    lam = cl("lambda")
    role = f"arn:aws:iam::{acct}:role/pass-role-ec2"
    code = {"ZipFile": _zip()}
    env = {"Variables": {"DB_PASSWORD": CANARY, "API_URL": CANARY}}
    good_fn = lam.create_function(
        FunctionName=f"pass-fn-{rs}",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code=code,
        Environment=env,
    )["FunctionArn"]
    lam.add_permission(
        FunctionName=good_fn,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::pass-bucket",
        SourceAccount=acct,
    )
    sm.rotate_secret(
        SecretId=good_secret, RotationLambdaARN=good_fn, RotationRules={"AutomaticallyAfterDays": 30}
    )
    lam.create_function(
        FunctionName=f"fail-fn-public-oldruntime-{rs}",
        Runtime="python3.7",
        Role=role,
        Handler="index.handler",
        Code=code,
        Environment=env,
    )
    lam.add_permission(
        FunctionName=f"fail-fn-public-oldruntime-{rs}",
        StatementId="public",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    slow = sm.create_secret(Name=f"fail-secret-slowrotation-{rs}", SecretString=CANARY)["ARN"]
    sm.rotate_secret(SecretId=slow, RotationLambdaARN=good_fn, RotationRules={"AutomaticallyAfterDays": 365})
    place = seed_services.Place(
        region=region,
        rs=rs,
        acct=acct,
        sfx=acct[-4:],
        first=first,
        vpc=vpc,
        subnets=subnets,
        web_sg=web,
        cert_arn=good_cert,
        key_arn=kms_arn,
        instance_id=good_inst,
        gaps=gaps,
    )
    seed_services.seed_region(cl, place)
    return place


def seed_bulk(url: str, regions: list[str], scale: int, creds: dict[str, str] | None = None) -> int:
    """Scale the estate: per region and per unit of scale, a block of cheap resources
    (security groups, volumes, snapshots, log groups, queues, topics, tables, keys, secrets,
    alarms, SSM documents, ECR repositories, SageMaker notebook instances), plus buckets and users
    once per account. Returns the number of resources created."""
    n = 0
    iam = _client(url, "iam", regions[0], creds)
    s3 = _client(url, "s3", regions[0], creds)
    for i in range(10 * scale):
        iam.create_user(UserName=f"bulk-user-{i}")
        s3.create_bucket(Bucket=f"bulk-bucket-{i}")
        n += 2
    for region in regions:
        ec2 = _client(url, "ec2", region, creds)
        logs = _client(url, "logs", region, creds)
        sqs = _client(url, "sqs", region, creds)
        sns = _client(url, "sns", region, creds)
        ddb = _client(url, "dynamodb", region, creds)
        kms = _client(url, "kms", region, creds)
        sm = _client(url, "secretsmanager", region, creds)
        for i in range(scale):
            for j in range(10):
                ec2.create_security_group(GroupName=f"bulk-sg-{i}-{j}", Description="bulk")
                vol = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1)["VolumeId"]
                n += 2
                if j < 5:
                    ec2.create_snapshot(VolumeId=vol)
                    logs.create_log_group(logGroupName=f"bulk-lg-{i}-{j}")
                    sqs.create_queue(QueueName=f"bulk-q-{i}-{j}")
                    sns.create_topic(Name=f"bulk-t-{i}-{j}")
                    n += 4
                if j < 3:
                    ddb.create_table(
                        TableName=f"bulk-table-{i}-{j}",
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST",
                    )
                    kms.create_key(Description=f"bulk-key-{i}-{j}")
                    sm.create_secret(Name=f"bulk-secret-{i}-{j}", SecretString=CANARY)
                    n += 3
            n += seed_services.seed_bulk_block(partial(_client, url, region=region, creds=creds), i)
    return n
