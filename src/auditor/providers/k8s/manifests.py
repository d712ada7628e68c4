"""Offline input: Kubernetes manifests (YAML or JSON files and directories).

Accepted: multi-document YAML (`---`), `kind: List` (and any `*List` with `items`, which is
what `kubectl get -o json` writes), Helm `template` and Kustomize `build` output, single
JSON objects. Each object's `source` is "path#N" (N = 0-based document index in the file;
"path#N/items/M" for the M-th item of a list document).

A document that does not parse, or that is not a Kubernetes object, is reported as a
`ManifestProblem` naming the file and the document; the other documents and files are
still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditor.providers.k8s.kinds import BY_KIND

SUFFIXES = (".yaml", ".yml", ".json")
_DOC_SPLIT = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)
_KIND = re.compile(r"^kind:\s*['\"]?([A-Za-z]+)", re.MULTILINE)


@dataclass(frozen=True)
class ManifestDoc:
    obj: dict[str, Any]
    source: str  # "path#N" or "path#N/items/M"


@dataclass(frozen=True)
class ManifestProblem:
    source: str
    message: str
    kind: str | None = None  # the kind the broken document seems to declare, if any


def manifest_files(paths: list[str]) -> tuple[list[Path], list[ManifestProblem]]:
    files: list[Path] = []
    problems: list[ManifestProblem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            problems.append(ManifestProblem(str(p), "no such file or directory"))
    return files, problems


def _documents(text: str, is_json: bool) -> Iterator[tuple[int, str]]:
    if is_json:
        yield 0, text
        return
    chunks = _DOC_SPLIT.split(text)
    if chunks and not chunks[0].strip():
        chunks = chunks[1:]
    yield from enumerate(chunks)


def _items(doc: Any, source: str) -> Iterator[ManifestDoc | ManifestProblem]:
    if doc is None:
        return  # an empty document (helm template output has many)
    if not isinstance(doc, dict):
        yield ManifestProblem(source, f"not a Kubernetes object (a {type(doc).__name__})")
        return
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        for i, item in enumerate(doc["items"]):
            yield from _items(item, f"{source}/items/{i}")
        return
    if not isinstance(kind, str) or not kind:
        yield ManifestProblem(source, "not a Kubernetes object: no 'kind'")
        return
    meta = doc.get("metadata")
    if kind not in BY_KIND:
        yield ManifestDoc(doc, source)  # a kind no check reads: the collector skips it
        return
    if not isinstance(meta, dict) or not meta.get("name"):
        yield ManifestProblem(source, f"{kind} has no metadata.name", kind)
        return
    yield ManifestDoc(doc, source)


def read_manifest_file(path: Path) -> Iterator[ManifestDoc | ManifestProblem]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield ManifestProblem(str(path), f"cannot read: {exc}")
        return
    is_json = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    for index, chunk in _documents(text, is_json):
        source = f"{path}#{index}"
        try:
            doc = json.loads(chunk) if is_json else yaml.safe_load(chunk)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1} of the document)" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            m = _KIND.search(chunk)
            yield ManifestProblem(
                source,
                f"not valid {'JSON' if is_json else 'YAML'}{where}: {problem}",
                m.group(1) if m and m.group(1) in BY_KIND else None,
            )
            continue
        yield from _items(doc, source)


def read_manifests(paths: list[str]) -> tuple[list[ManifestDoc], list[ManifestProblem]]:
    files, problems = manifest_files(paths)
    docs: list[ManifestDoc] = []
    for f in files:
        for item in read_manifest_file(f):
            if isinstance(item, ManifestDoc):
                docs.append(item)
            else:
                problems.append(item)
    return docs, problems
