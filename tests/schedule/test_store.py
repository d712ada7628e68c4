"""The results store on SQLite: migrations, refusal of newer stores, failures that fail the
scan after its outputs, and several writers at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from auditor.results import read_results
from auditor.store import StoreError, open_store
from auditor.store import migrate as migrations
from auditor.store.engine import make_engine, parse_url

from .conftest import DEMO_AWS, cli


def test_a_new_store_is_migrated_to_the_newest_schema(tmp_path: Path, demo_results: Path) -> None:
    path = tmp_path / "sub" / "history.db"
    with open_store(str(path)) as store:
        store.write(read_results(demo_results))
        [entry] = store.history()
    with create_engine(f"sqlite:///{path}").connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == migrations.head()
    assert entry.findings["fail"] > 0 and set(entry.compliance) == {"soc2", "hipaa", "iso27001"}


def test_the_models_and_the_migrations_agree(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from auditor.store.models import Base

    open_store(str(tmp_path / "h.db")).close()
    with create_engine(f"sqlite:///{tmp_path / 'h.db'}").connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_a_store_at_the_previous_revision_is_upgraded_and_keeps_its_scans(
    tmp_path: Path, demo_results: Path
) -> None:
    url = parse_url(str(tmp_path / "old.db"))
    engine = make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn, "old.db", "0001")
    with engine.begin() as conn:  # one scan as revision 0001 stored it (no shard column yet)
        conn.execute(
            text(
                "insert into scans (id, started_at, tool_version, frameworks, summary, recorded_at) values "
                "('old0001', '2024-01-01 00:00:00', '0.0.9', '[\"soc2\"]', '{\"findings\": {\"fail\": 1}}', "
                "'2024-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "insert into control_results (scan_id, framework, control_id, title, status) values "
                "('old0001', 'soc2', 'CC6.1', 't', 'pass'), ('old0001', 'soc2', 'CC6.2', 't', 'fail')"
            )
        )
        conn.execute(
            text(
                "insert into findings (scan_id, key, check_id, status, severity, provider, resource_type, "
                "resource_id, message) values ('old0001', 'k/1', 'aws.x', 'fail', 'high', 'aws', 't', 'r', 'm')"
            )
        )
    engine.dispose()
    with open_store(str(tmp_path / "old.db")) as store:
        store.write(read_results(demo_results))
        entries = store.history()
        old = store.load("old0001")
    assert [e.id for e in entries][-1] == "old0001"
    assert entries[-1].compliance["soc2"].percent == 50.0 and entries[-1].shard is None
    assert [f.key for f in old.findings] == ["k/1"]


def test_a_store_written_by_a_newer_auditor_is_refused_and_left_alone(
    tmp_path: Path, demo_results: Path
) -> None:
    path = tmp_path / "new.db"
    open_store(str(path)).close()
    with create_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999_future'"))
    with pytest.raises(StoreError, match="newer auditor"):
        open_store(str(path))
    out = tmp_path / "out"
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(out), "--format", "json", "--store", str(path)
    )
    assert r.exit_code == 2
    assert (
        "'9999_future'" in r.output and "newer auditor" in r.output and "the outputs were written" in r.output
    )
    assert (out / "results.json").exists()
    with create_engine(f"sqlite:///{path}").connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "9999_future"


def test_a_store_that_cannot_be_reached_fails_the_scan_after_its_outputs(tmp_path: Path) -> None:
    from auditor_testkit.local import free_port

    out = tmp_path / "out"
    url = f"postgresql://auditor:s3cretpw@127.0.0.1:{free_port()}/audit"
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(out), "--format", "json", "-q", "--store", url
    )
    assert r.exit_code == 2
    assert "cannot open it" in r.output and "127.0.0.1" in r.output
    assert "s3cretpw" not in r.output  # the password is never shown
    assert json.loads((out / "results.json").read_text())["findings"]
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(out), "-q", "--store", str(blocked / "h.db")
    )
    assert r.exit_code == 2 and "cannot open it" in r.output


_WRITER = textwrap.dedent(
    """
    import sys, uuid
    from pathlib import Path
    from auditor.results import read_results
    from auditor.store import open_store
    result = read_results(Path(sys.argv[2]))
    for _ in range(int(sys.argv[3])):
        result.scan.id = uuid.uuid4().hex
        with open_store(sys.argv[1]) as store:
            store.write(result, shard=sys.argv[4])
    """
)


def test_two_processes_write_to_one_new_sqlite_store_at_once(tmp_path: Path, demo_results: Path) -> None:
    """Both open a store that does not exist yet (so both migrate), then write scans at once."""
    db = str(tmp_path / "shared.db")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, db, str(demo_results), "4", f"{i}/2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    with open_store(db) as store:
        entries = store.history(limit=None)
        assert sorted(e.shard or "" for e in entries) == ["0/2"] * 4 + ["1/2"] * 4
        one = store.load(entries[0].id)
    assert len(one.findings) == len(read_results(demo_results).findings)
    assert store.history(include_shards=False) == []


def test_history_filters_and_scan_references(tmp_path: Path, demo_results: Path) -> None:
    db = str(tmp_path / "h.db")
    result = read_results(demo_results)
    with open_store(db) as store:
        first = store.write(result)
        result.scan.id = "f" * 32
        second = store.write(result)
        with pytest.raises(StoreError, match="already stored"):
            store.write(result)
        assert store.resolve("latest") in (first, second)
        assert {store.resolve("latest"), store.resolve("previous")} == {first, second}
        assert store.resolve("ffff") == second
        with pytest.raises(StoreError, match="no scan 'latest~5'"):
            store.resolve("latest~5")
        assert len(store.history(target="aws")) == 2
        assert len(store.history(target="aws 1234*")) == 2
        assert store.history(target="vault") == []
        only = store.history(framework="soc2", limit=1)
        assert len(only) == 1 and set(only[0].compliance) == {"soc2"}
    r = cli("history", "--store", db, "--format", "json", "--framework", "hipaa")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert len(rows) == 2 and set(rows[0]["compliance"]) == {"hipaa"}
    r = cli("history", "--store", db, "--limit", "1")
    assert r.exit_code == 0 and "hipaa" in r.output and r.output.count("\n") == 3


def test_audit_yaml_names_the_store_and_the_metrics_file(tmp_path: Path) -> None:
    from .conftest import ROOT

    db, prom = tmp_path / "h.db", tmp_path / "m.prom"
    config = tmp_path / "audit.yaml"
    config.write_text(
        "version: 1\nformats: [json]\n"
        f"store: {db}\nmetrics_file: {prom}\n"
        f"targets:\n  - provider: k8s\n    options: {{manifests: ['{ROOT / 'fixtures' / 'k8s' / 'estate'}']}}\n"
    )
    r = cli("scan", "--config", str(config), "--out", str(tmp_path / "out"), "-q")
    assert r.exit_code in (0, 3), r.output
    with open_store(str(db)) as store:
        [entry] = store.history()
    assert entry.targets[0][0] == "k8s" and prom.read_text().count("auditor_findings{") > 0
    other = tmp_path / "flag.db"  # the flag wins over the file
    r = cli("scan", "--config", str(config), "--out", str(tmp_path / "out2"), "-q", "--store", str(other))
    with open_store(str(other)) as store:
        assert len(store.history()) == 1
    with open_store(str(db)) as store:
        assert len(store.history()) == 1


def test_a_store_url_is_shown_without_any_password_and_a_bad_one_is_exit_2() -> None:
    from auditor.store.engine import display

    shown = display(parse_url("postgresql://u:pw1@db/audit?password=pw2&sslpassword=pw3&sslmode=verify-full"))
    assert "pw1" not in shown and "pw2" not in shown and "pw3" not in shown and "sslmode=verify-full" in shown
    r = cli("history", "--store", "postgresql://auditor:s3cretpw@127.0.0.1:port/audit")
    assert r.exit_code == 2 and "not a database URL" in r.output and "s3cretpw" not in r.output


def test_history_reads_page_by_page_and_filters_by_providers(
    tmp_path: Path, demo_results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor.store as store_module

    monkeypatch.setattr(store_module, "_PAGE", 2)
    result = read_results(demo_results)
    with open_store(str(tmp_path / "h.db")) as store:
        for i in range(5):
            result.scan.id = f"s{i}_{i:030d}"
            store.write(result)
        ids = [e.id for e in store.history(limit=None)]
        assert len(ids) == 5 == len(set(ids))
        assert [e.id for e in store.history(limit=3)] == ids[:3]
        assert len(store.history(limit=None, providers=frozenset({"aws"}))) == 5
        assert store.history(limit=None, providers=frozenset({"aws", "k8s"})) == []
        assert store.resolve("s1_") == "s1_" + f"{1:030d}"  # `_` is matched as itself, not as a wildcard
        with pytest.raises(StoreError, match="more than one"):
            store.resolve("s")
