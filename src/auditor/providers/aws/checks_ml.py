"""Machine learning: SageMaker notebooks, domains, endpoint configurations, models, recent training
and processing jobs, the model registry; Bedrock invocation logging, custom models, guardrails."""

from __future__ import annotations

import fnmatch

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    errored,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.aws import resources as T
from auditor.providers.aws.policy import public_statements
from auditor.providers.aws.verdicts import required

checks = CheckSet("aws")

_JOBS = [T.SAGEMAKER_TRAINING_JOB, T.SAGEMAKER_PROCESSING_JOB]


def _kind(r: Resource) -> str:
    return "training job" if r.type == T.SAGEMAKER_TRAINING_JOB else "processing job"


# ----------------------------------------------------------------------------- notebook instances


@checks.check(
    id="aws.sagemaker.notebook_no_direct_internet",
    title="SageMaker notebook instances have no direct internet access",
    severity="high",
    resource_types=[T.SAGEMAKER_NOTEBOOK],
    rationale="Direct internet access lets notebook code download anything and send training data anywhere, "
    "outside the VPC's controls.",
    remediation="Recreate the notebook instance with DirectInternetAccess=Disabled in a VPC subnet with a NAT or "
    "VPC endpoints.",
)
def notebook_internet(nb: Resource, ctx: CheckContext) -> Verdict:
    if need(nb, "direct_internet_access") == "Disabled":
        return passed("no direct internet access")
    return failed(
        f"notebook instance {nb.name} has direct internet access: recreate it with DirectInternetAccess=Disabled"
    )


@checks.check(
    id="aws.sagemaker.notebook_no_root",
    title="SageMaker notebook instances do not give users root",
    severity="medium",
    resource_types=[T.SAGEMAKER_NOTEBOOK],
    rationale="Root access lets notebook users change the instance, its agents and its network settings.",
    remediation="UpdateNotebookInstance with RootAccess=Disabled (while stopped).",
)
def notebook_root(nb: Resource, ctx: CheckContext) -> Verdict:
    if need(nb, "root_access") == "Disabled":
        return passed("root access is disabled")
    return failed(
        f"notebook instance {nb.name} gives users root: stop it and UpdateNotebookInstance RootAccess=Disabled"
    )


@checks.check(
    id="aws.sagemaker.notebook_kms",
    title="SageMaker notebook instances encrypt their volume with a KMS key",
    severity="medium",
    resource_types=[T.SAGEMAKER_NOTEBOOK],
    rationale="The notebook's ML storage volume holds datasets and credentials users saved.",
    remediation="Recreate the notebook instance with KmsKeyId set to a customer-managed key.",
)
def notebook_kms(nb: Resource, ctx: CheckContext) -> Verdict:
    return required(
        nb,
        "kms_key_id",
        "volume encrypted with a KMS key",
        "notebook instance {name} has no KMS key: recreate it with KmsKeyId",
    )


@checks.check(
    id="aws.sagemaker.notebook_in_vpc",
    title="SageMaker notebook instances run in a VPC subnet",
    severity="medium",
    resource_types=[T.SAGEMAKER_NOTEBOOK],
    rationale="Outside a VPC, security groups, flow logs and endpoint policies do not apply to the notebook.",
    remediation="Recreate the notebook instance with SubnetId and SecurityGroupIds.",
)
def notebook_vpc(nb: Resource, ctx: CheckContext) -> Verdict:
    return required(
        nb,
        "subnet_id",
        "runs in a VPC subnet",
        "notebook instance {name} is not in a VPC: recreate it with a SubnetId",
    )


# ----------------------------------------------------------------------------- domains, endpoints, models


@checks.check(
    id="aws.sagemaker.domain_vpc_only",
    title="SageMaker domains send traffic through the VPC only",
    severity="high",
    resource_types=[T.SAGEMAKER_DOMAIN],
    rationale="PublicInternetOnly gives every Studio app a route to the internet managed by SageMaker.",
    remediation="UpdateDomain with AppNetworkAccessType=VpcOnly (with VPC endpoints or a NAT for what apps need).",
)
def domain_vpc_only(domain: Resource, ctx: CheckContext) -> Verdict:
    mode = need(domain, "app_network_access_type")
    if mode == "VpcOnly":
        return passed("apps reach the network through the VPC only")
    return failed(f"SageMaker domain {domain.name} uses {mode}: UpdateDomain AppNetworkAccessType=VpcOnly")


@checks.check(
    id="aws.sagemaker.domain_kms",
    title="SageMaker domains encrypt their storage with a KMS key",
    severity="medium",
    resource_types=[T.SAGEMAKER_DOMAIN],
    rationale="The domain's EFS volume holds every user's notebooks and data.",
    remediation="Create the domain with KmsKeyId set to a customer-managed key.",
)
def domain_kms(domain: Resource, ctx: CheckContext) -> Verdict:
    return required(
        domain,
        "kms_key_id",
        "storage encrypted with a KMS key",
        "SageMaker domain {name} has no KMS key: recreate it with KmsKeyId",
    )


@checks.check(
    id="aws.sagemaker.endpoint_config_kms",
    title="SageMaker endpoint configurations encrypt volumes with a KMS key",
    severity="medium",
    resource_types=[T.SAGEMAKER_ENDPOINT_CONFIG],
    rationale="Inference instances' storage volumes hold the model and request data.",
    remediation="CreateEndpointConfig with KmsKeyId and move the endpoint to it.",
)
def endpoint_kms(cfg: Resource, ctx: CheckContext) -> Verdict:
    return required(
        cfg,
        "kms_key_id",
        "volumes encrypted with a KMS key",
        "endpoint configuration {name} has no KMS key: create a new one with KmsKeyId",
    )


@checks.check(
    id="aws.sagemaker.endpoint_data_capture_kms",
    title="SageMaker data capture is encrypted with a KMS key",
    severity="medium",
    resource_types=[T.SAGEMAKER_ENDPOINT_CONFIG],
    rationale="Captured requests and responses are copies of the data the model serves.",
    remediation="CreateEndpointConfig with DataCaptureConfig.KmsKeyId and move the endpoint to it.",
)
def endpoint_capture_kms(cfg: Resource, ctx: CheckContext) -> Verdict:
    if not need(cfg, "data_capture_enabled"):
        return not_applicable("data capture is off")
    return required(
        cfg,
        "data_capture_kms_key_id",
        "captured data encrypted with a KMS key",
        "endpoint configuration {name} captures data without a KMS key: set DataCaptureConfig.KmsKeyId",
    )


@checks.check(
    id="aws.sagemaker.model_network_isolation",
    title="SageMaker models run with network isolation",
    severity="medium",
    resource_types=[T.SAGEMAKER_MODEL],
    rationale="Network isolation stops a model container (often third-party code) from calling out.",
    remediation="CreateModel with EnableNetworkIsolation=true (models are immutable: create a new one).",
)
def model_isolation(model: Resource, ctx: CheckContext) -> Verdict:
    return required(
        model,
        "network_isolation",
        "network isolation is on",
        "model {name} runs without network isolation: create it again with EnableNetworkIsolation=true",
    )


@checks.check(
    id="aws.sagemaker.model_in_vpc",
    title="SageMaker models run in a VPC",
    severity="medium",
    resource_types=[T.SAGEMAKER_MODEL],
    rationale="A VPC config puts inference containers behind security groups and endpoint policies.",
    remediation="CreateModel with VpcConfig (subnets and security groups).",
)
def model_vpc(model: Resource, ctx: CheckContext) -> Verdict:
    return required(
        model,
        "vpc_subnets",
        "runs in a VPC",
        "model {name} has no VPC config: create it again with VpcConfig",
    )


# ----------------------------------------------------------------------------- training and processing jobs


@checks.check(
    id="aws.sagemaker.job_network_isolation",
    title="Recent SageMaker jobs run with network isolation",
    severity="medium",
    resource_types=_JOBS,
    rationale="Network isolation stops training and processing containers from sending data out.",
    remediation="Set EnableNetworkIsolation=true on training jobs (NetworkConfig for processing jobs).",
)
def job_isolation(job: Resource, ctx: CheckContext) -> Verdict:
    return required(
        job,
        "network_isolation",
        "network isolation is on",
        f"{_kind(job)} {{name}} ran without network isolation: set EnableNetworkIsolation=true",
    )


@checks.check(
    id="aws.sagemaker.job_inter_container_encryption",
    title="Recent SageMaker jobs encrypt traffic between instances",
    severity="medium",
    resource_types=_JOBS,
    rationale="Distributed jobs exchange model weights and data between instances.",
    remediation="Set EnableInterContainerTrafficEncryption=true on the job.",
)
def job_inter_container(job: Resource, ctx: CheckContext) -> Verdict:
    return required(
        job,
        "inter_container_encryption",
        "traffic between instances is encrypted",
        f"{_kind(job)} {{name}} sent inter-container traffic in clear text: set EnableInterContainerTrafficEncryption",
    )


@checks.check(
    id="aws.sagemaker.job_in_vpc",
    title="Recent SageMaker jobs run in a VPC",
    severity="medium",
    resource_types=_JOBS,
    rationale="A VPC config puts job instances behind security groups and S3 endpoint policies.",
    remediation="Give the job a VpcConfig (subnets and security groups).",
)
def job_vpc(job: Resource, ctx: CheckContext) -> Verdict:
    return required(
        job, "vpc_subnets", "runs in a VPC", f"{_kind(job)} {{name}} ran outside a VPC: set VpcConfig"
    )


@checks.check(
    id="aws.sagemaker.job_kms",
    title="Recent SageMaker jobs encrypt volumes and outputs with KMS keys",
    severity="medium",
    resource_types=_JOBS,
    rationale="Job volumes and outputs hold training data, features and model artifacts.",
    remediation="Set the volume KMS key (ResourceConfig / ClusterConfig VolumeKmsKeyId) and the output KMS key "
    "(OutputDataConfig / ProcessingOutputConfig KmsKeyId).",
)
def job_kms(job: Resource, ctx: CheckContext) -> Verdict:
    missing = [
        w for w, k in (("volumes", "volume_kms_key_id"), ("outputs", "output_kms_key_id")) if not need(job, k)
    ]
    if missing:
        return failed(
            f"{_kind(job)} {job.name} has no KMS key for its {' and '.join(missing)}: set VolumeKmsKeyId and KmsKeyId"
        )
    return passed("volumes and outputs are encrypted with KMS keys")


@checks.check(
    id="aws.sagemaker.model_package_group_not_public",
    title="SageMaker model registries are not shared publicly",
    severity="critical",
    resource_types=[T.SAGEMAKER_MODEL_PACKAGE_GROUP],
    rationale="A public model package group lets any AWS account read or deploy the models.",
    remediation="PutModelPackageGroupPolicy naming the accounts (or organization) that may use it, or "
    "DeleteModelPackageGroupPolicy.",
)
def package_group_public(group: Resource, ctx: CheckContext) -> Verdict:
    public = public_statements(need(group, "policy"))
    if public:
        return failed(
            f"model package group {group.name} is open to everyone ({summarize(public)}): restrict its policy"
        )
    return passed("the policy names its principals" if need(group, "policy") else "no resource policy")


# ----------------------------------------------------------------------------- Bedrock


def _log_target(region: Resource, ctx: CheckContext, kind: str, name: str) -> Resource | None:
    # S3 bucket names are global: an account's bucket in any region; a log group is regional.
    return next(
        iter(
            ctx.lookup(kind, "name", name, within="account" if kind == T.S3_BUCKET else "region", of=region)
        ),
        None,
    )


@checks.check(
    id="aws.bedrock.invocation_logging",
    title="Bedrock model invocations are logged, encrypted",
    severity="medium",
    resource_types=[T.BEDROCK_REGION],
    rationale="Invocation logs record prompts, responses and callers: the audit trail of generative AI use.",
    remediation="PutModelInvocationLoggingConfiguration to an S3 bucket with default encryption and/or a "
    "CloudWatch Logs group with a KMS key.",
)
def bedrock_logging(region: Resource, ctx: CheckContext) -> Verdict:
    cfg = need(region, "invocation_logging")
    if not cfg:
        return failed(
            f"Bedrock in {region.location.region} logs no model invocations: PutModelInvocationLoggingConfiguration"
        )
    problems, unknown, ok = [], [], []
    if cfg.get("s3_bucket"):
        bucket = _log_target(region, ctx, T.S3_BUCKET, cfg["s3_bucket"])
        if bucket is None:
            unknown.append(f"bucket {cfg['s3_bucket']}")
        elif need(bucket, "encryption_rules"):
            ok.append(f"bucket {bucket.name}")
        else:
            problems.append(f"bucket {bucket.name} has no default encryption")
    if cfg.get("log_group"):
        group = _log_target(region, ctx, T.LOGS_GROUP, cfg["log_group"])
        if group is None:
            unknown.append(f"log group {cfg['log_group']}")
        elif need(group, "kms_key_id"):
            ok.append(f"log group {group.name}")
        else:
            problems.append(f"log group {group.name} has no KMS key")
    if problems:
        return failed(
            f"Bedrock invocation logs in {region.location.region} are not encrypted: {summarize(problems)}"
        )
    if unknown:
        return errored(f"the log destination(s) {summarize(unknown)} were not collected: scan their account")
    return passed(f"invocations logged to {summarize(ok)}, encrypted")


@checks.check(
    id="aws.bedrock.custom_model_cmk",
    title="Bedrock custom models are encrypted with a customer-managed key",
    severity="medium",
    resource_types=[T.BEDROCK_CUSTOM_MODEL],
    rationale="A custom model embeds its training data; a customer-managed key puts a key policy in front of it.",
    remediation="Customise the model again with customModelKmsKeyId set to a customer-managed KMS key.",
)
def custom_model_cmk(model: Resource, ctx: CheckContext) -> Verdict:
    return required(
        model,
        "kms_key_arn",
        "encrypted with a customer-managed key",
        "custom model {name} uses an AWS-owned key: customise it again with customModelKmsKeyId",
    )


@checks.check(
    id="aws.bedrock.guardrails",
    title="Bedrock has guardrails where they are required",
    severity="medium",
    resource_types=[T.BEDROCK_REGION],
    rationale="Guardrails filter harmful content, denied topics and personal data in prompts and responses.",
    remediation="CreateGuardrail (content filters, denied topics, PII redaction) in each region of parameter "
    "aws.bedrock.guardrail_regions and apply it to invocations.",
    params=[
        param(
            "aws.bedrock.guardrail_regions",
            "string_list",
            [],
            "Regions (glob patterns, * for all) where Bedrock must have a guardrail; none by default.",
        )
    ],
)
def bedrock_guardrails(region: Resource, ctx: CheckContext) -> Verdict:
    wanted = [str(p) for p in ctx.param("aws.bedrock.guardrail_regions")]
    name = str(region.location.region)
    if not any(fnmatch.fnmatchcase(name, p) for p in wanted):
        return not_applicable(f"{name} is not in aws.bedrock.guardrail_regions")
    ready = [str(g.get("name")) for g in need(region, "guardrails") if g.get("status") == "READY"]
    if ready:
        return passed(f"guardrails {summarize(ready)}")
    return failed(f"Bedrock in {name} has no ready guardrail: CreateGuardrail and use it on invocations")
