"""Key Vault: recoverability, authorisation model, network exposure, logging, key and secret hygiene."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import expect

checks = CheckSet("azure")
VAULT = [T.KEYVAULT]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Key Vault"


@checks.check(
    id="azure.keyvault.soft_delete",
    title="Key Vaults keep deleted objects (soft delete)",
    severity="high",
    resource_types=VAULT,
    rationale="Without soft delete a deleted key is gone, and so is every piece of data encrypted with it.",
    remediation="az keyvault update -n NAME --enable-soft-delete true (on by default for new vaults).",
    references=[CIS],
)
def soft_delete(vault: Resource, ctx: CheckContext) -> Verdict:
    if need(vault, "soft_delete") is False:
        return failed("soft delete is off: enable it, deleted keys and secrets are unrecoverable")
    return passed("soft delete is on")


@checks.check(
    id="azure.keyvault.purge_protection",
    title="Key Vaults have purge protection",
    severity="high",
    resource_types=VAULT,
    rationale="Purge protection stops anyone, including an attacker with owner rights, from purging soft-deleted keys early.",
    remediation="az keyvault update -n NAME --enable-purge-protection true (cannot be turned off again).",
    references=[CIS],
)
def purge_protection(vault: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        vault,
        "purge_protection",
        True,
        "purge protection is on",
        "purge protection is off: enable it so deleted keys cannot be purged before their retention ends",
    )


@checks.check(
    id="azure.keyvault.rbac_authorization",
    title="Key Vaults use Azure RBAC for data-plane access",
    severity="medium",
    resource_types=VAULT,
    rationale="RBAC gives per-object, auditable, PIM-eligible access; vault access policies are coarse and bypass RBAC reviews.",
    remediation="Assign Key Vault data roles, then az keyvault update -n NAME --enable-rbac-authorization true.",
    references=[CIS],
)
def rbac_authorization(vault: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        vault,
        "rbac_authorization",
        True,
        "data-plane access is authorised with Azure RBAC",
        "data-plane access uses vault access policies: switch the vault to the Azure RBAC permission model",
    )


@checks.check(
    id="azure.keyvault.public_network_access",
    title="Key Vaults are not open to every network",
    severity="medium",
    resource_types=VAULT,
    rationale="A vault reachable from any network relies on credentials alone; private endpoints or a deny-by-default firewall shrink that.",
    remediation="Disable public network access and use a private endpoint, or set the firewall default action to Deny.",
    references=[CIS],
)
def public_network_access(vault: Resource, ctx: CheckContext) -> Verdict:
    access = need(vault, "public_network_access")
    default = need(vault, "network_default_action")
    if access == "Disabled":
        return passed("public network access is disabled")
    if default == "Deny":
        return passed("public network access is limited to the networks the firewall allows")
    return failed(
        f"public network access is {access or 'Enabled'} with firewall default {default or 'Allow'}: "
        "disable public access (private endpoint) or set networkAcls.defaultAction to Deny"
    )


@checks.check(
    id="azure.keyvault.diagnostic_logging",
    title="Key Vault access is logged (AuditEvent diagnostic logs)",
    severity="medium",
    resource_types=VAULT,
    rationale="AuditEvent logs record who read or changed which key or secret; without them misuse is invisible.",
    remediation="Add a diagnostic setting sending the audit category group (or AuditEvent) to a workspace or storage account.",
    references=[CIS],
)
def diagnostic_logging(vault: Resource, ctx: CheckContext) -> Verdict:
    for setting in need(vault, "diagnostic_settings"):
        logs = {str(c).lower() for c in setting.get("logs", [])}
        if setting.get("destinations") and logs & {"auditevent", "audit", "alllogs"}:
            return passed(f"diagnostic setting {setting.get('name')} sends AuditEvent logs")
    return failed(
        "no diagnostic setting sends AuditEvent logs anywhere: add one with the audit category group"
    )


def _expiry(obj: Resource, what: str) -> Verdict:
    if need(obj, "enabled") is False:
        return not_applicable(f"the {what} is disabled")
    if need(obj, "expires") is None:
        return failed(f"the {what} never expires: set an expiration date")
    return passed(f"the {what} has an expiration date")


@checks.check(
    id="azure.keyvault.key_expiry",
    title="Key Vault keys have an expiration date",
    severity="medium",
    resource_types=[T.KEYVAULT_KEY],
    rationale="Keys that never expire are never rotated by policy and outlive the systems that used them.",
    remediation="az keyvault key set-attributes --vault-name VAULT -n KEY --expires DATE (or give it a rotation policy).",
    references=[CIS],
)
def key_expiry(key: Resource, ctx: CheckContext) -> Verdict:
    return _expiry(key, "key")


@checks.check(
    id="azure.keyvault.secret_expiry",
    title="Key Vault secrets have an expiration date",
    severity="medium",
    resource_types=[T.KEYVAULT_SECRET],
    rationale="Secrets without an expiry are rarely rotated; an expiry forces renewal and limits a leak's lifetime.",
    remediation="az keyvault secret set-attributes --vault-name VAULT -n SECRET --expires DATE.",
    references=[CIS],
)
def secret_expiry(secret: Resource, ctx: CheckContext) -> Verdict:
    return _expiry(secret, "secret")


@checks.check(
    id="azure.keyvault.key_rotation",
    title="Key Vault keys rotate automatically",
    severity="medium",
    resource_types=[T.KEYVAULT_KEY],
    rationale="A rotation policy creates new key versions on schedule, so no key stays in use indefinitely.",
    remediation="az keyvault key rotation-policy update --vault-name VAULT -n KEY --value policy.json (a Rotate lifetime action).",
    references=[CIS],
)
def key_rotation(key: Resource, ctx: CheckContext) -> Verdict:
    if need(key, "enabled") is False:
        return not_applicable("the key is disabled")
    policy = need(key, "rotation_policy")
    if policy and policy.get("auto_rotate"):
        return passed("a rotation policy rotates the key automatically")
    why = "has a rotation policy without a Rotate action" if policy else "has no rotation policy"
    return failed(f"the key {why}: add a policy with a Rotate lifetime action")
