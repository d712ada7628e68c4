"""Seed a real kube-apiserver with the test estate through the admin identity, and bind the
scanner identity to the shipped ClusterRole(s). Used by the integration tests and by
scripts/record_demo_k8s.py. Only the official `kubernetes` client is used.

The estate (fixtures/k8s/estate) and the roles (docs/permissions/*.yaml) are passed in by path."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml

from auditor.providers.k8s.collector import kubeconfig_client
from auditor.providers.k8s.kinds import BY_KIND
from auditor.providers.k8s.manifests import read_manifests
from auditor_testkit.kubeapi import KubeCluster

__all__ = ["SCANNER_USER", "admin_client", "bind", "create", "install_crds", "seed_estate"]

SCANNER_USER = "auditor-scanner"


def admin_client(cluster: KubeCluster, workdir: Path) -> Any:
    path = cluster.kubeconfig(cluster.admin_token, workdir / "admin.kubeconfig", "admin")
    return kubeconfig_client(str(path), "admin")


CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def _request(client: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request as the client's identity; the server drops its idle connections when the
    set of served APIs changes (a CRD is established), so a dropped connection is retried."""
    import urllib3

    cfg = client.configuration
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    for s in cfg.auth_settings().values():
        headers[s["key"]] = s["value"]
    for attempt in range(5):
        try:
            r = client.rest_client.request(method, cfg.host + path, headers=headers, body=body)
            break
        except urllib3.exceptions.ProtocolError:
            if attempt == 4:
                raise
            time.sleep(0.2)
    data = r.read() if getattr(r, "data", None) is None else r.data
    return int(r.status), data


def create(client: Any, obj: dict[str, Any]) -> None:
    """POST one object to the path its apiVersion and kind name; raise on anything but 201."""
    if obj["kind"] == "CustomResourceDefinition":
        path = CRD_PATH
    else:
        kind = BY_KIND[obj["kind"]]
        api_version = obj["apiVersion"]
        base = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
        ns = obj["metadata"].get("namespace") or "default"
        path = f"{base}/namespaces/{ns}/{kind.plural}" if kind.namespaced else f"{base}/{kind.plural}"
    status, data = _request(client, "POST", path, obj)
    if status != 201:
        raise RuntimeError(f"create {obj['kind']} {obj['metadata']['name']}: {status} {data[:300]!r}")


def install_crds(client: Any, crds: Path, timeout: float = 30.0) -> list[str]:
    """Create the CustomResourceDefinitions in ``crds`` (a YAML file) and wait until the server
    serves each (condition Established); return their names."""
    docs = [d for d in yaml.safe_load_all(crds.read_text()) if d]
    for crd in docs:
        create(client, crd)
    names = [str(d["metadata"]["name"]) for d in docs]
    deadline = time.monotonic() + timeout
    for name in names:
        while True:
            status, data = _request(client, "GET", f"{CRD_PATH}/{name}")
            conditions = json.loads(data).get("status", {}).get("conditions", []) if status == 200 else []
            if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"CRD {name} not established after {timeout}s: {status} {data[:300]!r}")
            time.sleep(0.1)
    return names


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
