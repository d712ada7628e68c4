"""Faults end as `error` for exactly their scope, never as a pass: a forbidden subscription,
throttling (Retry-After honoured, then given up), a timeout, server errors, a refused token, and
a 409 that the SDK would have answered with a write."""

from __future__ import annotations

from typing import Any

from azure_fixtures import *  # noqa: F403  (the fixtures fake, scan, reference)
from azure_helpers import evaluate, verdicts

from auditor.models import ErrorKind, Status
from auditor.providers.azure import resources as T
from auditor_testkit.azure_estate import DEV, PROD
from auditor_testkit.azure_fake import FakeAzure

SQL_PASS = f"/subscriptions/{PROD}/resourceGroups/data/providers/Microsoft.Sql/servers/pass-sql"
STORAGE_PASS = (
    f"/subscriptions/{PROD}/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/passstorage"
)


def error_accounts(result: Any) -> set[str | None]:
    return {f.account for f in result.findings if f.status == Status.ERROR}


def test_a_forbidden_subscription_is_access_denied_for_exactly_that_subscription(
    fake: FakeAzure, scan: Any
) -> None:
    fake.forbid(DEV)  # listed, but Resource Graph leaves it out and every ARM read there is 403
    snap = scan()
    (err,) = snap.errors
    assert err.kind == ErrorKind.ACCESS_DENIED and err.scope.account == DEV and err.resource_types == ()
    assert "Resource Graph returns nothing" in err.message
    result = evaluate(snap)
    assert error_accounts(result) == {DEV}
    azure_checks = {f.check_id for f in result.findings if f.provider == "azure"}
    assert {f.check_id for f in result.findings if f.account == DEV} == azure_checks  # every check says so
    assert verdicts(result, "azure.storage.secure_transfer")["passstorage"] == Status.PASS


def test_a_requested_subscription_the_identity_cannot_see_is_access_denied(scan: Any) -> None:
    unknown = "99999999-9999-4999-8999-999999999999"
    snap = scan(subscriptions=[PROD, unknown])
    (err,) = snap.errors
    assert (
        err.scope.account == unknown and err.kind == ErrorKind.ACCESS_DENIED and "not visible" in err.message
    )
    assert {r.location.account for r in snap.resources} == {PROD}


def test_a_requested_subscription_outside_the_management_groups_is_excluded_with_its_reason(
    scan: Any,
) -> None:
    snap = scan(subscriptions=[PROD, DEV], management_groups=["mg-prod"])
    assert snap.errors == [] and {r.location.account for r in snap.resources} == {PROD}
    (skipped,) = snap.skipped
    assert skipped.scope.account == DEV and "not below --management-groups mg-prod" in skipped.reason


def test_throttling_waits_exactly_as_long_as_retry_after_says(fake: FakeAzure, scan: Any) -> None:
    fake.throttle(fake.on_graph_table("resources"), retry_after=2, times=2)
    sleeps: list[float] = []
    snap = scan(sleeps=sleeps)
    assert sleeps == [2.0, 2.0]
    assert snap.errors == [] and fake.count(status=429) == 2
    assert snap.targets[0].options["api_requests"] == len(fake.requests)  # retries counted


def test_throttling_that_does_not_end_is_an_error_for_that_resource_only(fake: FakeAzure, scan: Any) -> None:
    fake.throttle(
        fake.on_action("Microsoft.Sql/servers/auditingSettings/read", SQL_PASS), retry_after=1, times=None
    )
    sleeps: list[float] = []
    result = evaluate(scan(sleeps=sleeps, max_attempts=3))
    assert sleeps == [1.0, 1.0] and fake.count(status=429) == 3
    audit = {f.resource_name: f for f in result.findings if f.check_id == "azure.sql.auditing"}
    assert audit["pass-sql"].status == Status.ERROR and "throttled" in audit["pass-sql"].message
    assert audit["fail-sql"].status == Status.FAIL
    assert verdicts(result, "azure.sql.entra_admin")["pass-sql"] == Status.PASS  # its other reads stand
    assert [f.resource_name for f in result.findings if f.status == Status.ERROR] == ["pass-sql"]


def test_a_timeout_is_a_gap_on_exactly_what_that_read_fills(fake: FakeAzure, scan: Any) -> None:
    fake.hang(
        fake.on_action("Microsoft.Storage/storageAccounts/blobServices/read", STORAGE_PASS), 4, times=None
    )
    snap = scan(timeout=1)
    storage = next(r for r in snap.resources if r.name == "passstorage")
    assert set(storage.gaps) == {"blob_delete_retention", "container_delete_retention"}
    assert "timeout" in storage.gaps["blob_delete_retention"]
    result = evaluate(snap)
    errors = {(f.check_id, f.resource_name) for f in result.findings if f.status == Status.ERROR}
    assert errors == {
        ("azure.storage.blob_soft_delete", "passstorage"),
        ("azure.storage.container_soft_delete", "passstorage"),
    }
    assert verdicts(result, "azure.storage.min_tls_12")["passstorage"] == Status.PASS


def test_a_server_error_on_one_batch_is_an_error_for_its_subscription_and_table(
    fake: FakeAzure, scan: Any
) -> None:
    fake.fail(fake.on_graph_table("resources", DEV), 500, times=None)
    snap = scan(batch_size=1)
    (err,) = snap.errors
    assert err.scope.account == DEV and err.kind == ErrorKind.ERROR and "InternalServerError" in err.message
    assert T.STORAGE_ACCOUNT in err.resource_types and T.KEYVAULT_KEY in err.resource_types
    assert T.SUBSCRIPTION not in err.resource_types and T.DEFENDER_PRICING not in err.resource_types
    result = evaluate(snap)
    assert error_accounts(result) == {DEV}
    assert verdicts(result, "azure.defender.servers")["fail-dev"] == Status.FAIL  # other tables still judged
    coverage = {
        f.account: f.status for f in result.findings if f.check_id == "azure.network.watcher_all_regions"
    }
    assert coverage == {PROD: Status.PASS, DEV: Status.ERROR}  # the derived view knows it is partial


def test_an_unavailable_answer_is_retried(fake: FakeAzure, scan: Any) -> None:
    fake.fail(fake.on_action("Microsoft.Web/sites/config/read"), 503, times=1)
    sleeps: list[float] = []
    assert scan(sleeps=sleeps).errors == [] and len(sleeps) == 1 and fake.count(status=503) == 1


def test_a_refused_token_is_access_denied_for_the_whole_target(scan: Any) -> None:
    snap = scan(token="stolen-or-expired")
    (err,) = snap.errors
    assert err.kind == ErrorKind.ACCESS_DENIED and err.scope.account is None
    assert "InvalidAuthenticationToken" in err.message and snap.resources == []


def test_a_missing_registration_is_recorded_never_registered(fake: FakeAzure, scan: Any) -> None:
    body = {
        "error": {
            "code": "MissingSubscriptionRegistration",
            "message": "The subscription is not registered to use namespace 'Microsoft.Security'.",
        }
    }
    fake.fail(fake.on_action("Microsoft.Security/securityContacts/read"), 409, body=body, times=None)
    snap = scan()
    assert not [r for r in fake.requests if r.method != "GET" and r.route != "graph"]  # no POST .../register
    sub = next(r for r in snap.resources if r.type == T.SUBSCRIPTION and r.location.account == PROD)
    assert "MissingSubscriptionRegistration" in sub.gaps["security_contacts"]
    result = evaluate(snap)
    assert verdicts(result, "azure.defender.security_contact")["pass-prod"] == Status.ERROR


def test_a_failed_list_of_children_is_an_error_for_that_child_type_in_its_region(
    fake: FakeAzure, scan: Any
) -> None:
    fake.fail(fake.on_action("Microsoft.KeyVault/vaults/keys/read"), 403, times=None)
    snap = scan()
    assert {(e.scope.account, e.scope.region, e.resource_types) for e in snap.errors} == {
        (PROD, "westeurope", (T.KEYVAULT_KEY,)),
        (DEV, "westeurope", (T.KEYVAULT_KEY,)),
    }
    result = evaluate(snap)
    keys = [f for f in result.findings if f.check_id == "azure.keyvault.key_expiry"]
    assert keys and all(f.status == Status.ERROR for f in keys)
    assert verdicts(result, "azure.keyvault.secret_expiry") == {
        "pass-secret": Status.PASS,
        "fail-secret": Status.FAIL,
    }
