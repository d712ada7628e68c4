"""HashiCorp Vault / OpenBao: the collector (hvac, reads `sys/*` configuration and metadata only)
and the checks over what it collects. No SDK import here: see `collector.py`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.providers import ProviderSpec


class VaultOptions(BaseModel):
    """How to reach and log in to one Vault server. Environment variables are the defaults;
    options given here override them. No field holds a secret: tokens and secret ids are read
    from the environment or from a file, so options can be written to reports as they are."""

    model_config = ConfigDict(extra="forbid")

    addr: str | None = Field(
        None, description="Server URL (default: $VAULT_ADDR, else https://127.0.0.1:8200)."
    )
    namespace: str | None = Field(None, description="Namespace to scan (default: $VAULT_NAMESPACE).")
    ca_cert: str | None = Field(
        None, description="CA bundle (PEM file) to verify the server (default: $VAULT_CACERT)."
    )
    skip_verify: bool | None = Field(
        None,
        description="Do not verify the server certificate (default: $VAULT_SKIP_VERIFY). Not for production.",
    )
    auth_method: Literal["token", "approle", "kubernetes"] = Field(
        "token", description="How the scanner logs in: token, approle or kubernetes."
    )
    auth_mount: str | None = Field(
        None, description="Mount path of the approle/kubernetes auth method (default: approle / kubernetes)."
    )
    token_file: str | None = Field(
        None, description="File holding the token (token login; default: $VAULT_TOKEN, else ~/.vault-token)."
    )
    role_id_file: str | None = Field(
        None, description="File holding the AppRole role_id (default: $VAULT_ROLE_ID)."
    )
    secret_id_file: str | None = Field(
        None, description="File holding the AppRole secret_id (default: $VAULT_SECRET_ID)."
    )
    kubernetes_role: str | None = Field(None, description="Vault role for Kubernetes auth login.")
    kubernetes_jwt_path: str = Field(
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        description="Service-account JWT file for Kubernetes auth login.",
    )
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds per API request.")
    concurrency: int = Field(
        8, ge=1, le=64, description="API requests in flight at once (1: one request after another)."
    )
    max_attempts: int = Field(
        3,
        ge=1,
        le=10,
        description="Attempts per request when Vault rate-limits (HTTP 429, waiting as Retry-After says).",
    )
    max_tokens: int = Field(
        2000,
        ge=0,
        description="Look up at most this many token accessors (0: do not enumerate tokens; the token checks "
        "report excluded).",
    )


PROVIDER = ProviderSpec(
    name="vault",
    title="HashiCorp Vault / OpenBao servers",
    options=VaultOptions,
    collector="auditor.providers.vault.collector:collect",
    types="auditor.providers.vault.resources:TYPES",
    extra="vault",
    shards_units=True,  # CollectRun.owns per unit (see auditor.sharding)
)

__all__ = ["PROVIDER", "VaultOptions"]
