"""Benchmark the AWS collector against a seeded moto server (run by hand).

    .venv/bin/python bench/aws_scan.py --scale 1 --latency-ms 50
    .venv/bin/python bench/aws_scan.py --scale 10 --latency-ms 0

moto (behind auditor_testkit.aws.gaps.MotoGaps, the local fake for the operations moto lacks),
the optional latency proxy and the seeding run in a child process, so the figures below
are the scanner's own: wall time of the collection, peak RSS of the scanning process, API
requests sent (retries included), resources collected, findings. With latency L and concurrency C the
floor is about requests x L / C. Requests per resource should stay flat as the scale grows: per-resource
detail calls only where AWS has no list form.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
from multiprocessing.connection import Connection
from typing import Any

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def _serve(conn: Connection, scale: int, latency: float) -> None:
    from auditor_testkit.aws import seed
    from auditor_testkit.aws.gaps import MotoGaps
    from auditor_testkit.aws.moto import FaultProxy, MotoServer, ProxyRules

    server = MotoServer()
    aws = MotoGaps(server.url)
    seed.seed_estate(aws.url, REGIONS, gaps=aws)
    created = seed.seed_bulk(aws.url, REGIONS, scale)
    proxy = FaultProxy(aws.url, ProxyRules(latency=latency)) if latency else None
    conn.send({"url": proxy.url if proxy else aws.url, "bulk": created})
    conn.recv()  # wait for the scan to finish
    if proxy:
        proxy.stop()
    aws.stop()
    server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument(
        "--max-attempts",
        type=int,
        default=2,
        help="moto answers IAM Access Analyzer with HTTP 500; more attempts only add backoff to the tail",
    )
    args = ap.parse_args()

    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_serve, args=(child, args.scale, args.latency_ms / 1000))
    t0 = time.monotonic()
    proc.start()
    info: dict[str, Any] = parent.recv()
    seeded = time.monotonic() - t0

    from auditor.checks import load_registry
    from auditor.engine import evaluate
    from auditor.evidence import SnapshotBuilder
    from auditor.providers.aws import AwsOptions
    from auditor.providers.aws.collector import collect
    from auditor.runtime import CollectRun
    from auditor.scan import provider_derivers
    from auditor_testkit.aws.moto import moto_env

    os.environ.update(moto_env())  # fake credentials, no instance metadata probe
    options = AwsOptions(
        regions=REGIONS,
        endpoint_url=info["url"],
        concurrency=args.concurrency,
        max_attempts=args.max_attempts,
    )
    builder = SnapshotBuilder()
    cpu0 = time.process_time()
    start = time.monotonic()
    collect(options, CollectRun(sink=builder))
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu0
    snap = builder.build()
    t1 = time.monotonic()
    findings = evaluate(snap, load_registry(), derivers=provider_derivers())
    eval_s = time.monotonic() - t1
    parent.send("stop")
    proc.join(30)

    stats = snap.targets[0].options  # the collector's call counters
    requests = int(stats["api_requests"])
    floor = requests * args.latency_ms / 1000 / args.concurrency
    print(
        f"scale {args.scale}, latency {args.latency_ms:.0f} ms, concurrency {args.concurrency}, regions {len(REGIONS)}"
    )
    print(f"  seeding (moto, not timed)     {seeded:.1f} s")
    print(f"  collection wall time          {wall:.2f} s")
    print(f"  scanner CPU time              {cpu:.2f} s (the rest of the 2 cores serve moto and the proxy)")
    print(f"  API requests                  {requests} (repeated calls: {stats['api_repeated_calls']})")
    if args.latency_ms:
        print(f"  floor requests x latency / C  {floor:.2f} s  (wall / floor = {wall / floor:.2f})")
    print(f"  resources collected           {len(snap.resources)} (and the derived views)")
    print(f"  requests per resource         {requests / max(len(snap.resources), 1):.2f}")
    print(f"  findings                      {len(findings)} in {eval_s:.2f} s")
    print(f"  collection errors             {len(snap.errors)}")
    print(
        f"  peak RSS of the scanner       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
