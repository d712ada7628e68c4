"""Integration tests against real OpenBao servers: seeded once, scanned once, many assertions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from auditor.checks import load_registry
from auditor.cli import main
from auditor.models import ErrorKind, Finding, Snapshot, Status
from auditor.providers.vault import VaultOptions
from auditor.providers.vault.api import VaultApi
from auditor.providers.vault.policy import allows, parse_policy
from auditor.scan import evaluate_snapshot, write_outputs
from auditor.snapshot import load_snapshot, save_snapshot
from auditor_testkit import openbao as bao

from .conftest import AUDITOR_POLICY, contract_problems, run_scan

pytestmark = pytest.mark.integration

# check id -> (names expected to pass, names expected to fail) on the seeded dev server.
# Token names are display names; "SERVER" is the dev server itself.
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "vault.audit.device_enabled": (["SERVER"], []),
    "vault.audit.device_redundancy": (["SERVER"], []),
    "vault.audit.no_log_raw": (["audit-good/"], ["audit-raw/"]),
    "vault.seal.unsealed": (["SERVER"], []),
    "vault.seal.auto_unseal": ([], ["SERVER"]),
    "vault.listener.tls": ([], ["SERVER"]),
    "vault.server.raw_storage_disabled": ([], ["SERVER"]),
    "vault.server.version_supported": (["SERVER"], []),
    "vault.ha.healthy": ([], ["SERVER"]),
    "vault.auth.max_lease_ttl": (["userpass-mfa/"], ["userpass/", "approle/"]),
    "vault.auth.login_mfa": (["userpass-mfa/"], ["userpass/"]),
    "vault.auth.listing_hidden": (["userpass-mfa/"], ["userpass/"]),
    "vault.approle.secret_id_ttl": (["approle/pass-app"], ["approle/fail-app", "approle/fail-nobind"]),
    "vault.approle.cidr_binding": (["approle/pass-app", "approle/fail-nobind"], ["approle/fail-app"]),
    "vault.policy.no_wildcard_paths": (["pass-app", "pass-json", "auditor"], ["fail-wildcard"]),
    "vault.policy.no_broad_sudo": (["pass-app", "auditor"], ["fail-sudo"]),
    "vault.policy.default_not_widened": ([], ["default"]),
    "vault.token.no_root": (["token-pass-child", "token-fail-long"], ["token"]),
    "vault.token.expires": (["token-pass-child"], ["token"]),
    "vault.token.max_ttl": (["token-pass-child"], ["token-fail-long", "token"]),
    "vault.token.no_orphan_created": (["token-pass-child"], ["token-fail-orphan"]),
    "vault.secrets.max_lease_ttl": (["pki-short/"], ["pki/"]),
    "vault.kv.version_limit": (["kv-good/", "secret/"], ["kv-bad/"]),
    "vault.kv.cas_required": (["kv-good/"], ["kv-bad/", "secret/"]),
    "vault.pki.role_max_ttl": (["pki/roles/pass-web"], ["pki/roles/fail-any"]),
    "vault.pki.role_no_allow_any_name": (["pki/roles/pass-web"], ["pki/roles/fail-any"]),
    "vault.pki.issuer_expiry": (["pki/pass-root"], ["pki-short/fail-short"]),
    "vault.transit.not_exportable": (["transit/keys/pass-key"], ["transit/keys/fail-export"]),
    "vault.transit.deletion_protected": (["transit/keys/pass-key"], ["transit/keys/fail-delete"]),
    "vault.transit.rotation": (
        ["transit/keys/pass-key"],
        ["transit/keys/fail-norotate", "transit/keys/fail-slowrotate"],
    ),
}


def _status(findings: list[Finding], check_id: str, name: str, server_label: str) -> Status:
    want = server_label if name == "SERVER" else name
    hits = [
        f
        for f in findings
        if f.check_id == check_id
        and f.resource_name is not None
        and (f.resource_name == want or f.resource_name.startswith(want + " ("))
    ]
    assert hits, f"{check_id}: no finding for {name}"
    statuses = {f.status for f in hits}
    assert len(statuses) == 1, f"{check_id} {name}: {[(f.resource_name, f.status, f.message) for f in hits]}"
    return statuses.pop()


@pytest.fixture(scope="session")
def dev_results(dev_scan: tuple[Snapshot, VaultApi]) -> Any:
    snap, _ = dev_scan
    return evaluate_snapshot(snap)


def test_every_check_passes_and_fails_on_real_responses(dev: Any, dev_scan: Any, dev_results: Any) -> None:
    server, _ = dev
    snap, _ = dev_scan
    assert snap.errors == [], [e.message for e in snap.errors]
    vault_checks = {c.id for c in load_registry() if c.meta.provider == "vault"}
    assert vault_checks == set(EXPECTED), "every vault check is covered by the expectations table"
    wrong = []
    for check_id, (passes, fails) in EXPECTED.items():
        for name in passes:
            if (got := _status(dev_results.findings, check_id, name, server.addr)) != Status.PASS:
                wrong.append(f"{check_id} {name}: expected pass, got {got}")
        for name in fails:
            if (got := _status(dev_results.findings, check_id, name, server.addr)) != Status.FAIL:
                wrong.append(f"{check_id} {name}: expected fail, got {got}")
    assert not wrong, "\n".join(wrong)


def test_version_check_fails_on_the_real_version_with_a_higher_minimum(dev: Any, dev_scan: Any) -> None:
    server, _ = dev
    res = evaluate_snapshot(dev_scan[0], params={"vault.openbao_min_version": "99.0"})
    assert _status(res.findings, "vault.server.version_supported", "SERVER", server.addr) == Status.FAIL


def test_no_secret_value_in_any_output(dev: Any, dev_scan: Any, dev_results: Any, tmp_path: Path) -> None:
    server, info = dev
    snap, _ = dev_scan
    write_outputs(dev_results, tmp_path / "out", ["html", "json", "csv"], snapshot=snap)
    save_snapshot(snap, tmp_path / "out" / "snapshot.json")
    blob = "\n".join(p.read_text("utf-8") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "report.html" in {p.name for p in (tmp_path / "out").iterdir()}
    assert "findings.csv" in {p.name for p in (tmp_path / "out").iterdir()}
    for secret in (info["canary"], info["secret_id"], server.root_token):
        assert secret not in blob
    assert "app/db" not in blob  # not even the KV key name is listed


def test_collector_reads_only_sys_and_engine_metadata(dev_scan: Any) -> None:
    _, api = dev_scan
    paths = [p for _, p in api.calls]
    assert not [p for p in paths if "/data/" in p or "/metadata/" in p or "/export/" in p]
    assert not [p for p in paths if p.endswith(("role-id", "secret-id", "backup"))]
    assert {m for m, _ in api.calls} <= {"GET", "LIST", "POST"}
    assert {p for m, p in api.calls if m == "POST"} == {"auth/token/lookup-accessor"}


def test_shipped_policy_covers_every_request(dev_scan: Any) -> None:
    _, api = dev_scan
    rules = parse_policy(AUDITOR_POLICY.read_text())
    cap = {"GET": "read", "LIST": "list", "POST": "update"}
    uncovered = [
        (m, p)
        for m, p in api.calls
        if not allows(rules, p.split("?", 1)[0], cap[m]) and p.split("?", 1)[0] != "sys/health"
    ]
    assert not uncovered


def test_scan_with_the_shipped_policy_only(dev: Any, dev_scan: Any) -> None:
    server, _ = dev
    token = bao.auditor_token(server, ["auditor"])
    snap, _ = run_scan(VaultOptions(addr=server.addr), {"VAULT_TOKEN": token})
    assert snap.errors == [], [(e.operation, e.message) for e in snap.errors]
    assert not [(r.name, r.gaps) for r in snap.resources if r.gaps]
    assert contract_problems(snap) == []
    full = {(r.type, r.id) for r in dev_scan[0].resources if r.type != "vault.token"}
    assert {(r.type, r.id) for r in snap.resources if r.type != "vault.token"} == full
    # Chain of custody: every record names the scanner's token by accessor and display name, and
    # the token itself is nowhere in the snapshot (lookup-self answers with it; it is dropped).
    me = server.client().auth.token.lookup(token)["data"]
    assert {ev.identity for ev in snap.evidence} == {f"{me['display_name']} (accessor {me['accessor']})"}
    assert token not in snap.model_dump_json()


def test_denied_detail_reads_are_gaps_and_their_checks_error(dev: Any) -> None:
    """The shipped policy with single detail paths denied: each denied read is a gap on exactly
    the attributes it fills (never a default, never an 'unreadable' string), and every check
    reading one reports error; the Enterprise-only paths that answer 404 stay not applicable."""
    server, _ = dev
    denied = [
        "sys/ha-status",
        "sys/license/status",
        "sys/version-history/",
        "sys/mounts/pki/tune",
        "sys/auth/userpass/tune",
        "sys/policies/acl/root",
        "identity/mfa/login-enforcement/",
    ]
    text = AUDITOR_POLICY.read_text() + "".join(f'\npath "{p}" {{ capabilities = ["deny"] }}' for p in denied)
    server.client().sys.create_or_update_acl_policy("auditor-denied", text)
    token = bao.auditor_token(server, ["auditor-denied"])
    snap, _ = run_scan(VaultOptions(addr=server.addr), {"VAULT_TOKEN": token})
    assert contract_problems(snap) == []
    assert snap.errors == [], [(e.operation, e.message) for e in snap.errors]  # only detail reads failed
    by_name = {(r.type, r.name): r for r in snap.resources}
    srv = by_name["vault.server", server.addr]
    assert set(srv.gaps) == {"ha_nodes", "license", "version_history"}
    assert (
        srv.gaps["license"]
        == "GET sys/license/status failed (access_denied): HTTP 403: 1 error occurred: * permission denied"
    )
    assert srv.attributes["replication"] == "not_applicable"  # 404 "unsupported path", even when denied
    assert set(by_name["vault.secrets_engine", "pki/"].gaps) == {"default_lease_ttl", "max_lease_ttl"}
    assert set(by_name["vault.auth_method", "userpass/"].gaps) == {
        "default_lease_ttl",
        "max_lease_ttl",
        "listing_visibility",
        "token_type",
        "mfa_enforcements",
    }
    assert set(by_name["vault.auth_method", "userpass-mfa/"].gaps) == {"mfa_enforcements"}
    assert set(by_name["vault.policy", "root"].gaps) == {"rules", "text_sha256"}
    res = evaluate_snapshot(snap)
    for check_id, name in (
        ("vault.secrets.max_lease_ttl", "pki/"),
        ("vault.auth.max_lease_ttl", "userpass/"),
        ("vault.auth.listing_hidden", "userpass/"),
        ("vault.auth.login_mfa", "userpass/"),
        ("vault.auth.login_mfa", "userpass-mfa/"),
    ):
        assert _status(res.findings, check_id, name, server.addr) == Status.ERROR, (check_id, name)
    # The unaffected siblings are still judged.
    assert _status(res.findings, "vault.secrets.max_lease_ttl", "pki-short/", server.addr) == Status.PASS
    assert _status(res.findings, "vault.auth.listing_hidden", "userpass-mfa/", server.addr) == Status.PASS


def test_a_rejected_approle_login_is_access_denied(dev: Any, tmp_path: Path) -> None:
    server, _ = dev
    (tmp_path / "role").write_text("not-a-role-id")
    (tmp_path / "secret").write_text("not-a-secret-id")
    opts = VaultOptions(
        addr=server.addr,
        auth_method="approle",
        role_id_file=str(tmp_path / "role"),
        secret_id_file=str(tmp_path / "secret"),
    )
    snap, api = run_scan(opts, {})
    assert api is None and snap.resources == []
    assert [(e.operation, e.kind, e.resource_types) for e in snap.errors] == [
        ("login (approle)", ErrorKind.ACCESS_DENIED, ())
    ]


def test_smaller_policy_makes_errors_not_passes(dev: Any) -> None:
    server, _ = dev
    c = server.client()
    c.sys.create_or_update_acl_policy(
        "auditor-small",
        'path "sys/seal-status" { capabilities = ["read"] }\npath "sys/mounts" { capabilities = ["read"] }\n',
    )
    token = bao.auditor_token(server, ["auditor-small"])
    snap, _ = run_scan(VaultOptions(addr=server.addr), {"VAULT_TOKEN": token})
    assert contract_problems(snap) == []
    assert {ev.identity for ev in snap.evidence} == {"token login"}  # lookup-self denied: unknown
    denied = {t for e in snap.errors if e.kind == "access_denied" for t in e.resource_types}
    assert {"vault.audit_device", "vault.auth_method", "vault.policy", "vault.token"} <= denied
    res = evaluate_snapshot(snap)
    by_check: dict[str, set[Status]] = {}
    for f in res.findings:
        by_check.setdefault(f.check_id, set()).add(f.status)
    for check_id in (
        "vault.audit.device_enabled",
        "vault.listener.tls",
        "vault.token.no_root",
        "vault.policy.no_wildcard_paths",
        "vault.auth.login_mfa",
        "vault.kv.cas_required",
    ):
        assert Status.ERROR in by_check[check_id], check_id
        assert Status.PASS not in by_check[check_id], check_id


def test_approle_login_and_secret_id_stays_out(dev: Any, tmp_path: Path) -> None:
    server, _ = dev
    c = server.client()
    c.write("auth/approle/role/scanner", token_policies="auditor", token_ttl="10m", secret_id_ttl="10m")
    role_id = c.read("auth/approle/role/scanner/role-id")["data"]["role_id"]
    secret_id = c.write("auth/approle/role/scanner/secret-id")["data"]["secret_id"]
    (tmp_path / "role").write_text(role_id)
    (tmp_path / "secret").write_text(secret_id)
    opts = VaultOptions(
        addr=server.addr,
        auth_method="approle",
        role_id_file=str(tmp_path / "role"),
        secret_id_file=str(tmp_path / "secret"),
        max_tokens=0,
    )
    snap, api = run_scan(opts, {})
    assert api is not None
    # max_tokens=0 is a deliberate choice: an exclusion (token checks say `excluded`), not an error
    assert snap.errors == []
    assert [(x.resource_types, x.reason) for x in snap.exclusions] == [
        (("vault.token",), "token enumeration is turned off (max_tokens=0)")
    ]
    assert not [r for r in snap.resources if r.type == "vault.token"]
    assert any(r.type == "vault.policy" for r in snap.resources)
    dumped = snap.model_dump_json()
    assert secret_id not in dumped and role_id not in dumped
    assert snap.targets[0].options["auth_method"] == "approle"


def test_bad_login_is_a_collection_error(dev: Any) -> None:
    server, _ = dev
    snap, _ = run_scan(VaultOptions(addr=server.addr), {"VAULT_TOKEN": "not-a-token"})
    # A token login is checked by the first authenticated request: every read is denied.
    assert snap.errors and {e.kind for e in snap.errors} == {"access_denied"}
    assert not [r for r in snap.resources if r.type != "vault.server"]


def test_production_like_server(prod: bao.Server) -> None:
    opts = VaultOptions(addr=prod.addr, ca_cert=prod.ca_cert)
    snap, _ = run_scan(opts, {"VAULT_TOKEN": prod.root_token})
    assert snap.errors == [], [e.message for e in snap.errors]
    assert contract_problems(snap) == []
    server = next(r for r in snap.resources if r.type == "vault.server")
    assert server.attributes["storage_type"] == "raft"
    assert server.attributes["raft"]["healthy"] is True
    assert server.attributes["license"] == "not_applicable"
    assert server.attributes["replication"] == "not_applicable"
    # The CA is honoured, and so is its absence: an unknown certificate is a failed connection.
    untrusted, _ = run_scan(VaultOptions(addr=prod.addr), {"VAULT_TOKEN": prod.root_token})
    assert [(e.operation, e.kind) for e in untrusted.errors] == [
        ("GET auth/token/lookup-self", ErrorKind.UNREACHABLE)
    ]
    assert "SSLError" in untrusted.errors[0].message and untrusted.resources == []
    res = evaluate_snapshot(snap, params={"vault.ha.min_voters": 1})
    label = server.name or ""
    assert _status(res.findings, "vault.listener.tls", "SERVER", label) == Status.PASS
    assert _status(res.findings, "vault.server.raw_storage_disabled", "SERVER", label) == Status.PASS
    assert _status(res.findings, "vault.audit.device_enabled", "SERVER", label) == Status.FAIL
    assert _status(res.findings, "vault.audit.device_redundancy", "SERVER", label) == Status.FAIL
    assert _status(res.findings, "vault.seal.unsealed", "SERVER", label) == Status.PASS
    assert _status(res.findings, "vault.ha.healthy", "SERVER", label) == Status.PASS
    assert _status(res.findings, "vault.policy.default_not_widened", "default", label) == Status.PASS
    strict = evaluate_snapshot(snap)
    assert _status(strict.findings, "vault.ha.healthy", "SERVER", label) == Status.FAIL  # 1 voter < 3

    # Seal it for real: the seal check fails and everything else is an error, never a pass.
    prod.client().sys.seal()
    try:
        sealed, _ = run_scan(opts, {"VAULT_TOKEN": prod.root_token})
    finally:
        bao.unseal(prod)
    assert contract_problems(sealed) == []
    res = evaluate_snapshot(sealed)
    assert _status(res.findings, "vault.seal.unsealed", "SERVER", label) == Status.FAIL
    statuses = {f.status for f in res.findings if f.check_id == "vault.policy.no_wildcard_paths"}
    assert statuses == {Status.ERROR}


def test_audit_yaml_with_two_vault_targets(dev: Any, prod: bao.Server, tmp_path: Path) -> None:
    server, info = dev
    dev_token = tmp_path / "dev-token"
    dev_token.write_text(bao.auditor_token(server, ["auditor"]))
    root_token = tmp_path / "dev-root-token"
    root_token.write_text(server.root_token)
    prod_token = tmp_path / "prod-token"
    prod_token.write_text(prod.root_token)
    cfg = {
        "version": 1,
        "formats": ["html", "json", "csv"],
        "targets": [
            {
                "provider": "vault",
                "name": "dev",
                "options": {"addr": server.addr, "token_file": str(dev_token)},
            },
            {
                "provider": "vault",
                "name": "team-a",
                "options": {"addr": server.addr, "namespace": "team-a", "token_file": str(root_token)},
            },
            {
                "provider": "vault",
                "name": "prod",
                "options": {"addr": prod.addr, "ca_cert": prod.ca_cert, "token_file": str(prod_token)},
            },
        ],
    }
    (tmp_path / "audit.yaml").write_text(yaml.safe_dump(cfg))
    server.client().sys.create_namespace("team-a")
    in_ns = server.client()
    in_ns.adapter.namespace = "team-a"
    in_ns.sys.create_or_update_acl_policy("ns-wide", 'path "*" { capabilities = ["read"] }')
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["scan", "--config", str(tmp_path / "audit.yaml"), "--out", str(out), "-q", "--save-snapshot"],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 3), result.output
    assert contract_problems(load_snapshot(out / "snapshot")) == []
    data = json.loads((out / "results.json").read_text())
    labels = {t["label"] for t in data["scan"]["targets"]}
    assert labels == {server.addr, prod.addr, f"{server.addr} ns=team-a"}
    assert data["errors"] == []
    accounts = {f["account"] for f in data["findings"] if f["provider"] == "vault"}
    assert {server.addr, prod.addr} <= accounts
    ns = {(f["resource_type"], f["region"]) for f in data["findings"] if f["region"] == "team-a"}
    assert ("vault.policy", "team-a") in ns and ("vault.server", "team-a") not in ns
    wide = [
        f
        for f in data["findings"]
        if f["resource_name"] == "ns-wide" and f["check_id"] == "vault.policy.no_wildcard_paths"
    ]
    assert [(f["region"], f["status"]) for f in wide] == [("team-a", "fail")]
    blob = "\n".join(p.read_text("utf-8") for p in out.rglob("*") if p.is_file())
    for secret in (info["canary"], prod.root_token, dev_token.read_text(), server.root_token):
        assert secret not in blob
