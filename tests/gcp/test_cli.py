"""`auditor scan gcp` end to end (a subprocess, as a user runs it), secrets, and the metadata server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import Request

from auditor.scan import evaluate_snapshot, write_outputs
from auditor.snapshot import save_snapshot
from auditor_testkit.gcp_fake import CANARY, FAIL_ORG, PASS_ORG
from auditor_testkit.netguard import NetworkGuardError, guarded_cli

from .util import STRICT, Gcp

pytestmark = pytest.mark.integration


def _auditor(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        guarded_cli(*args),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_cli_scan_of_an_organization(gcp: Gcp, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _auditor(
        [
            "scan",
            "gcp",
            "--organization",
            FAIL_ORG,
            "--credentials-file",
            str(gcp.key_file),
            "--api-endpoint",
            gcp.fake.url,
            "--out",
            str(out),
            "--format",
            "html,json,csv",
            "--save-snapshot",
            "-q",
        ],
        gcp.cli_env(),
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert {t["provider"] for t in results["scan"]["targets"]} == {"gcp"}
    assert {f["status"] for f in results["findings"] if f["provider"] == "gcp"} >= {"pass", "fail"}
    assert results["errors"] == []


def test_no_secret_value_reaches_any_output(gcp: Gcp, tmp_path: Path) -> None:
    snap = gcp.scan()
    assert CANARY in json.dumps(gcp.fake.assets)  # planted: VM metadata, Workbench metadata, GKE master auth
    out = tmp_path / "out"
    result = evaluate_snapshot(snap, params=STRICT)
    write_outputs(result, out, ["html", "json", "csv"], snapshot=snap)
    save_snapshot(snap, out / "snapshot")
    texts = [p.read_bytes() for p in out.rglob("*") if p.is_file()]
    assert len(texts) > 5
    for data in texts:
        assert CANARY.encode() not in data
    assert CANARY not in snap.model_dump_json()
    vm = next(r for r in snap.resources if r.name == "fail-vm")
    assert "startup-script" in vm.attributes["metadata_keys"]
    assert vm.attributes["metadata_flags"] == {"serial-port-enable": "true"}
    body = json.dumps([e.body for e in snap.evidence])
    assert "startup-script" in body and "[REDACTED]" in body


def test_bad_credentials_file_is_named(gcp: Gcp, tmp_path: Path) -> None:
    bad = tmp_path / "creds.json"
    bad.write_text("{not json", "utf-8")
    done = _auditor(
        [
            "scan",
            "gcp",
            "--organization",
            PASS_ORG,
            "--credentials-file",
            str(bad),
            "--api-endpoint",
            gcp.fake.url,
            "--out",
            str(tmp_path / "o"),
        ],
        gcp.cli_env(),
    )
    assert done.returncode == 2 and str(bad) in done.stderr and "not valid JSON" in done.stderr


def test_no_credentials_anywhere_fails_fast_without_probing(gcp: Gcp, tmp_path: Path) -> None:
    env = {**gcp.cli_env(), "HOME": str(tmp_path), "CLOUDSDK_CONFIG": str(tmp_path / "gcloud")}
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    done = _auditor(
        [
            "scan",
            "gcp",
            "--projects",
            "pass-app",
            "--api-endpoint",
            gcp.fake.url,
            "--out",
            str(tmp_path / "o"),
        ],
        env,
    )
    assert done.returncode == 2, done.stderr
    assert "auth.credentials" in done.stderr and "access_denied" in done.stderr
    assert gcp.fake.count() == 0


def test_the_network_guard_refuses_a_metadata_probe() -> None:
    """What google-auth does on a machine with no credentials (without NO_GCE_CHECK): a GET to the
    link-local metadata server. Under the guard it fails at once, and never leaves loopback."""
    with pytest.raises(auth_exceptions.TransportError) as raised:
        Request()(
            url="http://169.254.169.254", method="GET", headers={"Metadata-Flavor": "Google"}, timeout=1
        )
    chain, exc = [], raised.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    assert any(isinstance(e, NetworkGuardError) for e in chain) or any(
        isinstance(e, requests.exceptions.ConnectionError) and "non-loopback" in str(e) for e in chain
    )
