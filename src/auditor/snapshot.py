"""Saving and loading snapshots: one JSON file (optionally gzipped) or a directory.

Directory layout (what `--save-snapshot DIR` writes):
    DIR/snapshot.json        schema_version, tool_version, created_at, targets, resources, errors
    DIR/evidence/<id>.json   one evidence record per file
A single file (`snapshot.json` or `snapshot.json.gz`) holds everything, evidence included.

The JSON is laid out one resource per line: the first line holds every other field and opens
`"resources":[`, then one resource per line, then `]}`. It is one ordinary JSON document
(the newlines are whitespace), and a reader that knows the layout takes a resource at a time:
neither the file nor the parsed document is ever held whole (at a million resources, loading
takes a third less memory and about half the time). A file laid out any other way (edited,
pretty-printed, written by another tool) is parsed whole, with the same result.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from auditor.errors import ConfigError, first_problem
from auditor.evidence import sha256_of
from auditor.inputs import read_json_object, read_lines
from auditor.models import SNAPSHOT_SCHEMA_VERSION, Evidence, Resource, Snapshot
from auditor.outputs import ensure_dir, open_binary, write_text
from auditor.perf import acyclic

EVIDENCE_COUNT = "(evidence)"


def snapshot_counts(snapshot: Snapshot) -> dict[str, int]:
    """Resources per type plus the number of evidence records: saved with a snapshot, checked on
    load, so a truncated or partly deleted snapshot is refused instead of judged."""
    counts = dict(sorted(Counter(r.type for r in snapshot.resources).items()))
    counts[EVIDENCE_COUNT] = len(snapshot.evidence)
    return counts


_OPEN = b',"resources":['  # how the first line of the one-resource-per-line layout ends
_CLOSE = b"]}"


class _NotLaidOut(Exception):
    """The file is not in the one-resource-per-line layout after all: parse it whole."""


def _parse(raw: dict[str, Any], path: Path, items: Iterable[Any] | None = None) -> Snapshot:
    """The snapshot `raw` describes, its resources taken from `items` when given (streamed),
    else from `raw["resources"]`."""
    version = raw.get("schema_version")
    if version != SNAPSHOT_SCHEMA_VERSION:
        raise ConfigError(
            path,
            f"unsupported snapshot schema_version {version!r} (this auditor reads {SNAPSHOT_SCHEMA_VERSION})",
        )
    if items is None:
        listed = raw.get("resources")
        items = _consumed(listed) if isinstance(listed, list) else None
    try:
        if items is None:
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


def _consumed(items: list[Any]) -> Iterator[Any]:
    """The items of a parsed list, each released from it as it is taken, so the parsed document
    and the models never both hold every resource."""
    items.reverse()
    while items:
        yield items.pop()


def _resources(items: Iterable[Any], path: Path) -> list[Resource]:
    """Validate resources one at a time, as they are parsed or released. A bad item is the error
    the whole-snapshot validation would give, with the same entry path."""
    out: list[Resource] = []
    validate = Resource.model_validate
    shared: dict[str, Any] = {"locations": {}}  # one Location per scope (see Resource)
    for item in items:
        try:
            out.append(validate(item, context=shared))
        except ValidationError as exc:
            entry, msg = first_problem(exc, within=("resources", len(out)))
            raise ConfigError(path, msg, entry=entry) from None
    return out


def _laid_out(path: Path) -> tuple[dict[str, Any], Iterator[Any]] | None:
    """(every field but the resources, the resources one at a time) of a file in the layout
    `save_snapshot` writes; None when its first line says it is laid out otherwise. A later line
    that breaks the layout raises `_NotLaidOut` from the iterator."""
    lines = read_lines(path, "snapshot")
    header = _header(next(lines, b"").rstrip(b"\r\n"))
    if header is None:
        lines.close()
        return None
    return header, _items(lines)


def _header(first: bytes) -> dict[str, Any] | None:
    """The first line of the layout, closed with `]}`: every field, resources empty."""
    if not first.endswith(_OPEN):
        return None
    try:
        header = orjson.loads(first + _CLOSE)
    except orjson.JSONDecodeError:
        return None
    return header if isinstance(header, dict) else None


def _items(lines: Generator[bytes, None, None]) -> Iterator[Any]:
    """One resource per line, each but the last followed by a comma, then `]}` and nothing else."""
    more = None  # whether the previous item promised another (None: no item yet)
    with closing(lines):
        for raw in lines:
            line = raw.rstrip(b"\r\n")
            if line == _CLOSE:
                if more or any(rest.strip() for rest in lines):  # a comma before the end, or more
                    raise _NotLaidOut
                return
            if more is False:  # an item after the last one
                raise _NotLaidOut
            more = line.endswith(b",")
            try:
                item = orjson.loads(line[:-1] if more else line)
            except orjson.JSONDecodeError:
                raise _NotLaidOut from None
            yield item
        raise _NotLaidOut  # cut short before the end


def _load_file(main: Path) -> tuple[dict[str, Any], Iterable[Any] | None]:
    laid_out = _laid_out(main)
    if laid_out is not None:
        return laid_out
    return read_json_object(main, "snapshot"), None


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
    raw, items = _load_file(main)
    try:
        return _parse(_with_evidence(raw, path), main, items)
    except _NotLaidOut:  # the first line looked like the layout, a later one did not
        return _parse(_with_evidence(read_json_object(main, "snapshot"), path), main)


def _with_evidence(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    """A directory snapshot's evidence records (DIR/evidence/*.json) added to its main file's."""
    if path.is_dir():
        ev_dir = path / "evidence"
        evidence: list[Any] = list(raw.get("evidence", []))
        if ev_dir.is_dir():
            for f in sorted(ev_dir.glob("*.json")):
                if f.name == "manifest.json":
                    continue
                evidence.append(read_json_object(f, "evidence record"))
        raw["evidence"] = evidence
    return raw


def snapshot_lines(snapshot: Snapshot, *, include_evidence: bool = True) -> Iterator[bytes]:
    """The snapshot as JSON, one resource per line (the layout `load_snapshot` streams)."""
    exclude: set[str] = {"resources"} if include_evidence else {"resources", "evidence"}
    counted = snapshot.model_copy(update={"counts": snapshot_counts(snapshot)})
    header = counted.model_dump_json(exclude=exclude).encode("utf-8")
    yield header[:-1] + _OPEN + b"\n"
    to_json = Resource.__pydantic_serializer__.to_json
    last = len(snapshot.resources) - 1
    for i, r in enumerate(snapshot.resources):
        yield to_json(r) + (b",\n" if i < last else b"\n")
    yield _CLOSE + b"\n"


def dump_snapshot_json(snapshot: Snapshot, *, include_evidence: bool = True) -> str:
    return b"".join(snapshot_lines(snapshot, include_evidence=include_evidence)).decode("utf-8")


def _write_lines(path: Path, lines: Iterable[bytes], *, gz: bool = False) -> Path:
    with open_binary(path) as fh:
        if gz:
            with gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as z:
                z.writelines(lines)
        else:
            fh.writelines(lines)
    return path


def save_snapshot(snapshot: Snapshot, path: Path | str) -> Path:
    """Save to a directory (default) or to one file when the path ends in .json or .json.gz."""
    path = Path(path)
    if path.name.endswith(".json") or path.name.endswith(".json.gz"):
        ensure_dir(path.parent, "snapshot")
        return _write_lines(path, snapshot_lines(snapshot), gz=path.name.endswith(".gz"))
    ensure_dir(path, "snapshot")
    _write_lines(path / "snapshot.json", snapshot_lines(snapshot, include_evidence=False))
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
