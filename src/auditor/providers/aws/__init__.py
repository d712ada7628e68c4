"""AWS: the collector (boto3, read-only) and the checks over what it collects.

This module stays free of boto3: the options model and the ProviderSpec only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.providers import ProviderSpec


class AwsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: str | None = Field(None, description="Named profile from the AWS config files.")
    role_arn: str | None = Field(None, description="Role to assume before scanning.")
    org_role: str | None = Field(
        None,
        description="Discover accounts via AWS Organizations (active accounts) and assume this role name in each.",
    )
    accounts: list[str] | None = Field(None, description="Limit to these account ids.")
    regions: list[str] | None = Field(
        None, description="Limit to these regions (default: every enabled region, from DescribeRegions)."
    )
    home_region: str = Field(
        "us-east-1", description="Region used for global services (IAM, Organizations, STS, S3 bucket list)."
    )
    concurrency: int = Field(
        16, ge=1, le=256, description="API calls in flight at once (across accounts, regions and services)."
    )
    max_attempts: int = Field(
        8, ge=1, le=20, description="Attempts per API call (botocore adaptive retry mode) before giving up."
    )
    retry_mode: Literal["adaptive", "standard", "legacy"] = Field(
        "adaptive",
        description="botocore retry mode: adaptive adds client-side rate limiting after throttling (default).",
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to wait for a connection.")
    read_timeout: float = Field(30.0, gt=0, description="Seconds to wait for a response.")
    endpoint_url: str | None = Field(
        None,
        description="Send every API call to this endpoint (testing against a local emulator); "
        "AWS_ENDPOINT_URL is honoured by boto3 as well.",
    )
    endpoint_overrides: list[str] | None = Field(
        None, description="Per-region endpoints, as REGION=URL (testing)."
    )
    sagemaker_job_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="SageMaker training and processing jobs created within this many days are judged.",
    )
    sagemaker_max_jobs: int = Field(
        100,
        ge=1,
        le=10000,
        description="At most this many of those jobs (the newest) per kind and region are read: listing stops there.",
    )

    @field_validator("endpoint_overrides")
    @classmethod
    def _pairs(cls, v: list[str] | None) -> list[str] | None:
        for item in v or ():
            region, sep, url = item.partition("=")
            if not sep or not region or not url:
                raise ValueError(f"expected REGION=URL, got {item!r}")
        return v

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, v: list[str] | None) -> list[str] | None:
        for a in v or ():
            if not (a.isdigit() and len(a) == 12):
                raise ValueError(f"not a 12-digit account id: {a!r}")
        return v


PROVIDER = ProviderSpec(
    name="aws",
    title="Amazon Web Services accounts",
    options=AwsOptions,
    collector="auditor.providers.aws.collector:collect",
    extra="aws",
    types="auditor.providers.aws.resources:TYPES",
    derivers="auditor.providers.aws.derive:DERIVERS",
    plan_adapter="auditor.providers.aws.terraform:adapt",
    shards_units=True,  # CollectRun.owns per unit (see auditor.sharding)
)
