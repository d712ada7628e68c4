"""How fast the k8s provider normalises and evaluates a large estate (no network).

Run: .venv/bin/python bench/bench_k8s_normalize.py [N]   (N copies of fixtures/k8s/estate)
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

from auditor.checks import load_registry
from auditor.engine import evaluate
from auditor.evidence import SnapshotBuilder
from auditor.providers.k8s.manifests import read_manifests
from auditor.providers.k8s.normalize import Estate, Obj, build_resources, prepare

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    docs, _ = read_manifests([str(ROOT / "fixtures" / "k8s" / "estate")])
    sink = SnapshotBuilder()
    ev = sink.record("k8s", "bench", {})
    objs = []
    t_prep = time.perf_counter()
    for i in range(n):
        for d in docs:
            o = copy.deepcopy(d.obj)
            o["metadata"]["name"] = f"{o['metadata']['name']}-{i}"
            prepared = prepare(o, ev)  # shape validation, scrubbing, env literals
            if isinstance(prepared, Obj):
                objs.append(prepared)
    prep = time.perf_counter() - t_prep
    t0 = time.perf_counter()
    resources = build_resources(
        Estate(scope="bench", live=True, objects=objs, version={"gitVersion": "v1.35.0"})
    )
    t1 = time.perf_counter()
    for r in resources:
        sink.add_resource(r)
    findings = evaluate(sink.build(), load_registry())
    t2 = time.perf_counter()
    print(
        f"{len(objs)} objects prepared in {prep:.2f}s -> {len(resources)} resources in {t1 - t0:.2f}s; "
        f"{len(findings)} findings in {t2 - t1:.2f}s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
