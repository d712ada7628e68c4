"""Credentials without leaving loopback: `--auth cli` with a stand-in `az` on PATH runs the whole
CLI path (in a subprocess under the network guard), and a managed-identity probe of the instance
metadata service is refused by the guard. Also: sovereign clouds from AZURE_AUTHORITY_HOST, and a
canary app setting / connection string / secret value that no output may hold."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from azure_fixtures import *  # noqa: F403  (the fixtures fake, scan, reference)

from auditor.models import ErrorKind
from auditor.providers.azure import AzureOptions
from auditor.providers.azure.clients import arm_endpoint, authority_host, make_credential
from auditor_testkit.azure_estate import CANARY, PROD, TENANT
from auditor_testkit.azure_fake import SCANNER_APP_ID, SCANNER_OBJECT_ID, TEST_TOKEN, FakeAzure
from auditor_testkit.netguard import GUARDED_CLI, NetworkGuardError, loopback_only


def stand_in_az(bin_dir: Path, calls: Path) -> None:
    """An `az` that answers `az account get-access-token` with the JSON the real one prints."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "az"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, time\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "assert sys.argv[1:3] == ['account', 'get-access-token'], sys.argv\n"
        f"print(json.dumps({{'accessToken': {TEST_TOKEN!r}, 'expiresOn': '2099-01-01 00:00:00.000000',\n"
        "  'expires_on': int(time.time()) + 3600, 'subscription': "
        f"{PROD!r}, 'tenant': {TENANT!r}, 'tokenType': 'Bearer'}}))\n"
    )
    script.chmod(0o755)


def run_cli(fake: FakeAzure, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    stand_in_az(tmp / "bin", tmp / "az-calls.jsonl")
    env = {
        **os.environ,
        "PATH": f"{tmp / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "REQUESTS_CA_BUNDLE": str(fake.ca_file),
        "AZURE_CONFIG_DIR": str(tmp / "azure-config"),
        "HOME": str(tmp),
    }
    for name in ("AZURE_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_CLIENT_ID"):
        env.pop(name, None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            GUARDED_CLI,
            "scan",
            "azure",
            "--auth",
            "cli",
            "--arm-endpoint",
            fake.url,
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_cli_auth_scan_writes_every_output_without_the_canary(fake: FakeAzure, tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"azure.storage.require_cmk": True}))
    out = tmp_path / "out"
    proc = run_cli(
        fake,
        tmp_path,
        "--out",
        str(out),
        "--format",
        "html,json,csv",
        "--save-snapshot",
        "--params",
        str(params),
        "-q",
    )
    assert proc.returncode == 0, proc.stderr
    calls = [json.loads(line) for line in (tmp_path / "az-calls.jsonl").read_text().splitlines()]
    assert calls and all(c[c.index("--resource") + 1] == fake.url for c in calls)
    results = json.loads((out / "results.json").read_text())
    assert results["errors"] == [] and {f["status"] for f in results["findings"]} >= {"pass", "fail"}
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"results.json", "report.html", "findings.csv", "manifest.json"}
    assert any("snapshot" in p.parts for p in written)
    for p in written:
        assert CANARY not in p.read_text("utf-8", errors="replace"), f"the canary leaked into {p}"
    evidence = "".join(p.read_text() for p in (out / "evidence").glob("*.json"))
    assert '"value": "[REDACTED]"' in evidence and '"connectionString": "[REDACTED]"' in evidence
    assert CANARY not in proc.stdout + proc.stderr
    # Chain of custody: the principal the token names (its claims), never the token itself.
    custody = json.loads((out / "evidence" / "manifest.json").read_text())["custody"]
    who = f"{SCANNER_APP_ID} (object id {SCANNER_OBJECT_ID}, tenant {TENANT})"
    assert {c["identity"] for c in custody["collectors"]} == {who} and custody["identity_missing"] == []
    for p in written:
        assert TEST_TOKEN not in p.read_text("utf-8", errors="replace"), f"the token leaked into {p}"


def test_the_canary_is_in_what_the_fake_serves(fake: FakeAzure) -> None:
    """The canary test above would prove nothing if the fake never served the canary."""
    served = json.dumps([o.body or o.items for o in fake.estate.arm.values()]) + json.dumps(
        fake.estate.tables
    )
    assert served.count(CANARY) >= 8


def test_an_imds_probe_is_refused_by_the_network_guard() -> None:
    with loopback_only(), pytest.raises(NetworkGuardError):
        socket.create_connection(("169.254.169.254", 80), timeout=2)


def test_managed_identity_never_leaves_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--auth managed-identity` off Azure: the credential's IMDS probe is refused at once by the
    guard and the scan records access_denied; nothing is waited for, nothing leaves the machine."""
    for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    from auditor.providers.azure import PROVIDER
    from auditor.scan import collect

    attempts: list[Any] = []
    real = socket.socket.connect

    def watch(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        return real(self, address)

    started = time.monotonic()
    with loopback_only():
        monkeypatch.setattr(socket.socket, "connect", watch)  # observe only: the guard is underneath
        snap = collect(
            [(PROVIDER, "azure", AzureOptions(auth="managed-identity", arm_endpoint="https://127.0.0.1:9"))]
        )
    assert time.monotonic() - started < 30
    (err,) = snap.errors
    assert err.kind == ErrorKind.ACCESS_DENIED and "sign in" in err.message
    assert any(a[0] == "169.254.169.254" for a in attempts if isinstance(a, tuple))
    assert snap.resources == []


def test_sovereign_clouds_follow_the_authority_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/")
    assert authority_host() == "login.microsoftonline.us"
    assert arm_endpoint(AzureOptions()) == "https://management.usgovcloudapi.net"
    assert arm_endpoint(AzureOptions(arm_endpoint="https://management.chinacloudapi.cn/")) == (
        "https://management.chinacloudapi.cn"
    )
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "login.chinacloudapi.cn")
    assert arm_endpoint(AzureOptions()) == "https://management.chinacloudapi.cn"
    monkeypatch.delenv("AZURE_AUTHORITY_HOST")
    assert arm_endpoint(AzureOptions()) == "https://management.azure.com"


@pytest.mark.parametrize(
    ("auth", "kind"),
    [
        ("cli", "AzureCliCredential"),
        ("environment", "EnvironmentCredential"),
        ("managed-identity", "ManagedIdentityCredential"),
        ("default", "DefaultAzureCredential"),
    ],
)
def test_each_auth_choice_builds_its_credential_offline(auth: str, kind: str) -> None:
    with loopback_only():  # building a credential fetches nothing
        cred = make_credential(AzureOptions(auth=auth, tenant=TENANT))  # type: ignore[arg-type]
    assert type(cred).__name__ == kind


def test_workload_identity_without_its_settings_is_a_clear_sign_in_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    from auditor.providers.azure import PROVIDER
    from auditor.scan import collect

    with loopback_only():
        snap = collect([(PROVIDER, "azure", AzureOptions(auth="workload-identity"))])
    (err,) = snap.errors
    assert (
        err.operation == "sign-in"
        and err.kind == ErrorKind.ACCESS_DENIED
        and "workload-identity" in err.message
    )


def test_options_refuse_what_would_leak_or_mislead() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="https"):
        AzureOptions(arm_endpoint="http://127.0.0.1:8080")
    with pytest.raises(ValidationError, match="GUID"):
        AzureOptions(subscriptions=["prod"])
    assert AzureOptions(subscriptions=[PROD.upper()]).subscriptions == [PROD]
