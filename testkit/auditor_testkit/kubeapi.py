"""A real kube-apiserver (v1.20.2) plus etcd on 127.0.0.1, for integration tests.

The kube-apiserver binary is built once by ``scripts/build-kube-apiserver.sh``
and cached outside the checkout; etcd comes from Debian's ``etcd-server``.
:func:`run_kube_apiserver` starts both on free loopback ports with a fresh CA,
serving certificate, service-account key and static bearer tokens, waits
until ``/readyz`` answers 200, yields a :class:`KubeCluster`, and stops both
processes by PID on exit.

Identities (static token file, RBAC authorization, anonymous auth off):

* ``admin_token``: user ``admin`` in group ``system:masters`` (cluster admin);
* ``scanner_token``: user ``auditor-scanner``, no groups beyond
  ``system:authenticated``, so it may do nothing until a test binds a role;
* ``other_token``: user ``intruder``, for negative tests.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import os
import secrets
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from auditor_testkit.local import HOST, free_ports, stop_process, tail

__all__ = [
    "KUBE_VERSION",
    "KubeApiServerError",
    "KubeCluster",
    "etcd_binary",
    "kube_apiserver_binary",
    "run_kube_apiserver",
]

KUBE_VERSION = "v1.20.2"
# The cached build's directory, as the build script names it (bumped when the build changes: the
# first build, kube-apiserver-v1.20.2, crashed on custom resources; see the script).
BUILD_NAME = f"kube-apiserver-{KUBE_VERSION}-reflect2"
BUILD_SCRIPT = "scripts/build-kube-apiserver.sh"

READY_TIMEOUT = 60.0
ETCD_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


class KubeApiServerError(RuntimeError):
    """The binaries are missing, or a server failed to start."""


@dataclass(frozen=True)
class KubeCluster:
    """A running kube-apiserver and how to reach it."""

    server: str
    ca_file: Path
    admin_token: str
    scanner_token: str
    other_token: str
    workdir: Path

    def kubeconfig(self, token: str, path: Path, context: str = "test") -> Path:
        """Write a kubeconfig for the identity holding ``token``; return ``path``.

        JSON is valid YAML, so any kubeconfig reader accepts the file.
        """
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": context,
                    "cluster": {
                        "server": self.server,
                        "certificate-authority": str(self.ca_file.resolve()),
                    },
                }
            ],
            "users": [{"name": context, "user": {"token": token}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
            "preferences": {},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(config, indent=2) + "\n")
        path.chmod(0o600)
        return path


def cache_dir() -> Path:
    """Same rule as the build script: ``$AUDITOR_CACHE_DIR`` or ``~/.cache/auditor``."""
    env = os.environ.get("AUDITOR_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "auditor"


def kube_apiserver_binary() -> Path:
    """The cached kube-apiserver; raise if it has not been built."""
    path = cache_dir() / BUILD_NAME / "kube-apiserver"
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise KubeApiServerError(
            f"kube-apiserver {KUBE_VERSION} not found at {path}; "
            f"run {BUILD_SCRIPT} to build it (about 13 minutes, once)"
        )
    return path


def etcd_binary() -> Path:
    """The etcd server binary (Debian package ``etcd-server``)."""
    found = shutil.which("etcd") or ("/usr/bin/etcd" if os.access("/usr/bin/etcd", os.X_OK) else None)
    if found is None:
        raise KubeApiServerError(
            f"etcd not found on PATH; run {BUILD_SCRIPT} (installs Debian's etcd-server)"
        )
    return Path(found)


def _write_private_key(key: rsa.RSAPrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _write_pki(pki: Path) -> tuple[Path, Path, Path, Path, Path]:
    """Write a CA, a serving cert for 127.0.0.1/localhost, and a service-account key.

    Returns (ca.crt, apiserver.crt, apiserver.key, sa.key, sa.pub).
    """
    pki.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    not_before = now - datetime.timedelta(minutes=5)
    not_after = now + datetime.timedelta(days=2)

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auditor-test-ca")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    srv_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    srv_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
        .issuer_name(ca_name)
        .public_key(srv_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address(HOST)),
                    x509.DNSName("localhost"),
                    x509.DNSName("kubernetes"),
                    x509.DNSName("kubernetes.default"),
                    x509.DNSName("kubernetes.default.svc"),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    ca_file = pki / "ca.crt"
    cert_file = pki / "apiserver.crt"
    key_file = pki / "apiserver.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(srv_cert.public_bytes(serialization.Encoding.PEM))
    _write_private_key(srv_key, key_file)

    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sa_key_file = pki / "sa.key"
    sa_pub_file = pki / "sa.pub"
    _write_private_key(sa_key, sa_key_file)
    sa_pub_file.write_bytes(
        sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return ca_file, cert_file, key_file, sa_key_file, sa_pub_file


def _start(cmd: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # keep a terminal's Ctrl-C from reaching it directly
    )


def _wait_etcd(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + ETCD_TIMEOUT
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise KubeApiServerError(
                f"etcd exited with status {proc.returncode}; log tail:\n{tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200 and json.loads(resp.read()).get("health") == "true":
                    return
        except (OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.1)
    raise KubeApiServerError(
        f"etcd not healthy after {ETCD_TIMEOUT:.0f}s ({last}); log tail:\n{tail(log_path)}"
    )


def _wait_ready(
    proc: subprocess.Popen[bytes], server: str, ca_file: Path, token: str, log_path: Path
) -> None:
    ctx = ssl.create_default_context(cafile=str(ca_file))
    request = urllib.request.Request(f"{server}/readyz", headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise KubeApiServerError(
                f"kube-apiserver exited with status {proc.returncode}; "
                f"log tail ({log_path}):\n{tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(request, timeout=5, context=ctx) as resp:
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[-500:].decode(errors='replace')}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise KubeApiServerError(
        f"kube-apiserver /readyz not 200 after {READY_TIMEOUT:.0f}s (last: {last}); "
        f"log tail ({log_path}):\n{tail(log_path)}"
    )


@contextlib.contextmanager
def run_kube_apiserver(workdir: Path) -> Iterator[KubeCluster]:
    """Start etcd and kube-apiserver on 127.0.0.1; yield the cluster; stop both.

    Everything (PKI, token file, etcd data, logs) is written under ``workdir``.
    Both processes are stopped by PID on exit, also when start-up fails.
    """
    apiserver_bin = kube_apiserver_binary()
    etcd_bin = etcd_binary()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    ca_file, cert_file, key_file, sa_key_file, sa_pub_file = _write_pki(workdir / "pki")

    admin_token = f"admin-{secrets.token_hex(16)}"
    scanner_token = f"scanner-{secrets.token_hex(16)}"
    other_token = f"other-{secrets.token_hex(16)}"
    token_file = workdir / "tokens.csv"
    token_file.write_text(
        f'{admin_token},admin,uid-admin,"system:masters"\n'
        f"{scanner_token},auditor-scanner,uid-auditor-scanner\n"
        f"{other_token},intruder,uid-intruder\n"
    )
    token_file.chmod(0o600)

    etcd_client, etcd_peer, secure_port = free_ports(3)
    etcd_url = f"http://{HOST}:{etcd_client}"
    peer_url = f"http://{HOST}:{etcd_peer}"
    server = f"https://{HOST}:{secure_port}"

    etcd_log_path = workdir / "etcd.log"
    apiserver_log_path = workdir / "kube-apiserver.log"
    etcd_cmd = [
        str(etcd_bin),
        "--name=default",
        f"--data-dir={workdir / 'etcd-data'}",
        f"--listen-client-urls={etcd_url}",
        f"--advertise-client-urls={etcd_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=default={peer_url}",
        "--initial-cluster-state=new",
        "--log-level=warn",
    ]
    apiserver_cmd = [
        str(apiserver_bin),
        f"--etcd-servers={etcd_url}",
        f"--bind-address={HOST}",
        f"--secure-port={secure_port}",
        f"--tls-cert-file={cert_file}",
        f"--tls-private-key-file={key_file}",
        f"--token-auth-file={token_file}",
        "--authorization-mode=RBAC",
        "--anonymous-auth=false",
        f"--service-account-key-file={sa_pub_file}",
        f"--service-account-signing-key-file={sa_key_file}",
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        "--disable-admission-plugins=ServiceAccount",
        f"--cert-dir={workdir / 'apiserver-certs'}",
        "--profiling=false",
        "--v=1",
    ]

    etcd: subprocess.Popen[bytes] | None = None
    apiserver: subprocess.Popen[bytes] | None = None
    with open(etcd_log_path, "ab") as etcd_log, open(apiserver_log_path, "ab") as apiserver_log:
        try:
            etcd = _start(etcd_cmd, etcd_log)
            _wait_etcd(etcd, etcd_url, etcd_log_path)
            apiserver = _start(apiserver_cmd, apiserver_log)
            _wait_ready(apiserver, server, ca_file, admin_token, apiserver_log_path)
            yield KubeCluster(
                server=server,
                ca_file=ca_file,
                admin_token=admin_token,
                scanner_token=scanner_token,
                other_token=other_token,
                workdir=workdir,
            )
        finally:
            try:
                stop_process(apiserver, STOP_TIMEOUT)
            finally:
                stop_process(etcd, STOP_TIMEOUT)
