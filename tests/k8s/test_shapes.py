"""Shape validation is the one place malformed objects stop: every field of every estate object,
replaced by a value of each JSON type, is either rejected by `prepare` (named, never judged) or
normalised and judged without the normaliser's safety net or any check crashing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditor.checks import load_registry
from auditor.engine import evaluate
from auditor.evidence import SnapshotBuilder
from auditor.models import Status
from auditor.providers.k8s import shapes
from auditor.providers.k8s.manifests import read_manifests
from auditor.providers.k8s.normalize import Estate, Obj, build_resources, prepare

from .util import ESTATE, NEWER

ODD_VALUES: list[Any] = [None, True, 7, "x", [], {}, ["x"], {"k": "v"}, [None]]
REGISTRY = load_registry()


def _paths(obj: Any) -> list[tuple[Any, ...]]:
    """Every path to a value in `obj` (the first two items of each list)."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), obj)]
    while stack:
        path, node = stack.pop()
        if path:
            found.append(path)
        children = (
            node.items() if isinstance(node, dict) else enumerate(node[:2]) if isinstance(node, list) else ()
        )
        stack.extend(((*path, k), v) for k, v in children)
    return found


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(obj)
    node = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return out


def _objects() -> list[dict[str, Any]]:
    docs, _ = read_manifests([str(ESTATE), str(NEWER)])
    seen: set[str] = set()
    out = []
    for d in docs:  # one object per kind keeps the run short
        kind = str(d.obj.get("kind"))
        if kind not in seen:
            seen.add(kind)
            out.append(d.obj)
    return out


@pytest.mark.parametrize("obj", _objects(), ids=lambda o: str(o.get("kind")))
def test_every_field_of_every_kind_in_every_wrong_type(obj: dict[str, Any]) -> None:
    sink = SnapshotBuilder()
    ev = sink.record("k8s", "test", {})
    crashes: list[str] = []
    for path in _paths(obj):
        if path[:2] == ("metadata", "name") or path == ("kind",):
            continue  # identity: checked by the readers before prepare
        for value in ODD_VALUES:
            mutated = _set(obj, path, value)
            prepared = prepare(mutated, ev)
            if not isinstance(prepared, Obj):
                assert prepared and all(isinstance(p, str) for p in prepared)
                continue
            estate = Estate(scope="s", live=False, objects=[prepared])
            resources = build_resources(estate)
            if estate.unbuilt:
                crashes.append(f"{path}={value!r}: {estate.unbuilt[0][1]}")
                continue
            snap = SnapshotBuilder()
            for r in resources:
                snap.add_resource(r)
            for f in evaluate(snap.build(), REGISTRY):
                if f.status == Status.ERROR and "check failed to run" in f.message:
                    crashes.append(f"{path}={value!r}: {f.check_id}: {f.message}")
    assert not crashes, "\n".join(crashes[:20])


def test_problems_name_the_field_never_the_value() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p", "labels": ["SECRET-VALUE"]},
        "spec": {"containers": [{"name": "c", "env": "SECRET-VALUE", "securityContext": {"runAsUser": "0"}}]},
    }
    problems = shapes.problems(pod)
    assert problems == [
        "metadata.labels is a list, expected a mapping",
        "spec.containers[0].securityContext.runAsUser is a string, expected an integer",
        "spec.containers[0].env is a string, expected a list",
    ]
    assert "SECRET-VALUE" not in " ".join(problems)
