"""A scan as OSCAL 1.1.2 assessment results, with the minimal assessment plan they import.

- one `result` per scan, from collection start to evaluation end;
- `local-definitions`: a component per scanned target, an inventory item per scope (AWS
  account, cluster, Vault server...) that findings name;
- `reviewed-controls`: every control of the evaluated frameworks;
- an `observation` per check that ran (its counts, the scopes it judged, the evidence records
  its verdicts rest on) and per attestation (the attested evidence files and URLs);
- a `finding` per control, targeting the control's objective in the framework catalog, with
  its status (satisfied only when fully evidenced or attested), the auditor status and
  assurance as props, and the observations behind it;
- `back-matter`: one resource per evidence record and attested file, linking the file in the
  package with its SHA-256.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.attestations import ASSURANCE_LABELS
from auditor.catalog import Library
from auditor.custody import file_sha256
from auditor.models import Assurance, ControlResult, ControlStatus, Framework
from auditor.oscal import control_token, metadata, objective_id, prop, stable_uuid
from auditor.oscal.catalog import catalog_file
from auditor.results import ScanResult

AR_FILE = "assessment-results.json"
AP_FILE = "assessment-plan.json"
SATISFIED = {Assurance.FULLY_EVIDENCED, Assurance.ATTESTED}


def _file_digests(manifest: Mapping[str, Any] | None, evidence_dir: Path) -> Callable[[str], str | None]:
    """The SHA-256 of an evidence record's file: as the package manifest lists it (re-rendering
    a package), else hashed from `evidence_dir` (during a scan, before the package is written);
    None when it cannot be read."""
    listed = {
        e.get("path"): e.get("sha256") for e in (manifest or {}).get("files", []) if isinstance(e, dict)
    }

    def digest(name: str) -> str | None:
        known = listed.get(f"evidence/{name}")
        if isinstance(known, str):
            return known
        try:
            return file_sha256(evidence_dir / name)
        except OSError:
            return None

    return digest


class _Ids:
    def __init__(self, scan_id: str) -> None:
        self.scan = scan_id

    def __call__(self, *parts: str) -> str:
        return stable_uuid(self.scan, *parts)


def _scopes(result: ScanResult) -> list[tuple[str, str]]:
    seen = {(f.provider, f.account or "") for f in result.findings}
    seen |= {(t.provider, "") for t in result.scan.targets if not any(p == t.provider for p, _ in seen)}
    return sorted(seen)


def local_definitions(result: ScanResult, ids: _Ids) -> dict[str, Any]:
    components = [
        {
            "uuid": ids("component", t.provider, t.label),
            "type": "service",
            "title": f"{t.provider}: {t.label}",
            "description": f"A {t.provider} target scanned read-only by auditor.",
            "props": [prop("provider", t.provider)],
            "status": {"state": "operational"},
        }
        for t in result.scan.targets
    ]
    by_provider = {t.provider: ids("component", t.provider, t.label) for t in result.scan.targets}
    items = []
    for provider, account in _scopes(result):
        item: dict[str, Any] = {
            "uuid": ids("inventory", provider, account),
            "description": f"{provider} scope {account}" if account else f"{provider} (whole target)",
            "props": [prop("asset-id", account or provider, ns=False), prop("provider", provider)],
        }
        if provider in by_provider:
            item["implemented-components"] = [{"component-uuid": by_provider[provider]}]
        items.append(item)
    out: dict[str, Any] = {}
    if components:
        out["components"] = components
    if items:
        out["inventory-items"] = items
    return out


def _reviewed(result: ScanResult) -> dict[str, Any]:
    controls = [{"control-id": control_token(c.framework, c.control_id)} for c in result.controls]
    selection: dict[str, Any] = {"include-controls": controls} if controls else {"include-all": {}}
    return {
        "control-selections": [{"description": "Every control of the evaluated frameworks.", **selection}]
    }


def _evidence_resources(
    manifest: Mapping[str, Any] | None, evidence_dir: Path, ids: _Ids
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    resources, by_id = [], {}
    file_digest = _file_digests(manifest, evidence_dir)
    for e in (manifest or {}).get("evidence", []):
        uid = ids("evidence", e["id"])
        by_id[e["id"]] = uid
        rlink: dict[str, Any] = {"href": f"../evidence/{e['file']}", "media-type": "application/json"}
        digest = file_digest(e["file"])
        if digest:
            rlink["hashes"] = [{"algorithm": "SHA-256", "value": digest}]
        resources.append(
            {
                "uuid": uid,
                "title": f"{e['provider']} {e['operation']}",
                "props": [prop("evidence-id", e["id"]), prop("body-sha256", e["sha256"])],
                "rlinks": [rlink],
            }
        )
    return resources, by_id


def observations(
    result: ScanResult, evidence: Mapping[str, str], ids: _Ids, collected: str
) -> tuple[list[dict[str, Any]], dict[str, str], dict[tuple[Framework, str], list[str]]]:
    titles = {c.id: c.title for c in result.checks}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    records: dict[str, set[str]] = defaultdict(set)
    scopes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    failing: dict[str, list[str]] = defaultdict(list)
    for f in result.findings:
        counts[f.check_id][f.status.value] += 1
        records[f.check_id].update(f.evidence)
        scopes[f.check_id].add((f.provider, f.account or ""))
        if f.status.value in ("fail", "error") and len(failing[f.check_id]) < 20:
            failing[f.check_id].append(f"{f.resource_id}: {f.message}")
    out: list[dict[str, Any]] = []
    by_check = {cid: ids("observation", "check", cid) for cid in sorted(counts)}
    for cid, uid in by_check.items():
        c = counts[cid]
        desc = f"Check {cid} judged {sum(c.values())} resource(s): " + ", ".join(
            f"{n} {k.replace('_', ' ')}" for k, n in sorted(c.items())
        )
        if failing[cid]:
            desc += ". Failing or not evaluated (first 20): " + "; ".join(failing[cid])
        obs: dict[str, Any] = {
            "uuid": uid,
            "title": titles.get(cid, cid),
            "description": desc,
            "props": [prop("check-id", cid)],
            "methods": ["TEST"],
            "types": ["finding"],
            "subjects": [
                {"subject-uuid": ids("inventory", p, a), "type": "inventory-item"}
                for p, a in sorted(scopes[cid])
            ],
            "collected": collected,
        }
        linked = [
            {"href": f"#{evidence[e]}", "description": f"evidence record {e}"}
            for e in sorted(records[cid])
            if e in evidence
        ]
        if linked:
            obs["relevant-evidence"] = linked
        out.append(obs)
    attested: dict[tuple[Framework, str], list[str]] = {}
    for r in result.controls:
        for i, a in enumerate(r.manual.attestations):
            uid = ids("observation", "attestation", r.framework.value, r.control_id, str(i))
            attested.setdefault((r.framework, r.control_id), []).append(uid)
            linked = []
            for ev in a.evidence:
                key = ev.file or ev.url or ""
                linked.append({"href": f"#{ids('attested', key)}", "description": ev.name or ev.url or key})
            out.append(
                {
                    "uuid": uid,
                    "title": f"Attestation for {r.framework.value} {r.control_id} by {a.owner}",
                    "description": a.statement,
                    "props": [
                        prop("attested-by", a.owner),
                        prop("attested-at", a.attested_at.isoformat()),
                        prop("expires", a.expires.isoformat()),
                        prop("attestation-state", a.state.replace("_", "-")),
                    ],
                    "methods": ["EXAMINE"],
                    "types": ["control-objective"],
                    "relevant-evidence": linked,
                    "collected": collected,
                }
            )
    return out, by_check, attested


def _attested_resources(result: ScanResult, ids: _Ids) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in result.controls:
        for a in r.manual.attestations:
            for ev in a.evidence:
                key = ev.file or ev.url or ""
                if key in out:
                    continue
                rlink: dict[str, Any] = {"href": f"../{ev.file}" if ev.file else key}
                if ev.sha256:
                    rlink["hashes"] = [{"algorithm": "SHA-256", "value": ev.sha256}]
                out[key] = {"uuid": ids("attested", key), "title": ev.name or key, "rlinks": [rlink]}
    return list(out.values())


def _finding(r: ControlResult, by_check: Mapping[str, str], attested: list[str], ids: _Ids) -> dict[str, Any]:
    assurance = r.assurance or Assurance.MANUAL_DUE
    satisfied = assurance in SATISFIED
    reason = "pass" if satisfied else "fail" if r.status == ControlStatus.FAIL else "other"
    related = [by_check[s.check_id] for s in r.checks if s.check_id in by_check] + attested
    desc = f"Automated status: {r.status.value.replace('_', ' ')}; {ASSURANCE_LABELS[assurance]}."
    if r.manual.state == "due":
        desc += " The manual evidence request is due" + (
            f" (the last attestation expired on {r.manual.due_since.isoformat()})."
            if r.manual.due_since
            else "."
        )
    out: dict[str, Any] = {
        "uuid": ids("finding", r.framework.value, r.control_id),
        "title": f"{r.framework.value} {r.control_id}: {r.title}",
        "description": desc,
        "target": {
            "type": "objective-id",
            "target-id": objective_id(r.framework, r.control_id),
            "props": [
                prop("framework", r.framework.value),
                prop("control-id", r.control_id),
                prop("auditor-status", r.status.value.replace("_", "-")),
                prop("assurance", assurance.value.replace("_", "-")),
                prop("manual-state", r.manual.state),
            ],
            "status": {"state": "satisfied" if satisfied else "not-satisfied", "reason": reason},
        },
    }
    if related:
        out["related-observations"] = [{"observation-uuid": u} for u in related]
    return out


def assessment_results(
    result: ScanResult, manifest: Mapping[str, Any] | None, evidence_dir: Path, when: datetime
) -> dict[str, Any]:
    ids = _Ids(result.scan.id)
    start = result.scan.snapshot_created_at or result.scan.started_at
    end = result.scan.finished_at or when
    resources, evidence = _evidence_resources(manifest, evidence_dir, ids)
    obs, by_check, attested = observations(result, evidence, ids, end.isoformat())
    findings = [
        _finding(r, by_check, attested.get((r.framework, r.control_id), []), ids) for r in result.controls
    ]
    res: dict[str, Any] = {
        "uuid": ids("result"),
        "title": f"auditor scan {result.scan.id}",
        "description": "Automated checks over the configuration of the scanned targets, rolled up to "
        "controls, with the attestations given for their manual part.",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "props": [prop("scan-id", result.scan.id)],
        "reviewed-controls": _reviewed(result),
    }
    local = local_definitions(result, ids)
    if local:
        res["local-definitions"] = local
    if obs:
        res["observations"] = obs
    if findings:
        res["findings"] = findings
    doc: dict[str, Any] = {
        "uuid": ids("assessment-results"),
        "metadata": metadata(f"Assessment results: auditor scan {result.scan.id}", when),
        "import-ap": {"href": AP_FILE},
        "results": [res],
    }
    back = resources + _attested_resources(result, ids)
    if back:
        doc["back-matter"] = {"resources": back}
    return {"assessment-results": doc}


def assessment_plan(result: ScanResult, library: Library, when: datetime) -> dict[str, Any]:
    ids = _Ids(result.scan.id)
    no_ssp = ids("no-ssp")
    frameworks = [Framework(f) for f in result.scan.frameworks] or list(library.frameworks)
    resources = [
        {
            "uuid": no_ssp,
            "title": "No system security plan",
            "description": "auditor assesses the scanned targets directly; they are listed in this "
            "plan's local definitions. The controls come from the catalogs below.",
        },
        *(
            {
                "uuid": ids("catalog", fw.value),
                "title": library.frameworks[fw].name,
                "rlinks": [{"href": catalog_file(fw), "media-type": "application/oscal.catalog+json"}],
            }
            for fw in frameworks
            if fw in library.frameworks
        ),
    ]
    plan: dict[str, Any] = {
        "uuid": ids("assessment-plan"),
        "metadata": metadata(f"Assessment plan: auditor scan {result.scan.id}", when),
        "import-ssp": {"href": f"#{no_ssp}"},
        "reviewed-controls": _reviewed(result),
        "assessment-subjects": [
            {"type": "component", "description": "Every scanned target.", "include-all": {}},
        ],
        "back-matter": {"resources": resources},
    }
    local = local_definitions(result, ids)
    if local:
        plan["local-definitions"] = local
    return {"assessment-plan": plan}
