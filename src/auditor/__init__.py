"""auditor: compliance-as-code audit scanner.

The public API is what `__all__` names; everything else may change between releases.
"""

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

__all__ = [
    "AuditorError",
    "Check",
    "CheckContext",
    "CheckMeta",
    "CheckSet",
    "CollectionError",
    "ConfigError",
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
    "UsageError",
    "Verdict",
    "__version__",
    "canonical_json",
    "collect",
    "coverage",
    "errored",
    "evaluate",
    "evaluate_snapshot",
    "failed",
    "lint",
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
