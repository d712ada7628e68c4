"""The library API behind the CLI: collect, evaluate, roll up, write outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from auditor.attestations import Attestations, copy_evidence, judge
from auditor.catalog import Library, load_library
from auditor.checks import Registry, load_registry
from auditor.contracts import load_contracts
from auditor.custody import chain_of_custody
from auditor.derive import Deriver
from auditor.engine import ProgressFn, assess, rollup
from auditor.errors import AuditorError
from auditor.evidence import SnapshotBuilder
from auditor.models import JSON, CollectionError, ErrorKind, Framework, Location, Snapshot, utcnow
from auditor.outputs import ensure_dir
from auditor.package import write_package
from auditor.perf import acyclic
from auditor.providers import ProviderSpec, discover_providers
from auditor.results import ScanInfo, ScanResult
from auditor.runtime import CollectRun, NullProgress, Progress
from auditor.selection import CheckSelection
from auditor.sharding import Shard, unit_key
from auditor.signing import Signer
from auditor.snapshot import write_evidence_dir
from auditor.stages import Stage
from auditor.trend import Trend
from auditor.version import __version__
from auditor.writers import WriteContext, write_formats


def collect(
    targets: Iterable[tuple[ProviderSpec, str, BaseModel]],
    progress: Progress | None = None,
    *,
    clients: Mapping[str, Any] | None = None,
    shard: Shard | None = None,
) -> Snapshot:
    """Run each target's collector into one snapshot. A collector that crashes is recorded
    as a collection error for its whole scope: the scan goes on and its checks report `error`.
    A collector that raises an `AuditorError` was given an input it cannot use at all (a
    manifest path that names nothing, say): that is the caller's error (exit 2), not a gap.

    `clients` maps a provider name to the client factory its collector should use instead of
    the real SDK (tests and library callers inject one; nothing is patched). With `shard`,
    each collector reads only the units (target x scope x region) that shard owns."""
    builder = SnapshotBuilder(tool_version=__version__)
    for spec, name, options in targets:
        whole = shard or Shard()
        if not spec.shards_units and not whole.owns(unit_key(name, None)):
            continue  # sharded, and this provider shards by target: another shard collects it
        collector = spec.load_collector()
        run = CollectRun(
            sink=builder,
            progress=progress or NullProgress(),
            clients=(clients or {}).get(spec.name),
            shard=shard or Shard(),
            target=name,
        )
        try:
            collector(options, run)
        except AuditorError:
            raise  # a bad input file or option the collector was given: the user's to fix (exit 2)
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


@acyclic()  # findings and frozen models only (see auditor.perf)
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
    attestations: Attestations | None = None,
) -> ScanResult:
    """Evaluate a snapshot and roll up to controls. `attestations` evidence the manual part of
    controls; their freshness is judged against the snapshot's collection time."""
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
    manual = judge(attestations, snapshot.created_at)
    controls = rollup(library, evaluation.findings, registry, fws, evaluation.exclusions, scanned, manual)
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
            params=effective_params(registry, params, ran),
            params_set=sorted(params or {}),
        ),
        checks=[c.meta for c in registry if c.id in ran or c.meta.provider in scanned],
        findings=evaluation.findings,
        controls=controls,
        errors=errors,
        exclusions=evaluation.exclusions,
        audit_trail=evaluation.trail,
        skipped_scopes=snapshot.skipped,
    )
    result.summary = result.compute_summary()
    return result


def effective_params(registry: Registry, params: Mapping[str, JSON] | None, ran: set[str]) -> dict[str, JSON]:
    """Every parameter a check that ran declares, with the value it was judged with."""
    given = params or {}
    out: dict[str, JSON] = {}
    for check in registry:
        if check.id in ran:
            for p in check.meta.params:
                out[p.name] = given.get(p.name, p.default)
    return dict(sorted(out.items()))


def write_outputs(
    result: ScanResult,
    out: Path,
    formats: Iterable[str] = ("html", "json"),
    snapshot: Snapshot | None = None,
    library: Library | None = None,
    *,
    attestations: Attestations | None = None,
    signer: Signer | None = None,
    also: Iterable[Path] = (),
    trend: Trend | None = None,
) -> dict[str, Path]:
    """results.json always (it is what `auditor report` re-renders from), evidence/ when a
    snapshot is given (with the attestations' evidence files), then each requested format
    through the writer registry; last, with a snapshot, the evidence package: every file
    written (and `also`, such as a snapshot saved inside `out`) hashed into
    evidence/manifest.json with the chain of custody, signed by `signer` when given."""
    ensure_dir(out)
    library = library or load_library()
    written: dict[str, Path] = {}
    manifest = None
    files: list[Path] = [*also]
    if snapshot is not None:
        manifest = write_evidence_dir(snapshot.evidence, out / "evidence")
        written["evidence"] = out / "evidence" / "manifest.json"
        files += [out / "evidence" / e["file"] for e in manifest["evidence"]]
        if attestations is not None:
            files += copy_evidence(attestations, out)
    ctx = WriteContext(
        result=result, library=library, out=out, snapshot=snapshot, manifest=manifest, trend=trend
    )
    with acyclic():  # results.json and findings.csv write millions of rows (see auditor.perf)
        formatted = write_formats(ctx, ["json", *formats])
    written.update(formatted)
    if snapshot is not None and manifest is not None:
        custody = chain_of_custody(result, snapshot, library)
        write_package(out, manifest, [*files, *formatted.values()], custody, signer)
    return written
