"""The collector against a stand-in client (no network), for what a real OpenBao cannot be made to
do: answer 500 or 429, leave a field out of a response, stop answering. Each failed read must be
a gap (its checks say `error`) or a collection error, never a default value."""

from __future__ import annotations

from typing import Any

import requests

from auditor.models import ErrorKind, Snapshot, Status
from auditor.providers.vault import VaultOptions
from auditor.scan import evaluate_snapshot

from .conftest import contract_problems, run_scan
from .fakevault import PKI_ROLE, FakeVault, token_lookup

ADDR = "https://vault.test:8200"
ENV = {"VAULT_TOKEN": "unit-token"}
BOOM = (500, {"errors": ["internal error"]})


def scan_with(routes: dict[tuple[str, str], Any], **options: Any) -> Snapshot:
    """A scan of the healthy stand-in server with `routes` answering differently."""
    fake = FakeVault()
    fake.routes.update(routes)
    return scan(fake, **options)


def scan(fake: FakeVault, **options: Any) -> Snapshot:
    snap, api = run_scan(VaultOptions(addr=ADDR, **options), ENV, fake.login)
    assert api is not None
    assert contract_problems(snap) == []
    return snap


def resource(snap: Snapshot, type_: str, name: str | None = None) -> Any:
    found = [r for r in snap.resources if r.type == type_ and (name is None or r.name == name)]
    assert len(found) == 1, [(r.type, r.name) for r in snap.resources]
    return found[0]


def statuses(snap: Snapshot, check_id: str, name: str | None = None) -> set[Status]:
    found = evaluate_snapshot(snap).findings
    return {f.status for f in found if f.check_id == check_id and (name is None or f.resource_name == name)}


def test_a_healthy_server_is_read_completely_and_validates() -> None:
    fake = FakeVault()
    snap = scan(fake)
    assert snap.errors == []
    assert not [(r.name, r.gaps) for r in snap.resources if r.gaps]
    server = resource(snap, "vault.server")
    assert server.attributes["license"] == "not_applicable"
    assert server.attributes["replication"] == "not_applicable"
    assert server.attributes["version_history"] == ["2.7.2"]
    assert statuses(snap, "vault.ha.healthy") == {Status.PASS}  # HA with three nodes
    assert statuses(snap, "vault.seal.auto_unseal") == {Status.PASS}
    target = snap.targets[0].options
    assert target["api_requests"] == len(fake.asked) and target["api_repeated_calls"] == 0


def test_ha_status_failure_is_a_gap_and_the_ha_check_errors() -> None:
    snap = scan_with({("GET", "sys/ha-status"): BOOM})
    server = resource(snap, "vault.server")
    assert "ha_nodes" not in server.attributes
    assert server.gaps["ha_nodes"] == "GET sys/ha-status failed (error): HTTP 500: internal error"
    assert statuses(snap, "vault.ha.healthy") == {Status.ERROR}


def test_license_and_replication_failures_are_gaps_not_strings() -> None:
    replication = (200, {"request_id": "r", "data": {"mode": "disabled"}})
    snap = scan_with({("GET", "sys/license/status"): BOOM, ("GET", "sys/replication/status"): replication})
    server = resource(snap, "vault.server")
    assert "license" not in server.attributes and "HTTP 500" in server.gaps["license"]
    assert server.attributes["replication"] == "present"


def test_version_history_failure_is_a_gap() -> None:
    server = resource(scan_with({("LIST", "sys/version-history/"): BOOM}), "vault.server")
    assert "version_history" not in server.attributes
    assert server.gaps["version_history"].startswith("LIST sys/version-history failed (error)")


def test_mount_tune_failure_is_a_gap_and_the_ttl_check_errors() -> None:
    snap = scan_with({("GET", "sys/mounts/pki/tune"): BOOM, ("GET", "sys/auth/token/tune"): BOOM})
    mount = resource(snap, "vault.secrets_engine")
    assert set(mount.gaps) == {"default_lease_ttl", "max_lease_ttl"}
    auth = resource(snap, "vault.auth_method")
    assert set(auth.gaps) == {"default_lease_ttl", "max_lease_ttl", "listing_visibility", "token_type"}
    assert statuses(snap, "vault.secrets.max_lease_ttl") == {Status.ERROR}
    assert statuses(snap, "vault.auth.max_lease_ttl") == {Status.ERROR}
    assert statuses(snap, "vault.auth.listing_hidden") == {Status.ERROR}


def test_root_policy_read_failure_is_a_gap() -> None:
    snap = scan_with({("GET", "sys/policies/acl/root"): BOOM})
    root = resource(snap, "vault.policy", "root")
    assert set(root.gaps) == {"rules", "text_sha256"}
    assert len(root.evidence) == 1  # the LIST only: a failed read leaves no evidence
    # The root policy has no rules to judge: its checks are not applicable by name, never a pass.
    for check_id in ("vault.policy.no_wildcard_paths", "vault.policy.no_broad_sudo"):
        assert Status.PASS not in statuses(snap, check_id, "root")


def test_unknown_storage_type_makes_raft_a_gap_not_standalone() -> None:
    snap = scan_with({("GET", "sys/seal-status"): BOOM, ("GET", "sys/config/state/sanitized"): BOOM})
    server = resource(snap, "vault.server")
    assert server.gaps["raft"].startswith("the storage type could not be read: GET sys/seal-status failed")
    assert statuses(snap, "vault.ha.healthy") == {Status.ERROR}
    assert statuses(snap, "vault.seal.auto_unseal") == {Status.ERROR}
    assert statuses(snap, "vault.listener.tls") == {Status.ERROR}


def test_a_field_missing_from_a_response_is_a_gap_not_a_default() -> None:
    role_without_max_ttl = {k: v for k, v in PKI_ROLE.items() if k != "max_ttl"}
    snap = scan_with(
        {
            ("GET", "pki/roles/web"): (200, {"data": role_without_max_ttl}),
            ("GET", "sys/leader"): (200, {"is_self": True}),
        }
    )
    role = resource(snap, "vault.pki_role")
    assert role.gaps == {"max_ttl": "GET pki/roles/web: the response has no 'max_ttl'"}
    assert statuses(snap, "vault.pki.role_max_ttl") == {Status.ERROR}
    assert statuses(snap, "vault.pki.role_no_allow_any_name") == {Status.PASS}
    assert "ha_enabled" in resource(snap, "vault.server").gaps
    assert statuses(snap, "vault.ha.healthy") == {Status.ERROR}


def test_a_failed_list_is_a_collection_error_for_its_types() -> None:
    snap = scan_with(
        {("LIST", "pki/roles/"): (403, {"errors": ["permission denied"]}), ("GET", "sys/auth"): BOOM}
    )
    got = {(e.operation, e.kind, e.resource_types) for e in snap.errors}
    assert got == {
        ("LIST pki/roles", ErrorKind.ACCESS_DENIED, ("vault.pki_role",)),
        ("GET sys/auth", ErrorKind.ERROR, ("vault.auth_method", "vault.approle_role")),
    }
    assert statuses(snap, "vault.pki.role_max_ttl") == {Status.ERROR}


def test_throttled_requests_are_retried_as_retry_after_says() -> None:
    answers = iter([(429, {"errors": ["rate limit quota exceeded"]}, {"Retry-After": "0"})])
    fake = FakeVault()
    ok = fake.routes["GET", "sys/mounts"]
    fake.routes["GET", "sys/mounts"] = lambda body: next(answers, ok)
    snap = scan(fake)
    assert snap.errors == []
    assert fake.asked.count(("GET", "sys/mounts")) == 2
    assert snap.targets[0].options["api_requests"] == len(fake.asked)
    # With one attempt only, the 429 is a throttled collection error.
    answers = iter([(429, {"errors": ["rate limit quota exceeded"]}, {"Retry-After": "0"})])
    snap = scan(fake, max_attempts=1)
    assert [(e.operation, e.kind) for e in snap.errors] == [("GET sys/mounts", ErrorKind.THROTTLED)]


def test_an_unreachable_server_is_one_error_and_nothing_more_is_asked() -> None:
    fake = FakeVault(raises=lambda method, path: requests.exceptions.ConnectionError("refused"))
    snap, _ = run_scan(VaultOptions(addr=ADDR), ENV, fake.login)
    assert [(e.operation, e.kind, e.resource_types) for e in snap.errors] == [
        ("GET auth/token/lookup-self", ErrorKind.UNREACHABLE, ())
    ]
    assert fake.asked == [("GET", "auth/token/lookup-self")]
    assert snap.resources == []


def _many_tokens(fake: FakeVault, n: int) -> None:
    fake.routes["LIST", "auth/token/accessors/"] = (
        200,
        {"data": {"keys": [f"acc-{i:03}" for i in range(n)]}},
    )
    fake.routes["POST", "auth/token/lookup-accessor"] = lambda body: (
        200,
        {"data": token_lookup(body["accessor"], f"token-{body['accessor']}")},
    )


def test_reads_run_concurrently_up_to_the_limit_and_the_result_does_not_depend_on_it() -> None:
    results = {}
    for concurrency in (1, 4):
        fake = FakeVault(delay=0.005)
        _many_tokens(fake, 40)
        snap = scan(fake, concurrency=concurrency)
        assert fake.max_in_flight <= concurrency
        if concurrency > 1:
            assert fake.max_in_flight > 1
        results[concurrency] = [(r.type, r.id, r.attributes, r.gaps) for r in snap.resources]
        assert len([r for r in snap.resources if r.type == "vault.token"]) == 40
    assert results[1] == results[4]  # same resources, same order


def test_more_tokens_than_max_tokens_is_said_and_the_rest_are_looked_up() -> None:
    fake = FakeVault()
    _many_tokens(fake, 5)
    snap = scan(fake, max_tokens=3)
    assert [(e.kind, e.resource_types) for e in snap.errors] == [(ErrorKind.NOT_COLLECTED, ("vault.token",))]
    assert len([r for r in snap.resources if r.type == "vault.token"]) == 3


def test_an_expired_accessor_is_skipped_and_a_failed_lookup_is_a_gap() -> None:
    fake = FakeVault()
    _many_tokens(fake, 3)
    lookup = fake.routes["POST", "auth/token/lookup-accessor"]

    def answer(body: dict[str, str]) -> Any:
        if body["accessor"] == "acc-000":
            return (400, {"errors": ["1 error occurred:\n\t* invalid accessor\n\n"]})
        if body["accessor"] == "acc-001":
            return BOOM
        return lookup(body)

    fake.routes["POST", "auth/token/lookup-accessor"] = answer
    snap = scan(fake)
    tokens = {r.attributes["accessor"]: r for r in snap.resources if r.type == "vault.token"}
    assert set(tokens) == {"acc-001", "acc-002"}
    assert "policies" in tokens["acc-001"].gaps and not tokens["acc-002"].gaps
    assert statuses(snap, "vault.token.no_root", "acc-001 (acc-001)") == {Status.ERROR}
