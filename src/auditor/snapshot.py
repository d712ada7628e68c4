"""Saving and loading snapshots: one JSON file (optionally gzipped) or a directory.

Directory layout (what `--save-snapshot DIR` writes):
    DIR/snapshot.json        schema_version, tool_version, created_at, targets, resources, errors
    DIR/evidence/<id>.json   one evidence record per file
A single file (`snapshot.json` or `snapshot.json.gz`) holds everything, evidence included.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from auditor.errors import ConfigError, first_problem
from auditor.evidence import sha256_of
from auditor.inputs import read_json_object
from auditor.models import SNAPSHOT_SCHEMA_VERSION, Evidence, Resource, Snapshot
from auditor.outputs import ensure_dir, write_bytes, write_text
from auditor.perf import acyclic

EVIDENCE_COUNT = "(evidence)"


def snapshot_counts(snapshot: Snapshot) -> dict[str, int]:
    """Resources per type plus the number of evidence records: saved with a snapshot, checked on
    load, so a truncated or partly deleted snapshot is refused instead of judged."""
    counts = dict(sorted(Counter(r.type for r in snapshot.resources).items()))
    counts[EVIDENCE_COUNT] = len(snapshot.evidence)
    return counts


def _parse(raw: dict[str, Any], path: Path) -> Snapshot:
    version = raw.get("schema_version")
    if version != SNAPSHOT_SCHEMA_VERSION:
        raise ConfigError(
            path,
            f"unsupported snapshot schema_version {version!r} (this auditor reads {SNAPSHOT_SCHEMA_VERSION})",
        )
    items = raw.get("resources")
    try:
        if not isinstance(items, list):
            snap = Snapshot.model_validate(raw)  # the model names what is wrong with it
        else:
            snap = Snapshot.model_validate({**raw, "resources": []})
            snap.resources = _resources(items, path)
    except ValidationError as exc:
        loc, msg = first_problem(exc)
        raise ConfigError(path, msg, entry=loc) from None
    _verify(snap, path)
    snap.counts = None  # a property of the saved file, checked; recomputed on the next save
    return snap


def _resources(items: list[Any], path: Path) -> list[Resource]:
    """Validate resources one at a time, releasing each parsed item as its model is made (the
    list is consumed), so the parsed document and the models never both hold every resource:
    at a million resources that is the difference between one copy and two in memory. A bad
    item is the error the whole-snapshot validation would give, with the same entry path."""
    out: list[Resource] = []
    items.reverse()
    validate = Resource.model_validate
    shared: dict[str, Any] = {"locations": {}}  # one Location per scope (see Resource)
    while items:
        item = items.pop()
        try:
            out.append(validate(item, context=shared))
        except ValidationError as exc:
            entry, msg = first_problem(exc, within=("resources", len(out)))
            raise ConfigError(path, msg, entry=entry) from None
    return out


def _verify(snap: Snapshot, path: Path) -> None:
    """Refuse a snapshot whose evidence was edited or whose content was cut short."""
    for ev in snap.evidence:
        if sha256_of(ev.body) != ev.sha256:
            raise ConfigError(
                path,
                "its body no longer matches its SHA-256 (edited after collection?); refusing the snapshot",
                entry=f"evidence {ev.id}",
            )
    if snap.counts is not None:
        found = snapshot_counts(snap)
        for key in sorted(set(snap.counts) | set(found)):
            want, got = snap.counts.get(key, 0), found.get(key, 0)
            if want != got:
                what = "evidence records" if key == EVIDENCE_COUNT else f"{key} resources"
                raise ConfigError(path, f"holds {got} {what} but was saved with {want}: truncated or edited")


@acyclic()  # parsed JSON and frozen models: nothing for the cyclic collector to find
def load_snapshot(path: Path | str) -> Snapshot:
    path = Path(path)
    if not path.exists():
        raise ConfigError(path, "no such file or directory")
    main = path / "snapshot.json" if path.is_dir() else path
    if not main.exists():
        raise ConfigError(path, "directory has no snapshot.json")
    raw = read_json_object(main, "snapshot")
    if path.is_dir():
        ev_dir = path / "evidence"
        evidence: list[Any] = list(raw.get("evidence", []))
        if ev_dir.is_dir():
            for f in sorted(ev_dir.glob("*.json")):
                if f.name == "manifest.json":
                    continue
                evidence.append(read_json_object(f, "evidence record"))
        raw["evidence"] = evidence
    return _parse(raw, main)


def dump_snapshot_json(snapshot: Snapshot, *, include_evidence: bool = True) -> str:
    exclude = None if include_evidence else {"evidence"}
    counted = snapshot.model_copy(update={"counts": snapshot_counts(snapshot)})
    return counted.model_dump_json(exclude=exclude)


def save_snapshot(snapshot: Snapshot, path: Path | str) -> Path:
    """Save to a directory (default) or to one file when the path ends in .json or .json.gz."""
    path = Path(path)
    if path.name.endswith(".json") or path.name.endswith(".json.gz"):
        ensure_dir(path.parent, "snapshot")
        text = dump_snapshot_json(snapshot).encode("utf-8")
        if path.name.endswith(".gz"):
            text = gzip.compress(text, mtime=0)
        write_bytes(path, text)
        return path
    ensure_dir(path, "snapshot")
    write_text(path / "snapshot.json", dump_snapshot_json(snapshot, include_evidence=False))
    write_evidence_dir(snapshot.evidence, path / "evidence")
    return path


def evidence_filename(ev: Evidence) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in ev.id) + ".json"


def write_evidence_dir(evidence: list[Evidence], directory: Path) -> dict[str, Any]:
    """Write one file per evidence record plus manifest.json (id, file, sha256 of body)."""
    ensure_dir(directory, "evidence")
    entries = []
    for ev in sorted(evidence, key=lambda e: e.id):
        name = evidence_filename(ev)
        write_text(directory / name, ev.model_dump_json(indent=2))
        entries.append(
            {
                "id": ev.id,
                "file": name,
                "provider": ev.provider,
                "operation": ev.operation,
                "collected_at": ev.collected_at.isoformat(),
                "sha256": ev.sha256,
            }
        )
    manifest = {
        "hash_algorithm": "sha256",
        "hash_input": "canonical JSON of the record's `body` (sorted keys, no whitespace, UTF-8)",
        "evidence": entries,
    }
    write_text(directory / "manifest.json", json.dumps(manifest, indent=2))
    return manifest
