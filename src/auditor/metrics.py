"""Prometheus metrics of a scan: a textfile for node_exporter's textfile collector, or a push to
a Pushgateway, through `prometheus-client` (the `metrics` extra). One registry per scan, never
the library's global one.

    auditor_controls{framework,status}               controls per framework and status
    auditor_findings{provider,severity,status}       findings per provider, severity and status
    auditor_collection_errors{provider,kind}         collection errors per provider and kind
    auditor_scan_duration_seconds                    collection start (or evaluation start, for a
                                                     saved snapshot) to the end of the outputs
    auditor_last_success_timestamp_seconds           when a scan last completed (exit 0 or 3) and
                                                     was stored; a failed scan keeps the previous
                                                     value (read back from the textfile; left alone
                                                     on the Pushgateway, which is updated by POST)
"""

from __future__ import annotations

import http.client
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import AuditorError
from auditor.notify import safe_url, split_credentials
from auditor.results import ScanResult

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

LAST_SUCCESS = "auditor_last_success_timestamp_seconds"
PUSH_JOB = "auditor"
PUSH_TIMEOUT_SECONDS = 15.0


class MetricsError(AuditorError):
    """The textfile could not be written or the Pushgateway refused the push (exit 2)."""

    exit_code = 2


def _prometheus() -> None:
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        raise MetricsError(
            "--metrics-file / --pushgateway need the 'metrics' extra: pip install 'auditor[metrics]'"
        ) from None


def build_registry(result: ScanResult, *, duration: float, last_success: float | None) -> CollectorRegistry:
    """The five metrics of one scan (`last_success` None: leave that one out)."""
    _prometheus()
    from prometheus_client import CollectorRegistry, Gauge

    reg = CollectorRegistry(auto_describe=True)
    controls = Gauge(
        "auditor_controls", "Controls per framework and status.", ["framework", "status"], registry=reg
    )
    for (fw, status), n in sorted(
        Counter((c.framework.value, c.status.value) for c in result.controls).items()
    ):
        controls.labels(fw, status).set(n)
    findings = Gauge(
        "auditor_findings",
        "Findings per provider, severity and status.",
        ["provider", "severity", "status"],
        registry=reg,
    )
    counted = Counter((f.provider, f.severity.value, f.status.value) for f in result.findings)
    for (provider, severity, status), n in sorted(counted.items()):
        findings.labels(provider, severity, status).set(n)
    errors = Gauge(
        "auditor_collection_errors",
        "Collection errors per provider and kind.",
        ["provider", "kind"],
        registry=reg,
    )
    for (provider, kind), n in sorted(Counter((e.provider, e.kind.value) for e in result.errors).items()):
        errors.labels(provider, kind).set(n)
    Gauge("auditor_scan_duration_seconds", "Duration of the scan in seconds.", registry=reg).set(duration)
    if last_success is not None:
        Gauge(LAST_SUCCESS, "Unix time of the last scan that completed and was stored.", registry=reg).set(
            last_success
        )
    return reg


def previous_success(path: Path) -> float | None:
    """The last-success timestamp an earlier run left in the textfile, if any."""
    _prometheus()
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = path.read_text("utf-8")
    except OSError:
        return None
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == LAST_SUCCESS:
                    return float(sample.value)
    except ValueError:
        return None
    return None


def write_textfile(path: Path, result: ScanResult, *, duration: float, success_at: float | None) -> Path:
    """Write the textfile atomically (a temporary file renamed over it). A failed scan
    (`success_at` None) carries the previous last-success timestamp over."""
    last = success_at if success_at is not None else previous_success(path)
    reg = build_registry(result, duration=duration, last_success=last)
    from prometheus_client import write_to_textfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), reg)
    except OSError as exc:
        raise MetricsError(f"--metrics-file {path}: cannot write: {exc.strerror or exc}") from None
    return path


def push(
    url: str,
    result: ScanResult,
    *,
    duration: float,
    success_at: float | None,
    grouping: dict[str, str] | None = None,
    job: str = PUSH_JOB,
    timeout: float = PUSH_TIMEOUT_SECONDS,
) -> None:
    """POST the metrics to the Pushgateway group (job, grouping): metrics of the same names are
    replaced, others kept, so a failed scan leaves the last success where it was."""
    reg = build_registry(result, duration=duration, last_success=success_at)
    from prometheus_client import pushadd_to_gateway
    from prometheus_client.exposition import basic_auth_handler, default_handler

    try:
        gateway, credentials = split_credentials(url)  # `user:password@`: basic auth, not a host name
        handler = (
            default_handler
            if credentials is None
            else partial(basic_auth_handler, username=credentials[0], password=credentials[1])
        )
        pushadd_to_gateway(
            gateway, job=job, registry=reg, grouping_key=grouping or {}, timeout=timeout, handler=handler
        )
    except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError and HTTPError are OSErrors
        raise MetricsError(f"--pushgateway {safe_url(url)}: push failed: {exc}") from None
