"""Every input file is read through here: one place maps every way a file can be bad to one
`ConfigError` (exit 2) that names the file and the problem, so no reader can forget a case.

Handled for every file: missing, a directory, unreadable, not UTF-8, corrupt or truncated gzip.
JSON (orjson): syntax errors with line and column, nesting deeper than 1,024, integers beyond
64 bits, lone surrogates (which would load and then fail to be written). YAML (libyaml through
PyYAML's CSafeLoader): documents are split the way kubectl splits them, so one broken document
never hides the others; each document is bounded in size, nesting depth and alias expansion
(the "billion laughs" bomb, CVE-2019-11253 for kube-apiserver), checked on the composed node
graph before any Python object is built; every document keeps its line range.
"""

from __future__ import annotations

import gzip
import re
import sys
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from auditor.errors import ConfigError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDatesLoader(_Loader):  # type: ignore[valid-type,misc]
    """Dates and timestamps stay strings, for readers that validate them per entry (waivers):
    an impossible date (2026-02-30) is then that entry's problem, not the whole file's."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024  # one YAML document (kube-apiserver takes 3 MiB per object)
MAX_DEPTH = 256  # nesting of one YAML document
MAX_EXPANDED_NODES = 2_000_000  # nodes of a document once its aliases are expanded
MAX_ALIAS_RATIO = 10  # expanded nodes per written node, once a document uses more than 100 aliases


def _unreadable(exc: OSError, path: Path, what: str) -> ConfigError:
    if isinstance(exc, FileNotFoundError):
        return ConfigError(path, f"no such {what}")
    if isinstance(exc, IsADirectoryError):
        return ConfigError(path, f"is a directory, not a {what}")
    if isinstance(exc, PermissionError):
        return ConfigError(path, "permission denied")
    return ConfigError(path, f"cannot read: {exc.strerror or exc}")


def _corrupt_gzip(exc: BaseException, path: Path) -> ConfigError:
    return ConfigError(path, f"corrupt or truncated gzip data ({type(exc).__name__})")


_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def read_bytes(path: Path | str, what: str = "file", *, gunzip: bool = True) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by its magic number, not its name) unless
    `gunzip` is False (a file kept as it is, such as attestation evidence)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(exc, path, what) from None
    if gunzip and data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (*_GZIP_ERRORS, OSError) as exc:
            raise _corrupt_gzip(exc, path) from None
    return data


def read_lines(path: Path | str, what: str = "file") -> Generator[bytes, None, None]:
    """The file's lines (gunzipped when it is gzip, by its magic number), read as they are
    needed, so a large file is never held whole. Every way reading can fail, at the start or
    halfway (a gzip stream cut short), is the ConfigError `read_bytes` would give."""
    path = Path(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise _unreadable(exc, path, what) from None
    with fh:
        try:
            stream: Any = gzip.GzipFile(fileobj=fh) if fh.peek(2)[:2] == b"\x1f\x8b" else fh
            yield from stream
        except _GZIP_ERRORS as exc:
            raise _corrupt_gzip(exc, path) from None
        except OSError as exc:
            raise _unreadable(exc, path, what) from None


def decode(data: bytes, path: Path | str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_text(path: Path | str, what: str = "file") -> str:
    return decode(read_bytes(path, what), path)


def parse_json(data: bytes | str, path: Path | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(path, f"not valid JSON: {exc}") from None


def read_json(path: Path | str, what: str = "JSON file") -> Any:
    return parse_json(read_bytes(path, what), path)


def read_json_object(path: Path | str, what: str) -> dict[str, Any]:
    value = read_json(path, what)
    if not isinstance(value, dict):
        raise ConfigError(path, f"{what} is a JSON object, not {_json_kind(value)}")
    return value


def _json_kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


# ------------------------------------------------------------------------------------ YAML


@dataclass(frozen=True)
class YamlDocument:
    """One document of a YAML stream: its data, or the problem that kept it from loading."""

    index: int  # 0-based among the stream's documents, empty ones included
    start_line: int  # 1-based, in the file
    end_line: int
    data: Any = None
    problem: str | None = None
    empty: bool = False


_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$")
_END = re.compile(r"^\.\.\.[ \t]*$")


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each document, split on `---` lines as kubectl does."""
    start = 1
    buf: list[str] = []
    for n, line in enumerate(text.splitlines(keepends=True), 1):
        bare = line.rstrip("\r\n")
        if _SEPARATOR.match(bare):
            if buf or n > 1:
                yield start, "".join(buf)
            # a separator may carry content after it ("--- # comment", "--- !tag"): keep it
            rest = bare[3:]
            buf = [rest + "\n"] if rest.strip() and not rest.strip().startswith("#") else []
            start = n if buf else n + 1
            continue
        if _END.match(bare):
            continue
        buf.append(line)
    if buf or start == 1:
        yield start, "".join(buf)


def _check_graph(node: yaml.Node) -> str | None:
    """A problem when the composed document would be too deep or expand too much."""
    expanded: dict[int, int] = {}
    written = 0
    aliases = 0
    # iterative post-order walk over the node graph; shared nodes are aliases
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    on_path: set[int] = set()
    while stack:
        n, depth, done = stack.pop()
        key = id(n)
        if done:
            on_path.discard(key)
            size = 1
            if isinstance(n, yaml.SequenceNode):
                size += sum(expanded[id(c)] for c in n.value)
            elif isinstance(n, yaml.MappingNode):
                size += sum(expanded[id(k)] + expanded[id(v)] for k, v in n.value)
            expanded[key] = size
            if size > MAX_EXPANDED_NODES:
                return f"expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases (a YAML bomb?)"
            continue
        if key in expanded:
            aliases += 1
            continue
        if key in on_path:
            return "has a recursive alias"
        if depth > MAX_DEPTH:
            return f"is nested deeper than {MAX_DEPTH} levels"
        written += 1
        on_path.add(key)
        stack.append((n, depth, True))
        if isinstance(n, yaml.SequenceNode):
            stack.extend((c, depth + 1, False) for c in reversed(n.value))
        elif isinstance(n, yaml.MappingNode):
            for k, v in reversed(n.value):
                stack.append((v, depth + 1, False))
                stack.append((k, depth + 1, False))
    total = expanded[id(node)]
    if aliases > 100 and total > MAX_ALIAS_RATIO * written:
        return f"uses {aliases} aliases expanding {written:,} nodes to {total:,} (a YAML bomb?)"
    return None


def _tree_problem(node: yaml.Node) -> str | None:
    """`_check_graph` for a document with no anchors, so no aliases: a tree, whose expanded size is
    its written size. The same limits, found by visiting only the collection nodes."""
    total = 1
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    scalar = yaml.ScalarNode
    while stack:
        n, depth = stack.pop()
        children = n.value
        if n.__class__ is scalar or not children:
            continue
        if depth >= MAX_DEPTH:
            return f"is nested deeper than {MAX_DEPTH} levels"
        if isinstance(n, yaml.MappingNode):
            total += 2 * len(children)
            for k, v in children:
                if k.__class__ is not scalar:
                    stack.append((k, depth + 1))
                if v.__class__ is not scalar:
                    stack.append((v, depth + 1))
        else:
            total += len(children)
            stack.extend((c, depth + 1) for c in children if c.__class__ is not scalar)
        if total > MAX_EXPANDED_NODES:
            return f"expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases (a YAML bomb?)"
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _may_hold_surrogate(text: str) -> bool:
    """Whether a document's data could hold a lone surrogate: only if its text has one, or a
    double-quoted `\\u` / `\\U` escape could write one."""
    return "\\u" in text or "\\U" in text or _SURROGATE.search(text) is not None


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if any("\ud800" <= ch <= "\udfff" for ch in v):
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


_PLAIN_SCALARS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp"))
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


class _NotPlain(Exception):
    """The tree holds something `_construct_tree` leaves to PyYAML (a tag, a merge key, a complex key)."""


def _construct_tree(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """What `loader.construct_document(node)` returns, for a document with no anchors (a tree) made
    of plain maps, sequences and scalars, built in one pass; scalars other than strings are built by
    the loader's own constructors, so the values are the same. Anything else raises _NotPlain.
    (A module-level function, not a closure: a recursive closure is a reference cycle that would
    keep every loader alive until the next full collection.)"""
    return _build(node, loader, loader.yaml_constructors)


def _build(n: yaml.Node, loader: yaml.SafeLoader, constructors: dict[Any, Any]) -> Any:
    tag, cls = n.tag, n.__class__
    if cls is yaml.ScalarNode:
        if tag == _STR:
            return n.value
        if tag in _PLAIN_SCALARS:
            return constructors[tag](loader, n)
    elif cls is yaml.MappingNode and tag == _MAP:
        out = {}
        for k, v in n.value:
            if k.__class__ is not yaml.ScalarNode:
                raise _NotPlain  # PyYAML says whether such a key is allowed
            key = _build(k, loader, constructors)
            out[sys.intern(key) if key.__class__ is str else key] = _build(v, loader, constructors)
        return out
    elif cls is yaml.SequenceNode and tag == _SEQ:
        return [_build(c, loader, constructors) for c in n.value]
    raise _NotPlain


def _construct(loader: yaml.SafeLoader, node: yaml.Node, text: str) -> Any:
    if "&" not in text:  # no anchors, so no aliases: a tree
        try:
            return _construct_tree(loader, node)
        except _NotPlain:
            pass
    return loader.construct_document(node)


def _load_chunk(
    text: str, first_line: int, loader_class: type[yaml.SafeLoader] = _Loader
) -> tuple[Any, str | None, bool]:
    """(data, problem, empty) for one document's text, which starts at `first_line` of the file."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
        return None, f"is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB", False
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, True
        problem = _check_graph(node) if "&" in text else _tree_problem(node)
        if problem:
            return None, problem, False
        data = _construct(loader, node, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {first_line + mark.line}, column {mark.column + 1}" if mark else ""
        return None, f"not valid YAML: {exc.problem or exc.context}{where}", False
    except yaml.YAMLError as exc:
        return None, f"not valid YAML: {exc}", False
    except (ValueError, RecursionError, OverflowError) as exc:  # e.g. an integer over 4,300 digits
        return None, f"cannot be loaded: {type(exc).__name__}: {str(exc)[:200]}", False
    finally:
        loader.dispose()
    if _may_hold_surrogate(text) and _has_surrogate(data):
        return None, "holds a lone surrogate (an invalid character) in a string", False
    return data, None, False


def iter_yaml(text: str, *, dates_as_text: bool = False) -> Iterator[YamlDocument]:
    """Every document of a YAML stream, each loaded on its own and bounded (see the module doc).
    With `dates_as_text`, unquoted dates stay strings for the reader to validate."""
    loader = _TextDatesLoader if dates_as_text else _Loader
    for index, (start, chunk) in enumerate(_chunks(text)):
        end = start + max(chunk.count("\n") - 1, 0)
        data, problem, empty = _load_chunk(chunk, start, loader)
        yield YamlDocument(index, start, end, data, problem, empty)


def read_yaml(path: Path | str, what: str = "YAML file", *, dates_as_text: bool = False) -> Any:
    """A single-document YAML file (config, controls, crosswalk, params, waivers)."""
    text = read_text(path, what)
    docs = [d for d in iter_yaml(text, dates_as_text=dates_as_text) if not d.empty]
    if not docs:
        return None
    first = docs[0]
    if first.problem:
        raise ConfigError(path, first.problem, entry=f"line {first.start_line}" if len(docs) > 1 else None)
    if len(docs) > 1:
        raise ConfigError(
            path, f"holds {len(docs)} YAML documents; expected one", entry=f"line {docs[1].start_line}"
        )
    return first.data


def read_yaml_mapping(path: Path | str, what: str, *, dates_as_text: bool = False) -> dict[str, Any]:
    value = read_yaml(path, what, dates_as_text=dates_as_text)
    if not isinstance(value, dict):
        raise ConfigError(path, f"{what} is a mapping")
    return value
