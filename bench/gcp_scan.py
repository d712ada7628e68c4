"""Benchmark the GCP collector against the local Cloud Asset fake (run by hand).

    .venv/bin/python bench/gcp_scan.py                       # 50 and 200 projects x 30 assets, 50 ms per request
    .venv/bin/python bench/gcp_scan.py --projects 1000 --latency-ms 0

An organization of N projects with 30 assets each (auditor_testkit.gcp_fake.bulk_estate) is
served on 127.0.0.1 by a child process, with LATENCY added to every request, so the figures are
the scanner's own: wall time of collection and evaluation (imports and token included), API
requests served, peak RSS of the scanning process (a fresh one per scan). Each size is scanned twice: through the organization (one listing per content
type, paged at 1,000 assets) and, for comparison, with every project named in --projects (one
listing per project and content type). A collector calling each service's API once per project
(Prowler's way) would send at least projects x services requests; that figure is printed as well.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

SERVICES = 15  # compute, storage, sql, bigquery, kms, gke, iam, logging, dns, resourcemanager, ...
SCANNER = "bench@scanner-project.iam.gserviceaccount.com"


def _serve(conn: Connection, projects: int, latency: float, key_dir: str) -> None:
    from auditor_testkit.gcp_fake import FakeCloudAsset, bulk_estate, service_account_key_file

    fake = FakeCloudAsset(bulk_estate(projects), latency=latency).start()
    key = Path(key_dir) / "key.json"
    fake.add_service_account(SCANNER, service_account_key_file(key, SCANNER, fake.token_uri))
    conn.send({"url": fake.url, "key": str(key)})
    conn.recv()  # the scan is done: report what was served
    conn.send({"requests": fake.count(route="assets.list")})
    fake.stop()


def _scan(url: str, key: str, options: dict[str, Any]) -> dict[str, Any]:
    from auditor.providers import discover_providers
    from auditor.providers.gcp import GcpOptions
    from auditor.scan import collect, evaluate_snapshot
    from auditor_testkit.netguard import loopback_only

    started = time.monotonic()
    opts = GcpOptions(credentials_file=key, api_endpoint=url, **options)
    with loopback_only():
        snap = collect([(discover_providers()["gcp"], "bench", opts)])
    collected = time.monotonic() - started
    result = evaluate_snapshot(snap)
    return {
        "collect_s": round(collected, 2),
        "evaluate_s": round(time.monotonic() - started - collected, 2),
        "resources": len(snap.resources),
        "findings": len(result.findings),
        "errors": len(snap.errors),
        "api_requests": snap.targets[0].options.get("api_requests"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(projects: int, latency: float, per_project: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    with tempfile.TemporaryDirectory(prefix="gcp-bench-") as tmp:
        server = ctx.Process(target=_serve, args=(child, projects, latency, tmp))
        server.start()
        info = parent.recv()
        options: dict[str, Any] = {"organization": "999999999999"}
        if per_project:
            options = {"projects": [f"bench-{i:04d}" for i in range(projects)]}
        with ctx.Pool(1) as pool:  # a fresh process per scan: its peak RSS is this scan's alone
            out = pool.apply(_scan, (info["url"], info["key"], options))
        parent.send("done")
        out["served_list_requests"] = parent.recv()["requests"]
        server.join(10)
    out["per_service_per_project_floor"] = projects * SERVICES
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, nargs="*", default=[50, 200])
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--no-per-project", action="store_true", help="skip the --projects comparison")
    args = ap.parse_args()
    from auditor_testkit.gcp_fake import NO_METADATA_SERVER

    os.environ.update(NO_METADATA_SERVER)  # inherited by the spawned scan processes
    print(f"latency {args.latency_ms:.0f} ms per request, 30 assets per project")
    for n in args.projects:
        for per_project in (False, True) if not args.no_per_project else (False,):
            r = run(n, args.latency_ms / 1000, per_project)
            mode = "--projects (each)" if per_project else "--organization"
            print(
                f"{n:5d} projects {mode:18s} wall {r['collect_s'] + r['evaluate_s']:6.2f}s "
                f"(collect {r['collect_s']:.2f}s, evaluate {r['evaluate_s']:.2f}s)  "
                f"ListAssets requests {r['served_list_requests']:4d} (per service per project: >= "
                f"{r['per_service_per_project_floor']})  resources {r['resources']}  findings {r['findings']}  "
                f"errors {r['errors']}  peak RSS {r['peak_rss_mb']} MB"
            )


if __name__ == "__main__":
    main()
