"""Unit tests (no network): the policy parser, durations, options, and the check sides OpenBao
cannot produce for real (a KMS/HSM seal, a healthy three-voter raft, an unhealthy peer, TLS 1.1)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.checks import CheckContext, load_registry
from auditor.contracts import load_contracts
from auditor.engine import run_check
from auditor.errors import UsageError
from auditor.models import ErrorKind, Resource, Snapshot, Status
from auditor.providers.vault import VaultOptions
from auditor.providers.vault.api import VaultError, resolve_settings
from auditor.providers.vault.common import seconds, version_tuple
from auditor.providers.vault.policy import PolicyParseError, allows, parse_policy, path_matches

from .conftest import run_scan

POLICY = Path(__file__).resolve().parents[2] / "docs" / "permissions" / "vault-auditor-policy.hcl"


def test_parser_reads_hcl_with_comments_nested_objects_and_legacy_form() -> None:
    text = """
    # comment
    path "secret/data/*" {   // trailing
      capabilities = ["read", "list",]
      allowed_parameters = { "ttl" = [], "*" = ["x"] }
      min_wrapping_ttl = "1s"
    }
    /* block
       comment */
    path "sys/old" { policy = "write" }
    """
    rules = parse_policy(text)
    assert [(r.path, r.capabilities) for r in rules] == [
        ("secret/data/*", ("read", "list")),
        ("sys/old", ("create", "read", "update", "delete", "list")),
    ]


def test_parser_reads_json_and_reports_the_line_of_an_error() -> None:
    assert parse_policy('{"path": {"a/*": {"capabilities": ["deny"]}}}')[0].capabilities == ("deny",)
    with pytest.raises(PolicyParseError, match="line 3"):
        parse_policy('path "a" {\n  capabilities = ["read"]\n  = oops\n}')
    with pytest.raises(PolicyParseError):
        parse_policy('path "a" { capabilities = ["read"]')


def test_path_matching_follows_vault_globs() -> None:
    assert path_matches("secret/*", "secret/a/b")
    assert path_matches("+/config", "kv-good/config")
    assert not path_matches("+/config", "a/b/config")
    assert path_matches("sys/auth/+/tune", "sys/auth/userpass/tune")
    assert not path_matches("sys/audit", "sys/audit-hash")
    rules = parse_policy(POLICY.read_text())
    assert allows(rules, "auth/token/accessors/", "list")
    assert not allows(rules, "secret/data/app/db", "read")
    assert not allows(rules, "auth/approle/role/x/secret-id", "update")
    assert not allows(rules, "auth/approle/role/x/role-id", "read")
    assert allows(rules, "auth/kubernetes/role/x", "read") and allows(rules, "auth/jwt/role/", "list")
    assert not allows(rules, "auth/kubernetes/config", "read")
    assert not allows(rules, "transit/export/encryption-key/k", "read")


def test_durations_and_versions() -> None:
    assert seconds("768h0m0s") == 768 * 3600
    assert seconds(60) == 60 and seconds("30d") == 30 * 86400 and seconds("0s") == 0 and seconds(None) == 0
    with pytest.raises(ValueError):
        seconds("soon")
    assert version_tuple("v1.17.2+ent") == (1, 17, 2) > version_tuple("1.9")


def test_settings_take_env_as_defaults_and_options_override(tmp_path: Path) -> None:
    env = {
        "VAULT_ADDR": "https://env:8200/",
        "VAULT_TOKEN": "t0k",
        "VAULT_NAMESPACE": "ns1",
        "VAULT_SKIP_VERIFY": "1",
    }
    s = resolve_settings(VaultOptions(), env)
    assert (s.addr, s.namespace, s.verify) == ("https://env:8200", "ns1", False)
    s = resolve_settings(
        VaultOptions(addr="https://opt:8200", namespace="ns2", skip_verify=False, ca_cert="ca.pem"), env
    )
    assert (s.addr, s.namespace, s.verify) == ("https://opt:8200", "ns2", "ca.pem")
    assert "t0k" not in repr(s) and "t0k" not in str(s.public_options())
    with pytest.raises(UsageError, match="secret_id"):
        resolve_settings(VaultOptions(auth_method="approle"), {"VAULT_ROLE_ID": "r"})
    with pytest.raises(UsageError, match="kubernetes-role"):
        resolve_settings(VaultOptions(auth_method="kubernetes"), {})
    jwt = tmp_path / "jwt"
    jwt.write_text("eyJ.jwt")
    s = resolve_settings(
        VaultOptions(auth_method="kubernetes", kubernetes_role="auditor", kubernetes_jwt_path=str(jwt)), {}
    )
    assert (s.auth_mount, s.kubernetes_role) == ("kubernetes", "auditor")


def test_login_failure_is_a_whole_scope_collection_error() -> None:
    class Denied(Exception):
        status_code = 403

    def factory(settings: Any) -> Any:
        raise Denied("permission denied")

    snap, api = run_scan(VaultOptions(addr="https://vault.example:8200"), {"VAULT_TOKEN": "x"}, factory)
    assert api is None
    assert [(e.kind, e.resource_types) for e in snap.errors] == [(ErrorKind.ACCESS_DENIED, ())]
    assert snap.targets[0].options["addr"] == "https://vault.example:8200"


def test_errors_tell_unsupported_paths_from_empty_lists() -> None:
    unsupported = VaultError("GET", "sys/license/status", 404, "unsupported path")
    assert unsupported.unsupported and unsupported.kind is ErrorKind.UNSUPPORTED
    assert not unsupported.empty_list
    empty = VaultError("LIST", "pki/roles/", 404, "")
    assert empty.empty_list and not empty.unsupported and empty.kind is ErrorKind.NOT_FOUND
    denied = VaultError("GET", "sys/audit", 403, "permission denied")
    assert denied.kind is ErrorKind.ACCESS_DENIED and denied.operation == "GET sys/audit"
    assert denied.reason == "GET sys/audit failed (access_denied): HTTP 403: permission denied"


# --- check sides that a dev/raft OpenBao cannot be put into ---------------------------------

REGISTRY = load_registry()
CONTRACTS = load_contracts()

# A complete server as the collector writes it (the contract tests below keep it so).
SERVER_ATTRS: dict[str, Any] = {
    "initialized": True,
    "sealed": False,
    "standby": False,
    "version": "2.7.2",
    "cluster_name": "c1",
    "product": "openbao",
    "seal_type": "shamir",
    "recovery_seal": False,
    "storage_type": "raft",
    "ha_enabled": False,
    "raft_committed_index": None,
    "ha_nodes": [],
    "listeners": [
        {"type": "tcp", "address": "0.0.0.0:8200", "tls_disable": False, "tls_min_version": "tls12"}
    ],
    "config_seals": [{"type": "shamir", "disabled": False}],
    "raw_storage_endpoint": False,
    "config_storage_type": "raft",
    "raft": None,
    "version_history": ["2.7.2"],
    "license": "not_applicable",
    "replication": "not_applicable",
    "audit_devices": ["file/(file)"],
}


def _server(**attrs: Any) -> Resource:
    return Resource(provider="vault", type="vault.server", id="s", name="s", attributes=SERVER_ATTRS | attrs)


def _audit_device(**attrs: Any) -> Resource:
    base = {
        "path": "a/",
        "type": "file",
        "local": False,
        "log_raw": False,
        "hmac_accessor": True,
        "options": {},
    }
    return Resource(provider="vault", type="vault.audit_device", id="a", name="a/", attributes=base | attrs)


def _run(check_id: str, resource: Resource, params: dict[str, Any] | None = None) -> Status:
    check = REGISTRY.get(check_id)
    assert check is not None
    snap = Snapshot(created_at=datetime(2026, 1, 1, tzinfo=UTC), resources=[resource])
    return run_check(check, resource, CheckContext(snap, params)).status


@pytest.mark.parametrize(
    ("check_id", "attrs", "params", "expected"),
    [
        ("vault.seal.auto_unseal", {"seal_type": "awskms"}, None, Status.PASS),  # HSM/KMS: unit only
        ("vault.seal.auto_unseal", {"seal_type": "pkcs11"}, None, Status.PASS),
        ("vault.seal.auto_unseal", {"seal_type": "shamir"}, {"vault.seal.allow_shamir": True}, Status.PASS),
        ("vault.seal.auto_unseal", {"seal_type": "shamir"}, None, Status.FAIL),
        ("vault.seal.unsealed", {"initialized": False}, None, Status.FAIL),
        (
            "vault.listener.tls",
            {
                "listeners": [
                    {"type": "tcp", "address": "a", "tls_disable": False, "tls_min_version": "tls11"}
                ]
            },
            None,
            Status.FAIL,
        ),
        ("vault.listener.tls", {}, None, Status.PASS),
        (
            "vault.ha.healthy",
            {"raft": {"healthy": True, "voters": ["a", "b", "c"], "failure_tolerance": 1}},
            None,
            Status.PASS,
        ),
        (
            "vault.ha.healthy",
            {"raft": {"healthy": False, "voters": ["a", "b", "c"], "servers": {"b": {"healthy": False}}}},
            None,
            Status.FAIL,
        ),
        ("vault.ha.healthy", {"ha_enabled": True, "ha_nodes": [{}, {}, {}]}, None, Status.PASS),
    ],
)
def test_server_check_sides_not_reproducible_on_openbao(
    check_id: str, attrs: dict[str, Any], params: dict[str, Any] | None, expected: Status
) -> None:
    server = _server(**attrs)
    assert CONTRACTS.validate(server) == []  # the unit fixtures are shaped like collected servers
    assert _run(check_id, server, params) == expected


def test_gaps_make_errors_never_passes() -> None:
    r = _server()
    attrs = {k: v for k, v in r.attributes.items() if k != "audit_devices"}
    r = r.model_copy(update={"attributes": attrs, "gaps": {"audit_devices": "HTTP 403 permission denied"}})
    assert CONTRACTS.validate(r) == []
    assert _run("vault.audit.device_enabled", r) == Status.ERROR
    assert _run("vault.audit.device_redundancy", r) == Status.ERROR


def test_audit_device_with_unhashed_accessors_fails() -> None:
    dev = _audit_device(hmac_accessor=False)
    assert CONTRACTS.validate(dev) == []
    assert _run("vault.audit.no_log_raw", dev) == Status.FAIL
