"""Engine benchmark: evaluate every registered check over a synthetic snapshot of N resources.

Resources are cloned from the demo estate (real attribute shapes, so the checks run their
real code paths), one copy of the whole estate per set of fresh accounts; types with no template
get bare resources (their checks take the `error` path). Prints wall time and peak memory.

    .venv/bin/python bench/engine_bench.py 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
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
    """N resources: the demo estate copied again and again, each copy into fresh accounts
    (`<account>-c<copy>`, regions kept), ids made unique per copy, plus one bare resource per
    copy for every registered type with no template. So every account looks like a demo
    account (one subscription resource per subscription, one account summary per account), and
    the estate grows the way real ones do: by accounts, not by piling resources onto 50."""
    registry = load_registry()
    templates = _templates()
    types = sorted({t for c in registry for t in c.meta.resource_types})
    flat = [
        r for t in types for r in templates.get(t) or [Resource(provider=t.split(".")[0], type=t, id="x")]
    ]
    resources = []
    for i in range(n):
        copy, tpl = divmod(i, len(flat))
        tpl = flat[tpl]
        resources.append(
            tpl.model_copy(
                update={
                    "id": f"{tpl.id}-c{copy}",
                    "location": Location(
                        account=f"{tpl.location.account or 'acct'}-c{copy}", region=tpl.location.region
                    ),
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
