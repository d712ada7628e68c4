"""Engine benchmark: evaluate every registered check over a synthetic snapshot of N resources.

Resources are cloned from the demo estate (real attribute shapes, so the checks run their
real code paths), one copy of the whole estate per set of fresh accounts; types with no template
get bare resources (their checks take the `error` path). Prints wall time and peak memory.

    .venv/bin/python bench/engine_bench.py 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable

import orjson

from auditor.catalog import load_library
from auditor.checks import load_registry
from auditor.data import data_dir
from auditor.engine import evaluate, rollup
from auditor.models import Evidence, Location, Resource, Snapshot
from auditor.snapshot import load_snapshot


def _templates() -> tuple[dict[str, list[Resource]], list[Evidence]]:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    evidence: list[Evidence] = []
    for f in sorted(data_dir("demo").glob("*.json*")):
        snap = load_snapshot(f)
        for r in snap.resources:
            by_type[r.type].append(r)
        evidence += snap.evidence
    return by_type, evidence


_NUMBER = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")  # AWS accounts, GCP org/folder/project numbers


def _renamer(accounts: set[str], copy: int) -> Callable[[str], str]:
    """The text rewrite that moves one resource into copy `copy` of the estate: every scope name
    gets `-c<copy>`, every 12-digit number (AWS accounts, GCP organization, folder and project
    numbers) is shifted to another 12-digit number. Applied to ids and attributes alike, so the
    references between resources (an ARN naming an account, a project's ancestors, a service
    account key naming its account's e-mail) still meet inside each copy and never across
    copies, as in a real estate: one organization's policy is found once per project, not once
    per copy of the organization."""
    names = sorted((a for a in accounts if not a.isdigit()), key=len, reverse=True)
    pattern = re.compile("|".join([_NUMBER.pattern, *map(re.escape, names)]))

    def rename(text: str) -> str:
        if copy == 0:
            return text
        return pattern.sub(
            lambda m: f"{(int(m[0]) + copy * 7919) % 10**12:012d}" if m[0].isdigit() else f"{m[0]}-c{copy}",
            text,
        )

    return rename


def synthetic(n: int, *, evidence: bool = False) -> Snapshot:
    """N resources: the demo estate copied again and again, each copy into fresh scopes (AWS
    accounts, GCP projects and organizations, Azure subscriptions, clusters, Vault addresses:
    see `_renamer`), ids unique per copy, plus one bare resource per copy for every registered
    type with no template. So every account looks like a demo account (one subscription
    resource per subscription, one account summary per account), and the estate grows the way
    real ones do: by accounts, not by piling resources onto 50.

    With `evidence`, each copy also carries every evidence record of the demo estate (ids
    suffixed `~c<copy>`, bodies as recorded, so their digests hold) and its resources name
    them: about as many evidence bytes as resource bytes, as in a real snapshot."""
    registry = load_registry()
    templates, ev_templates = _templates()
    types = sorted({t for c in registry for t in c.meta.resource_types})
    flat = [
        r for t in types for r in templates.get(t) or [Resource(provider=t.split(".")[0], type=t, id="x")]
    ]
    accounts = {r.location.account for r in flat if r.location.account}
    texts = [orjson.dumps({"id": r.id, "attributes": r.attributes}).decode() for r in flat]
    resources = []
    records: list[Evidence] = []
    renames: dict[int, Callable[[str], str]] = {}
    for i in range(n):
        copy, k = divmod(i, len(flat))
        tpl = flat[k]
        if evidence and k == 0:
            records += [e.model_copy(update={"id": _ev_id(e.id, copy)}) for e in ev_templates]
        rename = renames.get(copy) or renames.setdefault(copy, _renamer(accounts, copy))
        moved = orjson.loads(rename(texts[k]))
        new_id = moved["id"] if moved["id"] != tpl.id or copy == 0 else f"{tpl.id}-c{copy}"
        account = tpl.location.account
        resources.append(
            tpl.model_copy(
                update={
                    "id": new_id,
                    "attributes": moved["attributes"],
                    "location": Location(
                        account=rename(account) if account else None, region=tpl.location.region
                    ),
                    "evidence": tuple(_ev_id(e, copy) for e in tpl.evidence) if evidence else tpl.evidence,
                }
            )
        )
    return Snapshot(resources=resources, evidence=records)


def _ev_id(ev_id: str, copy: int) -> str:
    return ev_id if copy == 0 else f"{ev_id}~c{copy}"


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
