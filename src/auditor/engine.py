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

from auditor.catalog import Library
from auditor.checks import Check, CheckContext, Registry
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
    Resource,
    Snapshot,
    Status,
)
from auditor.selection import CheckSelection
from auditor.stages import Evaluation, ExclusionStage, Stage, StageContext, run_stages

ProgressFn = Callable[[int, int], None]


def _finding(check: Check, r: Resource, status: Status, message: str) -> Finding:
    return Finding(
        check_id=check.meta.id,
        status=status,
        severity=check.meta.severity,
        provider=r.provider,
        resource_type=r.type,
        resource_id=r.id,
        resource_name=r.name,
        account=r.location.account,
        region=r.location.region,
        message=message,
        evidence=r.evidence,
        location=r.source,
    )


def run_check(check: Check, resource: Resource, ctx: CheckContext) -> Finding:
    """One check on one resource. Never raises: a crash or missing data is an `error` finding."""
    try:
        verdict = check.func(resource, ctx.for_check(check))
    except MissingData as exc:
        return _finding(check, resource, Status.ERROR, f"could not evaluate: {exc}")
    except Exception as exc:  # a bug in a check must not turn into silence
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _finding(
            check,
            resource,
            Status.ERROR,
            f"check failed to run: {type(exc).__name__}: {exc} ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
        )
    if verdict is None or not hasattr(verdict, "status"):
        return _finding(check, resource, Status.ERROR, "check returned no verdict")
    return _finding(check, resource, verdict.status, verdict.message)


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
    for i, check in enumerate(checks, 1):
        for rtype in check.meta.resource_types:
            for resource in ctx.resources(rtype):
                findings.append(run_check(check, resource, ctx))
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
) -> Evaluation:
    """The whole evaluation of a snapshot: derive, evaluate the selected checks, then the stages
    (exclusions first, then `stages`). `registry` holds every known check."""
    selection = selection or CheckSelection()
    selected, left_out = selection.split(registry)
    findings = evaluate(snapshot, selected, params=params, progress=progress, derivers=derivers)
    pipeline: list[Stage] = [ExclusionStage(left_out, snapshot.exclusions), *stages]
    return run_stages(Evaluation(findings), pipeline, StageContext(registry, snapshot.created_at))


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
) -> list[ControlResult]:
    """Roll findings up to controls.

    any fail -> fail; else any error (or a mapped check that is not available) -> error;
    else any mapped check deliberately not run -> excluded (not fully evaluated); else any
    pass -> pass; checks mapped but nothing in scope -> not_applicable; no automated checks ->
    manual. The manual evidence request travels with every result: the automated part never
    marks it done.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        counts[f.check_id][f.status.value] += 1
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
            if check_id not in registry:
                summaries.append(
                    CheckSummary(check_id=check_id, status=CheckStatus.ERROR, counts={"unavailable": 1})
                )
                continue
            summaries.append(
                CheckSummary(
                    check_id=check_id,
                    status=check_status.get(check_id),
                    counts=dict(sorted(counts[check_id].items())),
                )
            )
        statuses = {s.status for s in summaries}
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
        else:
            status = ControlStatus.NOT_APPLICABLE
        results.append(
            ControlResult(
                framework=fw,
                control_id=control.id,
                title=control.title,
                status=status,
                checks=tuple(summaries),
                manual_evidence=control.evidence_request or None,
                excluded_checks=excluded,
            )
        )
    return results
