"""Fuzzing every input the scanner reads: mutated configs, snapshots, results, manifests and
control files may be rejected (a named AuditorError: exit 2), never crash (which would be exit 4).

Bounded: a fixed number of examples per input, no deadline flakiness, derandomized so a run is
reproducible (set AUDITOR_FUZZ_EXAMPLES to go deeper locally)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.catalog import lint, load_library
from auditor.checks import load_registry
from auditor.config import load_config
from auditor.data import data_dir
from auditor.engine import evaluate
from auditor.errors import AuditorError
from auditor.providers import discover_providers
from auditor.results import read_results
from auditor.snapshot import dump_snapshot_json, load_snapshot

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
EXAMPLES = int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += _paths(v, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def mutated_json(draw: st.DrawFn, doc: Any) -> bytes:
    """A structural mutation (a value replaced by any JSON value) or a byte-level one."""
    kind = draw(st.sampled_from(["replace", "drop", "bytes", "truncate"]))
    if kind in ("replace", "drop"):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths[:400]))
        if kind == "drop" and path and isinstance(path[-1], str):
            parent = path[:-1]
            node = doc
            for p in parent:
                node = node[p]
            new_parent = {k: v for k, v in node.items() if k != path[-1]}
            return json.dumps(_replace(doc, parent, new_parent)).encode()
        return json.dumps(_replace(doc, path, draw(JSON_VALUE))).encode()
    return _bytes_mutated(draw, json.dumps(doc).encode(), kind)


def _bytes_mutated(draw: st.DrawFn, raw: bytes, kind: str) -> bytes:
    """`raw` cut short (`truncate`) or with a few bytes replaced at one place."""
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    pos = draw(st.integers(0, max(len(raw) - 1, 0)))
    return raw[:pos] + draw(st.binary(min_size=1, max_size=4)) + raw[pos + 1 :]


def _rejected_cleanly(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except AuditorError:
        return None


VAULT_DOC = json.loads(gzip.decompress((DEMO / "vault.json.gz").read_bytes()))
REGISTRY = load_registry()


@st.composite
def mutated_lines(draw: st.DrawFn, raw: bytes) -> bytes:
    """A snapshot in the one-resource-per-line layout, its lines dropped, repeated or swapped,
    or its bytes changed or cut: the streamed reader must load it or refuse it as the whole
    document would be, never crash."""
    lines = raw.split(b"\n")
    kind = draw(st.sampled_from(["drop", "repeat", "swap", "bytes", "truncate"]))
    if kind in ("bytes", "truncate"):
        return _bytes_mutated(draw, raw, kind)
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    if kind == "drop":
        del lines[i]
    elif kind == "repeat":
        lines.insert(i, lines[j])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


VAULT_LINES = dump_snapshot_json(load_snapshot(DEMO / "vault.json.gz")).encode()


@FUZZ
@given(data=st.data())
def test_fuzzed_snapshots_load_and_evaluate_or_are_rejected(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Parsed whole (any layout) or streamed (one resource per line): the same outcome."""
    path = tmp_path_factory.mktemp("snap") / "snap.json"
    path.write_bytes(data.draw(st.one_of(mutated_json(VAULT_DOC), mutated_lines(VAULT_LINES))))
    snap = _rejected_cleanly(load_snapshot, path)
    if snap is not None:
        evaluate(snap, REGISTRY)  # a snapshot that loads is judged without a crash


CONFIG_DOC = {
    "version": 1,
    "frameworks": ["soc2"],
    "formats": ["json"],
    "params": {"vault.kv.max_versions": 5},
    "skip_checks": ["vault.audit.*"],
    "targets": [{"provider": "vault", "name": "v", "options": {"addr": "https://127.0.0.1:8200"}},
                {"provider": "k8s", "options": {"context": ["a"], "namespaces": ["x"]}}],
}  # fmt: skip


@FUZZ
@given(data=st.data())
def test_fuzzed_configs_are_loaded_or_rejected(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "audit.yaml"
    path.write_bytes(data.draw(mutated_json(CONFIG_DOC)))  # JSON is YAML
    _rejected_cleanly(load_config, path, discover_providers(), REGISTRY)


@pytest.fixture(scope="module")
def results_doc(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from auditor.scan import evaluate_snapshot, write_outputs

    out = tmp_path_factory.mktemp("res")
    write_outputs(evaluate_snapshot(load_snapshot(DEMO / "vault.json.gz")), out, ["json"])
    doc = json.loads((out / "results.json").read_text())
    doc["findings"] = doc["findings"][:5]
    doc["controls"] = doc["controls"][:5]
    return doc


@FUZZ
@given(data=st.data())
def test_fuzzed_results_are_read_or_rejected(
    tmp_path_factory: pytest.TempPathFactory, results_doc: Any, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("r") / "results.json"
    path.write_bytes(data.draw(mutated_json(results_doc)))
    result = _rejected_cleanly(read_results, path)
    if result is not None:
        from auditor.writers import WriteContext, write_formats

        write_formats(WriteContext(result=result, library=load_library(), out=path.parent), ["html", "csv"])


MANIFEST = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1", "securityContext": {"privileged": True},
             "resources": {"limits": {"cpu": "1"}}, "env": [{"name": "A", "value": "b"}]}]}}},
}  # fmt: skip


@FUZZ
@given(data=st.data())
def test_fuzzed_manifests_are_judged_or_reported(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    from auditor.evidence import SnapshotBuilder
    from auditor.providers.k8s import K8sOptions
    from auditor.providers.k8s.collector import collect
    from auditor.runtime import CollectRun

    path = tmp_path_factory.mktemp("m") / "deploy.yaml"
    # valid UTF-8 (a file that is not is rejected whole, by design): mutations stay in one document
    body = data.draw(mutated_json(MANIFEST)).decode("utf-8", "replace").encode()
    intact = {**MANIFEST, "metadata": {"name": "intact", "namespace": "shop"}}
    path.write_bytes(yaml.safe_dump(intact).encode() + b"---\n" + body + b"\n")
    sink = SnapshotBuilder()
    try:
        collect(K8sOptions(manifests=[str(path)]), CollectRun(sink=sink))
    except AuditorError:
        return
    snap = sink.build()
    evaluate(snap, REGISTRY)
    # the intact second document is never lost because of the first
    assert any(r.name == "Deployment/shop/intact" for r in snap.resources), snap.errors
    # shape validation, not the normaliser's safety net, is what stops a malformed object
    assert not [e for e in snap.errors if e.operation == "normalize"], snap.errors


CROSSWALK = {"vault.audit.enabled": {"soc2": ["CC7.2"], "hipaa": ["164.312(b)"], "iso27001": ["8.15"]}}


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 5))
@given(data=st.data())
def test_fuzzed_control_files_are_linted_or_rejected(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("c") / "controls"
    shutil.copytree(data_dir("controls"), root)
    (root / "crosswalk" / "fuzz.yaml").write_bytes(data.draw(mutated_json(CROSSWALK)))
    library = _rejected_cleanly(load_library, root)
    if library is not None:
        lint(library, REGISTRY)
