"""The wheel carries the control library, report templates and demo estate, and no test
support: the installed tool works the same as the checkout, from any directory."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("auditor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "auditor/_data/controls/soc2.yaml",
        "auditor/_data/reports/report.html.j2",
        "auditor/schemas/results.schema.json",
        "auditor/py.typed",
        "auditor/store/migrations/env.py",  # the results store migrates itself from the wheel
        "auditor/store/migrations/versions/0001_initial.py",
    ):
        assert needed in names, needed
    assert any(n.startswith("auditor/_data/controls/crosswalk/") for n in names)
    assert any(n.startswith("auditor/_data/demo/") and ".json" in n for n in names)
    # Test support lives in the separate testkit/ package and never ships.
    shipped_support = [
        n
        for n in names
        if n.startswith("auditor_testkit")
        or "fakeapi" in n
        or (n.startswith("auditor/providers/") and n.rsplit("/", 1)[-1] in ("testing.py", "seed.py"))
    ]
    assert not shipped_support, shipped_support
    assert all(n.startswith(("auditor/", "auditor-")) for n in names), "only the auditor package"

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, timeout=600
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    exe = env_dir / "bin" / "auditor"
    cov = subprocess.run(
        [str(exe), "controls", "coverage", "--format", "json"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    totals = {r["framework"]: r["total"] for r in json.loads(cov.stdout)["frameworks"]}
    assert totals == {"soc2": 61, "hipaa": 65, "iso27001": 93}
    lint = subprocess.run(
        [str(exe), "controls", "lint"], cwd=elsewhere, capture_output=True, text=True, timeout=120
    )
    assert lint.returncode == 0, lint.stderr
    demo = subprocess.run(
        [str(exe), "demo", "--out", "o", "-q"], cwd=elsewhere, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    assert (elsewhere / "o" / "report.html").is_file() and (elsewhere / "o" / "results.json").is_file()
