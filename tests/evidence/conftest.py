"""Shared by the evidence-package, attestation, OSCAL, OCSF and report tests: keys, the CLI
runner, and one signed demo package (copied before a test changes it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .util import run, write_keypair


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    d = tmp_path_factory.mktemp("keys")
    return {"auditee": write_keypair(d, "auditee"), "attacker": write_keypair(d, "attacker")}


@pytest.fixture(scope="session")
def signed_demo(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, tuple[Path, Path]]) -> Path:
    """`auditor demo --sign-key K` with every format but the PDF (that one needs a browser)."""
    out = tmp_path_factory.mktemp("signed") / "demo"
    code, _, err = run(
        "demo", "--out", str(out), "--sign-key", str(keys["auditee"][0]),
        "--format", "html,json,csv,controls-csv,ocsf,oscal", "-q",
    )  # fmt: skip
    assert code == 0, err
    return out


@pytest.fixture
def package_copy(signed_demo: Path, tmp_path: Path) -> Callable[[], Path]:
    def copy() -> Path:
        target = tmp_path / "package"
        shutil.copytree(signed_demo, target)
        return target

    return copy
