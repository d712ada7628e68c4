"""The HTML report in a real browser (headless Chromium): the page renders, its script runs,
the findings explorer pages through 12,000 findings, and hostile text stays text."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.catalog import load_library
from auditor.models import Finding, Severity, Status
from auditor.results import ScanInfo, ScanResult
from auditor.writers.html import write_html

XSS = "<img src=x onerror=\"document.title='pwned'\">"


def _result(n: int) -> ScanResult:
    statuses = [Status.FAIL, Status.PASS, Status.PASS, Status.ERROR]
    findings = [
        Finding(
            check_id=f"demo.check_{i % 40}",
            status=statuses[i % 4],
            severity=Severity.HIGH,
            provider="demo",
            resource_type="demo.thing",
            resource_id=f"thing-{i}",
            resource_name=XSS if i == 0 else None,
            region="r1",
            message=f"message {i}",
        )
        for i in range(n)
    ]
    r = ScanResult(scan=ScanInfo(tool_version="test"), findings=findings)
    r.summary = r.compute_summary()
    return r


@pytest.mark.slow
def test_report_renders_and_explorer_pages_in_chromium(
    tmp_path: Path, skip_or_fail: Callable[[str], None]
) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        skip_or_fail("chromium is not installed (apt-get install chromium)")
    page = write_html(_result(12_000), tmp_path / "report.html", library=load_library())
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dom = proc.stdout
    assert "12000 of 12000 findings" in dom  # the explorer's script ran over the embedded data
    assert "page 1 of 60" in dom
    assert dom.count('<span class="badge fail">fail</span>') >= 200  # failures sorted first on page 1
    assert "<title>pwned" not in dom and "<title>Compliance audit report" in dom  # its onerror never ran
    assert "<img" not in dom and "&lt;img src=x" in dom  # hostile text rendered as text
