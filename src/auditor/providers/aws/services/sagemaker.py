"""SageMaker: notebook instances, domains, endpoint configurations, models, model package groups,
and the recent training and processing jobs, each listed and then described one by one.

Jobs are bounded: only those created within `--sagemaker-job-days` (CreationTimeAfter), newest
first, and at most `--sagemaker-max-jobs` per kind and region (the listing stops there: paging
is bounded by MaxItems, so an account with a million old jobs costs one page). Container
environment variables and hyperparameters may hold secrets: they are masked in the stored
evidence and only the variable names reach the resources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import (
    Absence,
    AbsentWhen,
    Account,
    Collection,
    Service,
    described,
    iso,
    policy_doc,
)

_ENV = ("Environment.*", "HyperParameters.*")
_MODEL_ENV = ("PrimaryContainer.Environment.*", "Containers.*.Environment.*")


def _notebook(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": d.get("NotebookInstanceStatus"),
        "direct_internet_access": d.get("DirectInternetAccess") or "Enabled",
        "root_access": d.get("RootAccess") or "Enabled",
        "kms_key_id": d.get("KmsKeyId"),
        "subnet_id": d.get("SubnetId"),
    }


def _domain(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "app_network_access_type": d.get("AppNetworkAccessType") or "PublicInternetOnly",
        "kms_key_id": d.get("KmsKeyId") or d.get("HomeEfsFileSystemKmsKeyId"),
        "vpc_id": d.get("VpcId"),
    }


def _endpoint_config(d: dict[str, Any]) -> dict[str, Any]:
    capture = d.get("DataCaptureConfig") or {}
    return {
        "kms_key_id": d.get("KmsKeyId"),
        "data_capture_enabled": bool(capture.get("EnableCapture")),
        "data_capture_kms_key_id": capture.get("KmsKeyId"),
    }


def _env_names(*environments: Any) -> list[str]:
    return sorted({str(k) for env in environments if isinstance(env, dict) for k in env})


def _model(d: dict[str, Any]) -> dict[str, Any]:
    containers = [d.get("PrimaryContainer") or {}, *(d.get("Containers") or [])]
    return {
        "network_isolation": bool(d.get("EnableNetworkIsolation")),
        "vpc_subnets": list((d.get("VpcConfig") or {}).get("Subnets") or []),
        "environment_variable_names": _env_names(*(ct.get("Environment") for ct in containers)),
    }


def _training_job(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": d.get("TrainingJobStatus"),
        "created": iso(d.get("CreationTime")),
        "network_isolation": bool(d.get("EnableNetworkIsolation")),
        "inter_container_encryption": bool(d.get("EnableInterContainerTrafficEncryption")),
        "vpc_subnets": list((d.get("VpcConfig") or {}).get("Subnets") or []),
        "volume_kms_key_id": (d.get("ResourceConfig") or {}).get("VolumeKmsKeyId"),
        "output_kms_key_id": (d.get("OutputDataConfig") or {}).get("KmsKeyId"),
        "environment_variable_names": _env_names(d.get("Environment")),
    }


def _processing_job(d: dict[str, Any]) -> dict[str, Any]:
    network = d.get("NetworkConfig") or {}
    cluster = (d.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    return {
        "status": d.get("ProcessingJobStatus"),
        "created": iso(d.get("CreationTime")),
        "network_isolation": bool(network.get("EnableNetworkIsolation")),
        "inter_container_encryption": bool(network.get("EnableInterContainerTrafficEncryption")),
        "vpc_subnets": list((network.get("VpcConfig") or {}).get("Subnets") or []),
        "volume_kms_key_id": cluster.get("VolumeKmsKeyId"),
        "output_kms_key_id": (d.get("ProcessingOutputConfig") or {}).get("KmsKeyId"),
        "environment_variable_names": _env_names(d.get("Environment")),
    }


def _package_group(d: Any) -> dict[str, Any]:
    text = (d or {}).get("ResourcePolicy")
    return {"policy": policy_doc(text) if text else None}


_NO_GROUP_POLICY = AbsentWhen("ValidationException", ("cannot find", "policy"))


@dataclass(frozen=True)
class _Kind:
    """One SageMaker resource kind: how it is listed and described."""

    type_: str
    list_op: str
    list_key: str
    describe_op: str
    param: str  # the describe call's parameter, filled from the summary field of the same name
    arn_key: str
    name_key: str
    build: Callable[[Any], dict[str, Any]]
    secret_paths: tuple[str, ...] = ()
    absent: tuple[Absence, ...] = ()
    recent: bool = False  # a job kind: bounded by the scan's window and count


KINDS = (
    _Kind(T.SAGEMAKER_NOTEBOOK, "ListNotebookInstances", "NotebookInstances", "DescribeNotebookInstance",
          "NotebookInstanceName", "NotebookInstanceArn", "NotebookInstanceName", _notebook),
    _Kind(T.SAGEMAKER_DOMAIN, "ListDomains", "Domains", "DescribeDomain", "DomainId", "DomainArn", "DomainName",
          _domain),
    _Kind(T.SAGEMAKER_ENDPOINT_CONFIG, "ListEndpointConfigs", "EndpointConfigs", "DescribeEndpointConfig",
          "EndpointConfigName", "EndpointConfigArn", "EndpointConfigName", _endpoint_config),
    _Kind(T.SAGEMAKER_MODEL, "ListModels", "Models", "DescribeModel", "ModelName", "ModelArn", "ModelName",
          _model, secret_paths=_MODEL_ENV),
    # a group without a resource policy answers ValidationException "Cannot find resource policy
    # for <group>" (moto lacks the API: the test fake); any other ValidationException is a failed read
    _Kind(T.SAGEMAKER_MODEL_PACKAGE_GROUP, "ListModelPackageGroups", "ModelPackageGroupSummaryList",
          "GetModelPackageGroupPolicy", "ModelPackageGroupName", "ModelPackageGroupArn", "ModelPackageGroupName",
          _package_group, absent=(_NO_GROUP_POLICY,)),
    _Kind(T.SAGEMAKER_TRAINING_JOB, "ListTrainingJobs", "TrainingJobSummaries", "DescribeTrainingJob",
          "TrainingJobName", "TrainingJobArn", "TrainingJobName", _training_job, secret_paths=_ENV, recent=True),
    _Kind(T.SAGEMAKER_PROCESSING_JOB, "ListProcessingJobs", "ProcessingJobSummaries", "DescribeProcessingJob",
          "ProcessingJobName", "ProcessingJobArn", "ProcessingJobName", _processing_job, secret_paths=_ENV,
          recent=True),
)  # fmt: skip


def _list_params(c: Collection, kind: _Kind) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the call's parameters, how its evidence names them): the window's start moves with the
    clock, so the evidence names it by its length and the id stays stable across runs."""
    if not kind.recent:
        return {}, None
    limit = c.opts.sagemaker_max_jobs
    after = datetime.now(UTC) - timedelta(days=c.opts.sagemaker_job_days)
    rest = {
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "PaginationConfig": {"MaxItems": limit, "PageSize": min(100, limit)},
    }
    named = {"CreationTimeAfter": f"{c.opts.sagemaker_job_days} days before collection", **rest}
    return {"CreationTimeAfter": after.replace(microsecond=0).isoformat(), **rest}, named


def collect(c: Collection, acct: Account, region: str) -> None:
    for kind in KINDS:
        c.submit(acct, region, _kind, c, acct, region, kind)


def _kind(c: Collection, acct: Account, region: str, kind: _Kind) -> None:
    params, named = _list_params(c, kind)
    listed = c.listing(
        acct, region, "sagemaker", kind.list_op, params, types=(kind.type_,), recorded_as=named
    )
    if listed is None:
        return
    for item in listed.body.get(kind.list_key, []):
        c.submit(acct, region, _one, c, acct, region, kind, item, listed.evidence)


def _one(c: Collection, acct: Account, region: str, kind: _Kind, item: dict[str, Any], list_ev: str) -> None:
    described(
        c,
        acct,
        region,
        kind.type_,
        item[kind.arn_key],
        list_ev,
        lambda: c.call(
            acct,
            region,
            "sagemaker",
            kind.describe_op,
            {kind.param: item[kind.param]},
            secret_paths=kind.secret_paths,
            absent=kind.absent,
        ),
        kind.build,
        name=item.get(kind.name_key),
    )


SERVICE = Service(
    name="sagemaker",
    fanout="regional",
    operations=tuple(op for k in KINDS for op in (k.list_op, k.describe_op)),
    produces=tuple(k.type_ for k in KINDS),
    collect=collect,
)
