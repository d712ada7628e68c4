"""The gate's decision over a scan's results: does this change pass?

Fails when a failing finding at or above the threshold is neither waived nor already in the
baseline, or (unless errors are allowed) when anything could not be evaluated: an `error`
finding or a collection error. A severity the gate does not know counts as critical, so a check
or a results file with a missing or new severity can never slip under the threshold. The CLI
only maps the decision to an exit code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditor.errors import AuditorError
from auditor.models import Finding, Severity, Snapshot, Status
from auditor.results import ScanResult
from auditor.stages import TrailEntry

_ORDER = tuple(Severity)  # critical first


def severity_rank(value: object) -> int:
    """The rank of a severity; anything that is not a known severity ranks as critical."""
    try:
        return Severity(str(value.value if isinstance(value, Severity) else value).lower()).rank
    except ValueError:
        return Severity.CRITICAL.rank


def severity_name(value: object) -> str:
    try:
        return Severity(str(value.value if isinstance(value, Severity) else value).lower()).value
    except ValueError:
        return Severity.CRITICAL.value


@dataclass(frozen=True)
class GatePolicy:
    fail_on: Severity = Severity.HIGH
    allow_errors: bool = False


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    failing: list[Finding] = field(default_factory=list)  # gate-failing: unwaived, new, at/above
    errors: int = 0  # error findings plus collection errors
    waived: int = 0  # failures accepted by a waiver (ignored by the gate)
    new: int = 0  # failures not in the baseline (every failure when there is none)
    unchanged: int = 0  # failures already in the baseline (ignored by the gate)
    below_threshold: int = 0  # unwaived new failures under --fail-on
    expired_waivers: int = 0
    stale_waivers: int = 0
    reasons: list[str] = field(default_factory=list)
    errors_allowed: bool = False

    @property
    def failing_by_severity(self) -> dict[str, int]:
        counts = Counter(severity_name(f.severity) for f in self.failing)
        return {s.value: counts[s.value] for s in _ORDER if counts[s.value]}

    def summary_line(self) -> str:
        """The one line the CLI prints on stderr."""
        verdict = "gate passed" if self.passed else "gate FAILED"
        by_sev = ", ".join(f"{n} {s}" for s, n in self.failing_by_severity.items()) or "none"
        parts = [
            f"{verdict}: {len(self.failing)} failing ({by_sev})",
            f"{self.new} new",
            f"{self.waived} waived",
        ]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        if self.below_threshold:
            parts.append(f"{self.below_threshold} below the threshold")
        if self.errors:
            parts.append(f"{self.errors} error(s)" + (" allowed" if self.errors_allowed else ""))
        if self.expired_waivers:
            parts.append(f"{self.expired_waivers} expired waiver(s)")
        if self.stale_waivers:
            parts.append(f"{self.stale_waivers} stale waiver(s)")
        return "; ".join(parts)


class InputError(AuditorError):
    """An input the gate was given could not be read, or only in part (exit 2): a gate never
    passes on what it could not read. The message names each file and its problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__(f"unreadable or malformed input: {shown}")


def check_inputs(snapshot: Snapshot) -> None:
    """Every input of a gate is a file: any collection error means one could not be read."""
    if snapshot.errors:
        raise InputError([e.message for e in snapshot.errors])


def record(result: ScanResult, decision: GateDecision) -> None:
    """Put the decision in the results' audit trail (results.json, the summary, the report)."""
    result.audit_trail.append(
        TrailEntry(
            stage="gate",
            action="passed" if decision.passed else "failed",
            check_id="*",
            reason=decision.summary_line(),
        )
    )


def decide(result: ScanResult, policy: GatePolicy) -> GateDecision:
    return decide_findings(
        result.findings,
        policy,
        collection_errors=len(result.errors),
        trail_actions=(t.action for t in result.audit_trail if t.stage == "waivers"),
    )


def decide_findings(
    findings: Iterable[Finding],
    policy: GatePolicy,
    *,
    collection_errors: int = 0,
    trail_actions: Iterable[str] = (),
) -> GateDecision:
    threshold = policy.fail_on.rank
    failing: list[Finding] = []
    waived = new = unchanged = below = errors = 0
    for f in findings:
        if f.status is Status.ERROR:
            errors += 1
            continue
        if f.status is not Status.FAIL:
            continue
        if f.waiver is not None:
            waived += 1
            continue
        if f.baseline_state == "unchanged":
            unchanged += 1
            continue
        new += 1
        if severity_rank(f.severity) >= threshold:
            failing.append(f)
        else:
            below += 1
    errors += collection_errors
    reasons = []
    if failing:
        reasons.append(f"failing findings at or above {policy.fail_on.value}: {len(failing)}")
    if errors and not policy.allow_errors:
        reasons.append(f"errors (could not evaluate): {errors}; pass --allow-errors to accept them")
    actions = Counter(trail_actions)
    return GateDecision(
        passed=not reasons,
        failing=failing,
        errors=errors,
        waived=waived,
        new=new,
        unchanged=unchanged,
        below_threshold=below,
        expired_waivers=actions["expired"],
        stale_waivers=actions["stale"],
        reasons=reasons,
        errors_allowed=policy.allow_errors,
    )
