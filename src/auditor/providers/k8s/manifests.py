"""Offline input: Kubernetes manifests (YAML or JSON files and directories).

Accepted: multi-document YAML (`---`), `kind: List` (and any `*List` with `items`, which is
what `kubectl get -o json` writes), Helm `template` and Kustomize `build` output, single
JSON objects. Each object knows its file and its 0-based document index in it; its `source`
text is "path#N" ("path#N/items/M" for the M-th item of a list document).

The path is the one a finding shows and its `Finding.key` is built from, so it must not depend
on the machine: it is relative to the current directory when the file is below it, else
relative to the directory argument the file was found under, else the path as given
(`display_path`).

A document that does not parse, or that is not a Kubernetes object, is reported as a
`ManifestProblem` naming the file and the document; the other documents and files are
still read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditor.models import SourceLocation
from auditor.providers.k8s.kinds import BY_KIND

SUFFIXES = (".yaml", ".yml", ".json")
_DOC_SPLIT = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)
_KIND = re.compile(r"^kind:\s*['\"]?([A-Za-z]+)", re.MULTILINE)


@dataclass(frozen=True)
class ManifestDoc:
    obj: dict[str, Any]
    file: str  # as `display_path` shows it
    document: int  # 0-based document index in the file
    items: tuple[int, ...] = ()  # the item index within each enclosing `*List`

    @property
    def source(self) -> str:
        return f"{self.file}#{self.document}" + "".join(f"/items/{i}" for i in self.items)

    @property
    def location(self) -> SourceLocation:
        return SourceLocation(file=self.file, document=self.document)


@dataclass(frozen=True)
class ManifestProblem:
    source: str
    message: str
    kind: str | None = None  # the kind the broken document seems to declare, if any


def display_path(file: Path, found_under: Path | None = None, cwd: Path | None = None) -> str:
    """How a manifest file is named in findings: relative to `cwd` (default: the current
    directory) when below it, else to the directory argument it was found under, else as given.
    Always with forward slashes, so a key is the same on every machine."""
    here = cwd if cwd is not None else Path.cwd()
    for absolute, base in (
        (Path(os.path.abspath(file)), Path(os.path.abspath(here))),
        (file.resolve(), here.resolve()),
    ):
        if absolute.is_relative_to(base):
            return absolute.relative_to(base).as_posix()
    if found_under is not None:
        return Path(os.path.abspath(file)).relative_to(Path(os.path.abspath(found_under))).as_posix()
    return file.as_posix()


def manifest_files(
    paths: list[str], cwd: Path | None = None
) -> tuple[list[tuple[Path, str]], list[ManifestProblem]]:
    """(file, display path) of every manifest file the arguments name, and the arguments that
    name nothing."""
    files: list[tuple[Path, str]] = []
    problems: list[ManifestProblem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            files.extend((f, display_path(f, p, cwd)) for f in found)
        elif p.is_file():
            files.append((p, display_path(p, None, cwd)))
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


def _items(
    doc: Any, file: str, index: int, items: tuple[int, ...] = ()
) -> Iterator[ManifestDoc | ManifestProblem]:
    source = f"{file}#{index}" + "".join(f"/items/{i}" for i in items)
    if doc is None:
        return  # an empty document (helm template output has many)
    if not isinstance(doc, dict):
        yield ManifestProblem(source, f"not a Kubernetes object (a {type(doc).__name__})")
        return
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        for i, item in enumerate(doc["items"]):
            yield from _items(item, file, index, (*items, i))
        return
    if not isinstance(kind, str) or not kind:
        yield ManifestProblem(source, "not a Kubernetes object: no 'kind'")
        return
    meta = doc.get("metadata")
    if kind not in BY_KIND:
        yield ManifestDoc(doc, file, index, items)  # a kind no check reads: the collector skips it
        return
    if not isinstance(meta, dict) or not meta.get("name"):
        yield ManifestProblem(source, f"{kind} has no metadata.name", kind)
        return
    yield ManifestDoc(doc, file, index, items)


def read_manifest_file(path: Path, display: str | None = None) -> Iterator[ManifestDoc | ManifestProblem]:
    """The documents of one file, named `display` (default: the path as given)."""
    name = display if display is not None else path.as_posix()
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield ManifestProblem(name, f"cannot read: {exc}")
        return
    is_json = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    for index, chunk in _documents(text, is_json):
        try:
            doc = json.loads(chunk) if is_json else yaml.safe_load(chunk)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1} of the document)" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            m = _KIND.search(chunk)
            yield ManifestProblem(
                f"{name}#{index}",
                f"not valid {'JSON' if is_json else 'YAML'}{where}: {problem}",
                m.group(1) if m and m.group(1) in BY_KIND else None,
            )
            continue
        yield from _items(doc, name, index)


def read_manifests(
    paths: list[str], cwd: Path | None = None
) -> tuple[list[ManifestDoc], list[ManifestProblem]]:
    files, problems = manifest_files(paths, cwd)
    docs: list[ManifestDoc] = []
    for f, display in files:
        for item in read_manifest_file(f, display):
            if isinstance(item, ManifestDoc):
                docs.append(item)
            else:
                problems.append(item)
    return docs, problems
