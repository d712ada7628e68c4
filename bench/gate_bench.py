"""`auditor gate` against Checkov, side by side in one run, on the generated corpus.

    .venv/bin/python bench/gate_bench.py [--checkov /tmp/checkov-venv/bin/checkov] [--corpus DIR] [--repeat 1]

Corpus (bench/gate_corpus.py, cached under --corpus): manifests of 218 and 2,180 objects, and
Terraform plans of about 160 and 1,700 resources made offline by the local terraform with the
hashicorp/aws provider mirror (auditor_testkit.terraform). Each tool runs in its own process on the
same input, in the same run, and the table gives wall time, peak memory (the child's max RSS) and
our share of Checkov's time; the target is at most 1/20. Checkov lives in its own venv
(`python -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov==3.3.30`) and runs
with --skip-download so it never reaches the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gate_corpus  # noqa: E402

from auditor_testkit import terraform  # noqa: E402

AUDITOR = [sys.executable, "-m", "auditor"]


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def corpus(root: Path) -> dict[str, tuple[str, Path]]:
    """name -> (kind, path), generated once."""
    out: dict[str, tuple[str, Path]] = {}
    for n in (218, 2180):
        d = root / f"manifests-{n}"
        if not d.exists():
            gate_corpus.manifests(n, d)
        out[f"manifests {n:,} objects"] = ("manifests", d)
    for units in (16, 170):
        d = root / f"terraform-{units}"
        plan = d / "plan.json"
        if not plan.exists():
            gate_corpus.terraform(units, d)
            doc = terraform.plan_json(d, work=Path(tempfile.mkdtemp(prefix="gate-bench-tf-")))
            plan.write_text(json.dumps(doc))
        n = len(json.loads(plan.read_text())["planned_values"]["root_module"].get("resources", []))
        out[f"plan {n:,} resources"] = ("plan", plan)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkov", default="/tmp/checkov-venv/bin/checkov")
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "auditor-gate-corpus")
    ap.add_argument("--repeat", type=int, default=1, help="Runs per tool and input (the best is kept).")
    args = ap.parse_args()
    if not Path(args.checkov).exists():
        print(f"no checkov at {args.checkov}: see this file's docstring", file=sys.stderr)
        return 2
    rows = []
    for name, (kind, path) in corpus(args.corpus).items():
        out = Path(tempfile.mkdtemp(prefix="gate-bench-out-"))
        flag, framework, target = (
            ("--plan", "terraform_plan", "-f") if kind == "plan" else ("--manifests", "kubernetes", "-d")
        )
        ours = [
            *AUDITOR,
            "gate",
            flag,
            str(path),
            "--format",
            "json,sarif,junit,markdown",
            "--out",
            str(out),
            "-q",
        ]
        theirs = [
            args.checkov,
            target,
            str(path),
            "--framework",
            framework,
            "--skip-download",
            "-o",
            "json",
            "--quiet",
        ]
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
        a = min((measure(ours, path.parent) for _ in range(args.repeat)), key=lambda m: m[0])
        c = min((measure(theirs, path.parent, env) for _ in range(args.repeat)), key=lambda m: m[0])
        shutil.rmtree(out, ignore_errors=True)
        rows.append((name, a, c))
    print("| input | auditor gate | Checkov 3.3.30 | ours / theirs |")
    print("|---|---:|---:|---:|")
    for name, (aw, am, _), (cw, cm, _) in rows:
        print(
            f"| {name} | {aw:.2f} s, {am:.0f} MiB | {cw:.2f} s, {cm:.0f} MiB | 1/{cw / aw:.0f} ({aw / cw:.3f}) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
