"""Shared helpers for the gate tests: the checked-in plan fixtures and an in-process CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "terraform"
INSECURE = FIXTURES / "insecure" / "plan.json"
CLEAN = FIXTURES / "clean" / "plan.json"


def gate(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["gate", *args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, as CI does: file paths in findings are relative to it."""
    monkeypatch.chdir(REPO)
    return REPO
