"""Seed a real kube-apiserver with the test estate through the admin identity, and bind the
scanner identity to the shipped ClusterRole(s). Used by the integration tests and by
scripts/record_demo_k8s.py. Only the official `kubernetes` client is used.

The estate (fixtures/k8s/estate) and the roles (docs/permissions/*.yaml) are passed in by path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from auditor.providers.k8s.collector import kubeconfig_client
from auditor.providers.k8s.kinds import BY_KIND
from auditor.providers.k8s.manifests import read_manifests
from auditor_testkit.kubeapi import KubeCluster

__all__ = ["SCANNER_USER", "admin_client", "bind", "create", "seed_estate"]

SCANNER_USER = "auditor-scanner"


def admin_client(cluster: KubeCluster, workdir: Path) -> Any:
    path = cluster.kubeconfig(cluster.admin_token, workdir / "admin.kubeconfig", "admin")
    return kubeconfig_client(str(path), "admin")


def create(client: Any, obj: dict[str, Any]) -> None:
    """POST one object to the path its apiVersion and kind name; raise on anything but 201."""
    kind = BY_KIND[obj["kind"]]
    api_version = obj["apiVersion"]
    base = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    ns = obj["metadata"].get("namespace") or "default"
    path = f"{base}/namespaces/{ns}/{kind.plural}" if kind.namespaced else f"{base}/{kind.plural}"
    cfg = client.configuration
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    for s in cfg.auth_settings().values():
        headers[s["key"]] = s["value"]
    r = client.rest_client.request("POST", cfg.host + path, headers=headers, body=obj)
    data = r.read() if getattr(r, "data", None) is None else r.data
    if r.status != 201:
        raise RuntimeError(f"create {obj['kind']} {obj['metadata']['name']}: {r.status} {data[:300]!r}")


def seed_estate(client: Any, estate: Path) -> int:
    """Create every manifest under ``estate`` (namespaces first); return how many."""
    docs, problems = read_manifests([str(estate)])
    assert not problems, problems
    objs = sorted((d.obj for d in docs), key=lambda o: o["kind"] != "Namespace")
    for obj in objs:
        create(client, json.loads(json.dumps(obj)))
    return len(objs)


def bind(client: Any, role_file: Path, user: str = SCANNER_USER) -> str:
    """Create the ClusterRole in ``role_file`` and bind ``user`` to it; return its name."""
    role = yaml.safe_load(role_file.read_text())
    create(client, role)
    name = str(role["metadata"]["name"])
    create(
        client,
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
        },
    )
    return name
