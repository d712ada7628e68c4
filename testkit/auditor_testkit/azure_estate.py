"""The Azure reference estate for `FakeAzure`: a tenant with a management group tree and three
subscriptions, whose resources are named for the verdict every check must give them.

- `pass-prod` (PROD): `pass-*` resources that pass every check of their type, in westeurope and
  northeurope, each region with a Network Watcher; two Owners; every Defender plan on; a security
  contact with alert mails; the activity log exported with every category; alerts on policy, NSG
  and SQL firewall changes.
- `fail-dev` (DEV): `fail-*` resources that fail every check of their type, in westeurope and
  eastus (no watcher there); one Owner; Defender plans off; no contact; a partial activity-log
  export; one disabled alert.
- `old-sandbox` (DISABLED): state Disabled, holding a storage account that must never be read.

Management groups: `mg-root` > `mg-prod` (PROD), `mg-dev` (DEV), and DISABLED directly.
Wire shapes follow the ARM REST API of each service; API versions and RBAC actions are written
here by hand (not imported from the collector), so the permission test compares two sources.
`CANARY` is planted in app settings, connection strings, a secret value and the SQL audit storage key:
no output may hold it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from auditor_testkit.azure_fake import TENANT, AzureEstate

__all__ = ["CANARY", "DEV", "DISABLED", "PROD", "RESTRICTED", "TENANT", "bulk_estate", "reference_estate"]

PROD = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
DEV = "1c2d3e4f-5061-4728-93a4-b5c6d7e8f901"
DISABLED = "2d3e4f50-6172-4839-a4b5-c6d7e8f90a12"
RESTRICTED = "3e4f5061-7283-494a-b5c6-d7e8f90a1b23"
CANARY = "canary-azure-9d1c7f3e-value-must-never-be-stored"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"

DIAG = "2021-05-01-preview"
SQL = "2021-11-01"


def _rid(sub: str, rg: str, provider: str, *parts: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/" + "/".join(parts)


class _Builder:
    def __init__(self) -> None:
        self.e = AzureEstate(tenant_id=TENANT)

    def resource(self, rid: str, type_: str, location: str, properties: dict[str, Any], **extra: Any) -> str:
        self.e.add(
            "resources",
            {
                "id": rid,
                "name": rid.rsplit("/", 1)[-1],
                "type": type_,
                "location": location,
                "tags": extra.pop("tags", {"env": "test"}),
                "properties": properties,
                **extra,
            },
        )
        return rid

    # ------------------------------------------------------------------ subscriptions

    def subscription(self, sub: str, name: str, state: str = "Enabled", groups: tuple[str, ...] = ()) -> None:
        self.e.subscriptions.append(
            {
                "id": f"/subscriptions/{sub}",
                "subscriptionId": sub,
                "displayName": name,
                "tenantId": TENANT,
                "state": state,
                "subscriptionPolicies": {
                    "locationPlacementId": "Public_2014-09-01",
                    "quotaId": "PayAsYouGo_2014-09-01",
                },
                "authorizationSource": "RoleBased",
            }
        )
        self.e.add(
            "resourcecontainers",
            {
                "id": f"/subscriptions/{sub}",
                "name": sub,
                "type": "microsoft.resources/subscriptions",
                "location": "",
                "tags": {},
                "properties": {
                    "state": state,
                    "managementGroupAncestorsChain": [{"name": g, "displayName": g} for g in groups],
                },
            },
        )

    def diag_settings(self, scope: str, settings: list[dict[str, Any]]) -> None:
        self.e.list(
            f"{scope}/providers/Microsoft.Insights/diagnosticSettings",
            DIAG,
            "Microsoft.Insights/diagnosticSettings/read",
            settings,
        )

    @staticmethod
    def setting(scope: str, name: str, categories: list[str], *, group: bool = False) -> dict[str, Any]:
        key = "categoryGroup" if group else "category"
        return {
            "id": f"{scope}/providers/microsoft.insights/diagnosticSettings/{name}",
            "name": name,
            "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {
                "workspaceId": f"/subscriptions/{PROD}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/central",
                "logs": [{key: c, "enabled": True} for c in categories],
            },
        }

    def contacts(self, sub: str, items: list[dict[str, Any]]) -> None:
        self.e.list(
            f"/subscriptions/{sub}/providers/Microsoft.Security/securityContacts",
            "2023-12-01-preview",
            "Microsoft.Security/securityContacts/read",
            items,
        )

    def alerts(self, sub: str, items: list[dict[str, Any]]) -> None:
        self.e.list(
            f"/subscriptions/{sub}/providers/Microsoft.Insights/activityLogAlerts",
            "2020-10-01",
            "Microsoft.Insights/activityLogAlerts/read",
            items,
        )

    @staticmethod
    def alert(sub: str, name: str, operation: str, *, enabled: bool = True) -> dict[str, Any]:
        return {
            "id": _rid(sub, "monitoring", "Microsoft.Insights", "activityLogAlerts", name),
            "name": name,
            "type": "Microsoft.Insights/ActivityLogAlerts",
            "location": "global",
            "properties": {
                "scopes": [f"/subscriptions/{sub}"],
                "condition": {
                    "allOf": [
                        {"field": "category", "equals": "Administrative"},
                        {"field": "operationName", "equals": operation},
                    ]
                },
                "actions": {
                    "actionGroups": [
                        {
                            "actionGroupId": _rid(
                                sub, "monitoring", "microsoft.insights", "actionGroups", "secops"
                            )
                        }
                    ]
                },
                "enabled": enabled,
            },
        }

    def pricings(self, sub: str, tier: str) -> None:
        for plan in (
            "VirtualMachines",
            "StorageAccounts",
            "SqlServers",
            "SqlServerVirtualMachines",
            "KeyVaults",
            "Containers",
            "Arm",
            "AppServices",
        ):
            self.e.add(
                "securityresources",
                {
                    "id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/{plan}",
                    "name": plan,
                    "type": "microsoft.security/pricings",
                    "location": "",
                    "properties": {"pricingTier": tier, "freeTrialRemainingTime": "PT0S"}
                    | ({"subPlan": "P2"} if plan == "VirtualMachines" and tier == "Standard" else {}),
                },
            )

    def role_definition(
        self, sub: str, name: str, role_type: str, actions: list[str], scopes: list[str]
    ) -> None:
        digest = hashlib.sha256(name.encode()).hexdigest()
        guid = {"Owner": OWNER, "Reader": READER}.get(
            name, f"{digest[:8]}-{digest[8:12]}-4000-8000-{digest[12:24]}"
        )
        self.e.add(
            "authorizationresources",
            {
                "id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
                "name": guid,
                "type": "microsoft.authorization/roledefinitions",
                "location": "",
                "properties": {
                    "roleName": name,
                    "type": role_type,
                    "description": f"{name} role",
                    "assignableScopes": scopes,
                    "permissions": [
                        {"actions": actions, "notActions": [], "dataActions": [], "notDataActions": []}
                    ],
                },
            },
        )

    def assignment(self, sub: str, n: int, role: str, principal: str, principal_type: str = "User") -> None:
        aid = f"{n:08d}-aaaa-4bbb-8ccc-{sub[-12:]}"
        self.e.add(
            "authorizationresources",
            {
                "id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{aid}",
                "name": aid,
                "type": "microsoft.authorization/roleassignments",
                "location": "",
                "properties": {
                    "roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                    "principalId": principal,
                    "principalType": principal_type,
                    "scope": f"/subscriptions/{sub}",
                    "createdOn": "2025-01-10T09:00:00Z",
                },
            },
        )

    # ------------------------------------------------------------------ services

    def storage(self, sub: str, name: str, location: str, good: bool, *, kind: str = "StorageV2") -> str:
        rid = _rid(sub, "data", "Microsoft.Storage", "storageAccounts", name)
        self.resource(
            rid,
            "Microsoft.Storage/storageAccounts",
            location,
            {
                "supportsHttpsTrafficOnly": good,
                "minimumTlsVersion": "TLS1_2" if good else "TLS1_0",
                "allowBlobPublicAccess": not good,
                "allowSharedKeyAccess": not good,
                "networkAcls": {
                    "defaultAction": "Deny" if good else "Allow",
                    "bypass": "AzureServices",
                    "ipRules": [],
                },
                "encryption": {
                    "requireInfrastructureEncryption": good,
                    "keySource": "Microsoft.Keyvault" if good else "Microsoft.Storage",
                    "services": {"blob": {"enabled": True, "keyType": "Account"}},
                },
                "provisioningState": "Succeeded",
                "primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/"},
            },
            kind=kind,
            sku={"name": "Standard_LRS", "tier": "Standard"},
        )
        if kind != "FileStorage":
            self.e.get(
                f"{rid}/blobServices/default",
                "2023-05-01",
                "Microsoft.Storage/storageAccounts/blobServices/read",
                {
                    "id": f"{rid}/blobServices/default",
                    "name": "default",
                    "type": "Microsoft.Storage/storageAccounts/blobServices",
                    "properties": {
                        "deleteRetentionPolicy": {"enabled": good, "days": 14 if good else 1},
                        "containerDeleteRetentionPolicy": {"enabled": good, "days": 14}
                        if good
                        else {"enabled": False},
                        "isVersioningEnabled": good,
                    },
                },
            )
        return rid

    def keyvault(self, sub: str, name: str, location: str, good: bool) -> str:
        rid = _rid(sub, "security", "Microsoft.KeyVault", "vaults", name)
        self.resource(
            rid,
            "Microsoft.KeyVault/vaults",
            location,
            {
                "tenantId": TENANT,
                "sku": {"family": "A", "name": "standard"},
                "enableSoftDelete": good,
                "enablePurgeProtection": True if good else None,
                "enableRbacAuthorization": good,
                "publicNetworkAccess": "Disabled" if good else "Enabled",
                "networkAcls": {"defaultAction": "Deny" if good else "Allow", "bypass": "AzureServices"},
                "vaultUri": f"https://{name}.vault.azure.net/",
                "accessPolicies": []
                if good
                else [{"tenantId": TENANT, "objectId": "0000", "permissions": {"secrets": ["all"]}}],
            },
        )
        self.diag_settings(rid, [self.setting(rid, "to-central", ["audit"], group=True)] if good else [])
        prefix = "pass" if good else "fail"
        key = {
            "id": f"{rid}/keys/{prefix}-key",
            "name": f"{prefix}-key",
            "type": "Microsoft.KeyVault/vaults/keys",
            "location": location,
            "properties": {
                "attributes": {"enabled": True, "created": 1735000000, "updated": 1735000000}
                | ({"exp": 1798000000} if good else {}),
                "kty": "RSA",
                "keyOps": ["wrapKey", "unwrapKey"],
                "keySize": 2048,
                "keyUri": f"https://{name}.vault.azure.net/keys/{prefix}-key",
                "rotationPolicy": {
                    "attributes": {"expiryTime": "P1Y"},
                    "lifetimeActions": [
                        {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "rotate"}}
                    ],
                }
                if good
                else None,
            },
        }
        disabled_key = {
            "id": f"{rid}/keys/old-disabled",
            "name": "old-disabled",
            "type": "Microsoft.KeyVault/vaults/keys",
            "location": location,
            "properties": {"attributes": {"enabled": False}, "kty": "EC"},
        }
        self.e.list(f"{rid}/keys", "2023-07-01", "Microsoft.KeyVault/vaults/keys/read", [key, disabled_key])
        secret = {
            "id": f"{rid}/secrets/{prefix}-secret",
            "name": f"{prefix}-secret",
            "type": "Microsoft.KeyVault/vaults/secrets",
            "location": location,
            # the real management API never returns `value`; the fake does, to prove it is masked
            "properties": {
                "attributes": {"enabled": True} | ({"exp": 1798000000} if good else {}),
                "contentType": "text/plain",
                "secretUri": f"https://{name}.vault.azure.net/secrets/{prefix}-secret",
                "value": CANARY,
            },
        }
        self.e.list(f"{rid}/secrets", "2023-07-01", "Microsoft.KeyVault/vaults/secrets/read", [secret])
        return rid

    def network(self, sub: str, prefix: str, location: str, good: bool) -> str:
        vnet = _rid(sub, "network", "Microsoft.Network", "virtualNetworks", f"{prefix}-vnet")
        nsg = _rid(sub, "network", "Microsoft.Network", "networkSecurityGroups", f"{prefix}-nsg")
        source = "10.0.0.0/8" if good else None

        def rule(name: str, port: str, protocol: str, priority: int, src: str) -> dict[str, Any]:
            return {
                "id": f"{nsg}/securityRules/{name}",
                "name": name,
                "properties": {
                    "protocol": protocol,
                    "sourcePortRange": "*",
                    "destinationPortRange": port,
                    "sourceAddressPrefix": source or src,
                    "destinationAddressPrefix": "*",
                    "access": "Allow",
                    "priority": priority,
                    "direction": "Inbound",
                },
            }

        rules = [
            rule("ssh", "22", "Tcp", 100, "*"),
            rule("rdp", "3389", "*", 110, "Internet"),
            rule("dns", "53", "Udp", 120, "0.0.0.0/0"),
            rule("everything", "0-65535", "*", 130, "Any"),
        ]
        self.resource(
            nsg,
            "Microsoft.Network/networkSecurityGroups",
            location,
            {
                "securityRules": rules,
                "defaultSecurityRules": [],
                "subnets": [{"id": f"{vnet}/subnets/default"}],
                "provisioningState": "Succeeded",
            },
        )
        return nsg

    @staticmethod
    def watcher_id(sub: str, location: str) -> str:
        return _rid(
            sub, "NetworkWatcherRG", "Microsoft.Network", "networkWatchers", f"NetworkWatcher_{location}"
        )

    def watcher(self, sub: str, location: str, flow_logs: list[dict[str, Any]]) -> str:
        rid = self.watcher_id(sub, location)
        self.resource(rid, "Microsoft.Network/networkWatchers", location, {"provisioningState": "Succeeded"})
        self.e.list(
            f"{rid}/flowLogs", "2023-09-01", "Microsoft.Network/networkWatchers/flowLogs/read", flow_logs
        )
        return rid

    @staticmethod
    def flow_log(
        watcher: str, name: str, target: str, location: str, days: int, enabled: bool = True
    ) -> dict[str, Any]:
        return {
            "id": f"{watcher}/flowLogs/{name}",
            "name": name,
            "type": "Microsoft.Network/networkWatchers/flowLogs",
            "location": location,
            "properties": {
                "targetResourceId": target,
                "storageId": f"{watcher.split('/resourceGroups/')[0]}/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/flowlogs",
                "enabled": enabled,
                "retentionPolicy": {"days": days, "enabled": days > 0},
                "format": {"type": "JSON", "version": 2},
            },
        }

    def vm(self, sub: str, prefix: str, location: str, good: bool) -> tuple[str, str]:
        vm = _rid(sub, "compute", "Microsoft.Compute", "virtualMachines", f"{prefix}-vm")
        nic = _rid(sub, "compute", "Microsoft.Network", "networkInterfaces", f"{prefix}-nic")
        disk = _rid(sub, "compute", "Microsoft.Compute", "disks", f"{prefix}-osdisk")
        os_disk: dict[str, Any] = {"osType": "Linux", "name": f"{prefix}-osdisk", "createOption": "FromImage"}
        if good:
            os_disk["managedDisk"] = {"id": disk, "storageAccountType": "Premium_LRS"}
        else:
            os_disk["vhd"] = {"uri": f"https://{prefix}vhds.blob.core.windows.net/vhds/{prefix}-os.vhd"}
        self.resource(
            vm,
            "Microsoft.Compute/virtualMachines",
            location,
            {
                "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
                "storageProfile": {
                    "osDisk": os_disk,
                    "dataDisks": []
                    if good
                    else [
                        {
                            "lun": 0,
                            "name": "data0",
                            "vhd": {"uri": "https://x.blob.core.windows.net/vhds/data0.vhd"},
                        }
                    ],
                },
                "securityProfile": {"encryptionAtHost": good},
                "networkProfile": {"networkInterfaces": [{"id": nic}]},
                "osProfile": {"computerName": f"{prefix}-vm", "adminUsername": "azureuser"},
                "provisioningState": "Succeeded",
            },
        )
        pip = _rid(sub, "compute", "Microsoft.Network", "publicIPAddresses", f"{prefix}-pip")
        ipconfig: dict[str, Any] = {"privateIPAddress": "10.1.0.4", "subnet": {"id": f"{prefix}-subnet"}}
        if not good:
            ipconfig["publicIPAddress"] = {"id": pip}
        self.resource(
            nic,
            "Microsoft.Network/networkInterfaces",
            location,
            {
                "ipConfigurations": [{"name": "ipconfig1", "properties": ipconfig}],
                "virtualMachine": {"id": vm},
            },
        )
        return vm, disk

    def disk(self, sub: str, name: str, location: str, managed_by: str | None, encryption: str) -> str:
        rid = _rid(sub, "compute", "Microsoft.Compute", "disks", name)
        self.resource(
            rid,
            "Microsoft.Compute/disks",
            location,
            {
                "diskSizeGB": 64,
                "diskState": "Attached" if managed_by else "Unattached",
                "encryption": {"type": encryption},
                "provisioningState": "Succeeded",
            },
            managedBy=managed_by,
            sku={"name": "Premium_LRS"},
        )
        return rid

    def sql(self, sub: str, prefix: str, location: str, good: bool) -> None:
        server = _rid(sub, "data", "Microsoft.Sql", "servers", f"{prefix}-sql")
        self.resource(
            server,
            "Microsoft.Sql/servers",
            location,
            {
                "administratorLogin": "sqladmin",
                "version": "12.0",
                "publicNetworkAccess": "Disabled" if good else "Enabled",
                "minimalTlsVersion": "1.2",
                "fullyQualifiedDomainName": f"{prefix}-sql.database.windows.net",
            },
            kind="v12.0",
        )
        self.e.get(
            f"{server}/auditingSettings/default",
            SQL,
            "Microsoft.Sql/servers/auditingSettings/read",
            {
                "id": f"{server}/auditingSettings/Default",
                "name": "Default",
                "type": "Microsoft.Sql/servers/auditingSettings",
                "properties": {
                    "state": "Enabled" if good else "Disabled",
                    "retentionDays": 90 if good else 0,
                    "auditActionsAndGroups": ["SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP"],
                    "isAzureMonitorTargetEnabled": good,
                    "storageAccountAccessKey": CANARY,
                },
            },
        )
        admins = (
            [
                {
                    "id": f"{server}/administrators/ActiveDirectory",
                    "name": "ActiveDirectory",
                    "type": "Microsoft.Sql/servers/administrators",
                    "properties": {
                        "administratorType": "ActiveDirectory",
                        "login": "sql-admins",
                        "sid": "3c6e2f3a-0000-4000-8000-000000000001",
                        "tenantId": TENANT,
                        "azureADOnlyAuthentication": True,
                    },
                }
            ]
            if good
            else []
        )
        self.e.list(f"{server}/administrators", SQL, "Microsoft.Sql/servers/administrators/read", admins)
        rules = [
            {
                "name": "office",
                "properties": {"startIpAddress": "203.0.113.10", "endIpAddress": "203.0.113.20"},
            }
        ]
        if not good:
            rules.append(
                {
                    "name": "AllowAll",
                    "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"},
                }
            )
        self.e.list(
            f"{server}/firewallRules",
            SQL,
            "Microsoft.Sql/servers/firewallRules/read",
            [
                {
                    "id": f"{server}/firewallRules/{r['name']}",
                    "type": "Microsoft.Sql/servers/firewallRules",
                    **r,
                }
                for r in rules
            ],
        )
        for db, tde in (("master", "Enabled"), (f"{prefix}-db", "Enabled" if good else "Disabled")):
            rid = f"{server}/databases/{db}"
            self.resource(
                rid,
                "Microsoft.Sql/servers/databases",
                location,
                {"status": "Online", "collation": "SQL_Latin1_General_CP1_CI_AS"},
            )
            if db != "master":
                self.e.get(
                    f"{rid}/transparentDataEncryption/current",
                    SQL,
                    "Microsoft.Sql/servers/databases/transparentDataEncryption/read",
                    {
                        "id": f"{rid}/transparentDataEncryption/Current",
                        "name": "Current",
                        "properties": {"state": tde},
                    },
                )

    def flexible(
        self, sub: str, name: str, location: str, engine: str, params: dict[str, str], public: bool
    ) -> None:
        namespace, api = {
            "postgres": ("Microsoft.DBforPostgreSQL", "2022-12-01"),
            "mysql": ("Microsoft.DBforMySQL", "2023-12-30"),
        }[engine]
        rid = _rid(sub, "data", namespace, "flexibleServers", name)
        self.resource(
            rid,
            f"{namespace}/flexibleServers",
            location,
            {
                "version": "16" if engine == "postgres" else "8.0.21",
                "state": "Ready",
                "network": {"publicNetworkAccess": "Enabled" if public else "Disabled"},
                "administratorLogin": "dbadmin",
            },
        )
        # many parameters, as a real server lists (hundreds): the unrelated ones page with nextLink
        noise = {f"unrelated_param_{i:02d}": "off" for i in range(8)}
        items = [
            {
                "id": f"{rid}/configurations/{k}",
                "name": k,
                "type": f"{namespace}/flexibleServers/configurations",
                "properties": {"value": v, "source": "user-override", "dataType": "Enumeration"},
            }
            for k, v in {**noise, **params}.items()
        ]
        self.e.list(f"{rid}/configurations", api, f"{namespace}/flexibleServers/configurations/read", items)

    def web_app(self, sub: str, name: str, location: str, good: bool) -> None:
        rid = _rid(sub, "web", "Microsoft.Web", "sites", name)
        secrets = {
            "appSettings": [{"name": "DB_CONN", "value": CANARY}, {"name": "FEATURE_FLAG", "value": CANARY}],
            "connectionStrings": [{"name": "main", "connectionString": CANARY, "type": "SQLAzure"}],
        }
        self.resource(
            rid,
            "Microsoft.Web/sites",
            location,
            {
                "state": "Running",
                "httpsOnly": good,
                "defaultHostName": f"{name}.azurewebsites.net",
                "serverFarmId": _rid(sub, "web", "Microsoft.Web", "serverfarms", "plan"),
                # Resource Graph holds a sparse siteConfig; a collector that projected it whole would leak this
                "siteConfig": {"minTlsVersion": None, **secrets},
            },
            kind="app,linux",
            identity={
                "type": "SystemAssigned",
                "principalId": "11111111-0000-4000-8000-000000000001",
                "tenantId": TENANT,
            }
            if good
            else None,
        )
        self.e.get(
            f"{rid}/config/web",
            "2023-12-01",
            "Microsoft.Web/sites/config/read",
            {
                "id": f"{rid}/config/web",
                "name": "web",
                "type": "Microsoft.Web/sites/config",
                "properties": {
                    "minTlsVersion": "1.2" if good else "1.0",
                    "ftpsState": "Disabled" if good else "AllAllowed",
                    "remoteDebuggingEnabled": not good,
                    "http20Enabled": good,
                    "linuxFxVersion": "PYTHON|3.12",
                    **secrets,
                },
            },
        )

    def aks(self, sub: str, name: str, location: str, good: bool) -> None:
        rid = _rid(sub, "k8s", "Microsoft.ContainerService", "managedClusters", name)
        self.resource(
            rid,
            "Microsoft.ContainerService/managedClusters",
            location,
            {
                "kubernetesVersion": "1.30.4",
                "enableRBAC": good,
                "aadProfile": {"managed": True, "enableAzureRBAC": True, "tenantID": TENANT}
                if good
                else None,
                "disableLocalAccounts": good,
                "apiServerAccessProfile": {
                    "enablePrivateCluster": False,
                    "authorizedIPRanges": ["203.0.113.0/24"],
                }
                if good
                else {"enablePrivateCluster": False},
                "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium" if good else None},
                "addonProfiles": {"azurepolicy": {"enabled": good, "config": None}},
                "autoUpgradeProfile": {"upgradeChannel": "patch" if good else "none"},
                "agentPoolProfiles": [{"name": "system", "count": 3, "vmSize": "Standard_D4s_v5"}],
            },
            sku={"name": "Base", "tier": "Standard"},
        )

    def ml(self, sub: str, name: str, location: str, good: bool) -> None:
        rid = _rid(sub, "ml", "Microsoft.MachineLearningServices", "workspaces", name)
        self.resource(
            rid,
            "Microsoft.MachineLearningServices/workspaces",
            location,
            {
                "friendlyName": name,
                "publicNetworkAccess": "Disabled" if good else "Enabled",
                "hbiWorkspace": good,
                "encryption": {"status": "Enabled" if good else "Disabled", "keyVaultProperties": {}},
                "storageAccount": _rid(sub, "ml", "Microsoft.Storage", "storageAccounts", f"{name}store"),
            },
            kind="Default",
        )
        prefix = "pass" if good else "fail"
        compute = {
            "id": f"{rid}/computes/{prefix}-compute",
            "name": f"{prefix}-compute",
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "location": location,
            "properties": {
                "computeType": "ComputeInstance",
                "provisioningState": "Succeeded",
                "properties": {
                    "vmSize": "STANDARD_DS3_V2",
                    "enableNodePublicIp": not good,
                    "sshSettings": {
                        "sshPublicAccess": "Disabled" if good else "Enabled",
                        "adminUserName": "azureuser",
                    },
                },
            },
        }
        self.e.list(
            f"{rid}/computes",
            "2024-04-01",
            "Microsoft.MachineLearningServices/workspaces/computes/read",
            [compute],
        )

    def cosmos(self, sub: str, name: str, location: str, good: bool) -> None:
        self.resource(
            _rid(sub, "data", "Microsoft.DocumentDB", "databaseAccounts", name),
            "Microsoft.DocumentDB/databaseAccounts",
            location,
            {
                "databaseAccountOfferType": "Standard",
                "publicNetworkAccess": "Enabled",
                "isVirtualNetworkFilterEnabled": False,
                "ipRules": [{"ipAddressOrRange": "203.0.113.0/24"}] if good else [],
                "disableLocalAuth": good,
            },
            kind="GlobalDocumentDB",
        )

    def acr(self, sub: str, name: str, location: str, good: bool) -> None:
        self.resource(
            _rid(sub, "build", "Microsoft.ContainerRegistry", "registries", name),
            "Microsoft.ContainerRegistry/registries",
            location,
            {
                "adminUserEnabled": not good,
                "publicNetworkAccess": "Disabled" if good else "Enabled",
                "loginServer": f"{name}.azurecr.io",
            },
            sku={"name": "Premium", "tier": "Premium"},
        )


_PG = {
    "require_secure_transport": "on",
    "ssl_min_protocol_version": "TLSv1.2",
    "log_checkpoints": "on",
    "log_connections": "on",
    "log_disconnections": "on",
    "connection_throttle.enable": "on",
    "logfiles.retention_days": "7",
}
_PG_BAD = {
    "require_secure_transport": "off",
    "ssl_min_protocol_version": "TLSv1",
    "log_checkpoints": "off",
    "log_connections": "on",
    "log_disconnections": "off",
    "connection_throttle.enable": "off",
    "logfiles.retention_days": "3",
}
_MYSQL = {
    "require_secure_transport": "ON",
    "tls_version": "TLSv1.2,TLSv1.3",
    "audit_log_enabled": "ON",
    "audit_log_events": "CONNECTION,DDL",
}
_MYSQL_BAD = {
    "require_secure_transport": "OFF",
    "tls_version": "TLSv1.1,TLSv1.2",
    "audit_log_enabled": "OFF",
    "audit_log_events": "DDL",
}


def _subscription_level(b: _Builder, sub: str, good: bool) -> None:
    scope = f"/subscriptions/{sub}"
    exported = (
        b.setting(scope, "activity-to-central", ["allLogs"], group=True)
        if good
        else b.setting(scope, "activity-to-central", ["Administrative"])
    )
    b.diag_settings(scope, [exported])
    b.contacts(
        sub,
        [
            {
                "id": f"{scope}/providers/Microsoft.Security/securityContacts/default",
                "name": "default",
                "type": "Microsoft.Security/securityContacts",
                "properties": {
                    "emails": "secops@example.com",
                    "phone": "+1-555-0100",
                    "isEnabled": True,
                    "notificationsByRole": {"state": "On", "roles": ["Owner"]},
                    "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Medium"}],
                },
            }
        ]
        if good
        else [],
    )
    if good:
        ops = [
            "Microsoft.Authorization/policyAssignments/write",
            "Microsoft.Authorization/policyAssignments/delete",
            "Microsoft.Network/networkSecurityGroups/write",
            "Microsoft.Network/networkSecurityGroups/delete",
            "Microsoft.Sql/servers/firewallRules/write",
            "Microsoft.Sql/servers/firewallRules/delete",
        ]
        b.alerts(sub, [b.alert(sub, op.replace("/", "-").replace(".", "").lower(), op) for op in ops])
    else:
        b.alerts(
            sub, [b.alert(sub, "nsg-write", "Microsoft.Network/networkSecurityGroups/write", enabled=False)]
        )
    b.pricings(sub, "Standard" if good else "Free")


def reference_estate(*, restricted: bool = False) -> AzureEstate:
    """The estate above; with `restricted`, a fourth subscription `restricted-lab` below `mg-root`
    holding a storage account (forbid it on the fake to show an access_denied subscription)."""
    b = _Builder()
    b.subscription(PROD, "pass-prod", groups=("mg-prod", "mg-root"))
    b.subscription(DEV, "fail-dev", groups=("mg-dev", "mg-root"))
    b.subscription(DISABLED, "old-sandbox", state="Disabled", groups=("mg-root",))
    b.e.management_groups = {
        "mg-root": [
            {
                "id": "/providers/Microsoft.Management/managementGroups/mg-prod",
                "type": "Microsoft.Management/managementGroups",
                "name": "mg-prod",
                "properties": {
                    "displayName": "Production",
                    "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-root"},
                },
            },
            {
                "id": f"/subscriptions/{PROD}",
                "type": "/subscriptions",
                "name": PROD,
                "properties": {
                    "displayName": "pass-prod",
                    "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-prod"},
                },
            },
            {
                "id": "/providers/Microsoft.Management/managementGroups/mg-dev",
                "type": "Microsoft.Management/managementGroups",
                "name": "mg-dev",
                "properties": {
                    "displayName": "Development",
                    "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-root"},
                },
            },
            {
                "id": f"/subscriptions/{DEV}",
                "type": "/subscriptions",
                "name": DEV,
                "properties": {
                    "displayName": "fail-dev",
                    "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-dev"},
                },
            },
            {
                "id": f"/subscriptions/{DISABLED}",
                "type": "/subscriptions",
                "name": DISABLED,
                "properties": {
                    "displayName": "old-sandbox",
                    "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-root"},
                },
            },
        ],
        "mg-prod": [
            {
                "id": f"/subscriptions/{PROD}",
                "type": "/subscriptions",
                "name": PROD,
                "properties": {
                    "displayName": "pass-prod",
                    "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-prod"},
                },
            },
        ],
    }
    # roles: a built-in Owner and Reader, one narrow and one wildcard custom role
    for sub in (PROD, DEV):
        b.role_definition(sub, "Owner", "BuiltInRole", ["*"], ["/"])
        b.role_definition(sub, "Reader", "BuiltInRole", ["*/read"], ["/"])
    b.role_definition(
        PROD,
        "pass-role",
        "CustomRole",
        ["Microsoft.Compute/virtualMachines/restart/action", "*/read"],
        [f"/subscriptions/{PROD}"],
    )
    b.role_definition(DEV, "fail-role", "CustomRole", ["*"], [f"/subscriptions/{DEV}"])
    b.assignment(PROD, 1, OWNER, "aaaaaaaa-0000-4000-8000-000000000001")
    b.assignment(PROD, 2, OWNER, "aaaaaaaa-0000-4000-8000-000000000002", "Group")
    b.assignment(PROD, 3, READER, "aaaaaaaa-0000-4000-8000-000000000003", "ServicePrincipal")
    b.assignment(DEV, 1, OWNER, "bbbbbbbb-0000-4000-8000-000000000001")
    b.assignment(DEV, 2, READER, "bbbbbbbb-0000-4000-8000-000000000002")

    for sub, good in ((PROD, True), (DEV, False)):
        _subscription_level(b, sub, good)
        p = "pass" if good else "fail"
        west, other = ("westeurope", "northeurope") if good else ("westeurope", "eastus")
        b.storage(sub, f"{p}storage", west, good)
        b.keyvault(sub, f"{p}-kv", west, good)
        nsg = b.network(sub, p, west, good)
        vm, _ = b.vm(sub, p, other, good)
        if good:
            b.disk(sub, f"{p}-osdisk", other, vm, "EncryptionAtRestWithPlatformKey")
            b.disk(sub, f"{p}-datadisk", other, vm, "EncryptionAtRestWithCustomerKey")
        else:
            b.disk(sub, f"{p}-orphan", other, None, "EncryptionAtRestWithPlatformKey")
        b.sql(sub, p, west, good)
        b.flexible(sub, f"{p}-pg", west, "postgres", _PG if good else _PG_BAD, public=not good)
        b.flexible(sub, f"{p}-mysql", west, "mysql", _MYSQL if good else _MYSQL_BAD, public=not good)
        b.web_app(sub, f"{p}-app", west, good)
        b.aks(sub, f"{p}-aks", other, good)
        b.ml(sub, f"{p}-ml", west, good)
        b.cosmos(sub, f"{p}-cosmos", west, good)
        b.acr(sub, f"{p}acr", west, good)
        legacy = _rid(sub, "network", "Microsoft.Network", "virtualNetworks", "legacy-vnet")
        log = b.flow_log(
            b.watcher_id(sub, "westeurope"),
            f"{p}-flowlog",
            nsg if good else legacy,
            "westeurope",
            90 if good else 7,
        )
        b.watcher(sub, "westeurope", [log])
        if good:
            b.watcher(sub, "northeurope", [])
    # a FileStorage account has no blob service: its soft-delete checks are not applicable
    b.storage(PROD, "filesonly", "westeurope", True, kind="FileStorage")
    # the disabled subscription holds something that must never be read
    b.storage(DISABLED, "neverread", "westeurope", False)
    if restricted:
        b.subscription(RESTRICTED, "restricted-lab", groups=("mg-root",))
        b.storage(RESTRICTED, "labstorage", "westeurope", False)
        b.e.management_groups["mg-root"].append(
            {
                "id": f"/subscriptions/{RESTRICTED}",
                "type": "/subscriptions",
                "name": RESTRICTED,
                "properties": {"displayName": "restricted-lab"},
            }
        )
    return b.e


def bulk_estate(subscriptions: int, per_subscription: int) -> AzureEstate:
    """`subscriptions` subscriptions of `per_subscription` resources each, for the benchmark: a mix
    of types with and without per-resource reads (storage, Key Vault, SQL, web apps, NSGs, VMs...)."""
    b = _Builder()
    # kind -> (how to make one, good or bad; how many resources it makes)
    makers: dict[str, tuple[Callable[[str, str, str, bool], object], int]] = {
        "storage": (b.storage, 1),
        "nsg": (b.network, 1),
        "vm": (b.vm, 2),
        "keyvault": (b.keyvault, 1),
        "sql": (b.sql, 3),
        "app": (b.web_app, 1),
        "disk": (lambda s, n, loc, _good: b.disk(s, n, loc, None, "EncryptionAtRestWithPlatformKey"), 1),
        "cosmos": (b.cosmos, 1),
        "acr": (b.acr, 1),
        "aks": (b.aks, 1),
    }
    kinds = list(makers)
    for i in range(subscriptions):
        sub = f"{i:08x}-0000-4000-8000-{i:012x}"
        b.subscription(sub, f"bulk-{i:03d}", groups=("mg-bulk",))
        _subscription_level(b, sub, i % 2 == 0)
        b.role_definition(sub, "Owner", "BuiltInRole", ["*"], ["/"])
        b.assignment(sub, 1, OWNER, f"cccccccc-0000-4000-8000-{i:012x}")
        made = n = 0
        while made < per_subscription:
            kind = kinds[n % len(kinds)]
            name, loc = f"b{i:03d}{kind}{n:03d}", ("westeurope", "northeurope", "eastus")[n % 3]
            make, count = makers[kind]
            make(sub, name, loc, n % 3 != 0)
            made += count
            n += 1
        b.watcher(sub, "westeurope", [])
    return b.e
