"""Storage accounts: transport, anonymous and key access, network exposure, encryption, soft delete."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, param, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import expect

checks = CheckSet("azure")
ACCOUNT = [T.STORAGE_ACCOUNT]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Storage Accounts"
SOFT_DELETE_DAYS = param(
    "azure.storage.soft_delete_min_days",
    "integer",
    7,
    "Fewest days deleted blobs or containers must be kept.",
)


@checks.check(
    id="azure.storage.secure_transfer",
    title="Storage accounts accept only HTTPS (secure transfer required)",
    severity="high",
    resource_types=ACCOUNT,
    rationale="Without secure transfer, data and shared keys or SAS tokens can cross the network in clear text.",
    remediation="Set 'Secure transfer required' on: az storage account update -n NAME -g RG --https-only true.",
    references=[CIS, "https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer"],
)
def secure_transfer(acct: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        acct,
        "https_only",
        True,
        "secure transfer (HTTPS only) is required",
        "secure transfer is not required: set supportsHttpsTrafficOnly to true on this account",
    )


@checks.check(
    id="azure.storage.min_tls_12",
    title="Storage accounts refuse TLS older than 1.2",
    severity="high",
    resource_types=ACCOUNT,
    rationale="TLS 1.0 and 1.1 have known weaknesses and are retired across Azure.",
    remediation="az storage account update -n NAME -g RG --min-tls-version TLS1_2.",
    references=[CIS],
)
def min_tls(acct: Resource, ctx: CheckContext) -> Verdict:
    version = need(acct, "minimum_tls_version")
    if version in ("TLS1_2", "TLS1_3"):
        return passed(f"minimum TLS version is {version}")
    return failed(f"minimum TLS version is {version or 'not set (TLS1_0)'}: set minimumTlsVersion to TLS1_2")


@checks.check(
    id="azure.storage.blob_public_access",
    title="Storage accounts forbid anonymous blob access",
    severity="high",
    resource_types=ACCOUNT,
    rationale="With blob public access allowed, one container set to public exposes its data to anyone.",
    remediation="az storage account update -n NAME -g RG --allow-blob-public-access false.",
    references=[CIS],
)
def blob_public_access(acct: Resource, ctx: CheckContext) -> Verdict:
    allowed = need(acct, "allow_blob_public_access")
    if allowed is False:
        return passed("anonymous blob access is disallowed")
    shown = "allowed" if allowed else "not set (allowed on older accounts)"
    return failed(f"anonymous blob access is {shown}: set allowBlobPublicAccess to false")


@checks.check(
    id="azure.storage.shared_key_access",
    title="Storage accounts refuse Shared Key authorisation",
    severity="medium",
    resource_types=ACCOUNT,
    rationale="Account keys grant full access, cannot be scoped and are easily leaked; Entra ID auth is auditable per identity.",
    remediation="Move clients to Microsoft Entra ID, then az storage account update --allow-shared-key-access false.",
    references=[CIS],
)
def shared_key_access(acct: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        acct,
        "allow_shared_key_access",
        False,
        "Shared Key authorisation is disallowed",
        "Shared Key (account key) authorisation is allowed: set allowSharedKeyAccess to false",
    )


@checks.check(
    id="azure.storage.network_default_deny",
    title="Storage account firewalls deny by default",
    severity="medium",
    resource_types=ACCOUNT,
    rationale="A default action of Allow accepts connections from any network, so keys or tokens are the only barrier.",
    remediation="Allow the networks that need access, then az storage account update --default-action Deny.",
    references=[CIS],
)
def network_default_deny(acct: Resource, ctx: CheckContext) -> Verdict:
    action = need(acct, "network_default_action")
    if action == "Deny":
        return passed("the firewall denies networks not listed")
    return failed(
        f"the firewall default action is {action or 'Allow'}: set networkAcls.defaultAction to Deny"
    )


@checks.check(
    id="azure.storage.infrastructure_encryption",
    title="Storage accounts use infrastructure (double) encryption",
    severity="low",
    resource_types=ACCOUNT,
    rationale="A second layer of encryption protects data if one algorithm or key is ever compromised.",
    remediation="Infrastructure encryption is set at creation: create a new account with --require-infrastructure-encryption and move the data.",
    references=[CIS],
)
def infrastructure_encryption(acct: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        acct,
        "infrastructure_encryption",
        True,
        "infrastructure encryption is on",
        "infrastructure encryption is off: recreate the account with requireInfrastructureEncryption",
    )


def _soft_delete(acct: Resource, ctx: CheckContext, key: str, what: str) -> Verdict:
    if need(acct, "kind") == "FileStorage":
        return not_applicable("a FileStorage account has no blob service")
    policy = need(acct, key)
    least = ctx.param("azure.storage.soft_delete_min_days")
    if not policy or not policy.get("enabled"):
        return failed(f"{what} soft delete is off: enable it on the blob service with at least {least} days")
    days = policy.get("days") or 0
    if days < least:
        return failed(f"{what} soft delete keeps {days} day(s): raise the retention to at least {least}")
    return passed(f"{what} soft delete keeps {days} days")


@checks.check(
    id="azure.storage.blob_soft_delete",
    title="Deleted blobs are kept (blob soft delete)",
    severity="medium",
    resource_types=ACCOUNT,
    rationale="Soft delete lets you recover blobs deleted or overwritten by mistake or by an attacker.",
    remediation="az storage account blob-service-properties update --enable-delete-retention true --delete-retention-days 7.",
    references=[CIS],
    params=[SOFT_DELETE_DAYS],
)
def blob_soft_delete(acct: Resource, ctx: CheckContext) -> Verdict:
    return _soft_delete(acct, ctx, "blob_delete_retention", "blob")


@checks.check(
    id="azure.storage.container_soft_delete",
    title="Deleted containers are kept (container soft delete)",
    severity="medium",
    resource_types=ACCOUNT,
    rationale="Deleting a container deletes every blob in it; container soft delete makes that recoverable.",
    remediation="az storage account blob-service-properties update --enable-container-delete-retention true --container-delete-retention-days 7.",
    references=[CIS],
    params=[SOFT_DELETE_DAYS],
)
def container_soft_delete(acct: Resource, ctx: CheckContext) -> Verdict:
    return _soft_delete(acct, ctx, "container_delete_retention", "container")


@checks.check(
    id="azure.storage.cmk",
    title="Storage accounts are encrypted with customer-managed keys (where required)",
    severity="medium",
    resource_types=ACCOUNT,
    rationale="A customer-managed key in Key Vault lets you control, rotate and revoke the key that protects the data.",
    remediation="Grant the account's identity access to a Key Vault key and set encryption.keySource to Microsoft.Keyvault.",
    references=[CIS],
    params=[
        param(
            "azure.storage.require_cmk",
            "boolean",
            False,
            "Require customer-managed keys on every storage account (off: the check is not applicable).",
        )
    ],
)
def cmk(acct: Resource, ctx: CheckContext) -> Verdict:
    source = need(acct, "key_source")
    if not ctx.param("azure.storage.require_cmk"):
        return not_applicable("customer-managed keys are not required (azure.storage.require_cmk is false)")
    if source == "Microsoft.Keyvault":
        return passed("encrypted with a customer-managed key")
    return failed(
        f"encrypted with {source or 'Microsoft.Storage'} (platform) keys: configure a customer-managed key"
    )
