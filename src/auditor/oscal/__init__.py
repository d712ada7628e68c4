"""OSCAL 1.1.2 documents: the control library as catalogs (and the crosswalk as a profile), and
a scan as assessment results with a minimal assessment plan.

Control ids become OSCAL tokens (`control_token`): SOC 2 `CC6.1` -> `cc6.1`, ISO/IEC 27001
`5.17` -> `a.5.17`, HIPAA `164.312(a)(2)(iv)` -> `hipaa-164.312-a-2-iv`; the id as the framework
writes it is the control's `label` prop. Each control's objective is the part `<token>_obj`,
which assessment-results findings target. Our own props use the namespace `NS`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from auditor.models import Framework
from auditor.version import __version__

OSCAL_VERSION = "1.1.2"
NS = "https://auditor.dev/ns/oscal"
_UUID_NS = uuid.UUID("6f1c1b8e-4d1e-5d5a-9a57-0b6f4b0c2d11")
_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


def stable_uuid(*parts: str) -> str:
    """A UUID (v5) named by its parts: the same scan gives the same document."""
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def control_token(framework: Framework, control_id: str) -> str:
    cid = control_id.strip().lower().replace("(", "-").replace(")", "")
    if framework == Framework.ISO27001:
        cid = "a." + cid.removeprefix("a.")
    elif framework == Framework.HIPAA:
        cid = "hipaa-" + cid
    if not _TOKEN.match(cid):
        raise ValueError(f"{framework.value} control {control_id!r} gives no OSCAL token ({cid!r})")
    return cid


def objective_id(framework: Framework, control_id: str) -> str:
    return control_token(framework, control_id) + "_obj"


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s if s[:1].isalpha() else f"g-{s}"


def prop(name: str, value: str, *, ns: bool = True, cls: str | None = None) -> dict[str, str]:
    out = {"name": name, "value": value}
    if ns:
        out["ns"] = NS
    if cls:
        out["class"] = cls
    return out


def metadata(title: str, when: datetime, version: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "last-modified": when.isoformat(),
        "version": version or __version__,
        "oscal-version": OSCAL_VERSION,
        **extra,
    }
