"""Helpers shared by the Kubernetes tests."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor import scan as scan_api
from auditor.checks import load_registry
from auditor.contracts import load_contracts
from auditor.engine import evaluate
from auditor.evidence import SnapshotBuilder
from auditor.models import Finding, Snapshot
from auditor.providers.k8s import K8sOptions
from auditor.providers.k8s.collector import ClientFactory, collect
from auditor.results import ScanResult
from auditor.runtime import CollectRun
from auditor.snapshot import dump_snapshot_json

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures" / "k8s"
ESTATE = FIX / "estate"
NEWER = FIX / "newer"
PERMISSIONS = ROOT / "docs" / "permissions"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
PARAMS = {"k8s.allowed_registries": ["registry.example.com"]}

_RAW_CANARIES = [
    "CANARY-k8s-secret-5f1d2c",
    "CANARY-k8s-token-7c41e2",
    "CANARY-k8s-secret-old-88e1",
    "CANARY-env-9a7b31",
    "CANARY-env-2c9d0e",
    "CANARY-env-cron-4411",
    "CANARY-url-pw-51d0",
    "AKIA2CANARY7K8SENV1X",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlktand0In0.Q0FOQVJZLWp3dC1zaWc",
    "Zr8Qp2Lx9Vd4Tn7Wk1Hs6Jm3Fb5Gc0Ya9Ue7Oi1Xq",
    # fixtures/k8s/malformed, mixed and kustomize: secrets in shapes nobody expects
    "CANARY-k8s-env-pairs-3b81",
    "CANARY-k8s-env-string-77d2",
    "CANARY-k8s-valuefrom-5a09",
    "CANARY-k8s-mistyped-e412",
    "CANARY-k8s-mistyped-container-key-9f3c",
    "CANARY-k8s-secret-list-0c7e",
    "CANARY-k8s-configmap-2e55",
    "CANARY-k8s-kustomize-6d20",
]
CANARIES = _RAW_CANARIES + [base64.b64encode(c.encode()).decode() for c in _RAW_CANARIES]


def snapshot_of(clients: ClientFactory | None = None, **options: Any) -> Snapshot:
    """Collect with the real collector; `clients` is handed in as `CollectRun.clients`."""
    sink = SnapshotBuilder(tool_version="test")
    collect(K8sOptions.model_validate(options), CollectRun(sink=sink, clients=clients))
    return sink.build()


def findings_of(
    snap: Snapshot, params: dict[str, Any] | None = None, now: datetime | None = None
) -> list[Finding]:
    if now is not None:
        snap = snap.model_copy(update={"created_at": now})
    return evaluate(snap, load_registry(), params=params if params is not None else PARAMS)


def status_map(findings: list[Finding]) -> dict[tuple[str, str], str]:
    return {(f.check_id, f.resource_id): f.status.value for f in findings}


def object_key(resource_id: str) -> str:
    """A resource id without its scope (context or 'manifests'): Kind/ns/name."""
    return resource_id.split("/", 1)[1] if "/" in resource_id else resource_id


def write_all(snap: Snapshot, out: Path, params: dict[str, Any] | None = None) -> tuple[ScanResult, str]:
    """Evaluate, write every output format plus the snapshot; return the result and all text written."""
    result = scan_api.evaluate_snapshot(snap, params=params if params is not None else PARAMS)
    scan_api.write_outputs(result, out, ["html", "json", "csv"], snapshot=snap)
    (out / "snapshot.json").write_text(dump_snapshot_json(snap), "utf-8")
    text = "\n".join(p.read_text("utf-8", errors="replace") for p in sorted(out.rglob("*")) if p.is_file())
    return result, text


def assert_no_canary(text: str) -> None:
    leaked = [c for c in CANARIES if c in text]
    assert not leaked, f"canary values leaked into the output: {leaked}"


def assert_valid(snap: Snapshot) -> None:
    """Every resource in `snap` matches its declared contract (auditor.providers.k8s.resources)."""
    assert [r for r in snap.resources if r.provider == "k8s"], "nothing to validate"
    problems = load_contracts().validate_snapshot(snap)
    assert not problems, "\n".join(problems)
