"""The reference estate, continued: the CIS alarm chains and the detection services, data stores
(Aurora, Neptune, DocumentDB, Redshift, ElastiCache, OpenSearch), the edge (Classic ELB, API
Gateway, CloudFront, WAF), network ACLs and peering routes, Systems Manager, and the ML platform
(SageMaker, Bedrock, ECR, EKS). `pass-*` / `fail-*` names as in :mod:`auditor_testkit.aws.seed`.

What moto lacks is answered by :class:`auditor_testkit.aws.gaps.MotoGaps`: the estate is seeded
through it (the same SDK calls a user would make), and the SSM agent check-ins moto cannot
express go through `MotoGaps.register_instance`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor_testkit.aws.gaps import MotoGaps
from auditor_testkit.aws.moto import CANARY

Client = Callable[[str], Any]

ROLE = "pass-role-ec2"
_AROUND_OPERATORS = re.compile(r"\s*(\|\||&&|!=|=|\(|\)|\{|\})\s*")


def _stmt(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(frozen=True)
class Place:
    """One region of the management account, and what `seed._seed_region` made there."""

    region: str
    rs: str  # the region without dashes: a suffix that keeps names unique per region
    acct: str
    sfx: str  # the account's last four digits (bucket names)
    first: bool  # region-wide services are on in the first region only
    vpc: str
    subnets: list[str]
    web_sg: str
    cert_arn: str
    key_arn: str
    instance_id: str  # pass-instance-<rs>
    gaps: MotoGaps | None

    @property
    def role(self) -> str:
        return f"arn:aws:iam::{self.acct}:role/{ROLE}"


# ----------------------------------------------------------------------------- once per account


def seed_cis_alarms(cl: Client, acct: str, group: str) -> None:
    """Every CIS monitoring item on the trail's log group: a metric filter (written differently
    from the benchmark's text: no spaces around operators), an alarm, and an SNS topic with a
    subscriber."""
    from auditor.providers.aws.checks_monitoring import CIS_ITEMS

    sns = cl("sns")
    topic = sns.create_topic(Name="pass-security-alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    logs, cw = cl("logs"), cl("cloudwatch")
    for item in CIS_ITEMS:
        metric = f"CIS-{item.key}"
        logs.put_metric_filter(
            logGroupName=group,
            filterName=f"cis-{item.key}",
            filterPattern=_AROUND_OPERATORS.sub(r"\1", item.patterns[0]),
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        cw.put_metric_alarm(
            AlarmName=f"pass-cis-{item.key}",
            MetricName=metric,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic],
        )


def seed_global(cl: Client, acct: str, sfx: str, cert_arn: str, expired: tuple[bytes, bytes]) -> None:
    """CloudFront distributions (with a CLOUDFRONT-scope web ACL) and an expired IAM server
    certificate (`expired`: its PEM and key)."""
    # CloudFront-scope ACLs live in us-east-1, the home region here. Its logging is configured, but
    # moto does not list CLOUDFRONT-scope logging configurations: the scan sees it unlogged.
    waf = cl("wafv2")
    acl = waf.create_web_acl(
        Name="acl-cdn",
        Scope="CLOUDFRONT",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": True,
            "CloudWatchMetricsEnabled": True,
            "MetricName": "cdn",
        },
    )["Summary"]["ARN"]
    waf.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": acl,
            "LogDestinationConfigs": [f"arn:aws:logs:us-east-1:{acct}:log-group:aws-waf-logs-cdn"],
        }
    )
    cf = cl("cloudfront")
    behavior = {"MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}
    cf.create_distribution(
        DistributionConfig={
            "CallerReference": "pass-cdn",
            "Aliases": {"Quantity": 1, "Items": ["pass-cdn.example.com"]},
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "app",
                        "DomainName": "pass-origin.example.com",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "app",
                "ViewerProtocolPolicy": "redirect-to-https",
                **behavior,
            },
            "Comment": "pass-cdn",
            "Enabled": True,
            "WebACLId": acl,
            "Logging": {
                "Enabled": True,
                "IncludeCookies": False,
                "Bucket": f"pass-logs-{sfx}.s3.amazonaws.com",
                "Prefix": "cdn/",
            },
            "ViewerCertificate": {
                "ACMCertificateArn": cert_arn,
                "SSLSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021",
            },
        }
    )
    cf.create_distribution(
        DistributionConfig={
            "CallerReference": "fail-cdn",
            "Aliases": {"Quantity": 1, "Items": ["fail-cdn.example.com"]},
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "bucket",
                        "DomainName": f"fail-bucket-public-{sfx}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "bucket",
                "ViewerProtocolPolicy": "allow-all",
                **behavior,
            },
            "Comment": "fail-cdn",
            "Enabled": True,
            "ViewerCertificate": {
                "ACMCertificateArn": cert_arn,
                "SSLSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1",
            },
        }
    )
    cl("iam").upload_server_certificate(
        ServerCertificateName="fail-cert-expired",
        CertificateBody=expired[0].decode(),
        PrivateKey=expired[1].decode(),
    )


# ----------------------------------------------------------------------------- per region


def seed_region(cl: Client, p: Place) -> None:
    seed_detection(cl, p)
    seed_databases(cl, p)
    seed_edge(cl, p)
    seed_network(cl, p)
    seed_systems_manager(cl, p)
    seed_ml(cl, p)
    seed_containers(cl, p)


def seed_detection(cl: Client, p: Place) -> None:
    """Inspector, Security Hub standards, GuardDuty export in the first region; Macie off elsewhere."""
    if not p.first:
        cl("macie2").disable_macie()  # moto starts every region with Macie on
        return
    cl("inspector2").enable(resourceTypes=["EC2", "ECR"], accountIds=[p.acct])
    cl("securityhub").batch_enable_standards(
        StandardsSubscriptionRequests=[
            {
                "StandardsArn": f"arn:aws:securityhub:{p.region}::standards/aws-foundational-security-best-practices/v/1.0.0"
            },
            {"StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"},
        ]
    )
    gd = cl("guardduty")
    for det in gd.list_detectors()["DetectorIds"]:
        gd.create_publishing_destination(
            DetectorId=det,
            DestinationType="S3",
            DestinationProperties={
                "DestinationArn": f"arn:aws:s3:::pass-logs-{p.sfx}",
                "KmsKeyArn": p.key_arn,
            },
        )


GUARDDUTY_FEATURES = [
    {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
    {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
    {"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"},
    {
        "Name": "RUNTIME_MONITORING",
        "Status": "ENABLED",
        "AdditionalConfiguration": [{"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"}],
    },
]


def seed_databases(cl: Client, p: Place) -> None:
    rds, rs = cl("rds"), p.rs
    for good, engine in ((True, "aurora-postgresql"), (False, "aurora-mysql")):
        name = f"{'pass' if good else 'fail'}-cluster-{rs}"
        rds.create_db_cluster(
            DBClusterIdentifier=name,
            Engine=engine,
            MasterUsername="admin",
            MasterUserPassword=CANARY,
            StorageEncrypted=good,
            DeletionProtection=good,
            EnableIAMDatabaseAuthentication=good,
            BackupRetentionPeriod=14 if good else 1,
        )
        rds.create_db_instance(
            DBInstanceIdentifier=f"{name}-1",
            DBInstanceClass="db.r5.large",
            Engine=engine,
            DBClusterIdentifier=name,
            PubliclyAccessible=not good,
            AutoMinorVersionUpgrade=good,
        )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier=f"pass-cluster-{rs}", DBClusterSnapshotIdentifier=f"pass-csnap-{rs}"
    )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier=f"fail-cluster-{rs}", DBClusterSnapshotIdentifier=f"fail-csnap-public-{rs}"
    )
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier=f"fail-csnap-public-{rs}", AttributeName="restore", ValuesToAdd=["all"]
    )
    for service, engine in (("neptune", "neptune"), ("docdb", "docdb")):
        client = cl(service)
        client.create_db_cluster(
            DBClusterIdentifier=f"pass-{service}-{rs}",
            Engine=engine,
            MasterUsername="admin",
            MasterUserPassword=CANARY,
            StorageEncrypted=True,
            KmsKeyId=p.key_arn,
            DeletionProtection=True,
            BackupRetentionPeriod=7,
            EnableCloudwatchLogsExports=["audit"],
        )
        client.create_db_cluster(
            DBClusterIdentifier=f"fail-{service}-{rs}",
            Engine=engine,
            MasterUsername="admin",
            MasterUserPassword=CANARY,
        )
    redshift = cl("redshift")
    group = f"pass-redshift-params-{rs}"
    redshift.create_cluster_parameter_group(
        ParameterGroupName=group, ParameterGroupFamily="redshift-1.0", Description="tls"
    )
    redshift.modify_cluster_parameter_group(
        ParameterGroupName=group, Parameters=[{"ParameterName": "require_ssl", "ParameterValue": "true"}]
    )
    common = {
        "NodeType": "dc2.large",
        "MasterUsername": "admin",
        "MasterUserPassword": "Passw0rd1",
        "ClusterType": "single-node",
    }
    redshift.create_cluster(
        ClusterIdentifier=f"pass-redshift-{rs}",
        Encrypted=True,
        KmsKeyId=p.key_arn,
        PubliclyAccessible=False,
        EnhancedVpcRouting=True,
        ClusterParameterGroupName=group,
        **common,
    )
    redshift.enable_logging(ClusterIdentifier=f"pass-redshift-{rs}", BucketName=f"pass-logs-{p.sfx}")
    redshift.create_cluster(
        ClusterIdentifier=f"fail-redshift-{rs}", Encrypted=False, PubliclyAccessible=True, **common
    )
    cache = cl("elasticache")
    cache.create_replication_group(
        ReplicationGroupId=f"pass-cache-redis-{rs}",
        ReplicationGroupDescription="sessions",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        AuthToken=CANARY + "-auth-token",
        SnapshotRetentionLimit=7,
    )
    cache.create_replication_group(
        ReplicationGroupId=f"fail-cache-redis-{rs}",
        ReplicationGroupDescription="open",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
    )
    cache.create_cache_cluster(
        CacheClusterId=f"fail-cache-memcached-{rs}",
        Engine="memcached",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
    )
    cl("opensearch").create_domain(
        DomainName=f"pass-search-{rs}",
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        VPCOptions={"SubnetIds": [p.subnets[0]], "SecurityGroupIds": [p.web_sg]},
        AdvancedSecurityOptions={
            "Enabled": True,
            "InternalUserDatabaseEnabled": False,
            "MasterUserOptions": {"MasterUserARN": p.role},
        },
        LogPublishingOptions={
            "AUDIT_LOGS": {
                "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{p.region}:{p.acct}:log-group:pass-search-audit",
                "Enabled": True,
            }
        },
    )
    cl("es").create_elasticsearch_domain(DomainName=f"fail-search-{rs}")


def seed_edge(cl: Client, p: Place) -> None:
    rs = p.rs
    elb = cl("elb")
    https = {
        "Protocol": "HTTPS",
        "LoadBalancerPort": 443,
        "InstanceProtocol": "HTTP",
        "InstancePort": 80,
        "SSLCertificateId": p.cert_arn,
    }
    for good, listeners, policy in (
        (True, [https], "ELBSecurityPolicy-TLS-1-2-2017-01"),
        (
            False,
            [
                https,
                {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80},
            ],
            "ELBSecurityPolicy-2016-08",
        ),
    ):
        name = f"{'pass' if good else 'fail'}-clb-{rs}"
        elb.create_load_balancer(LoadBalancerName=name, Listeners=listeners, Subnets=[p.subnets[0]])
        elb.create_load_balancer_policy(
            LoadBalancerName=name,
            PolicyName="tls",
            PolicyTypeName="SSLNegotiationPolicyType",
            PolicyAttributes=[{"AttributeName": "Reference-Security-Policy", "AttributeValue": policy}],
        )
        elb.set_load_balancer_policies_of_listener(
            LoadBalancerName=name, LoadBalancerPort=443, PolicyNames=["tls"]
        )
        if good:
            elb.modify_load_balancer_attributes(
                LoadBalancerName=name,
                LoadBalancerAttributes={
                    "CrossZoneLoadBalancing": {"Enabled": True},
                    "AccessLog": {"Enabled": True, "S3BucketName": f"pass-logs-{p.sfx}"},
                },
            )
    waf = cl("wafv2")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "api"}
    acls = {}
    for good in (True, False):
        name = f"{'pass' if good else 'fail'}-acl-{rs}"
        acls[good] = waf.create_web_acl(
            Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=visibility
        )["Summary"]["ARN"]
    waf.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": acls[True],
            "LogDestinationConfigs": [f"arn:aws:logs:{p.region}:{p.acct}:log-group:aws-waf-logs-api"],
        }
    )
    api = cl("apigateway")
    for good in (True, False):
        name = f"{'pass' if good else 'fail'}-api-{rs}"
        api_id = api.create_rest_api(name=name)["id"]
        root = api.get_resources(restApiId=api_id)["items"][0]["id"]
        api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
        api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
        deployment = api.create_deployment(restApiId=api_id)["id"]
        # stage variables are free-form: a backend credential kept in one must not reach evidence
        api.create_stage(
            restApiId=api_id, stageName="prod", deploymentId=deployment, variables={"backend": CANARY}
        )
        api.create_domain_name(
            domainName=f"{name}.example.com",
            securityPolicy="TLS_1_2" if good else "TLS_1_0",
            regionalCertificateArn=p.cert_arn,
        )
        if not good:
            continue
        api.create_authorizer(
            restApiId=api_id,
            name="tokens",
            type="TOKEN",
            authorizerUri=f"arn:aws:apigateway:{p.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{p.region}:{p.acct}:function:pass-fn-{rs}/invocations",
            identitySource="method.request.header.Authorization",
        )
        api.update_stage(
            restApiId=api_id,
            stageName="prod",
            patchOperations=[
                {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
                {
                    "op": "replace",
                    "path": "/accessLogSettings/destinationArn",
                    "value": f"arn:aws:logs:{p.region}:{p.acct}:log-group:pass-api-access",
                },
                {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
            ],
        )
        waf.associate_web_acl(
            WebACLArn=acls[True], ResourceArn=f"arn:aws:apigateway:{p.region}::/restapis/{api_id}/stages/prod"
        )


def seed_network(cl: Client, p: Place) -> None:
    """Network ACLs, a peering with two route tables, and an instance in the default VPC."""
    ec2, rs = cl("ec2"), p.rs

    def named(kind: str, name: str) -> list[dict[str, Any]]:
        return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]

    for good in (True, False):
        acl = ec2.create_network_acl(
            VpcId=p.vpc,
            TagSpecifications=named("network-acl", f"{'pass-nacl' if good else 'fail-nacl-admin'}-{rs}"),
        )["NetworkAcl"]["NetworkAclId"]
        rules = [(100, "0.0.0.0/0", 443)] + ([(110, "10.0.0.0/8", 22)] if good else [(110, "0.0.0.0/0", 22)])
        for number, cidr, port in rules:
            ec2.create_network_acl_entry(
                NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction="allow", Egress=False,
                CidrBlock=cidr, PortRange={"From": port, "To": port},
            )  # fmt: skip
    peer = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=named("vpc", f"peer-vpc-{rs}"))["Vpc"][
        "VpcId"
    ]
    pcx = ec2.create_vpc_peering_connection(VpcId=p.vpc, PeerVpcId=peer)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    for good, dest in ((True, "10.2.1.0/24"), (False, "0.0.0.0/0")):
        rt = ec2.create_route_table(
            VpcId=p.vpc,
            TagSpecifications=named("route-table", f"{'pass' if good else 'fail'}-rt-peering-{rs}"),
        )["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock=dest, VpcPeeringConnectionId=pcx)
    image = ec2.describe_images(Owners=["self"])["Images"][0]["ImageId"]
    ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        TagSpecifications=named("instance", f"fail-instance-defaultvpc-{rs}"),
    )


def seed_systems_manager(cl: Client, p: Place) -> None:
    ssm, rs = cl("ssm"), p.rs
    content = json.dumps(
        {
            "schemaVersion": "2.2",
            "description": "uptime",
            "mainSteps": [
                {"action": "aws:runShellScript", "name": "run", "inputs": {"runCommand": ["uptime"]}}
            ],
        }
    )
    ssm.create_document(Content=content, Name=f"pass-doc-{rs}", DocumentType="Command")
    ssm.create_document(Content=content, Name=f"fail-doc-public-{rs}", DocumentType="Command")
    ssm.modify_document_permission(
        Name=f"fail-doc-public-{rs}", PermissionType="Share", AccountIdsToAdd=["all"]
    )
    if p.gaps is None:
        return
    node = f"mi-{zlib.crc32(rs.encode()):017x}"  # a hybrid node: no EC2 instance behind it
    for instance, name, status in (
        (p.instance_id, f"pass-instance-{rs}", "COMPLIANT"),
        (node, f"fail-node-unpatched-{rs}", "NON_COMPLIANT"),
    ):
        p.gaps.register_instance(p.acct, p.region, instance, name=name)
        ssm.put_compliance_items(
            ResourceId=instance,
            ResourceType="ManagedInstance",
            ComplianceType="Patch",
            ExecutionSummary={"ExecutionTime": dt.datetime.now(dt.UTC)},
            Items=[{"Id": "KB0001", "Severity": "CRITICAL", "Status": status}],
        )


def seed_ml(cl: Client, p: Place) -> None:
    sm, rs, role = cl("sagemaker"), p.rs, p.role
    vpc = {"SecurityGroupIds": [p.web_sg], "Subnets": [p.subnets[0]]}
    env = {"DB_PASSWORD": CANARY, "API_URL": CANARY}
    sm.create_notebook_instance(
        NotebookInstanceName=f"pass-nb-{rs}", InstanceType="ml.t3.medium", RoleArn=role, DirectInternetAccess="Disabled",
        RootAccess="Disabled", KmsKeyId=p.key_arn, SubnetId=p.subnets[0], SecurityGroupIds=[p.web_sg],
    )  # fmt: skip
    sm.create_notebook_instance(
        NotebookInstanceName=f"fail-nb-{rs}", InstanceType="ml.t3.medium", RoleArn=role
    )
    settings = {"ExecutionRole": role}
    sm.create_domain(
        DomainName=f"pass-domain-{rs}", AuthMode="IAM", DefaultUserSettings=settings, SubnetIds=[p.subnets[0]],
        VpcId=p.vpc, AppNetworkAccessType="VpcOnly", KmsKeyId=p.key_arn,
    )  # fmt: skip
    sm.create_domain(
        DomainName=f"fail-domain-{rs}", AuthMode="IAM", DefaultUserSettings=settings, SubnetIds=[p.subnets[0]],
        VpcId=p.vpc, AppNetworkAccessType="PublicInternetOnly",
    )  # fmt: skip
    for good in (True, False):
        tag = "pass" if good else "fail"
        sm.create_model(
            ModelName=f"{tag}-model-{rs}", ExecutionRoleArn=role, PrimaryContainer={"Image": "ml:1", "Environment": env},
            EnableNetworkIsolation=good, **({"VpcConfig": vpc} if good else {}),
        )  # fmt: skip
        sm.create_endpoint_config(
            EndpointConfigName=f"{tag}-endpoint-config-{rs}",
            ProductionVariants=[{"VariantName": "main", "ModelName": f"{tag}-model-{rs}", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
            DataCaptureConfig={
                "EnableCapture": True, "InitialSamplingPercentage": 10, "DestinationS3Uri": f"s3://pass-logs-{p.sfx}/capture",
                "CaptureOptions": [{"CaptureMode": "Input"}], **({"KmsKeyId": p.key_arn} if good else {}),
            },
            **({"KmsKeyId": p.key_arn} if good else {}),
        )  # fmt: skip
        sm.create_training_job(
            TrainingJobName=f"{tag}-job-train-{rs}",
            AlgorithmSpecification={"TrainingImage": "ml:1", "TrainingInputMode": "File"},
            RoleArn=role,
            OutputDataConfig={"S3OutputPath": f"s3://pass-bucket-{p.sfx}/models", **({"KmsKeyId": p.key_arn} if good else {})},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 2, "VolumeSizeInGB": 10, **({"VolumeKmsKeyId": p.key_arn} if good else {})},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            EnableNetworkIsolation=good,
            EnableInterContainerTrafficEncryption=good,
            Environment=env,
            HyperParameters={"api_token": CANARY},
            **({"VpcConfig": vpc} if good else {}),
        )  # fmt: skip
        sm.create_processing_job(
            ProcessingJobName=f"{tag}-job-proc-{rs}",
            ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10, **({"VolumeKmsKeyId": p.key_arn} if good else {})}},
            AppSpecification={"ImageUri": "ml:1"},
            RoleArn=role,
            Environment=env,
            ProcessingOutputConfig={
                "Outputs": [{"OutputName": "out", "S3Output": {"S3Uri": f"s3://pass-bucket-{p.sfx}/features", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}],
                **({"KmsKeyId": p.key_arn} if good else {}),
            },
            **({"NetworkConfig": {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True, "VpcConfig": vpc}} if good else {}),
        )  # fmt: skip
    for good in (True, False):
        name = f"pass-mpg-{rs}" if good else f"fail-mpg-public-{rs}"
        arn = sm.create_model_package_group(ModelPackageGroupName=name)["ModelPackageGroupArn"]
        principal: Any = {"AWS": f"arn:aws:iam::{p.acct}:root"} if good else "*"
        sm.put_model_package_group_policy(
            ModelPackageGroupName=name,
            ResourcePolicy=_stmt(
                {
                    "Sid": "share",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "sagemaker:DescribeModelPackage",
                    "Resource": arn,
                }
            ),
        )
    bedrock = cl("bedrock")
    bedrock.create_model_customization_job(
        jobName=f"pass-custom-job-{rs}", customModelName=f"pass-custom-model-{rs}", roleArn=role,
        baseModelIdentifier="amazon.titan-text-express-v1", trainingDataConfig={"s3Uri": f"s3://pass-bucket-{p.sfx}/train.jsonl"},
        outputDataConfig={"s3Uri": f"s3://pass-bucket-{p.sfx}/out"}, hyperParameters={}, customModelKmsKeyId=p.key_arn,
    )  # fmt: skip
    if p.first:
        bedrock.put_model_invocation_logging_configuration(
            loggingConfig={
                "s3Config": {"bucketName": f"pass-bucket-{p.sfx}", "keyPrefix": "bedrock"},
                "cloudWatchConfig": {"logGroupName": f"pass-loggroup-{rs}", "roleArn": role},
                "textDataDeliveryEnabled": True,
            }
        )
        bedrock.create_guardrail(
            name="pass-guardrail",
            blockedInputMessaging="Blocked.",
            blockedOutputsMessaging="Blocked.",
            contentPolicyConfig={
                "filtersConfig": [{"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"}]
            },
        )


def seed_containers(cl: Client, p: Place) -> None:
    ecr, rs = cl("ecr"), p.rs
    ecr.create_repository(
        repositoryName=f"pass-repo-{rs}",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": p.key_arn},
    )
    ecr.put_lifecycle_policy(
        repositoryName=f"pass-repo-{rs}",
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": 14,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    ecr.set_repository_policy(
        repositoryName=f"pass-repo-{rs}",
        policyText=_stmt(
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{p.acct}:root"},
                "Action": "ecr:BatchGetImage",
            }
        ),
    )
    ecr.create_repository(repositoryName=f"fail-repo-{rs}")
    ecr.set_repository_policy(
        repositoryName=f"fail-repo-{rs}",
        policyText=_stmt(
            {"Sid": "public-pull", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}
        ),
    )
    eks = cl("eks")
    eks.create_cluster(
        name=f"pass-eks-{rs}",
        version="1.34",
        roleArn=p.role,
        resourcesVpcConfig={
            "subnetIds": p.subnets,
            "endpointPublicAccess": False,
            "endpointPrivateAccess": True,
        },
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": p.key_arn}}],
        logging={
            "clusterLogging": [
                {
                    "types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                    "enabled": True,
                }
            ]
        },
    )
    eks.create_cluster(
        name=f"fail-eks-{rs}",
        version="1.29",
        roleArn=p.role,
        resourcesVpcConfig={
            "subnetIds": p.subnets,
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"],
        },
    )
    eks.create_nodegroup(
        clusterName=f"pass-eks-{rs}", nodegroupName=f"pass-ng-{rs}", subnets=p.subnets, nodeRole=p.role,
        remoteAccess={"ec2SshKey": "ops", "sourceSecurityGroups": [p.web_sg]},
    )  # fmt: skip
    eks.create_nodegroup(
        clusterName=f"fail-eks-{rs}", nodegroupName=f"fail-ng-{rs}", subnets=p.subnets, nodeRole=p.role,
        remoteAccess={"ec2SshKey": "ops"},
    )  # fmt: skip


def seed_bulk_block(cl: Client, i: int) -> int:
    """One unit of benchmark scale of the newer services: alarms (listed), SSM documents and ECR
    repositories and SageMaker notebooks (described one by one). Returns how many were made."""
    cw, ssm, ecr, sm = cl("cloudwatch"), cl("ssm"), cl("ecr"), cl("sagemaker")
    content = json.dumps({"schemaVersion": "2.2", "description": "bulk", "mainSteps": []})
    for j in range(2):
        cw.put_metric_alarm(
            AlarmName=f"bulk-alarm-{i}-{j}", MetricName=f"bulk-{j}", Namespace="Bulk", Statistic="Sum",
            Period=300, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        )  # fmt: skip
        ssm.create_document(Content=content, Name=f"bulk-doc-{i}-{j}", DocumentType="Command")
        ecr.create_repository(repositoryName=f"bulk-repo-{i}-{j}")
        sm.create_notebook_instance(
            NotebookInstanceName=f"bulk-nb-{i}-{j}", InstanceType="ml.t3.medium",
            RoleArn=f"arn:aws:iam::123456789012:role/{ROLE}",
        )  # fmt: skip
    return 8
