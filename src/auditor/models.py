"""The core data model: what collectors produce, what checks judge, what reports read.

Everything that crosses a boundary (disk, another process, a report) is one of these
pydantic models. Models are frozen where they can be; attribute payloads are plain
JSON-like dicts so that a snapshot round-trips through JSON without loss.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JSON = Any  # a JSON-compatible value: dict, list, str, int, float, bool or None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Status(enum.StrEnum):
    """Outcome of one check on one resource (or of one control)."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


class ControlStatus(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Framework(enum.StrEnum):
    SOC2 = "soc2"
    HIPAA = "hipaa"
    ISO27001 = "iso27001"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """Where a resource lives. `account` is the AWS account, GCP project, Azure subscription,
    Kubernetes cluster (context) or Vault address; `region` is the region, zone or namespace."""

    account: str | None = None
    region: str | None = None


class Resource(_Frozen):
    """One configuration item as collected. `attributes` holds what checks read.

    `gaps` names attributes that the collector tried to read and could not (key -> why):
    a check that needs such an attribute reports `error`, never `pass`.
    """

    provider: str
    type: str
    id: str
    name: str | None = None
    location: Location = Field(default_factory=Location)
    tags: dict[str, str] = Field(default_factory=dict)
    attributes: dict[str, JSON] = Field(default_factory=dict)
    gaps: dict[str, str] = Field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    source: str | None = None  # file and document index for resources read from manifests

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.type}:{self.id}"


class Evidence(_Frozen):
    """One API response (or file) as read, after redaction, with its SHA-256.

    `sha256` is computed over the canonical JSON of `body` (sorted keys, no spaces, UTF-8),
    so anyone can re-hash the body and compare.
    """

    id: str
    provider: str
    operation: str
    parameters: dict[str, JSON] = Field(default_factory=dict)
    scope: Location = Field(default_factory=Location)
    collected_at: datetime
    identity: str | None = None
    body: JSON = None
    sha256: str
    redactions: int = 0


class CollectionError(_Frozen):
    """A gap in collection: which API failed, for which scope, and why.

    `resource_types` names the resource types whose collection this error affects; every
    check over one of those types reports `error` for this scope. An empty tuple means
    the whole provider scope is affected.
    """

    provider: str
    operation: str
    scope: Location = Field(default_factory=Location)
    resource_types: tuple[str, ...] = ()
    kind: str = "error"  # access_denied | throttled | timeout | unreachable | not_collected | error
    message: str
    occurred_at: datetime = Field(default_factory=utcnow)

    @property
    def scope_label(self) -> str:
        parts = [self.provider]
        if self.scope.account:
            parts.append(self.scope.account)
        if self.scope.region:
            parts.append(self.scope.region)
        return "/".join(parts)


class Target(_Frozen):
    """What was scanned: a provider and the options it was scanned with (secrets removed)."""

    provider: str
    label: str
    options: dict[str, JSON] = Field(default_factory=dict)


SNAPSHOT_SCHEMA_VERSION = 1


class Snapshot(BaseModel):
    """An inventory: resources plus evidence plus collection errors. Saved and re-evaluated offline."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SNAPSHOT_SCHEMA_VERSION
    tool_version: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    targets: list[Target] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)

    def merge(self, other: Snapshot) -> Snapshot:
        """A new snapshot holding both; evidence de-duplicated by id."""
        seen = {e.id for e in self.evidence}
        return Snapshot(
            tool_version=self.tool_version or other.tool_version,
            created_at=min(self.created_at, other.created_at),
            targets=[*self.targets, *other.targets],
            resources=[*self.resources, *other.resources],
            evidence=[*self.evidence, *(e for e in other.evidence if e.id not in seen)],
            errors=[*self.errors, *other.errors],
        )


class CheckMeta(_Frozen):
    """A check's metadata, declared once next to its function."""

    id: str
    title: str
    severity: Severity
    provider: str
    resource_types: tuple[str, ...]
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict of one check on one resource (or on a scope it could not collect).

    A slotted dataclass rather than a BaseModel: a large estate yields millions of findings,
    and this keeps each one small and cheap to create. Pydantic still validates and
    serialises it wherever it crosses a boundary (results.json)."""

    check_id: str
    status: Status
    severity: Severity
    provider: str
    resource_type: str
    resource_id: str
    message: str
    resource_name: str | None = None
    account: str | None = None
    region: str | None = None
    evidence: tuple[str, ...] = ()
    source: str | None = None


class Control(_Frozen):
    """One control of a framework, with the checks the crosswalk maps to it."""

    framework: Framework
    id: str
    title: str
    group: str
    objective: str
    automation: str
    evidence_request: str
    requirement: str | None = None
    parent: str | None = None
    checks: tuple[str, ...] = ()


class CheckSummary(_Frozen):
    check_id: str
    status: Status | None  # None: the check had no resources in scope
    counts: dict[str, int] = Field(default_factory=dict)


class ControlResult(_Frozen):
    framework: Framework
    control_id: str
    title: str
    status: ControlStatus
    checks: tuple[CheckSummary, ...] = ()
    manual_evidence: str | None = None
