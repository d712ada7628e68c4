"""The results of a scan and the stable `results.json` interface.

`results.json` (schema in `auditor/schemas/results.schema.json`, generated from these models):
    schema_version   int, bumped on any incompatible change
    scan             id, started_at, finished_at, tool_version, targets, snapshot_created_at
    summary          counts of findings by status and of controls by framework and status
    checks           metadata of every check that ran (title, severity, rationale, remediation)
    findings         one per check x resource: check_id, status, severity, provider,
                     resource_type, resource_id, region, message, evidence (ids)
    controls         one per control: framework, control_id, title, status, checks,
                     manual_evidence (what an auditor must still request)
    errors           collection errors: provider, operation, scope, kind, message
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.errors import ConfigError
from auditor.models import (
    CheckMeta,
    CollectionError,
    ControlResult,
    Finding,
    Status,
    Target,
    utcnow,
)

RESULTS_SCHEMA_VERSION = 1

# The flat, tabular view of a finding shared by findings.csv and the report's explorer.
FINDING_COLUMNS = (
    "check_id", "status", "severity", "provider", "resource_type", "resource_id",
    "resource_name", "account", "region", "message", "evidence", "source",
)  # fmt: skip


def finding_row(f: Finding) -> list[Any]:
    return [
        f.check_id, f.status.value, f.severity.value, f.provider, f.resource_type, f.resource_id,
        f.resource_name, f.account, f.region, f.message, list(f.evidence), f.source,
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


class ScanResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = RESULTS_SCHEMA_VERSION
    scan: ScanInfo
    summary: dict[str, Any] = Field(default_factory=dict)
    checks: list[CheckMeta] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    controls: list[ControlResult] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)

    @property
    def has_collection_errors(self) -> bool:
        return bool(self.errors) or any(f.status == Status.ERROR for f in self.findings)

    def compute_summary(self) -> dict[str, Any]:
        by_status = Counter(f.status.value for f in self.findings)
        by_fw: dict[str, Counter[str]] = {}
        for c in self.controls:
            by_fw.setdefault(c.framework.value, Counter())[c.status.value] += 1
        return {
            "findings": {s.value: by_status.get(s.value, 0) for s in Status},
            "failing_by_severity": dict(
                Counter(f.severity.value for f in self.findings if f.status == Status.FAIL)
            ),
            "controls": {fw: dict(sorted(c.items())) for fw, c in sorted(by_fw.items())},
            "collection_errors": len(self.errors),
        }


def results_json_schema() -> dict[str, Any]:
    schema = ScanResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://auditor.dev/schemas/results.schema.json"
    return schema


def write_results(result: ScanResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.model_dump_json(indent=1), "utf-8")
    return path


def read_results(path: Path) -> ScanResult:
    if path.is_dir():
        path = path / "results.json"
    if not path.exists():
        raise ConfigError(path, "no results.json here: run `auditor scan ... --out DIR` first")
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(path, f"not readable JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("schema_version") != RESULTS_SCHEMA_VERSION:
        raise ConfigError(
            path, f"unsupported results schema_version (this auditor reads {RESULTS_SCHEMA_VERSION})"
        )
    try:
        return ScanResult.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(path, err["msg"], entry=".".join(str(p) for p in err["loc"])) from None
