"""What the google and azurerm plan tests share: hand-written plans judged from the repository
root, verdicts by fixture and address, the .tf line a finding points at, and one gate run each on
an insecure and a clean plan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from auditor.models import Finding
from auditor.providers import discover_providers
from auditor.scan import evaluate_snapshot
from auditor.terraform import plan_snapshot

from .conftest import REPO, gate
from .test_gate_cli import _sarif


@contextmanager
def judged(plans: Sequence[Path], params: dict[str, Any], provider: str) -> Iterator[list[Finding]]:
    """The `provider` findings of `plans`, judged from the repository root (as CI runs the gate),
    so locations are repository paths."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = evaluate_snapshot(plan_snapshot(plans, discover_providers()), params=params)
        assert not result.errors
        yield [f for f in result.findings if f.provider == provider]


def label(f: Finding) -> str:
    """`<fixture initial>:<address>`: `i:google_compute_firewall.ssh` for fixtures/terraform/google/insecure."""
    parts = Path(f.location.file if f.location else "").parts
    return f"{parts[3][0] if len(parts) > 3 else '?'}:{f.resource_id}"


def verdicts(findings: list[Finding], check_id: str) -> dict[str, set[str]]:
    """status -> labels of `check_id`'s findings, not_applicable left out."""
    seen: dict[str, set[str]] = {}
    for f in findings:
        if f.check_id == check_id and f.status.value != "not_applicable":
            seen.setdefault(f.status.value, set()).add(label(f))
    return seen


def tf_line(f: Finding) -> str:
    """The first line of the block a finding points at."""
    assert f.location is not None and f.location.start_line is not None
    return (REPO / f.location.file).read_text().splitlines()[f.location.start_line - 1]


def points_at(findings: list[Finding], blocks: dict[tuple[str, str], tuple[str, str]]) -> None:
    """Each (check, label) finding points at `(file, first line of its block)` (file "" for
    `main.tf` beside the plan), and every finding at a .tf file."""
    by = {(f.check_id, label(f)): f for f in findings}
    for key, (file, line) in blocks.items():
        f = by[key]
        assert f.location is not None and tf_line(f) == line, key
        if file:
            assert f.location.file == file, key
    assert all(f.location and f.location.file.endswith(".tf") for f in findings)


def gate_both(tmp_path: Path, insecure: Path, clean: Path, rule: str) -> None:
    """`auditor gate` exits 1 on `insecure` and 0 on `clean` (whose SARIF holds no result), both
    SARIF files valid; `rule`'s results on `insecure` point at the main.tf beside it."""
    code, _, stderr = gate("--plan", str(insecure), "--out", str(tmp_path / "insecure"))
    assert code == 1, stderr
    results = _sarif(tmp_path / "insecure")["runs"][0]["results"]
    code, _, stderr = gate("--plan", str(clean), "--out", str(tmp_path / "clean"))
    assert code == 0, stderr
    assert _sarif(tmp_path / "clean")["runs"][0]["results"] == []
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        if r["ruleId"] == rule
    }
    assert uris == {(insecure.parent / "main.tf").relative_to(REPO).as_posix()}
