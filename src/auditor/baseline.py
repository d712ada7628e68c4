"""Baselines: which failures were already known, so a gate fails only on new ones.

A baseline is an earlier `results.json` or a file written by `auditor gate --write-baseline FILE`
(`{"baseline_version": 1, "created_at": ..., "failures": [{key, check_id, ...}]}`). Failures are
matched by `Finding.key` alone, which names the check, the provider, the file path and the
object's address (or the live scope and id): a failure of the same check on a resource of the
same name in another folder is new.

`BaselineStage` marks each failing finding `new` or `unchanged`, and records every baseline
failure that is no longer found as an `absent` audit-trail entry (with its check, key and where
it was), so results, SARIF (`baselineState`) and the report can say what was fixed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, StrictInt, ValidationError

from auditor.errors import ConfigError, first_problem
from auditor.inputs import read_json_object
from auditor.models import BaselineState, Finding, Status, utcnow
from auditor.outputs import ensure_dir, write_bytes
from auditor.stages import Evaluation, StageContext, TrailEntry

BASELINE_VERSION = 1
STAGE = "baseline"


class BaselineEntry(BaseModel):
    """One known failure: its key, and enough to say what it was when it is gone."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    key: str
    check_id: str
    resource_id: str | None = None
    source: str | None = None
    severity: str | None = None


class _BaselineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    baseline_version: StrictInt  # `true` is not version 1
    created_at: datetime | None = None
    failures: list[BaselineEntry]


@dataclass(frozen=True)
class Baseline:
    file: str
    entries: Sequence[BaselineEntry]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(e.key for e in self.entries)


def entry_of(f: Finding) -> BaselineEntry:
    return BaselineEntry(
        key=f.key, check_id=f.check_id, resource_id=f.resource_id, source=f.source, severity=f.severity.value
    )


def load_baseline(path: Path) -> Baseline:
    """An earlier results.json (its failing findings) or a --write-baseline file."""
    raw = read_json_object(path, "baseline (results.json or a --write-baseline file)")
    try:
        if "baseline_version" in raw:
            parsed = _BaselineFile.model_validate(raw)
            if parsed.baseline_version != BASELINE_VERSION:
                raise ConfigError(
                    path,
                    f"unsupported baseline_version {parsed.baseline_version} (this auditor reads {BASELINE_VERSION})",
                    entry="baseline_version",
                )
            return Baseline(path.as_posix(), parsed.failures)
        if "findings" in raw and "schema_version" in raw:
            return Baseline(path.as_posix(), _failures_of_results(raw["findings"], path))
    except ValidationError as exc:
        entry, msg = first_problem(exc)
        raise ConfigError(path, msg, entry=entry or None) from None
    raise ConfigError(
        path, "not a baseline: expected a results.json (with 'findings') or a file with 'baseline_version'"
    )


def _failures_of_results(findings: Any, path: Path) -> list[BaselineEntry]:
    if not isinstance(findings, list):
        raise ConfigError(path, "'findings' is not a list", entry="findings")
    out = []
    for i, row in enumerate(findings):
        if not isinstance(row, dict) or not isinstance(row.get("key"), str):
            raise ConfigError(
                path, "a finding without a 'key' (results of auditor 0.2 or later)", f"findings[{i}]"
            )
        if row.get("status") == Status.FAIL.value:
            try:
                out.append(BaselineEntry.model_validate(row))
            except ValidationError as exc:
                entry, msg = first_problem(exc)
                raise ConfigError(path, msg, entry=f"findings[{i}].{entry}") from None
    return out


def write_baseline(findings: Iterable[Finding], path: Path, created_at: datetime | None = None) -> Path:
    """Every failing finding's key (waived ones too: they are known), sorted, one file."""
    failures = sorted((entry_of(f) for f in findings if f.status is Status.FAIL), key=lambda e: e.key)
    doc = {
        "baseline_version": BASELINE_VERSION,
        "created_at": (created_at or utcnow()).isoformat(),
        "failures": [e.model_dump(mode="json") for e in failures],
    }
    ensure_dir(path.parent)
    return write_bytes(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")


@dataclass(frozen=True)
class BaselineStage:
    """Mark failures new or unchanged against `baseline`; record the absent ones."""

    baseline: Baseline
    name: str = STAGE

    def apply(self, evaluation: Evaluation, ctx: StageContext) -> Evaluation:
        known = self.baseline.keys
        seen: set[str] = set()
        findings: list[Finding] = []
        trail = list(evaluation.trail)
        new = 0
        for f in evaluation.findings:
            if f.status is not Status.FAIL:
                findings.append(f)
                continue
            key = f.key
            seen.add(key)
            state: BaselineState = "unchanged" if key in known else "new"
            new += state == "new"
            findings.append(replace(f, baseline_state=state))
        for e in self.baseline.entries:
            if e.key in seen:
                continue
            trail.append(
                TrailEntry(
                    stage=self.name,
                    action="absent",
                    check_id=e.check_id,
                    finding_key=e.key,
                    reason=f"in the baseline {self.baseline.file}, no longer failing"
                    + (f": {e.source or e.resource_id}" if (e.source or e.resource_id) else ""),
                    scope=e.source,
                )
            )
        trail.append(
            TrailEntry(
                stage=self.name,
                action="compared",
                check_id="*",
                reason=f"{new} new failure(s) against {self.baseline.file} ({len(known)} known)",
            )
        )
        return replace(evaluation, findings=findings, trail=trail)
