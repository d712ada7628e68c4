"""Merging the outputs of a sharded scan (`auditor scan --shard I/N`) into one result.

Each shard writes, beside its outputs, its snapshot (`OUT/snapshot/`) and, last of all,
`OUT/shard.json`: which shard it was, the run it belongs to (`--run-id`), the tool version, a digest of the control library and
check registry it evaluated with, a digest of the targets it was given, and the evaluation
settings (frameworks, check selection, parameters). `merge_shards` checks that the outputs
belong together (one run, one shard count, every index exactly once, one tool version, one control
library, one target list, all equal to this auditor's), then unites the snapshots:

- resources: each unit is collected by one shard, so a resource appears once; an identical
  copy (a discovery-time resource) is kept once, a differing one is refused (overlapping shards);
- evidence: by id (ids are named by what was read, so the same read in two shards is one record);
- collection errors: de-duplicated (a discovery failure is seen by every shard);
- exclusions: the ones a shard recorded for units another shard owns are dropped when that
  shard collected the unit (its snapshot lists the units it owned, `shard_units`); when it
  never saw the unit (its discovery differed: an account created or closed between the
  shards' runs), the unit was read by nobody, so the exclusion becomes a collection error for
  that scope and its checks report `error`, never a silent hole. Every other exclusion is kept
  once.

The caller then evaluates the union again, so the control roll-up and every derived view
(such as an account's CloudTrail over all its regions) are computed over everything.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from auditor.catalog import Library
from auditor.checks import Registry
from auditor.errors import AuditorError, ConfigError, UsageError, first_problem
from auditor.inputs import read_json_object
from auditor.models import (
    JSON,
    CollectionError,
    CollectionExclusion,
    ErrorKind,
    Evidence,
    Resource,
    Snapshot,
    Target,
)
from auditor.outputs import write_text
from auditor.selection import CheckSelection
from auditor.sharding import Shard, is_shard_exclusion, shard_exclusion_unit
from auditor.snapshot import load_snapshot
from auditor.version import __version__

SHARD_FILE = "shard.json"
UNNAMED_RUN_SPREAD_HOURS = 6  # shards without a run id made further apart than this: a warning
SNAPSHOT_DIR = "snapshot"


class MergeError(AuditorError):
    """Shard outputs that do not belong together, or that are not complete (exit 2)."""

    exit_code = 2


class ShardManifest(BaseModel):
    """OUT/shard.json: written last by a shard, so its presence means the shard finished."""

    model_config = ConfigDict(extra="forbid")

    shard: str  # "I/N"
    # names the run the shard belongs to (`scan --run-id`, env AUDITOR_RUN_ID): shards of two
    # runs of the same job have equal settings, and only this tells them apart
    run_id: str | None = None
    tool_version: str
    library: str  # library_digest()
    targets: str  # targets_digest()
    snapshot: str = SNAPSHOT_DIR  # relative to the shard's output directory
    frameworks: list[str] | None = None
    checks: list[str] = []
    skip_checks: list[str] = []
    min_severity: str | None = None
    params: dict[str, JSON] = {}

    @field_validator("shard")
    @classmethod
    def _shard_spec(cls, value: str) -> str:
        try:
            Shard.parse(value)
        except UsageError:
            raise ValueError(f"expected I/N with 0 <= I < N, such as 0/4, not {value!r}") from None
        return value

    @property
    def parsed(self) -> Shard:
        return Shard.parse(self.shard)

    @property
    def selection(self) -> CheckSelection:
        return CheckSelection.of(self.checks, self.skip_checks, self.min_severity)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def library_digest(library: Library, registry: Registry) -> str:
    """What a result depends on besides the snapshot: the controls and the checks mapped to each,
    and every check with its severity and declared parameters."""
    controls = sorted((fw.value, cid, sorted(c.checks)) for (fw, cid), c in library.controls.items())
    checks = sorted(
        (c.id, c.meta.severity.value, sorted((p.name, p.type, json.dumps(p.default)) for p in c.meta.params))
        for c in registry
    )
    return _digest({"controls": controls, "checks": checks})


def targets_digest(targets: Sequence[tuple[str, str, BaseModel]]) -> str:
    """The targets a shard was given: (provider, name, options), the same for every shard of a scan."""
    return _digest([(p, n, o.model_dump(mode="json")) for p, n, o in targets])


def write_manifest(out: Path, manifest: ShardManifest) -> Path:
    return write_text(out / SHARD_FILE, manifest.model_dump_json(indent=2) + "\n")


def read_manifest(directory: Path) -> ShardManifest:
    path = directory / SHARD_FILE
    if not path.exists():
        raise MergeError(
            f"{directory}: no {SHARD_FILE}: not the output of `auditor scan --shard I/N` (or the shard has not "
            "finished)"
        )
    raw = read_json_object(path, "shard manifest")
    try:
        return ShardManifest.model_validate(raw)
    except ValidationError as exc:
        entry, msg = first_problem(exc)
        raise ConfigError(path, msg, entry=entry) from None


def wait_for(
    dirs: Sequence[Path], seconds: float, *, poll: float = 2.0, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Wait until every directory holds a finished shard output (its shard.json), up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        missing = [d for d in dirs if not (d / SHARD_FILE).exists()]
        if not missing:
            return
        if time.monotonic() >= deadline:
            raise MergeError(
                f"waited {seconds:.0f}s, and {len(missing)} shard output(s) are still not finished: "
                + ", ".join(str(d) for d in missing)
            )
        sleep(poll)


@dataclass
class Merged:
    snapshot: Snapshot
    manifest: ShardManifest  # the settings the shards were evaluated with (all equal)
    shards: list[tuple[Path, ShardManifest]]
    warnings: list[str] = field(default_factory=list)


def _groups(items: Sequence[tuple[Path, ShardManifest]], attr: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d, m in items:
        out.setdefault(str(getattr(m, attr)), []).append(str(d))
    return out


def _refuse_mixed(items: Sequence[tuple[Path, ShardManifest]], attr: str, what: str, ours: str) -> None:
    groups = _groups(items, attr)
    if len(groups) > 1:
        listed = "; ".join(f"{v} ({', '.join(ds)})" for v, ds in sorted(groups.items()))
        raise MergeError(f"refusing to merge: the shards were made with different {what}: {listed}")
    (theirs,) = groups
    if theirs != ours:
        raise MergeError(
            f"refusing to merge: the shards were made with {what} {theirs}, and this auditor has {ours}; "
            "merge with the auditor that scanned"
        )


def check_shards(items: Sequence[tuple[Path, ShardManifest]], library: str) -> None:
    if not items:
        raise MergeError("nothing to merge: give the output directories of the shards")
    counts = {m.parsed.count for _, m in items}
    if len(counts) > 1:
        raise MergeError(
            f"refusing to merge: the outputs come from scans of different shard counts ({sorted(counts)})"
        )
    (count,) = counts
    seen: dict[int, Path] = {}
    for d, m in items:
        i = m.parsed.index
        if i in seen:
            raise MergeError(f"shard {i}/{count} is given twice: {seen[i]} and {d}")
        seen[i] = d
    missing = sorted(set(range(count)) - set(seen))
    if missing:
        raise MergeError(
            f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing: every shard of the {count} is needed"
        )
    runs = _groups(items, "run_id")
    if len(runs) > 1:
        listed = "; ".join(
            f"{'(none)' if v == 'None' else v} ({', '.join(ds)})" for v, ds in sorted(runs.items())
        )
        raise MergeError(f"refusing to merge: the shards come from different runs: {listed}")
    _refuse_mixed(items, "tool_version", "auditor versions", __version__)
    _refuse_mixed(items, "library", "control libraries (or check registries)", library)
    groups = _groups(items, "targets")
    if len(groups) > 1:
        raise MergeError("refusing to merge: the shards were given different targets (audit.yaml differs)")
    for attr in ("frameworks", "checks", "skip_checks", "min_severity", "params"):
        if len({json.dumps(getattr(m, attr), sort_keys=True) for _, m in items}) > 1:
            raise MergeError(
                f"refusing to merge: the shards were evaluated with different {attr.replace('_', ' ')}"
            )


def _resource_id(r: Resource) -> tuple[Any, ...]:
    return (r.provider, r.type, r.id, r.location.account, r.location.region, r.source)


def _error_id(e: CollectionError) -> tuple[Any, ...]:
    return (e.provider, e.operation, e.scope.account, e.scope.region, e.resource_types, e.kind, e.message)


def _unread_unit(x: CollectionExclusion, owner: int, key: str, count: int) -> CollectionError:
    return CollectionError(
        provider=x.provider,
        operation="merge",
        scope=x.scope,
        resource_types=x.resource_types,
        kind=ErrorKind.NOT_COLLECTED,
        message=f"unit {key} was left to shard {owner}/{count}, which did not collect it (it did not "
        "discover it: did the estate change between the shards' runs?); scan again",
    )


def unite(snapshots: Sequence[Snapshot]) -> tuple[Snapshot, list[str]]:
    """The union of the shards' snapshots, in shard order (see the module docstring), and any
    warnings."""
    warnings: list[str] = []
    collected = [set(s.shard_units or ()) for s in snapshots]
    unread: dict[str, CollectionError] = {}
    targets: list[Target] = []
    resources: dict[tuple[Any, ...], Resource] = {}
    evidence: dict[str, Evidence] = {}
    errors: dict[tuple[Any, ...], CollectionError] = {}
    exclusions: dict[tuple[Any, ...], CollectionExclusion] = {}
    conflicts = 0
    for snap in snapshots:
        for t in snap.targets:
            if t not in targets:
                targets.append(t)
        for r in snap.resources:
            key = _resource_id(r)
            have = resources.get(key)
            if have is None:
                resources[key] = r
            elif have != r:
                raise MergeError(
                    f"refusing to merge: {r.provider} {r.type} {r.id} ({r.location.account}/{r.location.region}) "
                    "was collected by two shards with different content: the shards overlap"
                )
        for ev in snap.evidence:
            old = evidence.get(ev.id)
            if old is None:
                evidence[ev.id] = ev
            elif old.sha256 != ev.sha256:
                conflicts += 1
        for e in snap.errors:
            errors.setdefault(_error_id(e), e)
        for x in snap.exclusions:
            if not is_shard_exclusion(x):
                exclusions.setdefault((x.provider, x.scope, x.resource_types, x.reason), x)
                continue
            owned = shard_exclusion_unit(x)
            if owned is None or not 0 <= owned[0] < len(snapshots) or owned[1] not in collected[owned[0]]:
                owner, unit = owned or (-1, x.reason)
                err = _unread_unit(x, owner, unit, len(snapshots))
                unread.setdefault(unit, err)
                errors.setdefault(_error_id(err), err)
    if unread:
        warnings.append(
            f"{len(unread)} unit(s) were left to a shard that did not collect them (their checks report "
            f"error): {', '.join(sorted(unread)[:5])}{' ...' if len(unread) > 5 else ''}"
        )
    if conflicts:
        warnings.append(
            f"{conflicts} evidence record(s) read by more than one shard differ (the estate changed during the "
            "scan); the first shard's copy is kept"
        )
    merged = Snapshot(
        tool_version=snapshots[0].tool_version if snapshots else __version__,
        created_at=min(s.created_at for s in snapshots) if snapshots else Snapshot().created_at,
        targets=targets,
        resources=list(resources.values()),
        evidence=sorted(evidence.values(), key=lambda e: e.id),
        errors=list(errors.values()),
        exclusions=list(exclusions.values()),
    )
    return merged, warnings


def merge_shards(dirs: Sequence[Path], library: Library, registry: Registry) -> Merged:
    items = [(d, read_manifest(d)) for d in dirs]
    check_shards(items, library_digest(library, registry))
    items.sort(key=lambda item: item[1].parsed.index)
    snapshots = []
    for d, m in items:
        path = d / m.snapshot
        if not path.exists():
            raise MergeError(f"{d}: the shard's snapshot {path} is missing")
        snapshots.append(load_snapshot(path))
    versions = {s.tool_version for s in snapshots}
    if len(versions) > 1:
        raise MergeError(
            f"refusing to merge: the snapshots come from different auditor versions ({sorted(versions)})"
        )
    snapshot, warnings = unite(snapshots)
    if items[0][1].run_id is None:
        made = [s.created_at for s in snapshots]
        spread = (max(made) - min(made)).total_seconds() / 3600
        if spread > UNNAMED_RUN_SPREAD_HOURS:
            warnings.insert(
                0,
                f"the shards carry no run id and their snapshots were made {spread:.0f} h apart: are they one "
                "run? (scan --shard with --run-id, or AUDITOR_RUN_ID, lets the merge tell runs apart)",
            )
    return Merged(snapshot, items[0][1], items, warnings)
