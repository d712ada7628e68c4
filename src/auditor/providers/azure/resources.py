"""The resource types of the Azure provider: each attribute's contract and where it is read from.

Most types come from Azure Resource Graph (`graph(...)`: a property path projected from the
table's row); the settings Resource Graph does not hold come from one ARM GET per resource with
an explicit API version (`arm(read, ...)`); Key Vault keys and secrets, flow logs, ML computes and
activity-log alerts are items of such a list read (`item(...)`). See `sources.py`.

Resource ids are the lower-cased ARM ids. `location.account` is the subscription id and
`location.region` the Azure region (`global` where ARM says so). No SDK import here.
"""

from __future__ import annotations

from typing import Any

from auditor.contracts import TypeSet, attr
from auditor.providers.azure import normalize as N
from auditor.providers.azure.sources import ArmRead, Sources, arm, graph, item, listed

TYPES = TypeSet("azure")
SOURCES = Sources(TYPES)

PUBLIC_NETWORK_ACCESS = (
    "publicNetworkAccess: Enabled, Disabled (or SecuredByPerimeter); null when not reported."
)

# ------------------------------------------------------------------ ARM reads (explicit versions)

DIAGNOSTICS = "2021-05-01-preview"


def _diagnostics(path: str) -> ArmRead:
    return ArmRead(
        "diagnostic_settings",
        path,
        DIAGNOSTICS,
        "Microsoft.Insights/diagnosticSettings/read",
        collection=True,
    )


SUBSCRIPTION_DIAGNOSTICS = _diagnostics(
    "/subscriptions/{subscription}/providers/Microsoft.Insights/diagnosticSettings"
)
SECURITY_CONTACTS = ArmRead(
    "security_contacts",
    "/subscriptions/{subscription}/providers/Microsoft.Security/securityContacts",
    "2023-12-01-preview",
    "Microsoft.Security/securityContacts/read",
    collection=True,
)
ACTIVITY_LOG_ALERTS = ArmRead(
    "activity_log_alerts",
    "/subscriptions/{subscription}/providers/Microsoft.Insights/activityLogAlerts",
    "2020-10-01",
    "Microsoft.Insights/activityLogAlerts/read",
    collection=True,
    children="azure.monitor.activity_log_alert",
)

# ------------------------------------------------------------------ subscriptions

SUBSCRIPTION = SOURCES.declare(
    "azure.subscription",
    "Subscription",
    table="resourcecontainers",
    arm_type="microsoft.resources/subscriptions",
    scope="subscription",
    per_scope=True,
    name_attr="display_name",
    base={"subscription_id": attr(str, "The subscription id.")},
    description="One per scanned subscription: its state, where it sits in the management group "
    "tree, where its activity log goes, and its Defender for Cloud contacts.",
    reads=(SUBSCRIPTION_DIAGNOSTICS, SECURITY_CONTACTS, ACTIVITY_LOG_ALERTS),
    fields={
        "display_name": listed("displayName", str | None, "Display name."),
        "state": listed("state", str, "Enabled, Warned, PastDue (Disabled ones are not scanned)."),
        "tenant_id": listed("tenantId", str | None, "The Microsoft Entra tenant."),
        "management_groups": graph(
            "properties.managementGroupAncestorsChain",
            list[Any],
            "Names of the management groups above the subscription, nearest first.",
            convert=N.names,
        ),
        "activity_log_settings": arm(
            "diagnostic_settings",
            "",
            list[Any],
            "Diagnostic settings of the subscription (where the activity log is exported): each "
            "{name, logs (categories enabled), destinations (storage, workspace, event_hub, partner)}.",
            convert=N.diagnostic_settings,
        ),
        "security_contacts": arm(
            "security_contacts",
            "",
            list[Any],
            "Defender for Cloud security contacts: each {name, emails_set, enabled, alert_notifications, "
            "minimal_severity, notify_roles}. Addresses are not copied.",
            convert=N.security_contacts,
        ),
    },
)

ACTIVITY_LOG_ALERT = SOURCES.declare(
    "azure.monitor.activity_log_alert",
    "Activity-log alert rule",
    table=None,
    arm_type="microsoft.insights/activitylogalerts",
    scope="subscription",
    fields={
        "enabled": item("properties.enabled", bool | None, "Whether the rule is enabled."),
        "scopes": item(
            "properties.scopes", list[Any], "Scopes watched (lower-case ids).", convert=N.lower_list
        ),
        "conditions": item(
            "properties.condition",
            list[Any],
            "The allOf conditions, each {field, equals} (equals lower-case): category, operationName...",
            convert=N.alert_conditions,
        ),
        "action_groups": item(
            "properties.actions", int, "How many action groups the rule notifies.", convert=N.action_groups
        ),
    },
)

# ------------------------------------------------------------------ storage

STORAGE_ACCOUNT = SOURCES.declare(
    "azure.storage.account",
    "Storage account",
    arm_type="microsoft.storage/storageaccounts",
    reads=(
        ArmRead(
            "blob_service",
            "{id}/blobServices/default",
            "2023-05-01",
            "Microsoft.Storage/storageAccounts/blobServices/read",
            applies=lambda a: a.get("kind") != "FileStorage",
        ),
    ),
    fields={
        "kind": graph("kind", str | None, "StorageV2, BlobStorage, FileStorage, Storage..."),
        "https_only": graph("properties.supportsHttpsTrafficOnly", bool | None, "Secure transfer required."),
        "minimum_tls_version": graph("properties.minimumTlsVersion", str | None, "TLS1_0, TLS1_1, TLS1_2."),
        "allow_blob_public_access": graph(
            "properties.allowBlobPublicAccess",
            bool | None,
            "Whether containers may allow anonymous access (null: not set, which older accounts treat as allowed).",
        ),
        "allow_shared_key_access": graph(
            "properties.allowSharedKeyAccess",
            bool | None,
            "Shared Key authorisation allowed (null: allowed).",
        ),
        "network_default_action": graph(
            "properties.networkAcls.defaultAction", str | None, "Firewall default action: Allow or Deny."
        ),
        "infrastructure_encryption": graph(
            "properties.encryption.requireInfrastructureEncryption",
            bool | None,
            "Double encryption at the infrastructure layer.",
        ),
        "key_source": graph(
            "properties.encryption.keySource",
            str | None,
            "Microsoft.Storage (platform keys) or Microsoft.Keyvault (customer-managed keys).",
        ),
        "blob_delete_retention": arm(
            "blob_service",
            "properties.deleteRetentionPolicy",
            dict[str, Any] | None,
            "Blob soft delete {enabled, days}; null when not configured or the account has no blob service.",
            convert=N.retention,
        ),
        "container_delete_retention": arm(
            "blob_service",
            "properties.containerDeleteRetentionPolicy",
            dict[str, Any] | None,
            "Container soft delete {enabled, days}; null when not configured or there is no blob service.",
            convert=N.retention,
        ),
    },
)

# ------------------------------------------------------------------ key vault

KEYVAULT = SOURCES.declare(
    "azure.keyvault.vault",
    "Key Vault",
    arm_type="microsoft.keyvault/vaults",
    reads=(
        _diagnostics("{id}/providers/Microsoft.Insights/diagnosticSettings"),
        ArmRead(
            "keys",
            "{id}/keys",
            "2023-07-01",
            "Microsoft.KeyVault/vaults/keys/read",
            collection=True,
            children="azure.keyvault.key",
        ),
        ArmRead(
            "secrets",
            "{id}/secrets",
            "2023-07-01",
            "Microsoft.KeyVault/vaults/secrets/read",
            collection=True,
            children="azure.keyvault.secret",
            # the management API never returns values; if one ever did, it is masked before storage
            secret_paths=("value.*.properties.value",),
        ),
    ),
    fields={
        "soft_delete": graph(
            "properties.enableSoftDelete", bool | None, "Soft delete (null: on, the default since 2020)."
        ),
        "purge_protection": graph("properties.enablePurgeProtection", bool | None, "Purge protection."),
        "rbac_authorization": graph(
            "properties.enableRbacAuthorization",
            bool | None,
            "Azure RBAC for data-plane access (else access policies).",
        ),
        "public_network_access": graph("properties.publicNetworkAccess", str | None, PUBLIC_NETWORK_ACCESS),
        "network_default_action": graph(
            "properties.networkAcls.defaultAction",
            str | None,
            "Firewall default action: Allow or Deny (null: Allow).",
        ),
        "diagnostic_settings": arm(
            "diagnostic_settings",
            "",
            list[Any],
            "Diagnostic settings: each {name, logs (categories or groups enabled), destinations}.",
            convert=N.diagnostic_settings,
        ),
    },
)

_VAULT_ITEM = {
    "enabled": item("properties.attributes.enabled", bool | None, "Whether the object is enabled."),
    "expires": item(
        "properties.attributes.exp",
        int | None,
        "Expiry (seconds since the epoch); null when it never expires.",
    ),
}

KEYVAULT_KEY = SOURCES.declare(
    "azure.keyvault.key",
    "Key Vault key (attributes only)",
    table=None,
    arm_type="microsoft.keyvault/vaults/keys",
    fields={
        **_VAULT_ITEM,
        "rotation_policy": item(
            "properties.rotationPolicy",
            dict[str, Any] | None,
            "{auto_rotate, expiry_time}; null when the key has no rotation policy.",
            convert=N.rotation_policy,
        ),
    },
)

KEYVAULT_SECRET = SOURCES.declare(
    "azure.keyvault.secret",
    "Key Vault secret (attributes only, never the value)",
    table=None,
    arm_type="microsoft.keyvault/vaults/secrets",
    fields=dict(_VAULT_ITEM),
)

# ------------------------------------------------------------------ network

NSG = SOURCES.declare(
    "azure.network.nsg",
    "Network security group",
    arm_type="microsoft.network/networksecuritygroups",
    fields={
        "rules": graph(
            "properties.securityRules",
            list[Any],
            "Custom rules: each {name, direction, access, protocol, sources, ports, priority}.",
            convert=N.nsg_rules,
        ),
        "subnets": graph(
            "properties.subnets", list[Any], "Ids of the subnets it is attached to.", convert=N.ids
        ),
        "network_interfaces": graph(
            "properties.networkInterfaces", list[Any], "Ids of the NICs it is attached to.", convert=N.ids
        ),
    },
)

NETWORK_WATCHER = SOURCES.declare(
    "azure.network.watcher",
    "Network Watcher",
    arm_type="microsoft.network/networkwatchers",
    reads=(
        ArmRead(
            "flow_logs",
            "{id}/flowLogs",
            "2023-09-01",
            "Microsoft.Network/networkWatchers/flowLogs/read",
            collection=True,
            children="azure.network.flow_log",
        ),
    ),
    fields={
        "provisioning_state": graph("properties.provisioningState", str | None, "Succeeded when usable."),
    },
)

FLOW_LOG = SOURCES.declare(
    "azure.network.flow_log",
    "Flow log",
    table=None,
    arm_type="microsoft.network/networkwatchers/flowlogs",
    fields={
        "target_id": item(
            "properties.targetResourceId",
            str | None,
            "The NSG or virtual network logged.",
            convert=N.lower_id,
        ),
        "enabled": item("properties.enabled", bool | None, "Whether the flow log is on."),
        "retention": item(
            "properties.retentionPolicy",
            dict[str, Any] | None,
            "{enabled, days} (0 days: forever).",
            convert=N.retention,
        ),
    },
)

NIC = SOURCES.declare(
    "azure.network.nic",
    "Network interface",
    arm_type="microsoft.network/networkinterfaces",
    fields={
        "virtual_machine_id": graph(
            "properties.virtualMachine", str | None, "The VM it is attached to.", convert=N.lower_id
        ),
        "public_ip_ids": graph(
            "properties.ipConfigurations",
            list[Any],
            "Public IP addresses on its IP configurations.",
            convert=N.public_ips,
        ),
    },
)

# ------------------------------------------------------------------ compute

VM = SOURCES.declare(
    "azure.compute.vm",
    "Virtual machine",
    arm_type="microsoft.compute/virtualmachines",
    fields={
        "os_disk_managed": graph(
            "properties.storageProfile.osDisk",
            bool | None,
            "The OS disk is a managed disk (not a VHD blob).",
            convert=N.os_disk_managed,
        ),
        "unmanaged_data_disks": graph(
            "properties.storageProfile.dataDisks",
            int,
            "Data disks kept as VHD blobs.",
            convert=N.unmanaged_disks,
        ),
        "encryption_at_host": graph(
            "properties.securityProfile.encryptionAtHost",
            bool | None,
            "Encryption at host (temp disks and caches too).",
        ),
        "nic_ids": graph(
            "properties.networkProfile.networkInterfaces", list[Any], "Ids of its NICs.", convert=N.ids
        ),
    },
)

DISK = SOURCES.declare(
    "azure.compute.disk",
    "Managed disk",
    arm_type="microsoft.compute/disks",
    fields={
        "disk_state": graph(
            "properties.diskState", str | None, "Attached, Unattached, Reserved, ActiveSAS..."
        ),
        "encryption_type": graph(
            "properties.encryption.type",
            str | None,
            "EncryptionAtRestWithPlatformKey, EncryptionAtRestWithCustomerKey or EncryptionAtRestWithPlatformAndCustomerKeys.",
        ),
        "managed_by": graph("managedBy", str | None, "The VM using the disk.", convert=N.lower_id),
    },
)

# ------------------------------------------------------------------ SQL

_SQL = "2021-11-01"

SQL_SERVER = SOURCES.declare(
    "azure.sql.server",
    "Azure SQL logical server",
    arm_type="microsoft.sql/servers",
    reads=(
        ArmRead(
            "auditing",
            "{id}/auditingSettings/default",
            _SQL,
            "Microsoft.Sql/servers/auditingSettings/read",
            # write-only in the API, but an answer that carried the audit storage account's key
            # (a name the key-name rule does not catch) must not store it
            secret_paths=("properties.storageAccountAccessKey",),
        ),
        ArmRead(
            "administrators",
            "{id}/administrators",
            _SQL,
            "Microsoft.Sql/servers/administrators/read",
            collection=True,
        ),
        ArmRead(
            "firewall_rules",
            "{id}/firewallRules",
            _SQL,
            "Microsoft.Sql/servers/firewallRules/read",
            collection=True,
        ),
    ),
    fields={
        "public_network_access": graph("properties.publicNetworkAccess", str | None, PUBLIC_NETWORK_ACCESS),
        "auditing_state": arm(
            "auditing", "properties.state", str | None, "Server auditing: Enabled or Disabled."
        ),
        "audit_retention_days": arm(
            "auditing",
            "properties.retentionDays",
            int | None,
            "Days audit logs are kept in storage (0: forever).",
        ),
        "entra_admins": arm(
            "administrators",
            "",
            list[Any],
            "Microsoft Entra administrators: each {login, administrator_type, entra_only}.",
            convert=N.entra_admins,
        ),
        "firewall_rules": arm(
            "firewall_rules",
            "",
            list[Any],
            "Server firewall rules: each {name, start, end}.",
            convert=N.firewall_rules,
        ),
    },
)

SQL_DATABASE = SOURCES.declare(
    "azure.sql.database",
    "Azure SQL database",
    arm_type="microsoft.sql/servers/databases",
    skip_names=("master",),
    reads=(
        ArmRead(
            "tde",
            "{id}/transparentDataEncryption/current",
            _SQL,
            "Microsoft.Sql/servers/databases/transparentDataEncryption/read",
        ),
    ),
    fields={
        "tde_state": arm(
            "tde", "properties.state", str | None, "Transparent data encryption: Enabled or Disabled."
        ),
    },
)

# ------------------------------------------------------------------ PostgreSQL / MySQL flexible servers

POSTGRES_PARAMETERS = (
    "require_secure_transport",
    "ssl_min_protocol_version",
    "log_checkpoints",
    "log_connections",
    "log_disconnections",
    "connection_throttle.enable",
    "logfiles.retention_days",
)
MYSQL_PARAMETERS = ("require_secure_transport", "tls_version", "audit_log_enabled", "audit_log_events")


def _flexible_server(
    name: str, title: str, namespace: str, api_version: str, parameters: tuple[str, ...]
) -> str:
    return SOURCES.declare(
        name,
        title,
        arm_type=f"{namespace.lower()}/flexibleservers",
        reads=(
            ArmRead(
                "configurations",
                "{id}/configurations",
                api_version,
                f"{namespace}/flexibleServers/configurations/read",
                collection=True,
            ),
        ),
        fields={
            "public_network_access": graph(
                "properties.network.publicNetworkAccess", str | None, PUBLIC_NETWORK_ACCESS
            ),
            "parameters": arm(
                "configurations",
                "",
                dict[str, Any],
                "The server parameters the checks judge (" + ", ".join(parameters) + "): name -> value.",
                convert=N.server_parameters(parameters),
            ),
        },
    )


POSTGRES = _flexible_server(
    "azure.postgresql.flexible_server",
    "Azure Database for PostgreSQL flexible server",
    "Microsoft.DBforPostgreSQL",
    "2022-12-01",
    POSTGRES_PARAMETERS,
)
MYSQL = _flexible_server(
    "azure.mysql.flexible_server",
    "Azure Database for MySQL flexible server",
    "Microsoft.DBforMySQL",
    "2023-12-30",
    MYSQL_PARAMETERS,
)

# ------------------------------------------------------------------ App Service

WEB_APP = SOURCES.declare(
    "azure.appservice.site",
    "App Service app",
    arm_type="microsoft.web/sites",
    reads=(
        ArmRead(
            "config",
            "{id}/config/web",
            "2023-12-01",
            "Microsoft.Web/sites/config/read",
            # the GET answers without values today; if it ever carried app settings or connection
            # strings, they are masked before anything is stored
            secret_paths=(
                "properties.appSettings.*.value",
                "properties.connectionStrings.*.connectionString",
            ),
        ),
    ),
    fields={
        "kind": graph("kind", str | None, "app, functionapp, app,linux..."),
        "https_only": graph("properties.httpsOnly", bool | None, "Redirect HTTP to HTTPS."),
        "identity_type": graph(
            "identity.type", str | None, "SystemAssigned, UserAssigned, both, or null (no managed identity)."
        ),
        "min_tls_version": arm("config", "properties.minTlsVersion", str | None, "1.0, 1.1, 1.2 or 1.3."),
        "ftps_state": arm("config", "properties.ftpsState", str | None, "AllAllowed, FtpsOnly or Disabled."),
        "remote_debugging": arm(
            "config", "properties.remoteDebuggingEnabled", bool | None, "Remote debugging on."
        ),
    },
)

# ------------------------------------------------------------------ AKS

AKS = SOURCES.declare(
    "azure.aks.cluster",
    "AKS cluster",
    arm_type="microsoft.containerservice/managedclusters",
    fields={
        "rbac_enabled": graph("properties.enableRBAC", bool | None, "Kubernetes RBAC."),
        "aad_profile": graph(
            "properties.aadProfile",
            dict[str, Any] | None,
            "Microsoft Entra integration {managed, azure_rbac}; null when not integrated.",
            convert=N.aad_profile,
        ),
        "local_accounts_disabled": graph(
            "properties.disableLocalAccounts", bool | None, "Local (static) cluster admin accounts disabled."
        ),
        "private_cluster": graph(
            "properties.apiServerAccessProfile.enablePrivateCluster",
            bool | None,
            "API server on a private endpoint.",
        ),
        "authorized_ip_ranges": graph(
            "properties.apiServerAccessProfile.authorizedIPRanges",
            list[Any] | None,
            "CIDRs allowed to reach a public API server; null or empty: anyone.",
        ),
        "network_policy": graph(
            "properties.networkProfile.networkPolicy", str | None, "azure, calico, cilium, or null (none)."
        ),
        "azure_policy_addon": graph(
            "properties.addonProfiles.azurepolicy.enabled", bool | None, "The Azure Policy add-on is enabled."
        ),
        "upgrade_channel": graph(
            "properties.autoUpgradeProfile.upgradeChannel",
            str | None,
            "rapid, stable, patch, node-image, none, or null (none).",
        ),
    },
)

# ------------------------------------------------------------------ Machine Learning

ML_WORKSPACE = SOURCES.declare(
    "azure.ml.workspace",
    "Azure Machine Learning workspace",
    arm_type="microsoft.machinelearningservices/workspaces",
    reads=(
        ArmRead(
            "computes",
            "{id}/computes",
            "2024-04-01",
            "Microsoft.MachineLearningServices/workspaces/computes/read",
            collection=True,
            children="azure.ml.compute",
        ),
    ),
    fields={
        "public_network_access": graph("properties.publicNetworkAccess", str | None, PUBLIC_NETWORK_ACCESS),
        "encryption_status": graph(
            "properties.encryption.status",
            str | None,
            "Enabled when a customer-managed key encrypts the workspace.",
        ),
        "hbi_workspace": graph(
            "properties.hbiWorkspace", bool | None, "High business impact: less diagnostic data."
        ),
    },
)

ML_COMPUTE = SOURCES.declare(
    "azure.ml.compute",
    "Azure Machine Learning compute",
    table=None,
    arm_type="microsoft.machinelearningservices/workspaces/computes",
    fields={
        "compute_type": item(
            "properties.computeType", str | None, "ComputeInstance, AmlCompute, Kubernetes..."
        ),
        "public_ip": item(
            "properties.properties.enableNodePublicIp",
            bool | None,
            "Nodes get a public IP (null: the default, yes).",
        ),
        "ssh_public_access": item(
            "properties.properties.sshSettings.sshPublicAccess",
            str | None,
            "Enabled or Disabled (SSH from outside).",
        ),
    },
)

# ------------------------------------------------------------------ Cosmos DB, Container Registry

COSMOSDB = SOURCES.declare(
    "azure.cosmosdb.account",
    "Cosmos DB account",
    arm_type="microsoft.documentdb/databaseaccounts",
    fields={
        "public_network_access": graph("properties.publicNetworkAccess", str | None, PUBLIC_NETWORK_ACCESS),
        "ip_rules": graph("properties.ipRules", list[Any], "Firewall IP ranges allowed.", convert=N.ip_rules),
        "vnet_filter": graph(
            "properties.isVirtualNetworkFilterEnabled",
            bool | None,
            "Only listed virtual networks may connect.",
        ),
        "local_auth_disabled": graph(
            "properties.disableLocalAuth", bool | None, "Account keys refused: Microsoft Entra only."
        ),
    },
)

ACR = SOURCES.declare(
    "azure.acr.registry",
    "Container registry",
    arm_type="microsoft.containerregistry/registries",
    fields={
        "admin_user_enabled": graph(
            "properties.adminUserEnabled", bool | None, "The shared admin account is on."
        ),
        "public_network_access": graph("properties.publicNetworkAccess", str | None, PUBLIC_NETWORK_ACCESS),
    },
)

# ------------------------------------------------------------------ RBAC, Defender

ROLE_DEFINITION = SOURCES.declare(
    "azure.authorization.role_definition",
    "Role definition",
    table="authorizationresources",
    arm_type="microsoft.authorization/roledefinitions",
    scope="subscription",
    name_attr="role_name",
    fields={
        "role_name": graph("properties.roleName", str | None, "Display name."),
        "role_type": graph("properties.type", str | None, "BuiltInRole or CustomRole."),
        "actions": graph(
            "properties.permissions", list[Any], "Every action it grants.", convert=N.role_actions
        ),
        "assignable_scopes": graph(
            "properties.assignableScopes",
            list[Any],
            "Scopes it can be assigned at (lower-case).",
            convert=N.lower_list,
        ),
    },
)

ROLE_ASSIGNMENT = SOURCES.declare(
    "azure.authorization.role_assignment",
    "Role assignment",
    table="authorizationresources",
    arm_type="microsoft.authorization/roleassignments",
    scope="subscription",
    fields={
        "role_guid": graph(
            "properties.roleDefinitionId",
            str | None,
            "GUID of the role definition assigned.",
            convert=N.role_guid,
        ),
        "principal_id": graph("properties.principalId", str | None, "Object id of the principal."),
        "principal_type": graph("properties.principalType", str | None, "User, Group, ServicePrincipal..."),
        "scope": graph(
            "properties.scope", str | None, "Where it is assigned (lower-case id).", convert=N.lower_id
        ),
    },
)

DEFENDER_PRICING = SOURCES.declare(
    "azure.defender.pricing",
    "Defender for Cloud plan",
    table="securityresources",
    arm_type="microsoft.security/pricings",
    scope="subscription",
    fields={
        "pricing_tier": graph("properties.pricingTier", str | None, "Free (plan off) or Standard (plan on)."),
        "sub_plan": graph("properties.subPlan", str | None, "The plan's sub-plan, where it has them."),
    },
)

# ------------------------------------------------------------------ derived subscription views

WATCHER_COVERAGE = TYPES.declare(
    "azure.network.watcher_coverage",
    "Network Watcher coverage of a subscription",
    {
        "subscription_id": attr(str, "The subscription."),
        "used_regions": attr(list[Any], "Regions that hold any collected resource (global excluded)."),
        "watcher_regions": attr(list[Any], "Regions with a Network Watcher."),
    },
    scope="subscription",
    derived=True,
)

DEFENDER_PLANS = TYPES.declare(
    "azure.defender.plans",
    "Defender for Cloud plans of a subscription",
    {
        "subscription_id": attr(str, "The subscription."),
        "tiers": attr(dict[str, Any], "Plan name (VirtualMachines, StorageAccounts, ...) -> pricing tier."),
    },
    scope="subscription",
    derived=True,
)

ALERT_COVERAGE = TYPES.declare(
    "azure.monitor.alert_coverage",
    "Activity-log alert coverage of a subscription",
    {
        "subscription_id": attr(str, "The subscription."),
        "operations": attr(
            list[Any],
            "Operation names (lower-case) watched by an enabled activity-log alert rule that covers the "
            "whole subscription and notifies an action group.",
        ),
    },
    scope="subscription",
    derived=True,
)
