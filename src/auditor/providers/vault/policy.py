"""Vault ACL policies: a small tolerant parser for the HCL (or JSON) subset policies use, and the
path-glob matching Vault applies. Pure Python, no SDK: the collector parses, checks and tests reuse it.

Handles what `sys/policies/acl` returns: `path "x" { capabilities = [...] ... }` blocks, comments
(`#`, `//`, `/* */`), nested objects (`allowed_parameters = { "k" = [] }`), the legacy
`policy = "read|write|deny|sudo"` shorthand, and the JSON form `{"path": {"x": {...}}}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ALL_CAPABILITIES = ("create", "read", "update", "patch", "delete", "list", "sudo", "deny", "root")
WRITE_CAPABILITIES = frozenset({"create", "update", "patch", "delete", "sudo"})

_LEGACY = {
    "deny": ["deny"],
    "read": ["read", "list"],
    "write": ["create", "read", "update", "delete", "list"],
    "sudo": ["create", "read", "update", "delete", "list", "sudo"],
}


class PolicyParseError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class PathRule:
    path: str
    capabilities: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "capabilities": list(self.capabilities)}


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-.]*)
  | (?P<punct>[{}\[\]=,:])
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, Any, int]]:
    out: list[tuple[str, Any, int]] = []
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise PolicyParseError(f"unexpected character {text[pos]!r}", line)
        kind = m.lastgroup or ""
        raw = m.group()
        if kind == "string":
            try:
                out.append(("string", json.loads(raw), line))
            except ValueError:
                out.append(("string", raw[1:-1], line))
        elif kind in ("number", "ident", "punct"):
            out.append((kind, raw, line))
        line += raw.count("\n")
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, Any, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, Any, int]:
        tok = self.peek()
        if tok is None:
            last = self.toks[-1][2] if self.toks else None
            raise PolicyParseError("unexpected end of policy", last)
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        kind, val, line = self.take()
        if val != value or kind not in ("punct",):
            raise PolicyParseError(f"expected {value!r}, found {val!r}", line)

    def body(self, closing: str | None) -> list[tuple[str, list[str], Any]]:
        """Items of a body: (name, labels, value-or-nested-body)."""
        items: list[tuple[str, list[str], Any]] = []
        while True:
            tok = self.peek()
            if tok is None:
                if closing:
                    raise PolicyParseError(f"missing {closing!r}", self.toks[-1][2] if self.toks else None)
                return items
            kind, val, line = tok
            if kind == "punct" and val == closing:
                self.i += 1
                return items
            if kind == "punct" and val == ",":
                self.i += 1
                continue
            if kind not in ("ident", "string"):
                raise PolicyParseError(f"expected a name, found {val!r}", line)
            self.i += 1
            name = str(val)
            labels: list[str] = []
            while True:
                nxt = self.peek()
                if nxt is None:
                    raise PolicyParseError(f"incomplete entry {name!r}", line)
                if nxt[0] == "punct" and nxt[1] in ("=", ":"):
                    self.i += 1
                    items.append((name, labels, self.value()))
                    break
                if nxt[0] == "punct" and nxt[1] == "{":
                    self.i += 1
                    items.append((name, labels, self.body("}")))
                    break
                if nxt[0] in ("string", "ident"):
                    labels.append(str(nxt[1]))
                    self.i += 1
                    continue
                raise PolicyParseError(f"unexpected {nxt[1]!r} after {name!r}", nxt[2])

    def value(self) -> Any:
        kind, val, line = self.take()
        if kind == "string":
            return val
        if kind == "number":
            return float(val) if "." in val else int(val)
        if kind == "ident":
            return {"true": True, "false": False, "null": None}.get(val, val)
        if val == "[":
            items: list[Any] = []
            while True:
                nxt = self.peek()
                if nxt is None:
                    raise PolicyParseError("missing ']'", line)
                if nxt[0] == "punct" and nxt[1] == "]":
                    self.i += 1
                    return items
                if nxt[0] == "punct" and nxt[1] == ",":
                    self.i += 1
                    continue
                items.append(self.value())
        if val == "{":
            return {k: v for k, _, v in self.body("}")}
        raise PolicyParseError(f"unexpected {val!r}", line)


def _caps(settings: Any, where: str) -> tuple[str, ...]:
    if isinstance(settings, list):  # HCL body given as items
        settings = {k: v for k, _, v in settings}
    if not isinstance(settings, dict):
        raise PolicyParseError(f"path {where!r}: expected a block")
    caps = settings.get("capabilities")
    out: list[str] = []
    if isinstance(caps, list):
        out.extend(str(c).lower() for c in caps)
    elif isinstance(caps, str):
        out.append(caps.lower())
    legacy = settings.get("policy")
    if isinstance(legacy, str):
        out.extend(_LEGACY.get(legacy.lower(), [legacy.lower()]))
    return tuple(dict.fromkeys(out))


def parse_policy(text: str) -> list[PathRule]:
    """The path rules of one policy, in order. Raises PolicyParseError naming the line."""
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            paths = doc.get("path") or {}
            if not isinstance(paths, dict):
                raise PolicyParseError("JSON policy: 'path' is not an object")
            return [PathRule(str(p), _caps(s, str(p))) for p, s in paths.items()]
    rules: list[PathRule] = []
    for name, labels, value in _Parser(text).body(None):
        if name != "path":
            continue
        if labels:
            rules.append(PathRule(labels[0], _caps(value, labels[0])))
        elif isinstance(value, dict):  # path = { "x" = { ... } } (HCL1 object form)
            rules.extend(PathRule(str(p), _caps(s, str(p))) for p, s in value.items())
    return rules


def path_matches(pattern: str, path: str) -> bool:
    """Vault's ACL matching: `+` is one path segment, a trailing `*` is a prefix glob."""
    pattern, path = pattern.lstrip("/"), path.lstrip("/")
    glob = pattern.endswith("*")
    if glob:
        pattern = pattern[:-1]
    pparts, tparts = pattern.split("/"), path.split("/")
    if "+" not in pparts:
        return path.startswith(pattern) if glob else path == pattern
    if glob:
        if len(tparts) < len(pparts):
            return False
    elif len(tparts) != len(pparts):
        return False
    for i, seg in enumerate(pparts):
        last = i == len(pparts) - 1
        if seg == "+":
            continue
        if last and glob:
            if not tparts[i].startswith(seg):
                return False
        elif seg != tparts[i]:
            return False
    return True


def allows(rules: list[PathRule], path: str, capability: str) -> bool:
    """Whether a policy grants `capability` on `path`, by Vault's most-specific-match rule
    (approximated: exact match wins, then the longest matching pattern; deny wins on it)."""
    matching = [r for r in rules if path_matches(r.path, path)]
    if not matching:
        return False
    exact = [r for r in matching if r.path.lstrip("/") == path.lstrip("/")]
    best = exact or sorted(matching, key=lambda r: len(r.path.replace("+", "")), reverse=True)[:1]
    caps = {c for r in best for c in r.capabilities}
    return "deny" not in caps and capability in caps
