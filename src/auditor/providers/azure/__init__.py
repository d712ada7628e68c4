"""Microsoft Azure: tenant-wide collection through Resource Graph and Resource Manager, and the
checks over what it reads. No SDK import here: see `collector.py`."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.providers import ProviderSpec

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

Auth = Literal["default", "cli", "environment", "managed-identity", "workload-identity"]


class AzureOptions(BaseModel):
    """How to sign in and what to scan. No field holds a secret: credentials come from
    azure-identity (the environment, the Azure CLI, a managed or workload identity)."""

    model_config = ConfigDict(extra="forbid")

    auth: Auth = Field(
        "default",
        description="Credential: default (DefaultAzureCredential), cli (az login), environment "
        "(AZURE_CLIENT_ID/AZURE_TENANT_ID with a secret or certificate), managed-identity, workload-identity.",
    )
    tenant: str | None = Field(None, description="Microsoft Entra tenant to sign in to (id or domain).")
    client_id: str | None = Field(
        None, description="Client id of a user-assigned managed identity or of the workload identity."
    )
    arm_endpoint: str | None = Field(
        None,
        description="Resource Manager endpoint (default: from AZURE_AUTHORITY_HOST's cloud, else "
        "https://management.azure.com); e.g. https://management.usgovcloudapi.net.",
    )
    subscriptions: list[str] | None = Field(None, description="Scan only these subscription ids.")
    management_groups: list[str] | None = Field(
        None, description="Scan the subscriptions below these management groups (ids)."
    )
    batch_size: int = Field(100, ge=1, le=1000, description="Subscriptions per Resource Graph query.")
    page_size: int = Field(1000, ge=1, le=1000, description="Rows per Resource Graph page ($top).")
    concurrency: int = Field(
        16, ge=1, le=128, description="Requests in flight at once (queries and per-resource reads)."
    )
    max_attempts: int = Field(
        5,
        ge=1,
        le=20,
        description="Attempts per request when throttled (Retry-After is honoured) or unavailable.",
    )
    timeout: float = Field(60.0, gt=0, le=600, description="Seconds to wait for each response.")

    @field_validator("subscriptions")
    @classmethod
    def _guids(cls, v: list[str] | None) -> list[str] | None:
        for s in v or ():
            if not _GUID.match(s):
                raise ValueError(f"not a subscription id (a GUID): {s!r}")
        return [s.lower() for s in v] if v else v

    @field_validator("arm_endpoint")
    @classmethod
    def _https(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("https://"):
            raise ValueError("must be an https:// URL (bearer tokens are never sent in clear text)")
        return v.rstrip("/") if v else v


PROVIDER = ProviderSpec(
    name="azure",
    title="Microsoft Azure tenants and subscriptions",
    options=AzureOptions,
    collector="auditor.providers.azure.collector:collect",
    types="auditor.providers.azure.resources:TYPES",
    derivers="auditor.providers.azure.derive:DERIVERS",
    plan_adapter="auditor.providers.azure.terraform:adapt",
    extra="azure",
)

__all__ = ["PROVIDER", "AzureOptions"]
