"""The library API behind the CLI: collect, evaluate, roll up, write outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from auditor.catalog import Library, load_library
from auditor.checks import Registry, load_registry
from auditor.engine import ProgressFn, evaluate, rollup
from auditor.evidence import SnapshotBuilder
from auditor.models import JSON, CollectionError, Framework, Location, Snapshot, utcnow
from auditor.providers import NullProgress, Progress, ProviderSpec
from auditor.report import render
from auditor.results import ScanInfo, ScanResult
from auditor.snapshot import write_evidence_dir
from auditor.version import __version__


def collect(
    targets: Iterable[tuple[ProviderSpec, str, object]],
    progress: Progress | None = None,
) -> Snapshot:
    """Run each target's collector into one snapshot. A collector that crashes is recorded
    as a collection error for its whole scope: the scan goes on and its checks report `error`."""
    builder = SnapshotBuilder(tool_version=__version__)
    for spec, name, options in targets:
        collector = spec.load_collector()
        try:
            collector(options, builder, progress or NullProgress())  # type: ignore[arg-type]
        except Exception as exc:
            builder.add_error(
                CollectionError(
                    provider=spec.name,
                    operation="collect",
                    scope=Location(account=name),
                    kind="error",
                    message=f"collector stopped: {type(exc).__name__}: {exc}",
                )
            )
    return builder.build()


def evaluate_snapshot(
    snapshot: Snapshot,
    *,
    library: Library | None = None,
    registry: Registry | None = None,
    frameworks: Iterable[Framework] | None = None,
    params: Mapping[str, JSON] | None = None,
    progress: ProgressFn | None = None,
) -> ScanResult:
    library = library or load_library()
    registry = registry or load_registry()
    started = utcnow()
    fws = list(frameworks) if frameworks else list(Framework)
    findings = evaluate(snapshot, registry, params=params, progress=progress)
    controls = rollup(library, findings, registry, fws)
    ran = {f.check_id for f in findings}
    scanned = {t.provider for t in snapshot.targets}
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
        findings=findings,
        controls=controls,
        errors=snapshot.errors,
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
    snapshot is given, then each requested format."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if snapshot is not None:
        write_evidence_dir(snapshot.evidence, out / "evidence")
        written["evidence"] = out / "evidence" / "manifest.json"
    written.update(render(result, out, set(formats) | {"json"}, library=library or load_library()))
    return written
