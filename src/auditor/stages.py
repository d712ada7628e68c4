"""The stage between evaluation and roll-up: findings transformed, with an audit trail.

Evaluation says what each check found; a stage decides what that means for this scan before
controls are rolled up, and records every decision (`TrailEntry`) so results and the report
can show it. Exclusions live here now; waivers and baselines are stages too.

Stages never turn a failure into a pass: they may remove findings of a check that was
deliberately not run (recording an `Exclusion` instead), or annotate findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from auditor.checks import Registry
from auditor.models import CollectionError, CollectionExclusion, Exclusion, Finding, Location


class TrailEntry(BaseModel):
    """One decision a stage made: what it did, to which check (and finding), and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    action: str
    check_id: str
    reason: str
    finding_key: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """What evaluation produced, as it goes through the stages."""

    findings: list[Finding]
    exclusions: list[Exclusion] = field(default_factory=list)
    trail: list[TrailEntry] = field(default_factory=list)
    # collection errors the evaluation found in the snapshot itself (a scope cut short)
    synthesized_errors: list[CollectionError] = field(default_factory=list)


@dataclass(frozen=True)
class StageContext:
    registry: Registry  # every check known to the scan, selected or not
    now: datetime  # the snapshot's collection time: stages judge dates against it, not the clock


class Stage(Protocol):
    @property
    def name(self) -> str: ...

    def apply(self, evaluation: Evaluation, ctx: StageContext) -> Evaluation: ...


def run_stages(evaluation: Evaluation, stages: Iterable[Stage], ctx: StageContext) -> Evaluation:
    for stage in stages:
        evaluation = stage.apply(evaluation, ctx)
    return evaluation


NO_CHECK = "*"  # the check id of an exclusion that no check is affected by (resources nothing judges)


def _scope_text(scope: Location | None) -> str | None:
    if scope is None:
        return None
    return "/".join(p for p in (scope.account, scope.region) if p) or None


def _in_scope(f: Finding, scope: Location) -> bool:
    if scope.account is not None and f.account != scope.account:
        return False
    return scope.region is None or f.region == scope.region


@dataclass(frozen=True)
class ExclusionStage:
    """Checks deliberately not run: left out by the check selection (`selected_out`, check id ->
    reason), or over resource types a collector did not read by design (`collected_out`).
    Each becomes an `Exclusion`; any finding of such a check in such a scope is removed.

    A collection exclusion over types no check reads (objects of a kind nothing judges) is still
    listed, as one `Exclusion` with check id `*` (NO_CHECK), so what a collector left unread
    on purpose is never silently dropped from results and the report."""

    selected_out: Mapping[str, str] = field(default_factory=dict)
    collected_out: Sequence[CollectionExclusion] = ()
    name: str = "exclusions"

    def apply(self, evaluation: Evaluation, ctx: StageContext) -> Evaluation:
        exclusions = list(evaluation.exclusions)
        trail = list(evaluation.trail)
        for check_id, reason in sorted(self.selected_out.items()):
            check = ctx.registry.get(check_id)
            provider = check.meta.provider if check else check_id.split(".", 1)[0]
            exclusions.append(
                Exclusion(check_id=check_id, origin="selection", reason=reason, provider=provider)
            )
            trail.append(TrailEntry(stage=self.name, action="excluded", check_id=check_id, reason=reason))
        dropped: list[tuple[str, Location, frozenset[str]]] = []
        for ce in self.collected_out:
            matched = False
            for check in ctx.registry:
                m = check.meta
                if check.id in self.selected_out or m.provider != ce.provider:
                    continue
                if ce.resource_types and not set(m.resource_types) & set(ce.resource_types):
                    continue  # an exclusion naming no type covers every type of its scope
                exclusions.append(
                    Exclusion(
                        check_id=check.id,
                        origin="collection",
                        reason=ce.reason,
                        provider=ce.provider,
                        scope=ce.scope,
                    )
                )
                trail.append(
                    TrailEntry(
                        stage=self.name,
                        action="excluded",
                        check_id=check.id,
                        reason=ce.reason,
                        scope=_scope_text(ce.scope),
                    )
                )
                dropped.append((check.id, ce.scope, frozenset(ce.resource_types or m.resource_types)))
                matched = True
            if not matched:
                exclusions.append(
                    Exclusion(
                        check_id=NO_CHECK,
                        origin="collection",
                        reason=ce.reason,
                        provider=ce.provider,
                        scope=ce.scope,
                    )
                )
        findings = evaluation.findings
        if self.selected_out or dropped:
            drop_ids = set(self.selected_out)
            by_check: dict[str, list[tuple[Location, frozenset[str]]]] = {}
            for cid, scope, types in dropped:
                by_check.setdefault(cid, []).append((scope, types))
            findings = [
                f
                for f in findings
                if f.check_id not in drop_ids
                and not any(
                    f.resource_type in types and _in_scope(f, s) for s, types in by_check.get(f.check_id, ())
                )
            ]
        return replace(evaluation, findings=findings, exclusions=exclusions, trail=trail)
