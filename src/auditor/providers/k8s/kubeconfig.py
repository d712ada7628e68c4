"""The shape of a kubeconfig file, checked before the kubernetes client reads it.

The client assumes a well-formed file: `clusters: 5` or a context that is a string makes it
raise TypeError or AttributeError from deep inside. Checked here first, the problem is said as
the entry that is wrong (`clusters`, `contexts[0].context`), in the file that holds it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.inputs import read_yaml

_LISTS = {"clusters": "cluster", "contexts": "context", "users": "user"}


class KubeconfigProblem(ValueError):
    """A kubeconfig file that cannot be used, said as the file and the entry."""


def kubeconfig_files(path: str | None) -> list[Path]:
    """The files the client reads: `path`, else every file in $KUBECONFIG, else ~/.kube/config."""
    spec = path or os.environ.get("KUBECONFIG") or "~/.kube/config"
    return [Path(p).expanduser() for p in ([spec] if path else spec.split(os.pathsep)) if p]


def shape_problem(data: Any) -> str | None:
    """What is structurally wrong with a parsed kubeconfig, as `entry: what`, or None."""
    if data is None:
        return None  # empty: the client says there is no configuration
    if not isinstance(data, dict):
        return "the file is not a mapping"
    for key, inner in _LISTS.items():
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            return f"{key}: expected a list of named entries, not {type(items).__name__}"
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                return f"{key}[{i}]: expected a mapping with a name"
            body = item.get(inner)
            if body is not None and not isinstance(body, dict):
                return f"{key}[{i}].{inner}: expected a mapping, not {type(body).__name__}"
    current = data.get("current-context")
    if current is not None and not isinstance(current, str):
        return f"current-context: expected a context name, not {type(current).__name__}"
    return None


def check_kubeconfig(path: str | None) -> None:
    """Raise KubeconfigProblem for the first kubeconfig file (of those that exist) that cannot
    be parsed or has the wrong shape; a missing file is left to the client to report."""
    for f in kubeconfig_files(path):
        if not f.is_file():
            continue
        try:
            data = read_yaml(f, "kubeconfig")
        except ConfigError as exc:
            raise KubeconfigProblem(str(exc)) from None
        problem = shape_problem(data)
        if problem:
            raise KubeconfigProblem(f"{f}: {problem}")
