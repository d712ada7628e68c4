"""The control library as OSCAL 1.1.2: one catalog per framework, the crosswalk as a profile.

A catalog groups controls by their group (SOC 2 category, HIPAA section, ISO theme); HIPAA
implementation specifications nest under their standard. Each control has its `label`, its
automation class, a statement and an assessment objective (our objective text) and an
assessment method (EXAMINE: the manual evidence request). The profile imports the catalogs,
selects every control some check evidences, and adds one `check` prop per mapped check.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.catalog import Library
from auditor.custody import library_digest
from auditor.models import Control, Framework, utcnow
from auditor.oscal import control_token, metadata, prop, slug, stable_uuid
from auditor.outputs import ensure_dir, write_text

PROFILE_FILE = "crosswalk-profile.json"


def catalog_file(framework: Framework) -> str:
    return f"{framework.value}-catalog.json"


def _control(c: Control, children: list[Control]) -> dict[str, Any]:
    tok = control_token(c.framework, c.id)
    props = [prop("label", c.id, ns=False), prop("automation", c.automation)]
    if c.requirement:
        props.append(prop("requirement", c.requirement))
    out: dict[str, Any] = {
        "id": tok,
        "class": f"{c.framework.value}-control",
        "title": c.title,
        "props": props,
        "parts": [
            {"id": f"{tok}_smt", "name": "statement", "prose": c.objective},
            {"id": f"{tok}_obj", "name": "assessment-objective", "prose": c.objective},
            {
                "id": f"{tok}_evr",
                "name": "assessment-method",
                "props": [prop("method", "EXAMINE", ns=False)],
                "prose": c.evidence_request,
            },
        ],
    }
    if children:
        out["controls"] = [_control(k, []) for k in children]
    return out


def catalog(library: Library, framework: Framework, version: str, when: datetime) -> dict[str, Any]:
    info = library.frameworks[framework]
    controls = library.by_framework(framework)
    children: dict[str, list[Control]] = {}
    for c in controls:
        if c.parent:
            children.setdefault(c.parent, []).append(c)
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in controls:
        if not c.parent:
            groups.setdefault(c.group, []).append(_control(c, children.get(c.id, [])))
    return {
        "catalog": {
            "uuid": stable_uuid("catalog", framework.value, version),
            "metadata": metadata(
                f"{info.name}: controls as the auditor project describes them",
                when,
                version=info.version,
                props=[prop("control-library-sha256", version)],
                remarks="Identifiers and short titles are reference facts about the framework; the "
                "objectives and evidence requests are the auditor project's own words.",
            ),
            "groups": [
                {"id": slug(f"{framework.value}-{name}"), "title": name, "controls": items}
                for name, items in groups.items()
            ],
        }
    }


def crosswalk_profile(library: Library, version: str, when: datetime) -> dict[str, Any]:
    imports = []
    alters = []
    for fw in library.frameworks:
        mapped = [c for c in library.by_framework(fw) if c.checks]
        if not mapped:
            continue
        imports.append(
            {
                "href": catalog_file(fw),
                "include-controls": [{"with-ids": [control_token(fw, c.id) for c in mapped]}],
            }
        )
        for c in mapped:
            alters.append(
                {
                    "control-id": control_token(fw, c.id),
                    "adds": [
                        {
                            "position": "ending",
                            "props": [prop("check", check_id, cls="auditor-check") for check_id in c.checks],
                        }
                    ],
                }
            )
    return {
        "profile": {
            "uuid": stable_uuid("profile", version),
            "metadata": metadata(
                "auditor crosswalk: the controls each automated check evidences",
                when,
                props=[prop("control-library-sha256", version)],
            ),
            "imports": imports,
            "merge": {"as-is": True},
            "modify": {"alters": alters},
        }
    }


def write_catalogs(library: Library, directory: Path, when: datetime | None = None) -> list[Path]:
    """Every framework's catalog and the crosswalk profile, into `directory`."""
    ensure_dir(directory, "OSCAL")
    when = when or utcnow()
    version = library_digest(library)["sha256"]
    written = []
    for fw in library.frameworks:
        doc = catalog(library, fw, version, when)
        written.append(
            write_text(directory / catalog_file(fw), json.dumps(doc, indent=1, ensure_ascii=False))
        )
    profile = crosswalk_profile(library, version, when)
    written.append(write_text(directory / PROFILE_FILE, json.dumps(profile, indent=1, ensure_ascii=False)))
    return written
