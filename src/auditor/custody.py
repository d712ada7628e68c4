"""Chain of custody: who collected what, with which tool and control library, where and when.

It goes into `evidence/manifest.json` (and so under its signature):

- `tool`: auditor's name and version; `snapshot`: the version that collected the snapshot;
- `control_library`: a SHA-256 over the control library's files (`library_digest`), so an
  auditor knows which catalogs and crosswalk judged the estate;
- `targets`: provider, label and options of every target, with secret values redacted;
- `collectors`: per provider and scope, the identity the collector read with (an AWS caller
  ARN, a Kubernetes user, a Vault accessor...), as each provider records it on its evidence,
  and how many records it read; never a credential;
- `host`: the machine that evaluated and packaged the results;
- `times`: collection start and end, evaluation start and end, packaging time.
"""

from __future__ import annotations

import hashlib
import platform
import socket
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.catalog import Library
from auditor.models import Snapshot, utcnow
from auditor.redact import Redactor
from auditor.results import ScanResult
from auditor.version import __version__


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def library_digest(library: Library) -> dict[str, Any]:
    """SHA-256 over `<sha256>  <path>` lines (as `sha256sum` prints them), one per YAML file of the
    control library, sorted by path relative to `controls/`. Re-create it with
    `cd controls && find . -name '*.yaml' -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
    Crosswalk files a plug-in provider ships outside `controls/` are listed on their own."""
    roots = {info.path.parent for info in library.frameworks.values()}
    root = next(iter(roots)) if len(roots) == 1 else None
    inside = sorted(root.rglob("*.yaml")) if root is not None else []
    lines = [f"{file_sha256(p)}  {p.relative_to(root).as_posix()}\n" for p in inside] if root else []
    extra = sorted(p for p in library.crosswalk_files.values() if root is None or root not in p.parents)
    return {
        "sha256": hashlib.sha256("".join(lines).encode("utf-8")).hexdigest(),
        "files": len(lines),
        "frameworks": {fw.value: info.version for fw, info in sorted(library.frameworks.items())},
        "extra_crosswalks": [{"file": p.name, "sha256": file_sha256(p)} for p in dict.fromkeys(extra)],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def collectors(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Per provider and scope, each identity the evidence was read with, and how many records."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for ev in snapshot.evidence:
        seen[(ev.provider, ev.scope.account or "", ev.identity or "")] += 1
    return [
        {"provider": p, "scope": scope or None, "identity": ident or None, "records": n}
        for (p, scope, ident), n in sorted(seen.items())
    ]


def chain_of_custody(
    result: ScanResult, snapshot: Snapshot, library: Library, *, packaged_at: datetime | None = None
) -> dict[str, Any]:
    redactor = Redactor()
    who = collectors(snapshot)
    providers = sorted({t.provider for t in snapshot.targets} | {c["provider"] for c in who})
    with_identity = {c["provider"] for c in who if c["identity"]}
    collected = [ev.collected_at for ev in snapshot.evidence]
    return {
        "tool": {"name": "auditor", "version": __version__},
        "snapshot": {"tool_version": snapshot.tool_version or None, "created_at": _iso(snapshot.created_at)},
        "control_library": library_digest(library),
        "scan": {"id": result.scan.id, "frameworks": result.scan.frameworks},
        "targets": [
            {"provider": t.provider, "label": t.label, "options": redactor.redact(t.options)[0]}
            for t in snapshot.targets
        ],
        "collectors": who,
        "identity_missing": [p for p in providers if p not in with_identity],
        "host": {
            "name": socket.gethostname(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "times": {
            "collection_started": _iso(snapshot.created_at),
            "collection_finished": _iso(max(collected)) if collected else None,
            "evaluation_started": _iso(result.scan.started_at),
            "evaluation_finished": _iso(result.scan.finished_at),
            "packaged": _iso(packaged_at or utcnow()),
        },
    }
