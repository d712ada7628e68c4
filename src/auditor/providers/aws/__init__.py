"""AWS: the collector (boto3, read-only) and the checks over what it collects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auditor.providers import ProviderSpec


class AwsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: str | None = Field(None, description="Named profile from the AWS config files.")
    role_arn: str | None = Field(None, description="Role to assume before scanning.")
    org_role: str | None = Field(
        None, description="Discover accounts via AWS Organizations and assume this role name in each."
    )
    accounts: list[str] | None = Field(None, description="Limit to these account ids.")
    regions: list[str] | None = Field(
        None, description="Limit to these regions (default: every enabled region)."
    )
    concurrency: int = Field(16, ge=1, le=256, description="Parallel API calls.")


PROVIDER = ProviderSpec(
    name="aws",
    title="Amazon Web Services accounts",
    options=AwsOptions,
    collector="auditor.providers.aws.collector:collect",
    extra="aws",
)
