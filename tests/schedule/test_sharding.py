"""Sharding: every unit in exactly one shard, and a 12-account x 3-region moto Organization
scanned as 4 shards (at once, into one SQLite store) and merged equals one process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.evidence import sha256_of
from auditor.sharding import Shard, unit_key
from auditor_testkit.aws.org import ACCOUNTS, REGIONS, build_organization, write_config

from .conftest import AUDITOR, DEMO_AWS, cli

SHARDS = 4


def test_each_unit_belongs_to_exactly_one_shard() -> None:
    keys = [unit_key("org", f"{a:012d}", r) for a in range(200) for r in [None, *REGIONS]]
    owners = [[i for i in range(SHARDS) if Shard(i, SHARDS).owns(k)] for k in keys]
    assert all(len(o) == 1 for o in owners)
    load = Counter(o[0] for o in owners)
    assert set(load) == set(range(SHARDS)) and max(load.values()) < 1.3 * len(keys) / SHARDS
    assert all(Shard().owns(k) for k in keys)  # the whole scan owns everything
    assert [Shard(1, 4).owns(k) for k in keys] == [Shard.parse(" 1 / 4 ").owns(k) for k in keys]  # stable


@pytest.mark.parametrize("bad", ["4/4", "-1/4", "1", "a/b", "0/0"])
def test_a_bad_shard_is_a_usage_error(bad: str, tmp_path: Path) -> None:
    r = cli("scan", "aws", "--shard", bad, "--out", str(tmp_path))
    assert r.exit_code == 2 and "--shard" in r.output


def test_shard_is_refused_with_a_saved_snapshot(tmp_path: Path) -> None:
    r = cli("scan", "--from-snapshot", str(DEMO_AWS), "--shard", "0/2", "--out", str(tmp_path))
    assert r.exit_code == 2 and "auditor merge" in r.output


@dataclass
class Org:
    single: Path
    shards: list[Path]
    merged: Path
    store: Path
    merge_output: str


@pytest.fixture(scope="module")
def aws_front(moto_server: Any) -> Iterator[Any]:
    """moto plus the operations it lacks (MotoGaps): what the tests seed and scan."""
    from auditor_testkit.aws.gaps import MotoGaps

    moto_server.reset()
    gaps = MotoGaps(moto_server.url)
    yield gaps
    gaps.stop()


@pytest.fixture(scope="module")
def org(aws_front: Any, tmp_path_factory: pytest.TempPathFactory) -> Org:
    from auditor_testkit.aws.moto import moto_env

    accounts = build_organization(aws_front.url, aws_front)
    assert len(accounts) == ACCOUNTS
    base = tmp_path_factory.mktemp("org")
    config = write_config(base / "audit.yaml", aws_front.url)
    env = {**os.environ, **moto_env()}
    single = base / "single"
    run = subprocess.run(
        [*AUDITOR, "scan", "--config", str(config), "--out", str(single), "-q"],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert run.returncode in (0, 3), run.stderr
    store = base / "history.db"  # new: the four shards migrate it and write to it at once
    shards = [base / f"shard-{i}" for i in range(SHARDS)]
    procs = [
        subprocess.Popen(
            [
                *AUDITOR,
                "scan",
                "--config",
                str(config),
                "--shard",
                f"{i}/{SHARDS}",
                "--out",
                str(out),
                "-q",
                "--store",
                str(store),
            ],
            env={**env, "AUDITOR_RUN_ID": "nightly-7"},  # names the run in each shard.json
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, out in enumerate(shards)
    ]
    for p in procs:
        _, err = p.communicate(timeout=900)
        assert p.returncode in (0, 3), err
    merged = base / "merged"
    r = cli("merge", *map(str, shards), "--out", str(merged), "--store", str(store), env=moto_env())
    assert r.exit_code in (0, 3), r.output
    return Org(single, shards, merged, store, r.output)


def _results(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "results.json").read_text("utf-8"))
    return data


def _manifest(out: Path) -> dict[str, str]:
    entries = json.loads((out / "evidence" / "manifest.json").read_text("utf-8"))["evidence"]
    return {e["id"]: e["sha256"] for e in entries}


@pytest.mark.integration
@pytest.mark.slow
def test_sharded_and_merged_equals_one_process(org: Org) -> None:
    single, merged = _results(org.single), _results(org.merged)
    assert sorted((f["key"], f["status"]) for f in merged["findings"]) == sorted(
        (f["key"], f["status"]) for f in single["findings"]
    )
    assert [(c["framework"], c["control_id"], c["status"]) for c in merged["controls"]] == [
        (c["framework"], c["control_id"], c["status"]) for c in single["controls"]
    ]
    assert merged["summary"]["controls"] == single["summary"]["controls"]
    assert merged["exclusions"] == [] == single["exclusions"]  # the shards' exclusions are gone
    assert sorted(map(json.dumps, (dict(e, occurred_at=None) for e in merged["errors"]))) == sorted(
        map(json.dumps, (dict(e, occurred_at=None) for e in single["errors"]))
    )
    # every evidence record: the same ids as one process, every shard's record present with
    # its hash, every file re-hashing to the manifest, every finding's evidence listed
    ids = _manifest(org.merged)
    assert set(ids) == set(_manifest(org.single))
    for shard in org.shards:
        assert _manifest(shard).items() <= ids.items()
    for ev_id, digest in ids.items():
        files = list((org.merged / "evidence").glob(f"{ev_id.replace(':', '_')}*.json")) or []
        body = json.loads(files[0].read_text("utf-8"))["body"] if files else None
        assert files and sha256_of(body) == digest
    assert {e for f in merged["findings"] for e in f["evidence"]} <= set(ids)
    accounts = {f["account"] for f in merged["findings"] if f["account"]}
    assert len(accounts) == ACCOUNTS


@pytest.mark.integration
@pytest.mark.slow
def test_each_shard_collects_its_own_units_only(org: Org) -> None:
    from auditor.snapshot import load_snapshot

    seen: Counter[tuple[Any, ...]] = Counter()
    units: dict[int, set[tuple[str | None, str | None]]] = {}
    for i, out in enumerate(org.shards):
        snap = load_snapshot(out / "snapshot")
        units[i] = {(r.location.account, r.location.region) for r in snap.resources}
        seen.update((r.type, r.id, r.location.account, r.location.region) for r in snap.resources)
        mine = Shard(i, SHARDS)
        for account, region in units[i]:  # a global service's resources (S3 buckets) carry a region
            assert mine.owns(unit_key("org", account, region)) or mine.owns(unit_key("org", account, None))
        assert all(x.reason.startswith("collected by shard ") for x in snap.exclusions)
        assert snap.shard_units and all(mine.owns(k) for k in snap.shard_units)  # what merge checks against
        manifest = json.loads((out / "shard.json").read_text())
        assert manifest["shard"] == f"{i}/{SHARDS}" and manifest["run_id"] == "nightly-7"
    assert max(seen.values()) == 1  # no resource was collected twice
    assert all(units.values())  # every shard had work


@pytest.mark.integration
@pytest.mark.slow
def test_four_shards_and_the_merge_wrote_to_one_sqlite_store(org: Org) -> None:
    r = cli("history", "--store", str(org.store), "--shards", "--format", "json")
    rows = json.loads(r.output)
    assert sorted(row["shard"] or "merged" for row in rows) == ["0/4", "1/4", "2/4", "3/4", "merged"]
    r = cli("history", "--store", str(org.store), "--format", "json")
    [whole] = json.loads(r.output)
    assert whole["id"] == _results(org.merged)["scan"]["id"]


@pytest.mark.integration
@pytest.mark.slow
def test_merge_refuses_outputs_that_do_not_belong_together(org: Org, tmp_path: Path) -> None:
    copies = []
    for shard in org.shards:
        dst = tmp_path / shard.name
        shutil.copytree(shard, dst)
        copies.append(dst)
    out = str(tmp_path / "out")
    r = cli("merge", *map(str, copies[:3]), "--out", out)
    assert r.exit_code == 2 and "shard(s) 3/4 missing" in r.output
    r = cli("merge", *map(str, copies), str(copies[0]), "--out", out)
    assert r.exit_code == 2 and "given twice" in r.output

    def edit(path: Path, **changes: Any) -> None:
        data = json.loads((path / "shard.json").read_text())
        data.update(changes)
        (path / "shard.json").write_text(json.dumps(data))

    edit(copies[1], tool_version="9.9.9")
    r = cli("merge", *map(str, copies), "--out", out)
    assert r.exit_code == 2 and "different auditor versions" in r.output and "9.9.9" in r.output
    edit(
        copies[1],
        tool_version=json.loads((copies[0] / "shard.json").read_text())["tool_version"],
        library="0" * 16,
    )
    r = cli("merge", *map(str, copies), "--out", out)
    assert r.exit_code == 2 and "different control libraries" in r.output
    r = cli("merge", str(tmp_path / "nowhere"), "--out", out, "--wait", "0.1")
    assert r.exit_code == 2 and "still not finished" in r.output
    # yesterday's shard 2 among tonight's: equal settings, and only the run id tells them apart
    library = json.loads((copies[0] / "shard.json").read_text())["library"]
    edit(copies[1], library=library)
    edit(copies[2], run_id="nightly-6")
    r = cli("merge", *map(str, copies), "--out", out)
    assert r.exit_code == 2 and "different runs" in r.output and "nightly-6" in r.output
    # shards without a run id: merged, with a warning when their snapshots are far apart in time
    for c in copies:
        edit(c, run_id=None)
    snap = copies[2] / "snapshot" / "snapshot.json"
    data = json.loads(snap.read_text())
    data["created_at"] = "2020-01-01T00:00:00Z"
    snap.write_text(json.dumps(data))
    r = cli("merge", *map(str, copies), "--out", out, "-q")
    assert r.exit_code in (0, 3) and "carry no run id" in r.output and "h apart" in r.output


def _owner(target: str, scope: str, count: int = 2) -> int:
    return Shard(0, count).owner(unit_key(target, scope, None))


def test_kubernetes_and_vault_skip_what_another_shard_owns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cluster (or a Vault server) another shard owns is recorded as excluded, and never called."""
    from auditor.evidence import SnapshotBuilder
    from auditor.providers.k8s import K8sOptions
    from auditor.providers.k8s.collector import collect as collect_k8s
    from auditor.providers.vault import VaultOptions
    from auditor.providers.vault.collector import collect as collect_vault
    from auditor.runtime import CollectRun

    def never(*_: Any) -> Any:
        raise AssertionError("a client was built for a unit another shard owns")

    for collect, options, scope, types in (
        (collect_k8s, K8sOptions(in_cluster=True, cluster_name="c1"), "c1", "k8s.workload"),
        (collect_vault, VaultOptions(addr="https://vault-a:8200"), "https://vault-a:8200", "vault.server"),
    ):
        monkeypatch.setenv("VAULT_TOKEN", "t")
        other = 1 - _owner("t", scope)
        sink = SnapshotBuilder()
        collect(options, CollectRun(sink, clients=never, shard=Shard(other, 2), target="t"))  # type: ignore[operator]
        snap = sink.build()
        assert snap.resources == [] and snap.errors == []
        [x] = snap.exclusions
        assert x.scope.account == scope and types in x.resource_types
        assert x.reason.startswith(f"collected by shard {1 - other}/2")


def test_a_provider_without_unit_sharding_is_collected_whole_by_one_shard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The toy provider does not declare `shards_units`: each of its targets is one unit."""
    from auditor.providers import discover_providers
    from auditor.scan import collect

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    monkeypatch.setenv("AUDITOR_PROVIDERS", "toy_provider:PROVIDER")
    spec = discover_providers()["toy"]
    assert not spec.shards_units
    names = [f"toy-{i}" for i in range(8)]
    targets = [(spec, n, spec.options.model_validate({"endpoint": f"http://{n}.invalid"})) for n in names]
    collected: dict[int, list[str]] = {}
    for i in range(2):
        calls: list[str] = []

        def opener(url: str, calls: list[str] = calls) -> Any:
            calls.append(url.split("//")[1].split(".")[0])
            return {"widgets": [{"name": "w", "locked": True}]}

        snap = collect(targets, clients={"toy": opener}, shard=Shard(i, 2))
        collected[i] = sorted(calls)
        assert (
            sorted(t.options["endpoint"].split("//")[1].split(".")[0] for t in snap.targets) == collected[i]
        )
    assert sorted(collected[0] + collected[1]) == names  # each target in exactly one shard
    assert all(Shard(i, 2).owns(unit_key(n, None)) for i, ns in collected.items() for n in ns)


def test_a_bad_shard_manifest_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    shard = tmp_path / "shard-0"
    shard.mkdir()
    (shard / "shard.json").write_text(
        json.dumps({"shard": "5/2", "tool_version": "x", "library": "l", "targets": "t"})
    )
    r = cli("merge", str(shard), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and str(shard / "shard.json") in r.output and "shard" in r.output


def _shard_snapshot(index: int, owned: list[str], left: list[str]) -> Any:
    """Shard `index` of 2: it collected `owned` and recorded `left` as another shard's units."""
    from auditor.models import CollectionExclusion, Location, Snapshot

    me = Shard(index, 2)
    exclusions = [
        CollectionExclusion(
            provider="aws",
            scope=Location(account=key.split("/")[1]),
            resource_types=(),
            reason=me.exclusion_reason(key),
        )
        for key in left
    ]
    return Snapshot(exclusions=exclusions, shard_units=owned)


def test_a_unit_left_to_a_shard_that_never_saw_it_is_an_error_not_a_hole() -> None:
    """Shard A leaves an account to shard B; B's discovery (run a little later, or earlier)
    did not list that account, so nobody read it. The merge must say so, as a collection error
    for that account (its checks report `error`), not drop the exclusion and show nothing."""
    from auditor.merge import unite
    from auditor.models import ErrorKind

    keys = [unit_key("org", f"11111111111{i}", None) for i in range(4)]
    by_owner: dict[int, list[str]] = {0: [], 1: []}
    for k in keys:
        by_owner[Shard(0, 2).owner(k)].append(k)
    assert by_owner[0] and by_owner[1], "the four accounts must spread over both shards"
    whole = [_shard_snapshot(0, by_owner[0], by_owner[1]), _shard_snapshot(1, by_owner[1], by_owner[0])]
    merged, warnings = unite(whole)
    assert merged.exclusions == [] and merged.errors == [] and warnings == []

    vanished = by_owner[1][0]  # shard 1 never discovered it, so it neither owned nor collected it
    partial = [
        _shard_snapshot(0, by_owner[0], by_owner[1]),
        _shard_snapshot(1, by_owner[1][1:], by_owner[0]),
    ]
    merged, warnings = unite(partial)
    assert merged.exclusions == []
    [err] = merged.errors
    assert err.kind == ErrorKind.NOT_COLLECTED and err.scope.account == vanished.split("/")[1]
    assert err.resource_types == () and vanished in err.message and "1/2" in err.message
    assert len(warnings) == 1 and vanished in warnings[0]
