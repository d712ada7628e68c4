"""Unit tests of the login-role checks (Kubernetes, JWT/OIDC, AppRole) on resources shaped as the
collector writes them: the sides the seeded OpenBao does not show (a role whose auth method is not
in the snapshot or could not be tuned, explicit max TTLs on periodic tokens, list-valued claims,
AppRole roles outside vault.approle.cidr_required_roles)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.checks import CheckContext, load_registry
from auditor.contracts import load_contracts
from auditor.engine import run_check
from auditor.models import Location, Resource, Snapshot, Status

REGISTRY = load_registry()
CONTRACTS = load_contracts()
WHERE = Location(account="https://vault.example:8200")
TOKEN = {
    "mount_accessor": "auth_kubernetes_1",
    "token_ttl": 0,
    "token_max_ttl": 0,
    "token_explicit_max_ttl": 0,
    "token_period": 0,
    "token_policies": ["app"],
    "token_type": "default",
    "token_num_uses": 0,
    "token_bound_cidrs": [],
}
K8S = {
    "mount": "kubernetes/",
    "role": "app",
    "bound_service_account_names": ["app"],
    "bound_service_account_namespaces": ["shop"],
    "bound_service_account_namespace_selector": "",
    "alias_name_source": "serviceaccount_uid",
    **TOKEN,
}
JWT = {
    "mount": "jwt/",
    "role": "ci",
    "role_type": "jwt",
    "bound_audiences": ["vault"],
    "bound_subject": "",
    "bound_claims": {"repository": "acme/app"},
    "bound_claims_type": "string",
    "user_claim": "sub",
    **TOKEN,
    "mount_accessor": "auth_jwt_1",
}
APPROLE = {
    "mount": "approle/",
    "role": "ci-runner",
    "bind_secret_id": True,
    "secret_id_ttl": 3600,
    "secret_id_num_uses": 0,
    "secret_id_bound_cidrs": None,
    **TOKEN,
    "mount_accessor": "auth_approle_1",
}


def _method(accessor: str, max_lease_ttl: int | None = 43200) -> Resource:
    attrs: dict[str, Any] = {
        "path": accessor.split("_")[1] + "/",
        "type": accessor.split("_")[1],
        "accessor": accessor,
        "local": False,
        "default_lease_ttl": 3600,
        "listing_visibility": "hidden",
        "token_type": "default-service",
        "mfa_enforcements": [],
    }
    gaps = {}
    if max_lease_ttl is None:
        gaps["max_lease_ttl"] = "GET sys/auth/x/tune failed (access_denied): HTTP 403"
    else:
        attrs["max_lease_ttl"] = max_lease_ttl
    return Resource(
        provider="vault",
        type="vault.auth_method",
        id=f"m-{accessor}",
        name=attrs["path"],
        location=WHERE,
        attributes=attrs,
        gaps=gaps,
    )


def _role(rtype: str, base: dict[str, Any], **attrs: Any) -> Resource:
    full = base | attrs
    return Resource(
        provider="vault",
        type=rtype,
        id=f"r-{full['role']}",
        name=f"{full['mount']}{full['role']}",
        location=WHERE,
        attributes=full,
    )


def _run(
    check_id: str, resource: Resource, others: list[Resource] = (), params: dict[str, Any] | None = None
) -> Status:
    check = REGISTRY.get(check_id)
    assert check is not None
    for r in (resource, *others):
        assert CONTRACTS.validate(r) == [], r.id  # shaped like collected resources
    snap = Snapshot(created_at=datetime(2026, 1, 1, tzinfo=UTC), resources=[resource, *others])
    return run_check(check, resource, CheckContext(snap, params)).status


K8S_BOUND = "vault.kubernetes.role_bound_service_accounts"


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({}, Status.PASS),
        ({"bound_service_account_names": ["app", "worker"]}, Status.PASS),
        ({"bound_service_account_names": ["*"]}, Status.FAIL),
        ({"bound_service_account_namespaces": ["team-*"]}, Status.FAIL),
        ({"bound_service_account_namespace_selector": '{"matchLabels": {"a": "b"}}'}, Status.FAIL),
        ({"bound_service_account_namespaces": None}, Status.FAIL),  # neither names nor a selector
    ],
)
def test_kubernetes_role_binding(attrs: dict[str, Any], expected: Status) -> None:
    assert _run(K8S_BOUND, _role("vault.kubernetes_role", K8S, **attrs)) == expected


def test_kubernetes_role_from_a_server_without_namespace_selectors() -> None:
    attrs = {k: v for k, v in K8S.items() if k != "bound_service_account_namespace_selector"}
    role = Resource(provider="vault", type="vault.kubernetes_role", id="r", name="k/r", attributes=attrs)
    assert _run(K8S_BOUND, role) == Status.PASS


TTL = "vault.auth.role_token_ttl"


@pytest.mark.parametrize(
    ("attrs", "mount_max", "params", "expected"),
    [
        ({"token_max_ttl": 3600}, None, None, Status.PASS),  # the mount is not needed (and unreadable)
        ({}, 43200, None, Status.PASS),  # the mount's 12h applies
        ({}, 2764800, None, Status.FAIL),  # the system default, 32 days
        ({}, 2764800, {"vault.auth.role_token_max_ttl_hours": 1000}, Status.PASS),
        ({"token_max_ttl": 2764800}, 43200, None, Status.PASS),  # capped by the mount
        ({"token_max_ttl": 2764800, "token_explicit_max_ttl": 7200}, 2764800, None, Status.PASS),
        ({"token_period": 3600}, 43200, None, Status.FAIL),  # renews without end
        ({"token_period": 3600, "token_explicit_max_ttl": 28800}, None, None, Status.PASS),
        ({"token_period": 3600, "token_explicit_max_ttl": 172800}, None, None, Status.FAIL),
        ({}, None, None, Status.ERROR),  # the mount's max lease TTL is a gap: never a guess
    ],
)
def test_role_token_ttl(
    attrs: dict[str, Any], mount_max: int | None, params: dict[str, Any] | None, expected: Status
) -> None:
    role = _role("vault.kubernetes_role", K8S, **attrs)
    assert _run(TTL, role, [_method("auth_kubernetes_1", mount_max)], params) == expected


def test_role_token_ttl_without_its_auth_method_is_an_error() -> None:
    assert _run(TTL, _role("vault.jwt_role", JWT)) == Status.ERROR
    assert _run(TTL, _role("vault.jwt_role", JWT, token_max_ttl=3600)) == Status.PASS


CLAIMS = "vault.jwt.role_bound_claims"


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({}, Status.PASS),
        ({"bound_claims": {"repository": ["acme/app", "acme/lib"]}}, Status.PASS),
        ({"bound_claims": {"repository": "*"}}, Status.PASS),  # string matching: a literal `*`
        ({"bound_claims": {"repository": ["acme/app", "*"]}, "bound_claims_type": "glob"}, Status.FAIL),
        ({"bound_claims": {"repository": "acme/*"}, "bound_claims_type": "glob"}, Status.PASS),
        ({"bound_claims": {"repo": "**", "ref": "main"}, "bound_claims_type": "glob"}, Status.PASS),
        ({"bound_claims": None}, Status.FAIL),
        ({"bound_claims": None, "bound_subject": "repo:acme/app:ref:refs/heads/main"}, Status.PASS),
    ],
)
def test_jwt_role_claims(attrs: dict[str, Any], expected: Status) -> None:
    assert _run(CLAIMS, _role("vault.jwt_role", JWT, **attrs)) == expected


def test_jwt_role_audiences() -> None:
    audiences = "vault.jwt.role_bound_audiences"
    assert _run(audiences, _role("vault.jwt_role", JWT)) == Status.PASS
    assert _run(audiences, _role("vault.jwt_role", JWT, bound_audiences=[])) == Status.FAIL
    oidc = _role("vault.jwt_role", JWT, role_type="oidc", bound_audiences=None)
    assert _run(audiences, oidc) == Status.NOT_APPLICABLE


def test_approle_cidr_binding_applies_where_the_parameter_requires_it() -> None:
    cidr = "vault.approle.cidr_binding"
    role = _role("vault.approle_role", APPROLE)
    assert _run(cidr, role) == Status.NOT_APPLICABLE  # default []: no role is required to bind
    for pattern in ("ci-*", "approle/ci-runner", "*"):
        assert _run(cidr, role, params={"vault.approle.cidr_required_roles": [pattern]}) == Status.FAIL
    assert _run(cidr, role, params={"vault.approle.cidr_required_roles": ["prod-*"]}) == Status.NOT_APPLICABLE
    assert _run(cidr, role, params={"vault.approle.cidr_required_roles": []}) == Status.NOT_APPLICABLE
    bound = _role("vault.approle_role", APPROLE, token_bound_cidrs=["10.1.0.0/16"])
    assert _run(cidr, bound, params={"vault.approle.cidr_required_roles": ["ci-*"]}) == Status.PASS
