"""Saving and loading snapshots: one JSON file (optionally gzipped) or a directory.

Directory layout (what `--save-snapshot DIR` writes):
    DIR/snapshot.json        schema_version, tool_version, created_at, targets, resources, errors
    DIR/evidence/<id>.json   one evidence record per file
A single file (`snapshot.json` or `snapshot.json.gz`) holds everything, evidence included.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from auditor.errors import ConfigError
from auditor.models import SNAPSHOT_SCHEMA_VERSION, Evidence, Snapshot


def _open_text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def _validation_problem(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return loc, f"{err['msg']}{more}"


def _parse(raw: dict[str, Any], path: Path) -> Snapshot:
    version = raw.get("schema_version")
    if version != SNAPSHOT_SCHEMA_VERSION:
        raise ConfigError(
            path,
            f"unsupported snapshot schema_version {version!r} (this auditor reads {SNAPSHOT_SCHEMA_VERSION})",
        )
    try:
        return Snapshot.model_validate(raw)
    except ValidationError as exc:
        loc, msg = _validation_problem(exc)
        raise ConfigError(path, msg, entry=loc) from None


def load_snapshot(path: Path | str) -> Snapshot:
    path = Path(path)
    if not path.exists():
        raise ConfigError(path, "no such file or directory")
    main = path / "snapshot.json" if path.is_dir() else path
    if not main.exists():
        raise ConfigError(path, "directory has no snapshot.json")
    try:
        raw = json.loads(_open_text(main))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, gzip.BadGzipFile) as exc:
        raise ConfigError(main, f"not a readable JSON snapshot: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(main, "a snapshot is a JSON object")
    if path.is_dir():
        ev_dir = path / "evidence"
        evidence: list[Any] = list(raw.get("evidence", []))
        if ev_dir.is_dir():
            for f in sorted(ev_dir.glob("*.json")):
                if f.name == "manifest.json":
                    continue
                try:
                    evidence.append(json.loads(f.read_text("utf-8")))
                except (OSError, json.JSONDecodeError) as exc:
                    raise ConfigError(f, f"not a readable evidence record: {exc}") from None
        raw["evidence"] = evidence
    return _parse(raw, main)


def dump_snapshot_json(snapshot: Snapshot, *, include_evidence: bool = True) -> str:
    exclude = None if include_evidence else {"evidence"}
    return snapshot.model_dump_json(exclude=exclude)


def save_snapshot(snapshot: Snapshot, path: Path | str) -> Path:
    """Save to a directory (default) or to one file when the path ends in .json or .json.gz."""
    path = Path(path)
    if path.name.endswith(".json") or path.name.endswith(".json.gz"):
        path.parent.mkdir(parents=True, exist_ok=True)
        text = dump_snapshot_json(snapshot).encode("utf-8")
        if path.name.endswith(".gz"):
            text = gzip.compress(text, mtime=0)
        path.write_bytes(text)
        return path
    path.mkdir(parents=True, exist_ok=True)
    (path / "snapshot.json").write_text(dump_snapshot_json(snapshot, include_evidence=False), "utf-8")
    write_evidence_dir(snapshot.evidence, path / "evidence")
    return path


def evidence_filename(ev: Evidence) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in ev.id) + ".json"


def write_evidence_dir(evidence: list[Evidence], directory: Path) -> dict[str, Any]:
    """Write one file per evidence record plus manifest.json (id, file, sha256 of body)."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for ev in sorted(evidence, key=lambda e: e.id):
        name = evidence_filename(ev)
        (directory / name).write_text(ev.model_dump_json(indent=2), "utf-8")
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
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    return manifest
