"""Units of the Azure provider: shaping ARM JSON, classifying azure-core errors, the declarations,
the derived views, and check edges the reference estate does not reach (parameters, defaults)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.checks import CheckContext, load_registry
from auditor.contracts import TypeSet
from auditor.derive import run_derivers
from auditor.engine import run_check
from auditor.models import CollectionError, ErrorKind, Location, Resource, Snapshot, Status
from auditor.providers.azure import normalize as N
from auditor.providers.azure import resources as T
from auditor.providers.azure.checks_monitor import CATEGORIES
from auditor.providers.azure.clients import call_failed, classify
from auditor.providers.azure.derive import DERIVERS
from auditor.providers.azure.graph import query_text
from auditor.providers.azure.sources import ArmRead, Sources, arm, column, graph, item

SUB = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
REGISTRY = load_registry()


def res(
    type_: str,
    name: str = "r",
    region: str | None = "westeurope",
    gaps: dict[str, str] | None = None,
    **attrs: Any,
) -> Resource:
    return Resource(
        provider="azure",
        type=type_,
        id=f"/subscriptions/{SUB}/x/{name}",
        name=name,
        location=Location(account=SUB, region=region),
        attributes={"subscription_id": SUB, **attrs},
        gaps=gaps or {},
    )


def judge(
    check_id: str, resource: Resource, *others: Resource, params: dict[str, Any] | None = None
) -> tuple[Status, str]:
    check = REGISTRY.get(check_id)
    assert check is not None
    snap = Snapshot(resources=[resource, *others], created_at=datetime(2026, 1, 1, tzinfo=UTC))
    finding = run_check(check, resource, CheckContext(snap, params))
    return finding.status, finding.message


# ------------------------------------------------------------------ shaping ARM JSON


def test_nsg_rules_keep_prefix_lists_and_port_ranges() -> None:
    rules = N.nsg_rules(
        [
            {
                "name": "a",
                "properties": {
                    "direction": "Inbound",
                    "access": "Allow",
                    "protocol": "Tcp",
                    "sourceAddressPrefixes": ["1.2.3.4", "Internet"],
                    "destinationPortRanges": ["20-25", "443"],
                    "priority": 100,
                },
            },
            {
                "name": "b",
                "properties": {
                    "direction": "Outbound",
                    "access": "Deny",
                    "sourceAddressPrefix": "*",
                    "destinationPortRange": "*",
                },
            },
        ]
    )
    assert rules[0] == {
        "name": "a",
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "sources": ["1.2.3.4", "Internet"],
        "ports": ["20-25", "443"],
        "priority": 100,
    }
    assert rules[1]["protocol"] == "*" and rules[1]["priority"] is None and N.nsg_rules(None) == []


def test_security_contacts_read_both_api_shapes_and_copy_no_address() -> None:
    new = {
        "value": [
            {
                "name": "default",
                "properties": {
                    "emails": "a@example.com",
                    "isEnabled": True,
                    "notificationsByRole": {"state": "On", "roles": ["Owner"]},
                    "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "High"}],
                },
            }
        ]
    }
    old = {
        "value": [
            {
                "name": "default1",
                "properties": {
                    "email": "",
                    "alertNotifications": {"state": "Off", "minimalSeverity": "Low"},
                    "notificationsByRole": {"state": "Off", "roles": ["Owner"]},
                },
            }
        ]
    }
    assert N.security_contacts(new) == [
        {
            "name": "default",
            "emails_set": True,
            "enabled": True,
            "alert_notifications": True,
            "minimal_severity": "High",
            "notify_roles": ["Owner"],
        }
    ]
    assert N.security_contacts(old) == [
        {
            "name": "default1",
            "emails_set": False,
            "enabled": True,
            "alert_notifications": False,
            "minimal_severity": "Low",
            "notify_roles": [],
        }
    ]
    assert "example.com" not in str(N.security_contacts(new))


def test_diagnostic_settings_name_categories_groups_and_destinations() -> None:
    body = {
        "value": [
            {
                "name": "s",
                "properties": {
                    "eventHubAuthorizationRuleId": "x",
                    "logs": [
                        {"category": "AuditEvent", "enabled": True},
                        {"categoryGroup": "allLogs", "enabled": False},
                    ],
                },
            }
        ]
    }
    assert N.diagnostic_settings(body) == [
        {"name": "s", "logs": ["AuditEvent"], "destinations": ["event_hub"]}
    ]


def test_small_shapes() -> None:
    assert N.rotation_policy({"lifetimeActions": [{"action": {"type": "Notify"}}]}) == {
        "auto_rotate": False,
        "expiry_time": None,
    }
    assert N.rotation_policy(None) is None
    assert N.public_ips([{"properties": {"publicIPAddress": {"id": "/A/B"}}}, {"properties": {}}]) == ["/a/b"]
    assert N.server_parameters(["x"])(
        {"value": [{"name": "x", "properties": {"value": "ON"}}, {"name": "y"}]}
    ) == {"x": "ON"}
    assert N.role_guid("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ABC") == "abc"
    assert N.retention({"enabled": True, "days": "9"}) == {"enabled": True, "days": None}
    assert (
        N.os_disk_managed({"managedDisk": {"id": "d"}}) is True
        and N.os_disk_managed({"vhd": {"uri": "u"}}) is False
    )
    assert N.alert_conditions({"allOf": [{"field": "operationName", "equals": "A/B"}, {"equals": "x"}]}) == [
        {"field": "operationName", "equals": "a/b"}
    ]


# ------------------------------------------------------------------ errors


def test_http_errors_keep_status_code_message_and_retry_after() -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    class Answer:
        status_code = 429
        reason = "Too Many Requests"
        headers = {"Retry-After": "7"}
        request = HttpRequest("GET", "https://127.0.0.1/x")

        def text(self, encoding: str | None = None) -> str:
            return '{"error": {"code": "ResourceGraphThrottled", "message": "slow down"}}'

    exc = HttpResponseError(response=Answer(), error_format=ARMErrorFormat)  # type: ignore[arg-type]
    failed = call_failed("Microsoft.ResourceGraph/resources/read", exc)
    assert failed is not None and failed.kind == ErrorKind.THROTTLED and failed.retry_after == 7.0
    assert failed.status == 429 and "ResourceGraphThrottled: slow down" in failed.message


def test_transport_and_sign_in_failures_are_classified() -> None:
    from azure.core.exceptions import ServiceRequestError, ServiceResponseTimeoutError
    from azure.identity import CredentialUnavailableError

    assert classify(ServiceResponseTimeoutError("read timed out"))[0] == ErrorKind.TIMEOUT  # type: ignore[index]
    assert classify(ServiceRequestError("refused"))[0] == ErrorKind.UNREACHABLE  # type: ignore[index]
    kind, text = classify(CredentialUnavailableError("no az"))  # type: ignore[misc]
    assert kind == ErrorKind.ACCESS_DENIED and text.startswith("could not sign in")
    assert classify(ValueError("a bug")) is None and call_failed("op", ValueError("x")) is None


# ------------------------------------------------------------------ declarations


def test_declarations_refuse_unknown_reads_and_names() -> None:
    s = Sources(TypeSet("azure"))
    with pytest.raises(ValueError, match="no read named"):
        s.declare("azure.x.a", "A", arm_type="m/a", fields={"k": arm("nope", "p", str, "k")})
    with pytest.raises(ValueError, match="no read named"):
        s.declare("azure.x.b", "B", arm_type="m/b", table=None, fields={"k": graph("p", str, "k")})
    with pytest.raises(ValueError, match="names its resources"):
        s.declare("azure.x.c", "C", arm_type="m/c", fields={"k": graph("p", str, "k")}, name_attr="title")
    s.declare(
        "azure.x.d",
        "D",
        arm_type="microsoft.storage/storageaccounts",
        reads=[
            ArmRead(
                "r", "{id}/x", "2024-01-01", "Microsoft.Storage/storageAccounts/x/read", children="azure.x.e"
            )
        ],
        fields={"k": graph("properties.k", str, "k")},
    )
    s.declare("azure.x.e", "E", arm_type="m/e", table=None, fields={"v": item("properties.v", str, "v")})
    assert s.actions() == [
        "Microsoft.Storage/storageAccounts/read",
        "Microsoft.Storage/storageAccounts/x/read",
    ]
    assert s.child_types() == {"azure.x.e": (s.get("azure.x.d"), s.get("azure.x.d").reads[0])}


def test_the_query_projects_each_declared_path_once_and_quotes_types() -> None:
    text = query_text("resources", T.SOURCES)
    for path in T.SOURCES.projection("resources"):
        assert text.count(f"{column(path)} = {path}") == 1
    assert "'microsoft.storage/storageaccounts'" in text and text.endswith("| order by id asc")


# ------------------------------------------------------------------ derived views


def test_a_view_over_unread_inputs_has_a_gap() -> None:
    sub = res(T.SUBSCRIPTION, "pass-prod", region=None, display_name="pass-prod")
    watcher = res(T.NETWORK_WATCHER, "nw", provisioning_state="Succeeded")
    vm = res(T.VM, "vm", region="eastus")
    err = CollectionError(
        provider="azure",
        operation="Microsoft.ResourceGraph/resources/read",
        scope=Location(account=SUB),
        resource_types=(T.DEFENDER_PRICING,),
        kind=ErrorKind.THROTTLED,
        message="slow",
    )
    _, views = run_derivers(Snapshot(resources=[sub, watcher, vm], errors=[err]), DERIVERS)
    by_type = {v.type: v for v in views}
    assert by_type[T.WATCHER_COVERAGE].attributes["used_regions"] == ["eastus", "westeurope"]
    assert by_type[T.WATCHER_COVERAGE].gaps == {}
    assert "throttled" in by_type[T.DEFENDER_PLANS].gaps["tiers"]
    assert judge("azure.network.watcher_all_regions", by_type[T.WATCHER_COVERAGE])[0] == Status.FAIL


def test_a_view_gap_names_the_first_azure_error_of_its_subscription_or_everywhere() -> None:
    """Errors are matched to the view's subscription (or to none, every subscription), in
    snapshot order; another subscription's errors and another provider's leave it whole."""
    other = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
    sub = res(T.SUBSCRIPTION, "pass-prod", region=None)
    sub2 = sub.model_copy(update={"id": f"/subscriptions/{other}", "location": Location(account=other)})

    def err(provider: str, account: str | None, message: str, *types: str) -> CollectionError:
        return CollectionError(
            provider=provider,
            operation="op",
            scope=Location(account=account),
            resource_types=types,
            message=message,
        )

    errors = [
        err("aws", None, "not azure"),
        err("azure", other, "the other subscription", T.NETWORK_WATCHER),
        err("azure", SUB, "watchers here", T.NETWORK_WATCHER),
        err("azure", None, "every subscription", T.NETWORK_WATCHER, T.DEFENDER_PRICING),
        err("azure", SUB, "pricings here", T.DEFENDER_PRICING),
    ]
    _, views = run_derivers(Snapshot(resources=[sub, sub2], errors=errors), DERIVERS)
    gaps = {(v.type, v.location.account): v.gaps for v in views}
    assert gaps[(T.WATCHER_COVERAGE, SUB)]["watcher_regions"] == "op failed (error): watchers here"
    assert gaps[(T.WATCHER_COVERAGE, other)]["watcher_regions"] == "op failed (error): the other subscription"
    assert gaps[(T.DEFENDER_PLANS, SUB)] == {"tiers": "op failed (error): every subscription"}
    assert gaps[(T.DEFENDER_PLANS, other)] == {"tiers": "op failed (error): every subscription"}
    assert gaps[(T.ALERT_COVERAGE, SUB)] == {} and gaps[(T.ALERT_COVERAGE, other)] == {}


def test_alert_coverage_counts_only_enabled_subscription_wide_rules_that_notify() -> None:
    sub = res(T.SUBSCRIPTION, "s", region=None)

    def alert(
        name: str, *, enabled: bool = True, groups: int = 1, scope: str = f"/subscriptions/{SUB}"
    ) -> Resource:
        cond = [{"field": "operationName", "equals": f"op/{name}"}]
        return res(
            T.ACTIVITY_LOG_ALERT,
            name,
            region="global",
            enabled=enabled,
            scopes=[scope],
            conditions=cond,
            action_groups=groups,
        )

    alerts = [
        alert("good"),
        alert("off", enabled=False),
        alert("silent", groups=0),
        alert("narrow", scope=f"/subscriptions/{SUB}/resourcegroups/rg"),
    ]
    _, views = run_derivers(Snapshot(resources=[sub, *alerts]), DERIVERS)
    (coverage,) = [v for v in views if v.type == T.ALERT_COVERAGE]
    assert coverage.attributes["operations"] == ["op/good"]


# ------------------------------------------------------------------ check edges


def test_vm_public_ip_allowed_by_parameter() -> None:
    vm = res(
        T.VM, "bastion", os_disk_managed=True, unmanaged_data_disks=0, encryption_at_host=True, nic_ids=[]
    )
    nic = res(T.NIC, "nic", virtual_machine_id=vm.id, public_ip_ids=["/x/publicipaddresses/pip"])
    assert judge("azure.compute.vm_public_ip", vm, nic)[0] == Status.FAIL
    status, message = judge(
        "azure.compute.vm_public_ip", vm, nic, params={"azure.compute.public_ip_allowed_vms": ["bastion"]}
    )
    assert status == Status.PASS and "allowed" in message


def test_disk_encryption_with_cmk_required_refuses_encryption_at_host() -> None:
    vm = res(T.VM, "vm", encryption_at_host=True)
    disk = res(
        T.DISK,
        "d",
        disk_state="Attached",
        encryption_type="EncryptionAtRestWithPlatformKey",
        managed_by=vm.id,
    )
    assert judge("azure.compute.disk_encryption", disk, vm)[0] == Status.PASS
    assert (
        judge("azure.compute.disk_encryption", disk, vm, params={"azure.compute.require_cmk": True})[0]
        == Status.FAIL
    )


def test_owner_count_above_the_maximum_fails() -> None:
    sub = res(T.SUBSCRIPTION, "s", region=None)
    sub = sub.model_copy(update={"id": f"/subscriptions/{SUB}"})
    owners = [
        res(
            T.ROLE_ASSIGNMENT,
            f"a{i}",
            region=None,
            role_guid="8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            principal_id=f"p{i}",
            principal_type="User",
            scope=sub.id,
        )
        for i in range(4)
    ]
    assert judge("azure.rbac.owner_count", sub, *owners)[0] == Status.FAIL
    assert (
        judge("azure.rbac.owner_count", sub, *owners, params={"azure.rbac.max_owners": 4})[0] == Status.PASS
    )


def test_owner_count_fails_closed_when_assignments_were_not_read() -> None:
    check = REGISTRY.get("azure.rbac.owner_count")
    assert check is not None
    sub = res(T.SUBSCRIPTION, "s", region=None)
    err = CollectionError(
        provider="azure",
        operation="Microsoft.ResourceGraph/resources/read",
        scope=Location(account=SUB),
        resource_types=(T.ROLE_ASSIGNMENT,),
        message="x",
    )
    finding = run_check(check, sub, CheckContext(Snapshot(resources=[sub], errors=[err])))
    assert finding.status == Status.ERROR


@pytest.mark.parametrize(
    ("check_id", "attrs", "status"),
    [
        ("azure.storage.cmk", {"key_source": "Microsoft.Storage"}, Status.NOT_APPLICABLE),
        ("azure.keyvault.soft_delete", {"soft_delete": None}, Status.PASS),
        ("azure.sql.auditing", {"auditing_state": "Enabled", "audit_retention_days": 0}, Status.PASS),
        ("azure.sql.auditing", {"auditing_state": "Enabled", "audit_retention_days": 30}, Status.FAIL),
        (
            "azure.network.flow_log_retention",
            {"enabled": True, "retention": {"enabled": True, "days": 0}},
            Status.PASS,
        ),
        ("azure.network.flow_log_retention", {"enabled": False, "retention": None}, Status.NOT_APPLICABLE),
        ("azure.mysql.tls_12", {"parameters": {"tls_version": "TLSv1.3"}}, Status.PASS),
        ("azure.mysql.tls_12", {"parameters": {}}, Status.ERROR),
        ("azure.aks.api_server_access", {"private_cluster": True, "authorized_ip_ranges": None}, Status.PASS),
        (
            "azure.ml.compute_public_access",
            {"compute_type": "Kubernetes", "public_ip": None, "ssh_public_access": None},
            Status.NOT_APPLICABLE,
        ),
        (
            "azure.monitor.activity_log_export",
            {"activity_log_settings": [{"name": "a", "logs": ["allLogs"], "destinations": ["workspace"]}]},
            Status.PASS,
        ),
        (
            "azure.monitor.activity_log_export",
            {"activity_log_settings": [{"name": "a", "logs": ["allLogs"], "destinations": []}]},
            Status.FAIL,
        ),
        (
            "azure.monitor.activity_log_export",
            {"activity_log_settings": [{"name": "a", "logs": list(CATEGORIES), "destinations": ["storage"]}]},
            Status.PASS,
        ),
    ],
)
def test_check_edges(check_id: str, attrs: dict[str, Any], status: Status) -> None:
    check = REGISTRY.get(check_id)
    assert check is not None
    assert judge(check_id, res(check.meta.resource_types[0], **attrs))[0] == status


def test_a_gap_is_an_error_never_a_pass() -> None:
    acct = res(
        T.STORAGE_ACCOUNT,
        "s",
        kind="StorageV2",
        gaps={
            "blob_delete_retention": "Microsoft.Storage/storageAccounts/blobServices/read failed (timeout): no answer"
        },
    )
    status, message = judge("azure.storage.blob_soft_delete", acct)
    assert status == Status.ERROR and "timeout" in message


def test_the_principal_comes_from_the_token_claims_and_nothing_else_is_taken() -> None:
    from auditor.providers.azure.clients import principal_of
    from auditor_testkit.azure_fake import bearer_token

    user = bearer_token({"oid": "o-1", "tid": "t-1", "upn": "alice@contoso.com", "appid": "a-1"})
    assert principal_of(f"Bearer {user}") == "alice@contoso.com (object id o-1, tenant t-1)"
    app = bearer_token({"oid": "o-2", "appid": "a-2"})
    assert principal_of(f"Bearer {app}") == "a-2 (object id o-2)"
    assert principal_of(f"Bearer {bearer_token({'appid': 'a-3'})}") is None  # no object id
    assert principal_of("Bearer test-token") is None  # not a JWT
    assert principal_of("Bearer a.!!!.c") is None  # not base64 JSON
    assert principal_of(f"Basic {user}") is None
