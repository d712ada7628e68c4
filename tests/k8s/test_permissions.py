"""docs/permissions/k8s-clusterrole.yaml covers every request the collector issues (and the
opt-in Secret role covers the Secret requests), recorded server-side by the HTTPS fake.
The integration tests prove the same against the real apiserver's RBAC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from auditor.providers.k8s.kinds import KINDS
from auditor_testkit.k8s_fake import FakeKube

from .util import PERMISSIONS, snapshot_of


def _rules(name: str) -> list[dict[str, Any]]:
    role = yaml.safe_load((PERMISSIONS / name).read_text())
    assert role["kind"] == "ClusterRole"
    return list(role["rules"])


BASE = _rules("k8s-clusterrole.yaml")
SECRET = _rules("k8s-clusterrole-secret-metadata.yaml")


def allows(
    rules: list[dict[str, Any]], group: str | None, resource: str | None, verb: str, path: str
) -> bool:
    for r in rules:
        if group is None:
            if path in r.get("nonResourceURLs", []) and verb in r["verbs"]:
                return True
        elif group in r.get("apiGroups", []) and resource in r.get("resources", []) and verb in r["verbs"]:
            return True
    return False


def test_roles_are_read_only_and_the_base_role_has_no_secrets() -> None:
    for rule in BASE + SECRET:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}
        assert "*" not in rule.get("resources", []) and "*" not in rule.get("apiGroups", [])
    assert not any("secrets" in r.get("resources", []) for r in BASE)
    assert SECRET == [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]


def test_every_request_the_collector_makes_is_covered(fake_kube: FakeKube, fake_kubeconfig: Path) -> None:
    start = len(fake_kube.seen)
    snapshot_of(kubeconfig=str(fake_kubeconfig), context=["modern"], secret_metadata=True)
    seen = fake_kube.seen[start:]
    issued = {(s.group, s.resource, s.verb, s.path if s.group is None else "") for s in seen}
    # Every kind the collector knows was requested (so this test sees the whole surface).
    assert {(k.group, k.plural) for k in KINDS} <= {(g, r) for g, r, _, _ in issued}
    for group, resource, verb, path in sorted(issued, key=str):
        if resource == "secrets":
            assert allows(SECRET, group, resource, verb, path), (group, resource, verb)
            assert not allows(BASE, group, resource, verb, path)
        else:
            assert allows(BASE, group, resource, verb, path), (
                f"not in k8s-clusterrole.yaml: {(group, resource, verb, path)}"
            )
    assert {s.method for s in seen} == {"GET"}
