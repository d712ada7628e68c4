"""Evaluation speed of the Vault checks over a large estate, built from the recorded demo snapshot.

Run: .venv/bin/python bench/bench_vault_eval.py [copies]
Each copy repeats every Vault resource under a new id (a server with N times the tokens, policies...).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from auditor.checks import load_registry
from auditor.engine import evaluate
from auditor.models import Snapshot
from auditor.snapshot import load_snapshot

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "vault.json.gz"


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    base = load_snapshot(DEMO)
    resources = [r.model_copy(update={"id": f"{r.id}#{i}"}) for i in range(copies) for r in base.resources]
    snap = Snapshot(created_at=base.created_at, resources=resources)
    registry = load_registry()
    started = time.perf_counter()
    findings = evaluate(snap, registry)
    took = time.perf_counter() - started
    print(
        f"{len(resources)} resources, {len(findings)} findings in {took:.2f}s ({len(findings) / took:,.0f}/s)"
    )


if __name__ == "__main__":
    main()
