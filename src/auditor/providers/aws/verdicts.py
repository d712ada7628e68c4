"""Shared verdict shapes for AWS checks over one attribute (the checks pass constant keys, so the
contract tests still see every attribute read). `bad` may name the resource as `{name}`."""

from __future__ import annotations

from auditor.checks import Verdict, failed, need, passed
from auditor.models import Resource


def required(r: Resource, key: str, ok: str, bad: str) -> Verdict:
    """Pass when attribute `key` is set (true, non-empty), else fail."""
    return passed(ok) if need(r, key) else failed(bad.format(name=r.name))


def forbidden(r: Resource, key: str, ok: str, bad: str) -> Verdict:
    """Fail when attribute `key` is set (true, non-empty), else pass."""
    return failed(bad.format(name=r.name)) if need(r, key) else passed(ok)


def at_least(r: Resource, key: str, minimum: int, what: str, fix: str) -> Verdict:
    """Pass when the number in `key` is at least `minimum`: `what` says what it counts (days of backups)."""
    have = int(need(r, key) or 0)
    if have < minimum:
        return failed(f"{r.name} keeps {have} {what}, fewer than {minimum}: {fix}")
    return passed(f"{have} {what}")
