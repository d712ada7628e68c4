"""Sharding benchmark (run by hand): the 12-account x 3-region moto Organization behind 50 ms
of latency per request, scanned by one process and by 4 shard processes at once (then merged).

    .venv/bin/python bench/shard_bench.py --latency-ms 50 --shards 4 [--concurrency 16]

moto and the latency proxy (auditor_testkit.aws.moto.FaultProxy) run in this process's child;
each scan is its own `auditor` process, as in the Indexed Job. Reported: wall time of one
process; of the N shards at once on this machine (first start to last exit: on 2 cores shared
with moto and the proxy, CPU and not latency bounds it); of each shard alone (what N machines
would take: the slowest shard); of the merge; and API requests as the collectors counted them
(retries included) and as the proxy saw them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

AUDITOR = str(Path(sys.executable).with_name("auditor"))


def _serve(conn: Connection, latency: float) -> None:
    from auditor_testkit.aws.gaps import MotoGaps
    from auditor_testkit.aws.moto import FaultProxy, MotoServer, ProxyRules
    from auditor_testkit.aws.org import build_organization

    server = MotoServer()
    gaps = MotoGaps(server.url)  # moto plus the operations it lacks
    accounts = build_organization(gaps.url, gaps)
    proxy = FaultProxy(gaps.url, ProxyRules(latency=latency))
    conn.send({"url": proxy.url, "accounts": len(accounts)})
    while (msg := conn.recv()) != "stop":
        if msg == "seen":
            conn.send(proxy.rules.seen)
    proxy.stop()
    gaps.stop()
    server.stop()


def _requests(out: Path) -> int:
    data = json.loads((out / "results.json").read_text("utf-8"))
    return sum(int(t["options"].get("api_requests", 0)) for t in data["scan"]["targets"])


def _scan(config: Path, out: Path, env: dict[str, str], extra: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [AUDITOR, "scan", "--config", str(config), "--out", str(out), "--format", "json", "-q", *extra],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        _, err = p.communicate()
        if p.returncode not in (0, 3):
            raise SystemExit(f"scan failed ({p.returncode}): {err[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--concurrency", type=int, default=16, help="API calls in flight per process")
    args = ap.parse_args()

    from auditor_testkit.aws.moto import moto_env
    from auditor_testkit.aws.org import REGIONS, write_config

    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_serve, args=(child, args.latency_ms / 1000))
    t0 = time.monotonic()
    proc.start()
    info: dict[str, Any] = parent.recv()
    print(
        f"organization: {info['accounts']} accounts x {len(REGIONS)} regions, seeded in {time.monotonic() - t0:.0f} s"
    )
    env = {**os.environ, **moto_env()}

    def seen() -> int:
        parent.send("seen")
        return int(parent.recv())

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        config = write_config(base / "audit.yaml", info["url"], concurrency=args.concurrency)
        before = seen()
        start = time.monotonic()
        _wait([_scan(config, base / "single", env, [])])
        single_wall, single_seen = time.monotonic() - start, seen() - before
        before = seen()
        start = time.monotonic()
        outs = [base / f"shard-{i}" for i in range(args.shards)]
        _wait([_scan(config, out, env, ["--shard", f"{i}/{args.shards}"]) for i, out in enumerate(outs)])
        shard_wall, shard_seen = time.monotonic() - start, seen() - before
        alone = []  # each shard on its own: what N machines would take (the slowest one)
        for i in range(args.shards):
            t = time.monotonic()
            _wait([_scan(config, base / f"alone-{i}", env, ["--shard", f"{i}/{args.shards}"])])
            alone.append(time.monotonic() - t)
        start = time.monotonic()
        merged = subprocess.run(
            [AUDITOR, "merge", *map(str, outs), "--out", str(base / "merged"), "--format", "json", "-q"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        merge_wall = time.monotonic() - start
        if merged.returncode not in (0, 3):
            raise SystemExit(f"merge failed: {merged.stderr[-2000:]}")
        per_shard = [_requests(o) for o in outs]
        print(
            f"latency {args.latency_ms:.0f} ms per request, concurrency {args.concurrency} per process, "
            f"{os.cpu_count()} cores"
        )
        print(
            f"  1 process      collection+evaluation {single_wall:6.1f} s   requests {_requests(base / 'single'):5d} "
            f"(proxy saw {single_seen})"
        )
        print(
            f"  {args.shards} shards       collection+evaluation {shard_wall:6.1f} s   requests {sum(per_shard):5d} "
            f"(proxy saw {shard_seen}; per shard {per_shard})"
        )
        print(
            f"  each shard alone (one machine each): {', '.join(f'{a:.1f}' for a in alone)} s; "
            f"slowest {max(alone):.1f} s = {single_wall / max(alone):.2f}x faster than one process"
        )
        print(
            f"  merge          {merge_wall:6.1f} s   speed-up {single_wall / shard_wall:.2f}x (before the merge), "
            f"{single_wall / (shard_wall + merge_wall):.2f}x (with it)"
        )
    parent.send("stop")
    proc.join(60)


if __name__ == "__main__":
    main()
