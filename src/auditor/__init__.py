"""auditor: compliance-as-code audit scanner.

The public API is what `__all__` names; everything else may change between releases.
Names are imported on first use (PEP 562), so `import auditor` and `auditor --version` stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.catalog import Library, coverage, lint, load_library
    from auditor.checks import (
        Check,
        CheckContext,
        CheckSet,
        Registry,
        Verdict,
        errored,
        failed,
        load_registry,
        need,
        not_applicable,
        passed,
    )
    from auditor.contracts import Contracts, TypeSet, attr, load_contracts
    from auditor.engine import evaluate, rollup
    from auditor.errors import AuditorError, ConfigError, LintError, MissingData, UsageError
    from auditor.evidence import SnapshotBuilder, canonical_json, sha256_of
    from auditor.models import (
        CheckMeta,
        CollectionError,
        Control,
        ControlResult,
        ControlStatus,
        Evidence,
        Finding,
        Framework,
        Location,
        Resource,
        Severity,
        Snapshot,
        Status,
        Target,
    )
    from auditor.results import ScanResult, read_results
    from auditor.scan import collect, evaluate_snapshot, write_outputs
    from auditor.snapshot import load_snapshot, save_snapshot
    from auditor.version import __version__

_WHERE = {
    "Contracts": "auditor.contracts",
    "TypeSet": "auditor.contracts",
    "attr": "auditor.contracts",
    "load_contracts": "auditor.contracts",
    "AuditorError": "auditor.errors",
    "Check": "auditor.checks",
    "CheckContext": "auditor.checks",
    "CheckMeta": "auditor.models",
    "CheckSet": "auditor.checks",
    "CollectionError": "auditor.models",
    "ConfigError": "auditor.errors",
    "Control": "auditor.models",
    "ControlResult": "auditor.models",
    "ControlStatus": "auditor.models",
    "Evidence": "auditor.models",
    "Finding": "auditor.models",
    "Framework": "auditor.models",
    "Library": "auditor.catalog",
    "LintError": "auditor.errors",
    "Location": "auditor.models",
    "MissingData": "auditor.errors",
    "Registry": "auditor.checks",
    "Resource": "auditor.models",
    "ScanResult": "auditor.results",
    "Severity": "auditor.models",
    "Snapshot": "auditor.models",
    "SnapshotBuilder": "auditor.evidence",
    "Status": "auditor.models",
    "Target": "auditor.models",
    "UsageError": "auditor.errors",
    "Verdict": "auditor.checks",
    "__version__": "auditor.version",
    "canonical_json": "auditor.evidence",
    "collect": "auditor.scan",
    "coverage": "auditor.catalog",
    "errored": "auditor.checks",
    "evaluate": "auditor.engine",
    "evaluate_snapshot": "auditor.scan",
    "failed": "auditor.checks",
    "lint": "auditor.catalog",
    "load_library": "auditor.catalog",
    "load_registry": "auditor.checks",
    "load_snapshot": "auditor.snapshot",
    "need": "auditor.checks",
    "not_applicable": "auditor.checks",
    "passed": "auditor.checks",
    "read_results": "auditor.results",
    "rollup": "auditor.engine",
    "save_snapshot": "auditor.snapshot",
    "sha256_of": "auditor.evidence",
    "write_outputs": "auditor.scan",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'auditor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AuditorError",
    "Check",
    "CheckContext",
    "CheckMeta",
    "CheckSet",
    "CollectionError",
    "ConfigError",
    "Contracts",
    "Control",
    "ControlResult",
    "ControlStatus",
    "Evidence",
    "Finding",
    "Framework",
    "Library",
    "LintError",
    "Location",
    "MissingData",
    "Registry",
    "Resource",
    "ScanResult",
    "Severity",
    "Snapshot",
    "SnapshotBuilder",
    "Status",
    "Target",
    "TypeSet",
    "UsageError",
    "Verdict",
    "__version__",
    "attr",
    "canonical_json",
    "collect",
    "coverage",
    "errored",
    "evaluate",
    "evaluate_snapshot",
    "failed",
    "lint",
    "load_contracts",
    "load_library",
    "load_registry",
    "load_snapshot",
    "need",
    "not_applicable",
    "passed",
    "read_results",
    "rollup",
    "save_snapshot",
    "sha256_of",
    "write_outputs",
]
