"""Offline input: Kubernetes manifests (YAML or JSON files and directories, stdin, kustomize).

Accepted: multi-document YAML (`---`), `kind: List` (and any `*List` with `items`, which is
what `kubectl get -o json|yaml` writes), Helm `template` and Kustomize `build` output, single
JSON objects; `-` reads stdin (`helm template ... | auditor gate --manifests -`); a directory
with a kustomization.yaml is rendered with `kubectl kustomize DIR`; a path that names nothing
(or a directory with no manifest in it) is a `ConfigError` (exit 2).

Parsing goes through `auditor.inputs.iter_yaml` (libyaml, documents split as kubectl splits
them and bounded in size, depth and alias expansion); a JSON file is parsed with orjson first
and falls back to the YAML path if that fails. Every object knows its file, its 0-based
document index, its line range, and the address `Kind/namespace/name`; the items of a list
document get their own lines (node marks for YAML, the decoder's offsets for JSON).

The path is the one a finding shows and its `Finding.key` is built from, so it must not depend
on the machine: it is relative to the current directory when the file is below it, else
relative to the directory argument the file was found under, else the path as given
(`display_path`). Stdin is `stdin`; a rendered kustomization is named by its kustomization file.

A document that does not parse, or that is not a Kubernetes object, is a `ManifestProblem`
naming the file, the document and its line; the other documents and files are still read. A
Helm template source (a file with `{{ ... }}` that does not parse) or chart says to render it.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import yaml

from auditor.errors import ConfigError
from auditor.inputs import YamlDocument, decode, iter_yaml, read_bytes
from auditor.models import SourceLocation
from auditor.providers.k8s.kinds import BY_KIND
from auditor.providers.k8s.shapes import describe

SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
HELM_CHART = "Chart.yaml"
STDIN = "stdin"  # how objects read from stdin are named
KUSTOMIZE_TIMEOUT = 120.0
RENDER_FIRST = "render it first: helm template RELEASE CHART | auditor gate --manifests -"
_KIND = re.compile(r"^kind:\s*['\"]?([A-Za-z]+)", re.MULTILINE)
_TEMPLATE_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ManifestDoc:
    obj: dict[str, Any]
    file: str  # as `display_path` shows it
    document: int  # 0-based document index in the file
    items: tuple[int, ...] = ()  # the item index within each enclosing `*List`
    start_line: int | None = None  # 1-based, in the file (None for rendered kustomize output)
    end_line: int | None = None

    @property
    def source(self) -> str:
        return f"{self.file}#{self.document}" + "".join(f"/items/{i}" for i in self.items)

    @property
    def location(self) -> SourceLocation:
        return SourceLocation(
            file=self.file, start_line=self.start_line, end_line=self.end_line, document=self.document
        )


@dataclass(frozen=True)
class ManifestProblem:
    source: str  # path#N (path#N/items/M)
    message: str
    kind: str | None = None  # the kind the broken document seems to declare, if any
    line: int | None = None

    @property
    def text(self) -> str:
        return f"{self.source}{f' (line {self.line})' if self.line else ''}: {self.message}"


@dataclass(frozen=True)
class Source:
    """One input: a file, stdin, or a rendered kustomization."""

    name: str  # how its objects are named (display path, `stdin`, DIR/kustomization.yaml)
    data: bytes
    origin: str = "file"  # file | stdin | kustomize
    lines: bool = True  # whether line numbers refer to something a user can open

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


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


# ---------------------------------------------------------------------------- what to read


@dataclass(frozen=True)
class _Input:
    """What one argument names, before anything is read."""

    path: Path | None  # None: stdin
    display: str
    kind: str = "file"  # file | stdin | kustomize


def _kustomization(d: Path) -> Path | None:
    return next((d / k for k in KUSTOMIZATIONS if (d / k).is_file()), None)


def _walk(root: Path, cwd: Path | None, problems: list[ManifestProblem]) -> list[_Input]:
    """The manifest files below a directory; Helm charts below it are reported, not read."""
    found: list[_Input] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames.sort()
        if HELM_CHART in filenames:
            problems.append(
                ManifestProblem(
                    display_path(here, root, cwd), f"is a Helm chart (it has {HELM_CHART}): {RENDER_FIRST}"
                )
            )
            dirnames.clear()
            continue
        for name in sorted(filenames):
            f = here / name
            if f.suffix.lower() in SUFFIXES and name not in KUSTOMIZATIONS:
                found.append(_Input(f, display_path(f, root, cwd)))
    return found


def manifest_inputs(paths: list[str], cwd: Path | None = None) -> tuple[list[_Input], list[ManifestProblem]]:
    """What the arguments name. An argument that names nothing (a missing path, a glob that matches
    nothing, a directory with no manifest file, a Helm chart) is a ConfigError: exit 2."""
    inputs: list[_Input] = []
    problems: list[ManifestProblem] = []
    for raw in paths:
        if raw == "-":
            inputs.append(_Input(None, STDIN, "stdin"))
            continue
        p = Path(raw)
        if not p.exists() and glob.has_magic(raw):
            matches = sorted(Path(m) for m in glob.glob(raw, recursive=True))
            if not matches:
                raise ConfigError(raw, "matches no file")
            for m in matches:
                if m.is_file():
                    inputs.append(_Input(m, display_path(m, None, cwd)))
                elif m.is_dir():
                    inputs.extend(_walk(m, cwd, problems))
            continue
        if p.is_dir():
            kustomization = _kustomization(p)
            if kustomization is not None:
                inputs.append(_Input(p, display_path(kustomization, p.parent, cwd), "kustomize"))
                continue
            if (p / HELM_CHART).is_file():
                raise ConfigError(p, f"is a Helm chart (it has {HELM_CHART}): {RENDER_FIRST}")
            found = _walk(p, cwd, problems)
            if not found and not problems:
                raise ConfigError(p, f"holds no manifest file ({', '.join(SUFFIXES)})")
            inputs.extend(found)
        elif p.is_file():
            inputs.append(_Input(p, display_path(p, None, cwd)))
        else:
            raise ConfigError(p, "no such file or directory")
    return inputs, problems


def _kustomize(d: Path, display: str) -> Source | ManifestProblem:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise ConfigError(
            d,
            "is a kustomize directory; rendering it needs kubectl on PATH, which was not found "
            f"(install kubectl, or render it yourself: kubectl kustomize {d} | auditor gate --manifests -)",
        )
    try:
        done = subprocess.run(
            [kubectl, "kustomize", str(d)], capture_output=True, timeout=KUSTOMIZE_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ManifestProblem(display, f"kubectl kustomize failed: {type(exc).__name__}: {exc}")
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return ManifestProblem(
            display, f"kubectl kustomize failed: {why[-1] if why else f'exit {done.returncode}'}"
        )
    return Source(display, done.stdout, "kustomize", lines=False)


def read_inputs(inputs: list[_Input], stdin: BinaryIO | None = None) -> Iterator[Source | ManifestProblem]:
    """Each input's bytes, one at a time (so a large set is never all in memory)."""
    for i in inputs:
        if i.kind == "stdin":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield Source(STDIN, stream.read(), "stdin")
        elif i.kind == "kustomize" and i.path is not None:
            yield _kustomize(i.path, i.display)
        elif i.path is not None:
            try:
                yield Source(i.display, read_bytes(i.path, "manifest file"))
            except ConfigError as exc:  # unreadable, or corrupt gzip: that file only
                yield ManifestProblem(i.display, exc.problem)


# ------------------------------------------------------------------------------- parsing


def _kind_of(text: str) -> str | None:
    m = _KIND.search(text)
    return m.group(1) if m and m.group(1) in BY_KIND else None


def _items(
    doc: Any,
    src: Source,
    index: int,
    lines: tuple[int | None, int | None],
    item_lines: list[tuple[int, int]] | None = None,
    items: tuple[int, ...] = (),
) -> Iterator[ManifestDoc | ManifestProblem]:
    source = f"{src.name}#{index}" + "".join(f"/items/{i}" for i in items)
    start, end = lines
    if doc is None:
        return  # an empty document (helm template output has many)
    if not isinstance(doc, dict):
        yield ManifestProblem(source, f"not a Kubernetes object (a {type(doc).__name__})", line=start)
        return
    kind = doc.get("kind")
    if _is_list(doc):
        for i, item in enumerate(doc["items"]):
            own = item_lines[i] if item_lines is not None and i < len(item_lines) else lines
            yield from _items(item, src, index, own, None, (*items, i))
        return
    if not isinstance(kind, str) or not kind:
        yield ManifestProblem(source, "not a Kubernetes object: no 'kind'", line=start)
        return
    meta = doc.get("metadata")
    if kind in BY_KIND and not (
        isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"]
    ):
        why = (
            "no metadata.name"
            if meta is None or isinstance(meta, dict)
            else f"a metadata that is {describe(meta)}"
        )
        yield ManifestProblem(source, f"{kind} has {why}", kind, start)
        return
    if isinstance(meta, dict) and any("{{" in str(meta.get(k, "")) for k in ("name", "namespace")):
        yield ManifestProblem(
            source,
            f"looks like a Helm template (its metadata holds {{{{ ... }}}}): {RENDER_FIRST}",
            None,
            start,
        )
        return
    yield ManifestDoc(doc, src.name, index, items, start, end)  # kinds no check reads too: counted


_WS = re.compile(r"[ \t\r\n]*")


def _skip(text: str, i: int) -> int:
    m = _WS.match(text, i)
    return m.end() if m else i


def _json_item_lines(text: str) -> list[tuple[int, int]] | None:
    """(first, last) line of each element of a top-level object's `items` array, found with the
    standard library's decoder (C speed); None if the text is not shaped that way."""
    dec = json.JSONDecoder()
    try:
        i = _skip(text, 0)
        if text[i] != "{":
            return None
        i += 1
        while True:
            i = _skip(text, i)
            if text[i] == "}":
                return None
            key, i = dec.raw_decode(text, i)
            i = _skip(text, _skip(text, i) + 1)  # past the ':'
            if key == "items" and text[i] == "[":
                return _array_lines(text, i + 1, dec)
            _, i = dec.raw_decode(text, i)
            i = _skip(text, i)
            if text[i] == ",":
                i += 1
    except (ValueError, IndexError):
        return None


def _array_lines(text: str, i: int, dec: json.JSONDecoder) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    line, at = 1, 0
    while True:
        i = _skip(text, i)
        if text[i] == "]":
            return out
        start = i
        _, i = dec.raw_decode(text, i)
        line += text.count("\n", at, start)
        first = line
        line += text.count("\n", start, i)
        at = i
        out.append((first, line))
        i = _skip(text, i)
        if text[i] == ",":
            i += 1


def _yaml_item_lines(chunk: str, first_line: int) -> list[tuple[int, int]] | None:
    """Lines of each item of a YAML list document, from libyaml's node marks (the document has
    already passed iter_yaml's bounds, so composing it again is bounded too)."""
    try:
        node = yaml.compose(chunk, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    seq = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "items"), None)
    if not isinstance(seq, yaml.SequenceNode):
        return None
    out = []
    for item in seq.value:
        end = item.end_mark.line - (1 if item.end_mark.column == 0 else 0)
        out.append((first_line + item.start_mark.line, first_line + max(end, item.start_mark.line)))
    return out


def _is_list(data: Any) -> bool:
    kind = data.get("kind") if isinstance(data, dict) else None
    return isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list)


def _parse_json(src: Source, text: str) -> Iterator[ManifestDoc | ManifestProblem] | None:
    try:
        data = orjson.loads(src.data)
    except orjson.JSONDecodeError:
        return None  # not JSON after all (or JSON orjson refuses): the YAML path says why
    end = text.count("\n") + (0 if text.endswith("\n") else 1)
    lines = (1, max(end, 1)) if src.lines else (None, None)
    item_lines = _json_item_lines(text) if src.lines and _is_list(data) else None
    return _items(data, src, 0, lines, item_lines)


def read_source(src: Source) -> Iterator[ManifestDoc | ManifestProblem]:
    """The documents of one input."""
    try:
        text = decode(src.data, src.name)
    except ConfigError as exc:
        yield ManifestProblem(src.name, exc.problem)
        return
    if src.name.lower().endswith(".json") or text.lstrip()[:1] in ("{", "["):
        parsed = _parse_json(src, text)
        if parsed is not None:
            yield from parsed
            return
    split = text.splitlines(keepends=True)
    for d in iter_yaml(text):
        if d.empty:
            continue
        listed = d.problem is None and _is_list(d.data)
        chunk = "".join(split[d.start_line - 1 : d.end_line]) if d.problem is not None or listed else ""
        if d.problem is not None:
            yield _broken(src, d, chunk)
            continue
        lines = _content_lines(split, d.start_line, d.end_line) if src.lines else (None, None)
        item_lines = _yaml_item_lines(chunk, d.start_line) if src.lines and listed else None
        yield from _items(d.data, src, d.index, lines, item_lines)


def _content_lines(split: list[str], start: int, end: int) -> tuple[int, int]:
    """A document's lines without the comments and blank lines around it (`# Source: ...`)."""

    def content(n: int) -> bool:
        line = split[n - 1].strip() if 0 < n <= len(split) else ""
        return bool(line) and not line.startswith("#")

    first, last = start, end
    while first < last and not content(first):
        first += 1
    while last > first and not content(last):
        last -= 1
    return first, last


def _broken(src: Source, d: YamlDocument, chunk: str) -> ManifestProblem:
    line = d.start_line if src.lines else None
    if _TEMPLATE_ACTION.search(chunk):
        return ManifestProblem(
            f"{src.name}#{d.index}",
            f"looks like a Helm template (it holds {{{{ ... }}}} actions and is not valid YAML): {RENDER_FIRST}",
            _kind_of(chunk),
            line,
        )
    return ManifestProblem(f"{src.name}#{d.index}", str(d.problem), _kind_of(chunk), line)


def read_manifests(
    paths: list[str], cwd: Path | None = None, stdin: BinaryIO | None = None
) -> tuple[list[ManifestDoc], list[ManifestProblem]]:
    """Every document the arguments name, and the problems found (all in memory: for tests and
    small sets; the collector reads one input at a time)."""
    inputs, problems = manifest_inputs(paths, cwd)
    docs: list[ManifestDoc] = []
    for src in read_inputs(inputs, stdin):
        if isinstance(src, ManifestProblem):
            problems.append(src)
            continue
        for item in read_source(src):
            (docs if isinstance(item, ManifestDoc) else problems).append(item)  # type: ignore[arg-type]
    return docs, problems
