"""CloudWatch Logs JSON filter patterns, compared by what they match rather than how they are written.

`{ ($.eventName = "StopLogging") || ($.eventName=DeleteTrail) }` and
`{($.eventName=DeleteTrail)||($.eventName="StopLogging")}` are the same filter: whitespace,
quotes, parentheses and the order of `||` / `&&` terms do not matter. A pattern is read into
disjunctive normal form, a set of alternatives, each a set of conditions
`(selector, operator, value)`; `covers(filter, required)` holds when the filter matches at
least every event the required pattern matches: each required alternative is implied by one of
the filter's alternatives (its conditions are a subset, a wildcard value such as `Delete*`
standing for the values it matches). Pure functions, no SDK.
"""

from __future__ import annotations

import fnmatch
import re
from itertools import product

Condition = tuple[str, str, str]  # (selector such as $.eventName, operator, value)
Alternative = frozenset[Condition]
Pattern = frozenset[Alternative]

_MAX_ALTERNATIVES = 4096  # a pattern whose normal form grows beyond this is not judged
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) | (?P<and>&&) | (?P<or>\|\|)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<selector>\$(?:\.[A-Za-z0-9_\-@]+|\[\d+\]|\.\*)+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<word>[^\s()&|=!<>"]+)
    )""",
    re.VERBOSE,
)


class PatternError(ValueError):
    """Not a JSON filter pattern this module can read (space-delimited and term patterns are not)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise PatternError(f"cannot read the filter pattern at {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "string":
            kind, value = "word", value[1:-1].replace('\\"', '"')
        out.append((kind, value))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def take(self, kind: str) -> str:
        got = self.peek()
        if got[0] != kind:
            raise PatternError(f"expected {kind}, found {got[1] or 'the end'!r}")
        self.i += 1
        return got[1]

    def expr(self) -> Pattern:
        alternatives = set(self.term())
        while self.peek()[0] == "or":
            self.take("or")
            alternatives |= self.term()
        return _bounded(frozenset(alternatives))

    def term(self) -> Pattern:
        result = self.factor()
        while self.peek()[0] == "and":
            self.take("and")
            right = self.factor()
            result = _bounded(frozenset(a | b for a, b in product(result, right)))
        return result

    def factor(self) -> Pattern:
        if self.peek()[0] == "open":
            self.take("open")
            inner = self.expr()
            self.take("close")
            return inner
        selector = self.take("selector")
        kind, value = self.peek()
        if kind == "op":
            self.i += 1
            return frozenset({frozenset({(selector, value, self.take("word"))})})
        words = []
        while self.peek()[0] == "word" and self.peek()[1].upper() in (
            "IS",
            "NOT",
            "EXISTS",
            "NULL",
            "TRUE",
            "FALSE",
        ):
            words.append(self.take("word").upper())
        test = " ".join(words)
        if test not in ("IS NULL", "IS TRUE", "IS FALSE", "EXISTS", "NOT EXISTS"):
            raise PatternError(f"expected a comparison after {selector}")
        return frozenset({frozenset({(selector, test, "")})})


def _bounded(p: Pattern) -> Pattern:
    if len(p) > _MAX_ALTERNATIVES:
        raise PatternError("the filter pattern is too large to compare")
    return p


def parse(text: str) -> Pattern:
    """The normal form of a JSON filter pattern (`{ ... }`); PatternError when it is not one."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise PatternError("not a JSON filter pattern ({ ... })")
    parser = _Parser(_tokens(body[1:-1]))
    result = parser.expr()
    if parser.peek()[0] != "end":
        raise PatternError(f"unexpected {parser.peek()[1]!r} in the filter pattern")
    return result


def _implies(general: Condition, specific: Condition) -> bool:
    """`specific` holding means `general` holds (equal, or a wildcard value that matches it)."""
    if general == specific:
        return True
    g_sel, g_op, g_val = general
    s_sel, s_op, s_val = specific
    return g_sel == s_sel and g_op == s_op == "=" and "*" in g_val and fnmatch.fnmatchcase(s_val, g_val)


def _alternative_covers(f: Alternative, r: Alternative) -> bool:
    return all(any(_implies(cond, have) for have in r) for cond in f)


def covers(filter_pattern: Pattern, required: Pattern) -> bool:
    """The filter matches (at least) every event `required` matches."""
    return all(any(_alternative_covers(f, r) for f in filter_pattern) for r in required)


def matches_any(text: str, required: list[Pattern]) -> bool:
    """`text` (a filter's pattern) covers one of the accepted forms in `required`."""
    try:
        got = parse(text)
    except PatternError:
        return False
    return any(covers(got, r) for r in required)
