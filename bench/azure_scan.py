"""Benchmark the Azure collector against the local HTTPS fake (run by hand).

    .venv/bin/python bench/azure_scan.py                                   # 100 subscriptions x 40 resources, 50 ms
    .venv/bin/python bench/azure_scan.py --subscriptions 25 --latency-ms 50
    .venv/bin/python bench/azure_scan.py --sweep                           # 25, 50, 100 subscriptions: how requests grow

The fake (auditor_testkit.azure_fake serving azure_estate.bulk_estate) runs in a child process with
the given latency on every request, so the figures are the scanner's own: wall time of the
collection, peak RSS of the scanning process, requests sent (retries included), and what they were:
Resource Graph pages, per-subscription reads, per-resource reads. Requests grow with Resource Graph
pages (rows / page size, subscriptions / batch size) plus one read per resource that needs one; a
collector walking each subscription service by service would make subscriptions x services list
calls on top of the same per-resource reads (shown for comparison). With latency L and concurrency C
the floor is about requests x L / C.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


def _serve(conn: Connection, subscriptions: int, per_subscription: int, latency: float) -> None:
    from auditor_testkit.azure_estate import bulk_estate
    from auditor_testkit.azure_fake import FakeAzure

    estate = bulk_estate(subscriptions, per_subscription)
    rows = sum(len(t) for t in estate.tables.values())
    with tempfile.TemporaryDirectory(prefix="auditor-azure-bench-") as tmp:
        fake = FakeAzure(estate, latency=latency, subscription_page_size=100).start(Path(tmp))
        conn.send({"url": fake.url, "ca": str(fake.ca_file), "rows": rows})
        conn.recv()  # the scan is done
        by_kind: Counter[str] = Counter()
        for r in fake.requests:
            if r.route == "graph":
                by_kind["resource graph pages"] += 1
            elif r.route in ("subscriptions.list", "managementgroups.descendants"):
                by_kind["subscription listing"] += 1
            elif r.path.count("/") <= 5:  # /subscriptions/{id}/providers/{ns}/{type}
                by_kind["per-subscription reads"] += 1
            else:
                by_kind["per-resource reads"] += 1
        conn.send(
            {
                "requests": len(fake.requests),
                "by_kind": dict(by_kind),
                "status": dict(Counter(r.status for r in fake.requests)),
            }
        )
        fake.stop()


def run(subscriptions: int, per_subscription: int, latency_ms: float, concurrency: int) -> dict[str, Any]:
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(
        target=_serve, args=(child, subscriptions, per_subscription, latency_ms / 1000)
    )
    proc.start()
    info: dict[str, Any] = parent.recv()

    from auditor.derive import run_derivers
    from auditor.providers.azure import PROVIDER, AzureOptions
    from auditor.providers.azure import resources as T
    from auditor.providers.azure.clients import AzureClients
    from auditor.providers.azure.derive import DERIVERS
    from auditor.scan import collect
    from auditor_testkit.azure_fake import StaticToken
    from auditor_testkit.netguard import loopback_only

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    opts = AzureOptions(arm_endpoint=info["url"], concurrency=concurrency)
    t0 = time.monotonic()
    with loopback_only():  # the fake is on 127.0.0.1: nothing else (IMDS, a real endpoint) is reached
        snap = collect(
            [(PROVIDER, "azure", opts)], clients={"azure": AzureClients(StaticToken(), info["ca"])}
        )
    wall = time.monotonic() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parent.send("done")
    served: dict[str, Any] = parent.recv()
    proc.join(30)
    _, derived = run_derivers(snap, DERIVERS)
    walked = subscriptions * len([s for s in T.SOURCES if s.table])  # one list call per type and subscription
    return {
        "subscriptions": subscriptions,
        "graph_rows": info["rows"],
        "resources": len(snap.resources) + len(derived),
        "errors": len(snap.errors),
        "wall_s": round(wall, 2),
        "requests": snap.targets[0].options["api_requests"],
        "served": served,
        "peak_rss_mb": round(rss_after / 1024, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "walking_list_calls": walked,
        "floor_s": round(served["requests"] * latency_ms / 1000 / concurrency, 2),
    }


def show(r: dict[str, Any]) -> None:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["served"]["by_kind"].items()))
    print(
        f"{r['subscriptions']:4d} subscriptions, {r['graph_rows']} graph rows -> {r['resources']} resources "
        f"({r['errors']} errors) in {r['wall_s']} s (floor {r['floor_s']} s); {r['requests']} requests: {kinds}; "
        f"peak RSS {r['peak_rss_mb']} MB (+{r['rss_growth_mb']} MB); a per-subscription walk would add "
        f"{r['walking_list_calls']} list calls ({r['subscriptions']} x {r['walking_list_calls'] // r['subscriptions']} types)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscriptions", type=int, default=100)
    ap.add_argument("--resources", type=int, default=40, help="resources per subscription")
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--sweep", action="store_true", help="25, 50 and 100 subscriptions, one after the other")
    args = ap.parse_args()
    counts = [25, 50, 100] if args.sweep else [args.subscriptions]
    for n in counts:
        show(run(n, args.resources, args.latency_ms, args.concurrency))


if __name__ == "__main__":
    main()
