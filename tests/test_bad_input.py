"""Bad input of every kind gets a clear error naming the file (exit 2), never an internal error."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.catalog import load_library
from auditor.cli import main
from auditor.data import data_dir
from auditor.errors import ConfigError
from auditor.inputs import iter_yaml
from auditor.snapshot import load_snapshot, save_snapshot

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
VAULT = DEMO / "vault.json.gz"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stderr


# Each corruption turns valid text into bad bytes of one kind.
CORRUPT: dict[str, Callable[[bytes], bytes]] = {
    "not utf-8": lambda b: b"\xff\xfe" + b,
    "deep nesting": lambda b: b"[" * 5000 + b"]" * 5000,
    "huge integer": lambda b: b'{"schema_version": ' + b"9" * 5000 + b"}",
    "truncated gzip": lambda b: gzip.compress(b)[:-12],
    "corrupt gzip": lambda b: b"\x1f\x8b" + b"\x00" * 40,
    "lone surrogate": lambda b: b'{"schema_version": 1, "x": "\\ud800"}',
    "empty": lambda b: b"",
}


@pytest.mark.parametrize("corruption", sorted(CORRUPT))
def test_a_bad_snapshot_file_is_named(tmp_path: Path, corruption: str) -> None:
    bad = tmp_path / "snap.json"
    bad.write_bytes(CORRUPT[corruption](gzip.decompress(VAULT.read_bytes())))
    code, err = run("scan", "--from-snapshot", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and str(bad) in err, err


@pytest.mark.parametrize("corruption", sorted(CORRUPT))
def test_a_bad_evidence_record_in_a_snapshot_directory_is_named(tmp_path: Path, corruption: str) -> None:
    snap = save_snapshot(load_snapshot(VAULT), tmp_path / "snap")
    record = next(p for p in sorted((snap / "evidence").glob("*.json")) if p.name != "manifest.json")
    record.write_bytes(CORRUPT[corruption](record.read_bytes()))
    code, err = run("scan", "--from-snapshot", str(snap), "--out", str(tmp_path / "o2"))
    assert code == 2 and record.name in err, err


@pytest.mark.parametrize("corruption", sorted(CORRUPT))
def test_a_bad_results_file_is_named(tmp_path: Path, corruption: str) -> None:
    out = tmp_path / "o"
    run("scan", "--from-snapshot", str(VAULT), "--out", str(out), "--format", "json")
    results = out / "results.json"
    results.write_bytes(CORRUPT[corruption](results.read_bytes()))
    code, err = run("report", str(out))
    assert code == 2 and str(results) in err, err


def test_results_with_a_mistyped_summary_are_named(tmp_path: Path) -> None:
    out = tmp_path / "o"
    run("scan", "--from-snapshot", str(VAULT), "--out", str(out), "--format", "json")
    results = out / "results.json"
    data = json.loads(results.read_text())
    data["summary"] = {"findings": "many"}
    results.write_text(json.dumps(data))
    code, err = run("report", str(out))
    assert code == 2 and "summary.findings" in err


YAML_CORRUPT: dict[str, bytes] = {
    "not utf-8": b"version: 1\ntargets: [\xff]\n",
    "deep nesting": b"targets: " + b"[" * 2000 + b"]" * 2000 + b"\n",
    "huge integer": b"version: " + b"9" * 5000 + b"\n",
    "alias bomb": b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
    + b"".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n".encode()
        for p, n in zip("abcdefg", "bcdefgh", strict=True)
    )
    + b"targets: [*h]\n",
    "lone surrogate": b'version: 1\ntargets: [{provider: "\\ud800"}]\n',
    "not a mapping": b"- just\n- a list\n",
    "broken yaml": b"targets: [\n",
}


@pytest.mark.parametrize("corruption", sorted(YAML_CORRUPT))
def test_a_bad_config_is_named(tmp_path: Path, corruption: str) -> None:
    cfg = tmp_path / "audit.yaml"
    cfg.write_bytes(YAML_CORRUPT[corruption])
    code, err = run("scan", "--config", str(cfg), "--out", str(tmp_path / "o"))
    assert code == 2 and str(cfg) in err, err


@pytest.mark.parametrize("corruption", sorted(YAML_CORRUPT))
def test_a_bad_params_file_is_named(tmp_path: Path, corruption: str) -> None:
    params = tmp_path / "params.yaml"
    params.write_bytes(YAML_CORRUPT[corruption])
    code, err = run(
        "scan", "--from-snapshot", str(VAULT), "--params", str(params), "--out", str(tmp_path / "o")
    )
    assert code == 2 and str(params) in err, err


@pytest.mark.parametrize("corruption", sorted(YAML_CORRUPT))
def test_a_bad_control_file_is_named(tmp_path: Path, corruption: str) -> None:
    root = tmp_path / "controls"
    shutil.copytree(data_dir("controls"), root)
    (root / "crosswalk" / "vault.yaml").write_bytes(YAML_CORRUPT[corruption])
    with pytest.raises(ConfigError) as info:
        load_library(root)
    assert "vault.yaml" in str(info.value)


def test_outputs_that_cannot_be_written_are_named(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, err = run("scan", "--from-snapshot", str(VAULT), "--out", str(a_file))
    assert code == 2 and str(a_file) in err and "is a file" in err
    code, err = run("scan", "--from-snapshot", str(VAULT), "--out", str(a_file / "sub"))
    assert code == 2 and str(a_file) in err
    code, err = run("scan", "--config", "/nonexistent/audit.yaml", "--out", str(tmp_path / "o"))
    assert code == 2 and "/nonexistent/audit.yaml" in err


def test_one_broken_yaml_document_never_hides_the_others() -> None:
    docs = list(iter_yaml("a: 1\n---\nb: [\n---\nc: 3\n"))
    assert [d.data for d in docs] == [{"a": 1}, None, {"c": 3}]
    assert docs[1].problem and "not valid YAML" in docs[1].problem and "line 4" in docs[1].problem
    assert [(d.start_line, d.end_line) for d in docs] == [(1, 1), (3, 3), (5, 5)]


def test_yaml_documents_are_bounded_in_time_and_memory() -> None:
    big_scalar = "x: " + "a" * (9 * 1024 * 1024) + "\n"
    (doc,) = iter_yaml(big_scalar)
    assert doc.problem and "larger than" in doc.problem
    many_keys = "".join(f"k{i}: {i}\n" for i in range(100_000))
    (doc,) = iter_yaml(many_keys)
    assert doc.problem is None and len(doc.data) == 100_000


ODD_YAML = [
    "a: yes\nb: off\nc: 012\nd: 0x1F\ne: 1:30\nf: .inf\ng: ~\nh: 2026-11-01\ni: 2026-11-01T10:00:00Z\nj: 1_000",
    "? [a, b]\n: c",  # a key PyYAML refuses
    "a: !!binary aGk=\nb: !!set {x, y}",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2",
    "{1: one, null: none, true: yes, 1.5: x}",
    "a: \"\\u00e9\\t\"\nb: 'single'\nc: |\n  block\n  text\n",
    "- [a, {b: [c, d]}]\n- ''",
]


@pytest.mark.parametrize("text", ODD_YAML)
def test_the_fast_tree_loader_gives_what_pyyaml_gives(text: str) -> None:
    """iter_yaml builds anchor-free documents in one pass: the same data as PyYAML's constructor
    (or, for what it leaves to PyYAML, the same problem)."""
    import yaml

    (doc,) = iter_yaml(text)
    try:
        expected = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        assert doc.problem and "not valid YAML" in doc.problem
        return
    assert doc.problem is None
    assert doc.data == expected and repr(doc.data) == repr(expected)
