"""results.sarif: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDEs).

One rule per check that ran (`tool.driver.rules`: title, rationale as help text, remediation,
`security-severity` for GitHub's severity bands). One result per failing finding (kind `fail`)
and per finding that could not be evaluated (kind `open`, level `none`), located at the file and
lines of the resource block or manifest document (`Finding.location`), or logically at the live
resource. `partialFingerprints` carry `Finding.key`, so code scanning tracks a finding across
runs however the file moves. With a baseline each result has its `baselineState` (`new`,
`unchanged`), and failures the baseline held that are gone are results with state `absent`. A
waived failure carries an accepted external suppression with the waiver's reason, approver and
expiry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from auditor.models import Finding, Status
from auditor.outputs import write_bytes
from auditor.version import __version__
from auditor.writers import WriteContext, Writer

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
FINGERPRINT = "auditorFindingKey/v1"


def _rule(meta: Any) -> dict[str, Any]:
    sev = meta.severity.value
    help_text = f"{meta.rationale}\n\nRemediation: {meta.remediation}"
    rule: dict[str, Any] = {
        "id": meta.id,
        "name": "".join(p.capitalize() for p in meta.id.replace("-", "_").split(".")[-1].split("_")),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.rationale},
        "help": {"text": help_text, "markdown": f"{meta.rationale}\n\n**Remediation:** {meta.remediation}"},
        "defaultConfiguration": {"level": LEVEL.get(sev, "error")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(sev, "9.5"),
            "severity": sev,
            "provider": meta.provider,
            "resource_types": list(meta.resource_types),
            "tags": ["security", "compliance", meta.provider],
        },
    }
    if meta.references:
        rule["helpUri"] = meta.references[0]
    return rule


def _locations(f: Finding) -> list[dict[str, Any]]:
    loc = f.location
    logical = {
        "fullyQualifiedName": loc.address if loc and loc.address else f.resource_id,
        "kind": "resource",
    }
    if loc is None:
        return [{"logicalLocations": [logical]}]
    region: dict[str, Any] = {}
    if loc.start_line is not None:
        region["startLine"] = loc.start_line
        if loc.end_line is not None and loc.end_line >= loc.start_line:
            region["endLine"] = loc.end_line
    physical: dict[str, Any] = {"artifactLocation": {"uri": loc.file, "uriBaseId": "%SRCROOT%"}}
    if region:
        physical["region"] = region
    return [{"physicalLocation": physical, "logicalLocations": [logical]}]


def _result(f: Finding, rule_index: dict[str, int], baselined: bool) -> dict[str, Any]:
    failing = f.status is Status.FAIL
    sev = f.severity.value if hasattr(f.severity, "value") else str(f.severity)
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "kind": "fail" if failing else "open",
        "level": LEVEL.get(sev, "error") if failing else "none",
        "message": {"text": f.message if failing else f"not evaluated: {f.message}"},
        "locations": _locations(f),
        "partialFingerprints": {FINGERPRINT: f.key},
        "properties": {"severity": sev, "resource_type": f.resource_type, "resource_id": f.resource_id},
    }
    if f.check_id in rule_index:
        result["ruleIndex"] = rule_index[f.check_id]
    if baselined and failing:
        result["baselineState"] = f.baseline_state or "new"
    if f.waiver is not None:
        w = f.waiver
        text = f"{w.reason} (approved by {w.approver}, expires {w.expires.isoformat()}"
        text += f", ticket {w.ticket})" if w.ticket else ")"
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": text,
                "location": {"physicalLocation": {"artifactLocation": {"uri": w.file}}},
                "properties": {"approver": w.approver, "expires": w.expires.isoformat(), "ticket": w.ticket},
            }
        ]
    return result


def sarif_document(ctx: WriteContext) -> dict[str, Any]:
    result = ctx.result
    metas = sorted(result.checks, key=lambda m: m.id)
    rule_index = {m.id: i for i, m in enumerate(metas)}
    baselined = any(t.stage == "baseline" for t in result.audit_trail)
    results = [
        _result(f, rule_index, baselined) for f in result.findings if f.status in (Status.FAIL, Status.ERROR)
    ]
    for t in result.audit_trail:
        if t.stage == "baseline" and t.action == "absent" and t.finding_key:
            absent: dict[str, Any] = {
                "ruleId": t.check_id,
                "kind": "fail",
                "level": "none",
                "message": {"text": t.reason},
                "partialFingerprints": {FINGERPRINT: t.finding_key},
                "baselineState": "absent",
            }
            if t.check_id in rule_index:
                absent["ruleIndex"] = rule_index[t.check_id]
            results.append(absent)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auditor",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(m) for m in metas],
                    }
                },
                "automationDetails": {"id": f"auditor/{result.scan.id}"},
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "startTimeUtc": result.scan.started_at.isoformat().replace("+00:00", "Z"),
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{e.operation}: {e.message}"}}
                            for e in result.errors
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }


def _write(ctx: WriteContext) -> Path:
    doc = sarif_document(ctx)
    return write_bytes(ctx.out / "results.sarif", orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")


WRITER = Writer("sarif", "results.sarif", "SARIF 2.1.0 for code scanning (GitHub, GitLab)", _write)
