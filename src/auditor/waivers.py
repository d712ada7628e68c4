"""Waivers: failures accepted as known exceptions, each with a reason, an approver and an expiry.

A waivers file (also the `waivers:` list of audit.yaml)::

    waivers:
      - check: aws.s3.bucket_versioning      # a check id or a glob (aws.s3.*)
        resource: "module.logs.*"             # a glob on the finding key, the address, the id or the name
        reason: Log buckets are written once; versions add nothing.
        approver: security@example.com
        expires: 2027-03-31                   # an ISO date, at most `max_days` after the scan
        ticket: SEC-142                       # optional

Validation is strict: an unknown field, a missing reason or approver, an unparseable date or an
expiry too far ahead is a `ConfigError` (exit 2) naming the file and the entry.

`WaiverStage` runs between evaluation and roll-up and judges every date against the scan's own
time (`StageContext.now`, the snapshot's collection time), never the wall clock, so re-evaluating
an old snapshot gives the same answer. A matching, unexpired waiver is attached to the failing
finding, which stays `fail` (a waiver never reads as a pass); an expired waiver hides nothing and
is reported `expired`; a waiver that matches no failure is reported `stale`. Every decision is an
audit-trail entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError, field_validator

from auditor.errors import ConfigError, first_problem
from auditor.inputs import read_yaml
from auditor.models import Finding, Status, WaiverRef
from auditor.stages import Evaluation, StageContext, TrailEntry

DEFAULT_MAX_DAYS = 90
STAGE = "waivers"


class WaiverEntry(BaseModel):
    """One entry of a waivers file, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: StrictStr
    resource: StrictStr = "*"
    reason: StrictStr
    approver: StrictStr
    expires: date
    ticket: StrictStr | None = None

    @field_validator("check", "reason", "approver")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()

    @field_validator("expires", mode="before")
    @classmethod
    def _iso_date(cls, v: Any) -> Any:
        # YAML reads 2027-03-31 as a date already; a string must be an ISO date, not a timestamp
        if isinstance(v, datetime):
            raise ValueError("expected an ISO date (YYYY-MM-DD), not a timestamp")
        if isinstance(v, str):
            try:
                return date.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {v!r}") from None
        if not isinstance(v, date):
            raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {type(v).__name__}")
        return v


class _WaiversFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: StrictInt = 1
    waivers: list[WaiverEntry]


@dataclass(frozen=True)
class Waiver:
    """A validated entry, with where it came from."""

    entry: WaiverEntry
    file: str
    index: int

    @property
    def label(self) -> str:
        return f"{self.file}: waivers[{self.index}]"

    def ref(self) -> WaiverRef:
        e = self.entry
        return WaiverRef(
            file=self.file,
            entry=self.index,
            check=e.check,
            resource=e.resource,
            reason=e.reason,
            approver=e.approver,
            expires=e.expires,
            ticket=e.ticket,
        )

    def matches(self, f: Finding) -> bool:
        if not fnmatchcase(f.check_id, self.entry.check):
            return False
        pattern = self.entry.resource
        names = (f.key, f.location.address if f.location else None, f.resource_id, f.resource_name)
        return any(n is not None and fnmatchcase(n, pattern) for n in names)

    def expired(self, now: datetime) -> bool:
        """Valid through its expiry date (in UTC), judged at the scan's time."""
        return now.date() > self.entry.expires


def parse_waivers(raw: Any, source: str, path: Path | str | None = None) -> list[Waiver]:
    """Validate a waivers document (the file's mapping, or a bare list as audit.yaml holds)."""
    if isinstance(raw, list):
        raw = {"waivers": raw}
    if not isinstance(raw, dict):
        raise ConfigError(path or source, "a waivers file is a mapping with a 'waivers' list")
    try:
        parsed = _WaiversFile.model_validate(raw)
    except ValidationError as exc:
        entry, msg = first_problem(exc)
        raise ConfigError(path or source, msg, entry=entry or None) from None
    if parsed.version != 1:
        raise ConfigError(path or source, f"unsupported waivers version {parsed.version}", entry="version")
    return [Waiver(e, source, i) for i, e in enumerate(parsed.waivers)]


def load_waivers(path: Path) -> list[Waiver]:
    raw = read_yaml(path, "waivers file", dates_as_text=True)
    if raw is None:
        return []
    return parse_waivers(raw, path.as_posix(), path)


def check_horizon(waivers: Iterable[Waiver], now: datetime, max_days: int) -> None:
    """An expiry more than `max_days` after the scan's time is a ConfigError naming the entry:
    a waiver is a time-boxed exception, not a permanent one."""
    limit = now.date() + timedelta(days=max_days)
    for w in waivers:
        if w.entry.expires > limit:
            raise ConfigError(
                w.file,
                f"expires {w.entry.expires.isoformat()}, more than {max_days} days after the scan "
                f"({now.date().isoformat()}); the latest allowed is {limit.isoformat()}",
                entry=f"waivers[{w.index}].expires",
            )


@dataclass(frozen=True)
class WaiverStage:
    """Attach unexpired waivers to the failures they match; report expired and stale ones."""

    waivers: Sequence[Waiver] = ()
    max_days: int = DEFAULT_MAX_DAYS
    name: str = STAGE

    def apply(self, evaluation: Evaluation, ctx: StageContext) -> Evaluation:
        check_horizon(self.waivers, ctx.now, self.max_days)
        active = [w for w in self.waivers if not w.expired(ctx.now)]
        used: set[tuple[str, int]] = set()
        trail = list(evaluation.trail)
        findings: list[Finding] = []
        for f in evaluation.findings:
            if f.status is not Status.FAIL or not self.waivers:
                findings.append(f)
                continue
            hit = next((w for w in active if w.matches(f)), None)
            if hit is None:
                findings.append(f)
                continue
            used.add((hit.file, hit.index))
            findings.append(replace(f, waiver=hit.ref()))
            trail.append(
                TrailEntry(
                    stage=self.name,
                    action="waived",
                    check_id=f.check_id,
                    finding_key=f.key,
                    reason=f"{hit.label}: {hit.entry.reason} (approved by {hit.entry.approver}, "
                    f"expires {hit.entry.expires.isoformat()})",
                )
            )
        for w in self.waivers:
            if w.expired(ctx.now):
                action, why = "expired", f"expired on {w.entry.expires.isoformat()}: it hides nothing"
            elif (w.file, w.index) not in used:
                action, why = "stale", "matches no failing finding: remove it"
            else:
                continue
            trail.append(
                TrailEntry(
                    stage=self.name,
                    action=action,
                    check_id=w.entry.check,
                    reason=f"{w.label} {why}",
                    scope=w.entry.resource,
                )
            )
        return replace(evaluation, findings=findings, trail=trail)
