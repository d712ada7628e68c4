"""The core data model: what collectors produce, what checks judge, what reports read.

Everything that crosses a boundary (disk, another process, a report) is one of these
pydantic models. Models are frozen where they can be; attribute payloads are plain
JSON-like dicts so that a snapshot round-trips through JSON without loss.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from auditor.identity import finding_key

JSON = Any  # a JSON-compatible value: dict, list, str, int, float, bool or None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Status(enum.StrEnum):
    """Outcome of one check on one resource (or of one control)."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


class CheckStatus(enum.StrEnum):
    """Outcome of one check over everything in scope (a control's view of the check)."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    EXCLUDED = "excluded"  # deliberately not run (check selection, or not collected by design)


class ControlStatus(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    EXCLUDED = "excluded"  # no failure or error, but a mapped check was deliberately not run
    NOT_APPLICABLE = "not_applicable"  # the mapped checks ran and had nothing in scope
    NOT_ASSESSED = "not_assessed"  # every mapped check belongs to a provider this scan did not cover
    MANUAL = "manual"


class ErrorKind(enum.StrEnum):
    """Why something could not be collected. One vocabulary for every provider."""

    ACCESS_DENIED = "access_denied"  # 401/403, missing permission, rejected credentials
    THROTTLED = "throttled"  # rate limited, retries exhausted
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # connection refused, DNS, TLS
    NOT_FOUND = "not_found"  # the API answered 404 where the object should exist
    UNSUPPORTED = "unsupported"  # the API or feature is not offered here (not enabled, not served)
    NOT_COLLECTED = "not_collected"  # the collector did not read it (out of scope, region not enabled)
    ERROR = "error"  # anything else, including a crash in the collector


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

    @property
    def short_name(self) -> str:
        """For tight spaces (chart legends); the full name is the control library's (`name:`)."""
        return _FRAMEWORK_SHORT_NAMES[self]


_FRAMEWORK_SHORT_NAMES = {Framework.SOC2: "SOC 2", Framework.HIPAA: "HIPAA", Framework.ISO27001: "ISO 27001"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """Where a resource lives. `account` is the AWS account, GCP project, Azure subscription,
    Kubernetes cluster (context) or Vault address; `region` is the region, zone or namespace."""

    account: str | None = None
    region: str | None = None


class SourceLocation(_Frozen):
    """Where a resource read from a file was declared: a manifest document or a plan resource.

    `file` is relative to the scan root; lines are 1-based; `document` is the 0-based index
    of the YAML document in the file; `address` names the object within the file (a Terraform
    address such as `module.net.aws_security_group.web[0]`, or `Kind/namespace/name`)."""

    file: str
    start_line: int | None = None
    end_line: int | None = None
    document: int | None = None
    address: str | None = None

    @classmethod
    def parse(cls, text: str) -> SourceLocation:
        """The legacy text form `path#N` (or `path#N/items/M`) of snapshots written before 0.2."""
        file, _, rest = text.partition("#")
        doc = rest.split("/", 1)[0]
        return cls(file=file, document=int(doc) if doc.isdigit() else None, address=None)

    @property
    def text(self) -> str:
        out = self.file
        if self.start_line is not None:
            out += f":{self.start_line}"
        elif self.document is not None:
            out += f"#{self.document}"
        if self.address:
            out += f" ({self.address})"
        return out


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
    source: SourceLocation | None = None  # for resources read from files (manifests, plans)

    @field_validator("source", mode="before")
    @classmethod
    def _legacy_source(cls, v: Any) -> Any:
        return SourceLocation.parse(v) if isinstance(v, str) else v

    @field_validator("location", mode="wrap")
    @classmethod
    def _shared_location(cls, v: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        """Validated with `context={"locations": {}}` (as a snapshot is loaded), resources in
        the same account and region share one Location. It is frozen, so sharing is safe, and a
        million resources then hold one per scope instead of a million (about 0.5 GB)."""
        shared = info.context.get("locations") if isinstance(info.context, dict) else None
        if shared is None or type(v) is not dict or not v.keys() <= _LOCATION_FIELDS:
            return handler(v)
        key = (v.get("account"), v.get("region"))
        if type(key[0]) not in _TEXT_OR_NONE or type(key[1]) not in _TEXT_OR_NONE:
            return handler(v)  # the model says what is wrong with it
        loc = shared.get(key)
        if loc is None:
            loc = shared[key] = handler(v)
        return loc

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.type}:{self.id}"


_LOCATION_FIELDS = frozenset(Location.model_fields)
_TEXT_OR_NONE = (str, type(None))


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
    kind: ErrorKind = ErrorKind.ERROR
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


class CollectionExclusion(_Frozen):
    """Resource types a collector deliberately did not read for a scope, and why.

    Not an error: the scan was configured (or designed) not to read them, for example Secret
    metadata under the default Kubernetes ClusterRole. Checks over these types are reported as
    `excluded` for this scope; they never count as passing."""

    provider: str
    scope: Location = Field(default_factory=Location)
    resource_types: tuple[str, ...]
    reason: str


class SkippedScope(_Frozen):
    """A scope a collector saw and did not scan, on purpose: a GCP project that is not ACTIVE, a
    Disabled Azure subscription, a subscription outside --management-groups. Out of scope, so it
    affects no check and no control; listed in results and the report so nothing is silent."""

    provider: str
    scope: Location
    reason: str


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
    exclusions: list[CollectionExclusion] = Field(default_factory=list)
    skipped: list[SkippedScope] = Field(default_factory=list)
    # resources per type and evidence records, as saved: checked on load (see auditor.snapshot)
    counts: dict[str, int] | None = None
    # a shard of a sharded scan: the units it owned and collected, so that `auditor merge` can
    # tell a unit left to another shard that never saw it from one that shard collected
    shard_units: list[str] | None = None

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
            exclusions=[*self.exclusions, *other.exclusions],
            skipped=[*self.skipped, *other.skipped],
        )


ParamType = Literal["integer", "number", "boolean", "string", "string_list", "integer_list", "string_map"]


class ParamSpec(_Frozen):
    """A parameter a check reads (`ctx.param(name)`): declared once, with its check."""

    name: str
    type: ParamType
    default: JSON
    meaning: str


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
    params: tuple[ParamSpec, ...] = ()


class WaiverRef(_Frozen):
    """The waiver that accepts a failing finding as a known exception (see `auditor.waivers`).

    A waived finding stays `fail`: the waiver says who accepted it, why, and until when."""

    file: str  # the waivers file as given
    entry: int  # 0-based index of the entry in it
    check: str  # the entry's check id or glob
    resource: str  # the entry's resource glob
    reason: str
    approver: str
    expires: date
    ticket: str | None = None


BaselineState = Literal["new", "unchanged"]


@dataclass(slots=True)
class Finding:
    """The verdict of one check on one resource (or on a scope it could not collect).

    A slotted dataclass rather than a BaseModel: a large estate yields millions of findings,
    and this keeps each one small and cheap to create (not frozen: a frozen dataclass pays for
    every field it sets). Treat it as read-only. Pydantic validates it wherever it crosses a
    boundary (results.json)."""

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
    location: SourceLocation | None = None
    # the stable key, computed once on first use (a SHA-256: not free at millions of findings)
    _key: str | None = field(default=None, repr=False, compare=False)
    # set by the stages after evaluation (auditor.waivers, auditor.baseline)
    waiver: WaiverRef | None = None  # a failure accepted as an exception: it stays `fail`
    baseline_state: BaselineState | None = None  # a failure against --baseline: new or unchanged

    @property
    def source(self) -> str | None:
        """The location as text (`file:line (address)`), for tables and the report."""
        return self.location.text if self.location else None

    @property
    def key(self) -> str:
        """Stable identity across runs and machines (see `auditor.identity`)."""
        if self._key is not None:
            return self._key
        loc = self.location
        self._key = finding_key(
            self.check_id,
            self.provider,
            self.resource_type,
            self.resource_id,
            self.account,
            self.region,
            loc.file if loc else None,
            loc.address if loc else None,
        )
        return self._key


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
    status: CheckStatus | None  # None: the check had no resources in scope (or was not assessed)
    counts: dict[str, int] = Field(default_factory=dict)
    assessed: bool = True  # False: its provider was not part of this scan


class Exclusion(_Frozen):
    """A check that was deliberately not run (for a scope, or for the whole scan), and why.

    `origin` is `selection` (--checks / --skip-checks / --min-severity) or `collection`
    (the collector did not read the check's resource types by design)."""

    check_id: str
    origin: Literal["selection", "collection"]
    reason: str
    provider: str
    scope: Location | None = None


class Assurance(enum.StrEnum):
    """A control's automated status and the state of its manual part, together (see
    `auditor.attestations`). An attestation never hides an automated failure or gap."""

    FULLY_EVIDENCED = "fully_evidenced"  # automated checks pass and the manual part is attested
    AUTOMATED_ONLY = "automated_only"  # automated checks pass; the manual part is due
    ATTESTED = "attested"  # no automated result (manual control, or nothing in scope); attested
    MANUAL_DUE = "manual_due"  # no automated result, and the manual part is due
    FAILING = "failing"  # an automated check failed, whatever the manual part says
    NOT_EVALUATED = "not_evaluated"  # an automated check could not be evaluated (error)
    NOT_FULLY_EVALUATED = "not_fully_evaluated"  # a mapped check was deliberately not run
    NOT_ASSESSED = "not_assessed"  # the mapped checks' providers were not scanned


class AttestedEvidence(_Frozen):
    """One piece of evidence behind an attestation: a file copied into the package, or a URL."""

    file: str | None = None  # path inside the package (evidence/attestations/...)
    name: str | None = None  # the file's name as given
    sha256: str | None = None
    size: int | None = None
    url: str | None = None


class Attestation(_Frozen):
    """Someone's signed-off statement that a control's manual part is in place, judged against
    the scan's collection time: `fresh`, `expired`, or `not_yet_valid` (dated after collection)."""

    owner: str
    statement: str
    attested_at: date
    valid_for: str
    expires: date
    state: Literal["fresh", "expired", "not_yet_valid"]
    evidence: tuple[AttestedEvidence, ...] = ()


class ManualPart(_Frozen):
    """The manual part of a control: `attested` by a fresh attestation, or `due` (since the date
    the last attestation expired, or since ever when there is none)."""

    state: Literal["attested", "due"] = "due"
    due_since: date | None = None
    attestations: tuple[Attestation, ...] = ()


class ControlResult(_Frozen):
    framework: Framework
    control_id: str
    title: str
    status: ControlStatus
    checks: tuple[CheckSummary, ...] = ()
    manual_evidence: str | None = None
    excluded_checks: tuple[str, ...] = ()  # mapped checks deliberately not run: not fully evaluated
    manual: ManualPart = Field(default_factory=ManualPart)  # the manual part and its attestations
    assurance: Assurance | None = None  # status and manual part together (set by the roll-up)

    @property
    def fully_evaluated(self) -> bool:
        return not self.excluded_checks
