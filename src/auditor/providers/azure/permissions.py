"""The custom role the collector needs, derived from what it reads (docs/permissions/azure-role.json
is this, and a test holds both against the requests the fake answered)."""

from __future__ import annotations

from typing import Any

from auditor.providers.azure import resources as T
from auditor.providers.azure.collector import DESCENDANTS_READ, GRAPH_READ, SUBSCRIPTIONS_READ

# Optional data-plane permissions: key and secret *metadata* only (never values, never crypto).
KEYVAULT_METADATA = (
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
)


def actions() -> list[str]:
    """Every control-plane action the collector's calls need: Resource Graph, the subscription
    listing and management-group descendants, `<type>/read` for each type Resource Graph must show,
    and each per-resource read's own action."""
    found = {GRAPH_READ, SUBSCRIPTIONS_READ, DESCENDANTS_READ, *T.SOURCES.actions()}
    return sorted(found, key=str.lower)


def role_definition() -> dict[str, Any]:
    return {
        "Name": "auditor reader",
        "IsCustom": True,
        "Description": (
            "Read-only access for the auditor compliance scanner: Resource Graph, the subscription and "
            "management-group tree, and the configuration reads it makes per resource. No secret values: "
            "app settings and connection strings are never listed, Key Vault keys and secrets are read as "
            "attributes through Resource Manager. DataActions are optional (metadata of keys and secrets "
            "for vaults that authorise those lists on the data plane); drop them if the scan reads keys "
            "and secrets without them."
        ),
        "Actions": actions(),
        "NotActions": [],
        "DataActions": list(KEYVAULT_METADATA),
        "NotDataActions": [],
        "AssignableScopes": ["/providers/Microsoft.Management/managementGroups/ROOT-MANAGEMENT-GROUP-ID"],
    }
