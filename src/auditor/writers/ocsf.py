"""findings.ocsf.jsonl: one OCSF Compliance Finding event per finding, for SIEMs (JSON Lines).

OCSF 1.3.0, class Compliance Finding (`class_uid` 2003, category Findings, `category_uid` 2),
activity Create (1), so `type_uid` 200301; no profile. Per event:

- `compliance.control` is the check id; `compliance.requirements` the framework controls the
  crosswalk maps it to (`soc2:CC6.1`); `compliance.standards` those frameworks' names;
  `compliance.status_id`: pass 1 (Pass), fail 3 (Fail), error 2 (Warning: no result for lack of
  information), not applicable 99 (Other, status "Not Applicable");
- `finding_info.uid` and `metadata.uid` are the finding's stable key; `finding_info.title` the
  check title; `remediation.desc` the check's remediation;
- `resources[0]`: the judged resource (`uid`, `name`, `type`, `region`) with `data` holding its
  provider, account (the scope: AWS account, cluster, Vault address), source location and the
  evidence record ids it was judged on;
- `severity_id` from the check's severity; `time` the evaluation time, in ms since the epoch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from auditor.catalog import Library
from auditor.models import Finding, Severity, Status
from auditor.outputs import open_text
from auditor.results import ScanResult
from auditor.version import __version__
from auditor.writers import WriteContext, Writer

OCSF_VERSION = "1.3.0"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2003, 2, 1

SEVERITY_ID = {Severity.INFO: 1, Severity.LOW: 2, Severity.MEDIUM: 3, Severity.HIGH: 4, Severity.CRITICAL: 5}
SEVERITY_NAME = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.ERROR: (2, "Warning"),
    Status.NOT_APPLICABLE: (99, "Not Applicable"),
}


def _ms(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


def events(result: ScanResult, library: Library) -> Iterator[dict[str, Any]]:
    checks = {c.id: c for c in result.checks}
    product = {"name": "auditor", "vendor_name": "auditor", "version": __version__}
    when = _ms(result.scan.finished_at or result.scan.started_at)
    mapped: dict[str, tuple[list[str], list[str]]] = {}
    for check_id, entry in library.crosswalk.items():
        pairs = list(entry.items())
        fws = list(dict.fromkeys(library.frameworks[fw].name for fw, _ in pairs))
        mapped[check_id] = (fws, [f"{fw.value}:{cid}" for fw, cid in pairs])
    for f in result.findings:
        yield event(f, checks.get(f.check_id), mapped.get(f.check_id, ([], [])), product, when)


def event(
    f: Finding, meta: Any, mapped: tuple[list[str], list[str]], product: dict[str, str], when: int
) -> dict[str, Any]:
    sev = SEVERITY_ID[f.severity]
    status_id, status = COMPLIANCE_STATUS[f.status]
    key = f.key
    standards, requirements = mapped
    data: dict[str, Any] = {"provider": f.provider, "account": f.account, "evidence": list(f.evidence)}
    if f.source:
        data["source"] = f.source
    resource: dict[str, Any] = {"uid": f.resource_id, "type": f.resource_type, "data": data}
    if f.resource_name:
        resource["name"] = f.resource_name
    if f.region:
        resource["region"] = f.region
    out: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "severity_id": sev,
        "severity": SEVERITY_NAME[sev],
        "status_id": 1,
        "status": "New",
        "time": when,
        "message": f.message,
        "metadata": {"version": OCSF_VERSION, "product": product, "uid": key, "profiles": []},
        "finding_info": {
            "uid": key,
            "title": meta.title if meta else f.check_id,
            "types": ["Compliance"],
            "created_time": when,
        },
        "compliance": {
            "control": f.check_id,
            "standards": standards or ["auditor"],
            "requirements": requirements,
            "status_id": status_id,
            "status": status,
            "status_detail": f.message,
        },
        "resources": [resource],
    }
    if meta:
        out["finding_info"]["desc"] = meta.rationale
        out["remediation"] = {"desc": meta.remediation}
        if meta.references:
            out["remediation"]["references"] = list(meta.references)
    return out


def write_ocsf(result: ScanResult, path: Path, library: Library) -> Path:
    with open_text(path) as fh:
        for e in events(result, library):
            fh.write(orjson.dumps(e).decode("utf-8"))
            fh.write("\n")
    return path


def _write(ctx: WriteContext) -> Path:
    return write_ocsf(ctx.result, ctx.out / "findings.ocsf.jsonl", ctx.library)


WRITER = Writer(
    "ocsf",
    "findings.ocsf.jsonl",
    "OCSF 1.3.0 Compliance Finding events (class 2003), one per finding, for SIEMs",
    _write,
)
