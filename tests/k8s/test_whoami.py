"""Who the collector says it read as (the chain of custody), through the real kubernetes loaders:
a kubeconfig with a client certificate, an in-cluster service-account token, and a static token
that names no one the client can see."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from auditor.providers.k8s.collector import in_cluster_client, kubeconfig_client
from auditor.providers.k8s.whoami import authenticated_as


def _client_cert(cn: str, groups: list[str]) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups]
        + [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def _kubeconfig(tmp: Path, user: dict[str, str]) -> str:
    path = tmp / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
                "users": [{"name": "u", "user": user}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "ctx",
            }
        )
    )
    return str(path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_client_certificate_names_its_user_and_groups(tmp_path: Path) -> None:
    cert, key = _client_cert("auditor-scanner", ["auditors", "readers"])
    cfg = _kubeconfig(tmp_path, {"client-certificate-data": _b64(cert), "client-key-data": _b64(key)})
    assert authenticated_as(kubeconfig_client(cfg, "ctx")) == "auditor-scanner (groups auditors, readers)"


def test_a_service_account_token_names_the_service_account(tmp_path: Path) -> None:
    claims = {"iss": "https://kubernetes.default.svc", "sub": "system:serviceaccount:audit:scanner"}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    token = tmp_path / "token"
    token.write_text(f"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")
    ca = tmp_path / "ca.crt"
    ca.write_bytes(_client_cert("ca", [])[0])
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "6443"}
    client = in_cluster_client(str(token), str(ca), env)
    assert authenticated_as(client) == "system:serviceaccount:audit:scanner"


def test_a_static_token_names_no_one(tmp_path: Path) -> None:
    cfg = _kubeconfig(tmp_path, {"token": "scanner-token-fake"})
    assert authenticated_as(kubeconfig_client(cfg, "ctx")) is None
