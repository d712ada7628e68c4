"""Engine benchmark: evaluate every registered check over a synthetic snapshot of N resources.

Resources are cloned from the demo estate (real attribute shapes, so the checks run their
real code paths) and spread over every registered resource type; types with no template get
bare resources (their checks take the `error` path). Prints wall time and peak memory.

    .venv/bin/python bench/engine_bench.py 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
import itertools
import resource
import sys
import time
from collections import defaultdict

from auditor.catalog import load_library
from auditor.checks import load_registry
from auditor.data import data_dir
from auditor.engine import evaluate, rollup
from auditor.models import Location, Resource, Snapshot
from auditor.snapshot import load_snapshot


def _templates() -> dict[str, list[Resource]]:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for f in sorted(data_dir("demo").glob("*.json*")):
        for r in load_snapshot(f).resources:
            by_type[r.type].append(r)
    return by_type


def synthetic(n: int) -> Snapshot:
    registry = load_registry()
    templates = _templates()
    types = sorted({t for c in registry for t in c.meta.resource_types})
    pools = {t: templates.get(t) or [Resource(provider=t.split(".")[0], type=t, id="x")] for t in types}
    cycle = itertools.cycle(types)
    resources = []
    for i in range(n):
        t = next(cycle)
        tpl = pools[t][i % len(pools[t])]
        resources.append(
            tpl.model_copy(
                update={
                    "id": f"{tpl.id}-{i}",
                    "location": Location(account=f"acct{i % 50}", region=f"r{i % 7}"),
                }
            )
        )
    return Snapshot(resources=resources)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000])
    args = ap.parse_args()
    registry, library = load_registry(), load_library()
    print(
        f"{len(registry)} checks over {len({t for c in registry for t in c.meta.resource_types})} resource types"
    )
    for n in args.sizes:
        gc.collect()
        t0 = time.perf_counter()
        snap = synthetic(n)
        t1 = time.perf_counter()
        findings = evaluate(snap, registry)
        t2 = time.perf_counter()
        roll = rollup(library, findings, registry)
        t3 = time.perf_counter()
        print(
            f"N={n:>9,}: build {t1 - t0:6.1f}s  evaluate {t2 - t1:6.1f}s  rollup {t3 - t2:5.1f}s  "
            f"findings {len(findings):>10,}  controls {len(roll)}  peak RSS {peak_rss_mb():7.0f} MB",
            flush=True,
        )
        del snap, findings, roll
    sys.exit(0)


if __name__ == "__main__":
    main()
