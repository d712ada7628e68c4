"""From disk to report at scale: load a saved snapshot of N resources, evaluate, roll up, and
write results.json and findings.csv, as `auditor scan --from-snapshot` does (issue target: 1M
resources in at most 20 s and 2 GB on 2 cores, growing linearly).

The snapshot is built once per size from the demo estate (real attribute shapes, every
registered resource type, spread over 50 accounts x 7 regions) and saved as one JSON file; that
part is not timed. Each measured run is a fresh `auditor` process, so peak RSS is its own. The
floors beside it: parsing the snapshot file with orjson alone, and making the same number of
verdicts as bare tuples. The parse floor's memory says what any design that holds every resource
as Python objects at once must use (at a million resources: more than the 2 GB target).

    .venv/bin/python bench/scale_bench.py 100000 300000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import synthetic

from auditor.snapshot import save_snapshot

AUDITOR = str(Path(sys.executable).with_name("auditor"))


def run(snapshot: Path, out: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, findings) of one scan in its own process."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", AUDITOR, "scan", "--from-snapshot", str(snapshot), "--format", "json,csv",
         "--out", str(out), "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        raise SystemExit(f"scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    with (out / "results.json").open("rb") as fh:
        head = fh.read(4096)
    findings = (
        json.loads((out / "results.json").read_bytes()).get("summary", {}).get("findings", {})
        if len(head)
        else {}
    )
    return wall, peak_kb / 1024, sum(findings.values())


def floor(n_verdicts: int) -> float:
    """Seconds to make `n_verdicts` distinct (check, resource, status, message) tuples, messages
    formatted: the least any evaluation in Python can cost."""
    t0 = time.perf_counter()
    out = [("check", f"resource-{i}", "pass", f"resource-{i} is fine") for i in range(n_verdicts)]
    del out
    return time.perf_counter() - t0


_PARSE_ONLY = """
import gc, sys, time, orjson
gc.disable()  # as the scan loads it (auditor.perf.acyclic)
t0 = time.perf_counter()
with open(sys.argv[1], "rb") as fh:
    data = orjson.loads(fh.read())
print(time.perf_counter() - t0)
"""


def parse_floor(snapshot: Path) -> tuple[float, float]:
    """(seconds, peak RSS MB) to read and parse the snapshot file with orjson in a fresh process,
    nothing else: the least that holding every resource as Python objects can cost, in time and
    in memory (the scan is a fresh process too, so the two compare)."""
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-c", _PARSE_ONLY, str(snapshot)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(proc.stdout.strip()), int(proc.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000])
    ap.add_argument(
        "--evidence", action="store_true", help="carry evidence records too, as a real snapshot does"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            snap_path = Path(tmp) / f"snap-{n}.json"
            save_snapshot(synthetic(n, evidence=args.evidence), snap_path)
            size_mb = os.path.getsize(snap_path) / 1e6
            wall, peak, findings = run(snap_path, Path(tmp) / f"out-{n}")
            parse_s, parse_mb = parse_floor(snap_path)
            print(
                f"N={n:>9,}: snapshot {size_mb:7.0f} MB  load+evaluate+write {wall:6.1f}s  peak RSS {peak:6.0f} MB  "
                f"findings {findings:>10,}  floors: parse {parse_s:4.1f}s / {parse_mb:5.0f} MB, "
                f"tuples {floor(findings):4.1f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
