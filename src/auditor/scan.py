"""The library API behind the CLI: collect, evaluate, roll up, write outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from auditor.catalog import Library, load_library
from auditor.checks import Registry, load_registry
from auditor.contracts import load_contracts
from auditor.derive import Deriver
from auditor.engine import ProgressFn, assess, rollup
from auditor.errors import AuditorError
from auditor.evidence import SnapshotBuilder
from auditor.models import JSON, CollectionError, ErrorKind, Framework, Location, Snapshot, utcnow
from auditor.outputs import ensure_dir
from auditor.providers import ProviderSpec, discover_providers
from auditor.results import ScanInfo, ScanResult
from auditor.runtime import CollectRun, NullProgress, Progress
from auditor.selection import CheckSelection
from auditor.snapshot import write_evidence_dir
from auditor.stages import Stage
from auditor.version import __version__
from auditor.writers import WriteContext, write_formats


def collect(
    targets: Iterable[tuple[ProviderSpec, str, BaseModel]],
    progress: Progress | None = None,
    *,
    clients: Mapping[str, Any] | None = None,
) -> Snapshot:
    """Run each target's collector into one snapshot. A collector that crashes is recorded
    as a collection error for its whole scope: the scan goes on and its checks report `error`.
    A collector that raises an `AuditorError` was given an input it cannot use at all (a
    manifest path that names nothing, say): that is the caller's error (exit 2), not a gap.

    `clients` maps a provider name to the client factory its collector should use instead of
    the real SDK (tests and library callers inject one; nothing is patched)."""
    builder = SnapshotBuilder(tool_version=__version__)
    for spec, name, options in targets:
        collector = spec.load_collector()
        run = CollectRun(
            sink=builder, progress=progress or NullProgress(), clients=(clients or {}).get(spec.name)
        )
        try:
            collector(options, run)
        except AuditorError:
            raise
        except Exception as exc:
            builder.add_error(
                CollectionError(
                    provider=spec.name,
                    operation="collect",
                    scope=Location(account=name),
                    kind=ErrorKind.ERROR,
                    message=f"collector stopped: {type(exc).__name__}: {exc}",
                )
            )
    return builder.build()


def provider_derivers(providers: Mapping[str, ProviderSpec] | None = None) -> list[Deriver]:
    specs = providers if providers is not None else discover_providers()
    return [d for spec in specs.values() for d in spec.load_derivers()]


def evaluate_snapshot(
    snapshot: Snapshot,
    *,
    library: Library | None = None,
    registry: Registry | None = None,
    frameworks: Iterable[Framework] | None = None,
    params: Mapping[str, JSON] | None = None,
    selection: CheckSelection | None = None,
    stages: Iterable[Stage] = (),
    providers: Mapping[str, ProviderSpec] | None = None,
    progress: ProgressFn | None = None,
) -> ScanResult:
    library = library or load_library(providers=providers)
    registry = registry or load_registry(providers)
    started = utcnow()
    fws = list(frameworks) if frameworks else list(Framework)
    evaluation = assess(
        snapshot,
        registry,
        params=params,
        selection=selection,
        derivers=provider_derivers(providers),
        stages=stages,
        progress=progress,
        contracts=load_contracts(providers),
    )
    scanned = {t.provider for t in snapshot.targets} | {r.provider for r in snapshot.resources}
    controls = rollup(library, evaluation.findings, registry, fws, evaluation.exclusions, scanned)
    ran = {f.check_id for f in evaluation.findings} | {x.check_id for x in evaluation.exclusions}
    errors = [*snapshot.errors, *evaluation.synthesized_errors]
    result = ScanResult(
        scan=ScanInfo(
            started_at=started,
            finished_at=utcnow(),
            tool_version=__version__,
            targets=snapshot.targets,
            snapshot_created_at=snapshot.created_at,
            frameworks=[f.value for f in fws],
        ),
        checks=[c.meta for c in registry if c.id in ran or c.meta.provider in scanned],
        findings=evaluation.findings,
        controls=controls,
        errors=errors,
        exclusions=evaluation.exclusions,
        audit_trail=evaluation.trail,
    )
    result.summary = result.compute_summary()
    return result


def write_outputs(
    result: ScanResult,
    out: Path,
    formats: Iterable[str] = ("html", "json"),
    snapshot: Snapshot | None = None,
    library: Library | None = None,
) -> dict[str, Path]:
    """results.json always (it is what `auditor report` re-renders from), evidence/ when a
    snapshot is given, then each requested format through the writer registry."""
    ensure_dir(out)
    written: dict[str, Path] = {}
    manifest = None
    if snapshot is not None:
        manifest = write_evidence_dir(snapshot.evidence, out / "evidence")
        written["evidence"] = out / "evidence" / "manifest.json"
    ctx = WriteContext(
        result=result, library=library or load_library(), out=out, snapshot=snapshot, manifest=manifest
    )
    written.update(write_formats(ctx, ["json", *formats]))
    return written
