"""Offline input: Cloud Asset exports, judged without credentials or network.

Accepted, in any mix, one or more files (gzip too):
- `gcloud asset export` output: newline-delimited JSON, one asset per line, proto field names
  (`asset_type`, `iam_policy`, `org_policy`), one file per content type;
- `gcloud asset list --format=json` output: one JSON array of assets with JSON names
  (`assetType`, `iamPolicy`, `orgPolicy`), or the same records one per line.

Every file is read through `auditor.inputs`, so a file that is missing, unreadable, not UTF-8 or
corrupt gzip is a named error (exit 2). A line that is not JSON, or not an asset, is a collection
error naming the file and the line, for the resource type it seems to hold (every type when it
cannot tell); the rest of the file is still read. The assets become resources through the same
`inventory` as a live listing, so an export and a live scan of the same state give the same
findings. Content types a check needs that no file holds are `not_collected` errors: an absent
IAM_POLICY export must not read as "no policy grants anything". An empty file says nothing about
its content type unless its name does (`...iam_policy...`, `...org-policy...`, `...resource...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from auditor.inputs import read_text
from auditor.models import ErrorKind, Location
from auditor.providers.gcp import GcpOptions
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.inventory import PROVIDER, Asset, Inventory, RecordError, envelopes, scrub
from auditor.runtime import CollectRun, Session

OPERATION = "asset_export.read"
CHUNK = 1000  # assets per evidence record, as a live page
_ASSET_TYPE = re.compile(r'"asset_?[tT]ype"\s*:\s*"([^"]+)"')
_NAME_HINTS = (
    (re.compile(r"iam[-_]?polic", re.I), T.IAM_POLICY_CONTENT),
    (re.compile(r"org[-_]?polic", re.I), T.ORG_POLICY_CONTENT),
    (re.compile(r"resource", re.I), T.RESOURCE),
)


def _records(text: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, record, problem) for each record of an NDJSON file or a JSON array."""
    if text.lstrip().startswith("["):
        yield from _array(text)
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, orjson.loads(line), None
        except orjson.JSONDecodeError as exc:
            yield n, line, f"not valid JSON: {exc}"


def _array(text: str) -> Iterator[tuple[int, Any, str | None]]:
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield getattr(exc, "lineno", 1) or 1, text, f"not a valid JSON array of assets: {exc}"
        return
    # gcloud pretty-prints one asset per element; say each element's first line
    starts = [m.start() for m in re.finditer(r"^  \{", text, re.M)]
    for i, item in enumerate(items):
        line = text.count("\n", 0, starts[i]) + 1 if i < len(starts) else 1
        yield line, item, None


def _types_hint(raw: Any, content: str | None) -> tuple[str, ...]:
    m = _ASSET_TYPE.search(raw if isinstance(raw, str) else "")
    if content == T.IAM_POLICY_CONTENT:
        return (T.IAM_POLICY,)
    if content == T.ORG_POLICY_CONTENT:
        return (T.ORG_POLICY,)
    if m and m.group(1) in T.BY_ASSET_TYPE:
        return (T.BY_ASSET_TYPE[m.group(1)],)
    if content == T.RESOURCE:  # a resource of some type: every collected type is in doubt
        return tuple(sorted(set(T.BY_ASSET_TYPE.values())))
    return ()


def collect_exports(options: GcpOptions, run: CollectRun) -> None:
    session = Session(PROVIDER, run)
    inventory = Inventory()
    seen: set[str] = set()
    for path in options.asset_export or ():
        _read_file(session, Path(path), inventory, seen)
    built = inventory.build()
    for r in built.resources:
        session.add(r)
    for pid, _types, reason in built.exclusions():
        session.skip_scope(Location(account=pid), reason)
    from auditor.providers.gcp.collector import listing_plan, types_of

    for content, asset_types in listing_plan().items():
        if content not in seen:
            session.error(
                OPERATION,
                ErrorKind.NOT_COLLECTED,
                f"no {content} content among the --asset-export files "
                f"(gcloud asset export --content-type {content.lower().replace('_', '-')})",
                scope=Location(),
                types=types_of(content, asset_types) if content != T.RESOURCE else (),
            )
    session.add_target("asset-export", {"asset_export": list(options.asset_export or ())}, with_stats=False)
    session.close()


def _read_file(session: Session, path: Path, inventory: Inventory, seen: set[str]) -> None:
    text = read_text(path, "Cloud Asset export")
    session.progress.step(f"gcp: reading {path}")
    chunk: list[tuple[int, Any]] = []
    contents: set[str] = set()
    problems: list[tuple[int, Any, str]] = []

    def flush() -> None:
        if not chunk:
            return
        body = {
            "file": str(path),
            "lines": [chunk[0][0], chunk[-1][0]],
            "assets": [scrub(r) for _, r in chunk],
        }
        ev = session.record(
            OPERATION, body, scope=Location(), params={"file": str(path), "first_line": chunk[0][0]}
        )
        for n, record in chunk:
            try:
                assets: list[Asset] = envelopes(record, ev)
            except RecordError as exc:
                problems.append((n, orjson.dumps(record).decode(), str(exc)))
                continue
            contents.update(a.content for a in assets)
            inventory.add(assets)
        chunk.clear()

    for n, record, problem in _records(text):
        if problem is not None:
            problems.append((n, record, problem))
            continue
        chunk.append((n, record))
        if len(chunk) >= CHUNK:
            flush()
    flush()
    if not contents and not problems:
        contents.update(c for rx, c in _NAME_HINTS if rx.search(path.name))
    seen.update(contents)
    main = next(iter(contents)) if len(contents) == 1 else None
    for n, raw, problem in problems:
        session.error(
            OPERATION,
            ErrorKind.ERROR,
            f"{path}:{n}: {problem}",
            scope=Location(),
            types=_types_hint(raw, main),
        )
