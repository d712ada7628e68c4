"""Google Cloud: organisation-wide collection through Cloud Asset Inventory, or offline asset exports.

One `ListAssets` listing per scope (organization, folder or project) and content type (RESOURCE,
IAM_POLICY, ORG_POLICY), paged at the maximum page size with one `read_time` for the whole scan,
replaces one API per service per project. The same assets read from `gcloud asset export` /
`gcloud asset list --format=json` files become the same resources (`inventory.py`), so a live
scan and an export of the same state give the same findings.

This module stays free of the Google SDK: the options model and the ProviderSpec only.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditor.providers import ProviderSpec


class GcpOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization: str | None = Field(
        None, description="Organization to scan, every folder and project below it (ID or organizations/ID)."
    )
    folders: list[str] | None = Field(None, description="Folders to scan (IDs or folders/ID).")
    projects: list[str] | None = Field(None, description="Projects to scan (IDs, numbers or projects/ID).")
    asset_export: list[str] | None = Field(
        None,
        description="Judge Cloud Asset exports offline instead of calling the API: `gcloud asset export` "
        "NDJSON (one file per content type) or `gcloud asset list --format=json` output.",
    )
    credentials_file: str | None = Field(
        None,
        description="Credentials JSON (service-account key, workload identity federation or authorized "
        "user); default: Application Default Credentials.",
    )
    impersonate_service_account: str | None = Field(
        None,
        description="Service account to impersonate (the caller needs roles/iam.serviceAccountTokenCreator).",
    )
    api_endpoint: str | None = Field(
        None, description="Cloud Asset API endpoint, for private endpoints and tests (a scheme is honoured)."
    )
    iam_credentials_endpoint: str | None = Field(
        None,
        description="IAM Credentials API endpoint used for --impersonate-service-account (private endpoints, tests).",
    )
    page_size: int = Field(
        1000, ge=1, le=1000, description="Assets per ListAssets page (the API's maximum is 1000)."
    )
    concurrency: int = Field(8, ge=1, le=64, description="ListAssets listings in flight at once.")
    max_attempts: int = Field(
        5,
        ge=1,
        le=20,
        description="Attempts per page when the API answers RESOURCE_EXHAUSTED (it says how long to wait).",
    )
    timeout: float = Field(60.0, gt=0, description="Seconds to wait for one page.")

    @field_validator("organization")
    @classmethod
    def _organization(cls, v: str | None) -> str | None:
        return _qualified(v, "organizations") if v else v

    @field_validator("folders")
    @classmethod
    def _folders(cls, v: list[str] | None) -> list[str] | None:
        return [_qualified(x, "folders") for x in v] if v else v

    @field_validator("projects")
    @classmethod
    def _projects(cls, v: list[str] | None) -> list[str] | None:
        return [_qualified(x, "projects") for x in v] if v else v

    @model_validator(mode="after")
    def _scope(self) -> GcpOptions:
        if self.asset_export and (self.organization or self.folders or self.projects):
            raise ValueError(
                "--asset-export reads files: give it without --organization/--folders/--projects"
            )
        if not self.asset_export and not (self.organization or self.folders or self.projects):
            raise ValueError("give --organization, --folders or --projects (any mix), or --asset-export FILE")
        return self

    @property
    def parents(self) -> list[str]:
        """Every scope to list, organization first, without repeats."""
        out = [self.organization] if self.organization else []
        out += [*(self.folders or ()), *(self.projects or ())]
        return list(dict.fromkeys(out))


def _qualified(value: str, kind: str) -> str:
    text = value.strip()
    if text.startswith(kind + "/"):
        text = text.split("/", 1)[1]
    what = {"organizations": "an organization", "folders": "a folder", "projects": "a project"}[kind]
    if not text or "/" in text or " " in text:
        raise ValueError(f"not {what} ID: {value!r}")
    if kind != "projects" and not text.isdigit():
        raise ValueError(f"{what} ID is a number: {value!r}")
    return f"{kind}/{text}"


PROVIDER = ProviderSpec(
    name="gcp",
    title="Google Cloud organizations, folders and projects (Cloud Asset Inventory)",
    options=GcpOptions,
    collector="auditor.providers.gcp.collector:collect",
    types="auditor.providers.gcp.resources:TYPES",
    derivers="auditor.providers.gcp.derive:DERIVERS",
    plan_adapter="auditor.providers.gcp.terraform:adapt",
    extra="gcp",
)
