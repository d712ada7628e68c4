"""The results of a scan and the stable `results.json` interface.

`results.json` (schema in `auditor/schemas/results.schema.json`, generated from these models):
    schema_version   int, bumped on any incompatible change
    scan             id, started_at, finished_at, tool_version, targets, snapshot_created_at
    summary          counts of findings by status and of controls by framework and status
    checks           metadata of every check that ran (title, severity, rationale, remediation)
    findings         one per check x resource: key (stable identity), check_id, status,
                     severity, provider, resource_type, resource_id, region, message,
                     evidence (ids), location (file, lines, address) and source (its text)
    controls         one per control: framework, control_id, title, status, checks,
                     manual_evidence (what an auditor must still request), excluded_checks
    errors           collection errors: provider, operation, scope, kind, message
    exclusions       checks deliberately not run, and why (selection, or not collected by design;
                     check_id `*`: resources no check judges, left unread on purpose)
    audit_trail      every decision the stages between evaluation and roll-up took
    skipped_scopes   scopes a collector saw and did not scan on purpose (inactive, disabled), and why
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_serializer,
    field_validator,
)

from auditor.errors import ConfigError, first_problem
from auditor.inputs import read_json_object
from auditor.models import (
    CheckMeta,
    CollectionError,
    ControlResult,
    Exclusion,
    Finding,
    SkippedScope,
    SourceLocation,
    Status,
    Target,
    utcnow,
)
from auditor.outputs import ensure_dir, open_binary
from auditor.stages import TrailEntry

RESULTS_SCHEMA_VERSION = 1

# The flat, tabular view of a finding shared by findings.csv and the report's explorer.
FINDING_COLUMNS = (
    "check_id", "status", "severity", "provider", "resource_type", "resource_id",
    "resource_name", "account", "region", "message", "evidence", "source", "key",
)  # fmt: skip


def finding_row(f: Finding) -> list[Any]:
    return [
        f.check_id, f.status.value, f.severity.value, f.provider, f.resource_type, f.resource_id,
        f.resource_name, f.account, f.region, f.message, list(f.evidence), f.source, f.key,
    ]  # fmt: skip


class ScanInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    tool_version: str
    targets: list[Target] = Field(default_factory=list)
    snapshot_created_at: datetime | None = None
    frameworks: list[str] = Field(default_factory=list)
    # the check parameters in effect (declared defaults, overridden by the scan's params), and
    # which of them the scan set: a re-evaluation can be checked to use the same thresholds
    params: dict[str, Any] = Field(default_factory=dict)
    params_set: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    """Counts over the results (derived: `ScanResult.compute_summary`)."""

    model_config = ConfigDict(extra="forbid")

    findings: dict[str, int] = Field(default_factory=dict)  # by status
    failing_by_severity: dict[str, int] = Field(default_factory=dict)
    controls: dict[str, dict[str, int]] = Field(default_factory=dict)  # framework -> status -> count
    collection_errors: int = 0
    excluded_checks: int = 0


class ScanResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = RESULTS_SCHEMA_VERSION
    scan: ScanInfo
    summary: Summary = Field(default_factory=Summary)
    checks: list[CheckMeta] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    controls: list[ControlResult] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    audit_trail: list[TrailEntry] = Field(default_factory=list)
    skipped_scopes: list[SkippedScope] = Field(default_factory=list)

    @field_serializer("findings", mode="wrap")
    def _with_identity(self, value: list[Finding], handler: SerializerFunctionWrapHandler) -> Any:
        """Each finding carries its stable key and its location as text (derived, not stored)."""
        out = handler(value)
        for row, f in zip(out, value, strict=True):
            row.pop("_key", None)  # the key's cache, not a field
            row["key"] = f.key
            row["source"] = f.source
        return out

    @field_validator("findings", mode="before")
    @classmethod
    def _read_findings(cls, value: Any) -> Any:
        # `key` and `source` are derived on the way out; results of 0.1 carried `source` as text.
        if not isinstance(value, list):
            return value
        out = []
        for row in value:
            if isinstance(row, dict):
                row = dict(row)
                row.pop("key", None)
                row.pop("_key", None)
                source = row.pop("source", None)
                if isinstance(source, str) and not row.get("location"):
                    row["location"] = SourceLocation.parse(source).model_dump()
            out.append(row)
        return out

    @property
    def has_collection_errors(self) -> bool:
        return bool(self.errors) or any(f.status == Status.ERROR for f in self.findings)

    def compute_summary(self) -> Summary:
        by_status = Counter(f.status._value_ for f in self.findings)  # `.value`, at less cost
        by_fw: dict[str, Counter[str]] = {}
        for c in self.controls:
            by_fw.setdefault(c.framework.value, Counter())[c.status.value] += 1
        return Summary(
            findings={s.value: by_status.get(s.value, 0) for s in Status},
            failing_by_severity=dict(
                Counter(f.severity._value_ for f in self.findings if f.status == Status.FAIL)
            ),
            controls={fw: dict(sorted(c.items())) for fw, c in sorted(by_fw.items())},
            collection_errors=len(self.errors),
            excluded_checks=len({x.check_id for x in self.exclusions if x.check_id != "*"}),
        )


def results_json_schema() -> dict[str, Any]:
    schema = ScanResult.model_json_schema()
    finding = schema["$defs"]["Finding"]
    finding["properties"].pop("_key", None)
    finding["properties"]["key"] = {
        "type": "string",
        "description": "Stable identity of the finding across runs and machines: '<check id>/<24 hex>'.",
    }
    finding["properties"]["source"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "description": "The location as text: file:line (address).",
    }
    finding["required"] = sorted({*finding.get("required", []), "key", "source"})
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://auditor.dev/schemas/results.schema.json"
    return schema


_STREAMED = ("findings", "controls", "errors", "exclusions", "audit_trail", "skipped_scopes")


def _model_json(value: Any) -> Any:
    """orjson's fallback for the pydantic models inside a finding (location, waiver)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def finding_json_bytes(f: Finding) -> bytes:
    """One finding as results.json holds it: the model's fields, then `key` and `source`. orjson
    encodes the dataclass itself (its fields in order, the `_key` cache left out), several times
    faster than building a dict, which matters at millions of findings; a test keeps the document
    equal to `ScanResult.model_dump_json()`."""
    dumps = orjson.dumps
    loc = f.location
    return b"".join((
        dumps(f, default=_model_json)[:-1], b',"key":', dumps(f.key),
        b',"source":', b"null" if loc is None else dumps(loc.text), b"}",
    ))  # fmt: skip


def write_results(result: ScanResult, path: Path) -> Path:
    """Stream results.json: one finding per line, so a million findings never become one string
    in memory. The document is the same as `ScanResult.model_dump_json()` (a test keeps it so)."""
    ensure_dir(path.parent)
    head = result.model_dump(mode="json", exclude=set(_STREAMED))
    dumps = orjson.dumps
    with open_binary(path) as fh:
        fh.write(b"{")
        for name, value in head.items():
            fh.write(dumps(name) + b":" + dumps(value) + b",\n")
        fh.write(b'"findings":[')
        sep, batch = b"\n", []
        for f in result.findings:
            batch.append(finding_json_bytes(f))
            if len(batch) >= 5_000:
                fh.write(sep + b",\n".join(batch))
                sep, batch = b",\n", []
        if batch:
            fh.write(sep + b",\n".join(batch))
        fh.write(b"\n]")
        for name in _STREAMED[1:]:
            items = getattr(result, name)
            fh.write(b',\n"' + name.encode() + b'":[')
            fh.write(b",\n".join(dumps(item.model_dump(mode="json")) for item in items))
            fh.write(b"]")
        fh.write(b"}\n")
    return path


def read_results(path: Path) -> ScanResult:
    if path.is_dir():
        path = path / "results.json"
    if not path.exists():
        raise ConfigError(path, "no results.json here: run `auditor scan ... --out DIR` first")
    raw = read_json_object(path, "results file")
    if raw.get("schema_version") != RESULTS_SCHEMA_VERSION:
        raise ConfigError(
            path, f"unsupported results schema_version (this auditor reads {RESULTS_SCHEMA_VERSION})"
        )
    try:
        return ScanResult.model_validate(raw)
    except ValidationError as exc:
        entry, msg = first_problem(exc)
        raise ConfigError(path, msg, entry=entry) from None
