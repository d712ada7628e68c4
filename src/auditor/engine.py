"""Evaluation: every selected check over the resources of its types, then roll-up to controls.

`assess()` is the whole path from a snapshot to findings: derive steps, then every selected
check over the resources of its types, then collection errors as `error` findings for exactly
the checks and scopes they affect (so a gap in collection can never read as `pass`), then the
stages (exclusions, and later waivers and baselines). `rollup()` turns that into controls.

Linear in resources x checks: resources are indexed by type once; each check visits only the
resources of its own types.
"""

from __future__ import annotations

import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

from auditor.attestations import assurance
from auditor.catalog import Library
from auditor.checks import Check, CheckContext, Registry, Verdict
from auditor.contracts import Contracts
from auditor.derive import Deriver, run_derivers
from auditor.errors import MissingData
from auditor.models import (
    JSON,
    CheckStatus,
    CheckSummary,
    CollectionError,
    ControlResult,
    ControlStatus,
    Exclusion,
    Finding,
    Framework,
    ManualPart,
    Resource,
    Snapshot,
    Status,
)
from auditor.selection import CheckSelection
from auditor.stages import Evaluation, ExclusionStage, Stage, StageContext, run_stages

ProgressFn = Callable[[int, int], None]


def _judge(check: Check, resource: Resource, ctx: CheckContext) -> tuple[Status, str]:
    """(status, message) of one check on one resource. Never raises: a crash or missing data is
    an `error` verdict that says why."""
    ctx.resource = resource
    try:
        verdict = check.func(resource, ctx)
    except MissingData as exc:
        return Status.ERROR, f"could not evaluate: {exc}"
    except Exception as exc:  # a bug in a check must not turn into silence
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return (
            Status.ERROR,
            f"check failed to run: {type(exc).__name__}: {exc} ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
        )
    if type(verdict) is not Verdict:
        return Status.ERROR, "check returned no verdict"
    return verdict.status, verdict.message


def _finding(check: Check, r: Resource, status: Status, message: str) -> Finding:
    loc = r.location
    return Finding(
        check.meta.id, status, check.meta.severity, r.provider, r.type, r.id, message,
        r.name, loc.account, loc.region, r.evidence, r.source,
    )  # fmt: skip


def run_check(check: Check, resource: Resource, ctx: CheckContext) -> Finding:
    """One check on one resource, as a finding. Never raises (see `_judge`)."""
    status, message = _judge(check, resource, ctx.for_check(check))
    return _finding(check, resource, status, message)


def _error_affects(error: CollectionError, check: Check) -> bool:
    if error.provider != check.meta.provider:
        return False
    return not error.resource_types or bool(set(error.resource_types) & set(check.meta.resource_types))


def scope_error_findings(errors: Iterable[CollectionError], checks: Iterable[Check]) -> list[Finding]:
    out: list[Finding] = []
    checks = list(checks)
    for err in errors:
        for check in checks:
            if not _error_affects(err, check):
                continue
            types = [
                t for t in check.meta.resource_types if not err.resource_types or t in err.resource_types
            ]
            out.append(
                Finding(
                    check_id=check.meta.id,
                    status=Status.ERROR,
                    severity=check.meta.severity,
                    provider=err.provider,
                    resource_type=types[0] if types else check.meta.resource_types[0],
                    resource_id=err.scope_label,
                    account=err.scope.account,
                    region=err.scope.region,
                    message=f"not evaluated: {err.operation} failed ({err.kind}): {err.message}",
                )
            )
    return out


def evaluate(
    snapshot: Snapshot,
    registry: Registry,
    *,
    params: Mapping[str, JSON] | None = None,
    progress: ProgressFn | None = None,
    derivers: Iterable[Deriver] = (),
) -> list[Finding]:
    """Findings of every check on every resource of its types, plus scope errors."""
    produced, derived = run_derivers(snapshot, derivers)
    ctx = CheckContext(snapshot, params, derived=derived, replaced=produced)
    checks = list(registry)
    findings: list[Finding] = []
    total = len(checks)
    append = findings.append
    for i, check in enumerate(checks, 1):
        ctx.for_check(check)
        check_id, severity = check.meta.id, check.meta.severity
        for rtype in check.meta.resource_types:
            for r in ctx.resources(rtype):
                status, message = _judge(check, r, ctx)
                loc = r.location
                append(
                    Finding(
                        check_id,
                        status,
                        severity,
                        r.provider,
                        r.type,
                        r.id,
                        message,
                        r.name,
                        loc.account,
                        loc.region,
                        r.evidence,
                        r.source,
                    )
                )
        if progress:
            progress(i, total)
    findings.extend(scope_error_findings(snapshot.errors, checks))
    return findings


def assess(
    snapshot: Snapshot,
    registry: Registry,
    *,
    params: Mapping[str, JSON] | None = None,
    selection: CheckSelection | None = None,
    derivers: Iterable[Deriver] = (),
    stages: Iterable[Stage] = (),
    progress: ProgressFn | None = None,
    contracts: Contracts | None = None,
) -> Evaluation:
    """The whole evaluation of a snapshot: derive, evaluate the selected checks, then the stages
    (exclusions first, then `stages`). `registry` holds every known check. With `contracts`, a
    scope that lacks a resource its provider yields once per scope is `error` for that scope."""
    selection = selection or CheckSelection()
    selected, left_out = selection.split(registry)
    missing = contracts.missing_per_scope(snapshot) if contracts is not None else []
    if missing:
        snapshot = snapshot.model_copy(update={"errors": [*snapshot.errors, *missing]})
    findings = evaluate(snapshot, selected, params=params, progress=progress, derivers=derivers)
    pipeline: list[Stage] = [ExclusionStage(left_out, snapshot.exclusions), *stages]
    start = Evaluation(findings, synthesized_errors=missing)
    return run_stages(start, pipeline, StageContext(registry, snapshot.created_at))


def _check_status(counts: Mapping[str, int]) -> CheckStatus | None:
    for status in (
        CheckStatus.FAIL,
        CheckStatus.ERROR,
        CheckStatus.EXCLUDED,
        CheckStatus.PASS,
        CheckStatus.NOT_APPLICABLE,
    ):
        if counts.get(status.value):
            return status
    return None


def rollup(
    library: Library,
    findings: Iterable[Finding],
    registry: Registry,
    frameworks: Iterable[Framework] | None = None,
    exclusions: Iterable[Exclusion] = (),
    assessed: Iterable[str] | None = None,
    manual: Mapping[tuple[Framework, str], ManualPart] | None = None,
) -> list[ControlResult]:
    """Roll findings up to controls.

    any fail -> fail; else any error (or a mapped check that is not available) -> error;
    else any mapped check deliberately not run -> excluded (not fully evaluated); else any
    pass -> pass; a waived failure still fails its control, and its check's counts say how many
    failures are waived (`waived`); checks mapped but nothing in scope -> not_applicable; every mapped check of a
    provider outside `assessed` (the providers this scan covered) -> not_assessed; no automated
    checks -> manual. The manual evidence request travels with every result: the automated part
    never marks it done. `manual` (from `auditor.attestations.judge`) gives the manual part of
    attested controls (every other one is due); `assurance` pairs it with the status above,
    which it never changes.
    """
    covered = set(assessed) if assessed is not None else None
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        # `_value_`, not `.value`: the same string, without the enum property's cost per finding
        counts[f.check_id][f.status._value_] += 1
        if f.waiver is not None:  # still a failure; the control shows it as an accepted exception
            counts[f.check_id]["waived"] += 1
    for x in exclusions:
        counts[x.check_id][CheckStatus.EXCLUDED.value] += 1
    check_status = {cid: _check_status(c) for cid, c in counts.items()}
    wanted = set(frameworks) if frameworks else set(Framework)
    results: list[ControlResult] = []
    for (fw, _cid), control in library.controls.items():
        if fw not in wanted:
            continue
        summaries = []
        for check_id in control.checks:
            check = registry.get(check_id)
            if check is None:
                summaries.append(
                    CheckSummary(check_id=check_id, status=CheckStatus.ERROR, counts={"unavailable": 1})
                )
                continue
            seen = counts.get(check_id)
            summaries.append(
                CheckSummary(
                    check_id=check_id,
                    status=check_status.get(check_id),
                    counts=dict(sorted(seen.items())) if seen else {},
                    assessed=covered is None or check.meta.provider in covered or bool(seen),
                )
            )
        statuses = {s.status for s in summaries if s.assessed}
        excluded = tuple(s.check_id for s in summaries if s.counts.get(CheckStatus.EXCLUDED.value))
        if not control.checks:
            status = ControlStatus.MANUAL
        elif CheckStatus.FAIL in statuses:
            status = ControlStatus.FAIL
        elif CheckStatus.ERROR in statuses:
            status = ControlStatus.ERROR
        elif excluded:
            status = ControlStatus.EXCLUDED
        elif CheckStatus.PASS in statuses:
            status = ControlStatus.PASS
        elif not any(s.assessed for s in summaries):
            status = ControlStatus.NOT_ASSESSED
        else:
            status = ControlStatus.NOT_APPLICABLE
        part = (manual or {}).get((fw, control.id)) or ManualPart()
        results.append(
            ControlResult(
                framework=fw,
                control_id=control.id,
                title=control.title,
                status=status,
                checks=tuple(summaries),
                manual_evidence=control.evidence_request or None,
                excluded_checks=excluded,
                manual=part,
                assurance=assurance(status, part),
            )
        )
    return results
