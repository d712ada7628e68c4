"""The Istio and KServe readers and predicates on the shapes the fixtures do not show: deny-all
policies, gateway-bound policies, `when` conditions, CUSTOM authorizers, port-level settings,
framework model specs, storageUris lists and URIs that carried a credential."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.evidence import SnapshotBuilder
from auditor.providers.k8s import istio, kserve
from auditor.providers.k8s.checks_kserve import _internal_host
from auditor.providers.k8s.normalize import Estate, Obj, build_resources, prepare

from .util import assert_valid, findings_of, status_map


def _policy(spec: dict[str, Any], name: str = "p", namespace: str = "ns") -> dict[str, Any]:
    return {"namespace": namespace, "name": name, **istio.authorization_policy(spec)}


@pytest.mark.parametrize(
    ("spec", "deny"),
    [
        ({}, True),  # allow-nothing
        ({"action": "ALLOW"}, True),
        ({"action": "ALLOW", "rules": []}, True),
        ({"action": "DENY", "rules": [{}]}, True),  # deny-all
        ({"action": "DENY", "rules": [{"from": [{"source": {"namespaces": ["x"]}}]}]}, False),
        ({"selector": {"matchLabels": {"app": "a"}}}, False),  # one workload only
        ({"targetRefs": [{"kind": "Gateway", "name": "gw"}]}, False),
        ({"action": "ALLOW", "rules": [{}]}, False),  # allow-all
    ],
)
def test_default_deny(spec: dict[str, Any], deny: bool) -> None:
    assert istio.default_deny(_policy(spec)) is deny


def test_open_rules_name_what_they_allow() -> None:
    spec = {
        "rules": [
            {"to": [{"operation": {"methods": ["GET"], "paths": ["/healthz"]}}]},
            {"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}]},
            {"when": [{"key": "source.ip", "values": ["10.0.0.0/8"]}]},
            {"from": [{"source": {}}]},
        ]
    }
    assert istio.open_rules(_policy(spec)) == [
        "rules[0] (methods=GET paths=/healthz)",
        "rules[3] (any request)",
    ]
    assert istio.open_rules(_policy({"action": "DENY", "rules": [{}]})) == []


@pytest.mark.parametrize(
    ("specs", "authenticated"),
    [
        ([], False),  # nothing applies: everything is allowed
        ([{}], True),  # allow-nothing: nothing at all is allowed
        ([{"action": "CUSTOM", "provider": {"name": "oauth2-proxy"}, "rules": [{}]}], True),
        ([{"action": "DENY", "rules": [{"from": [{"source": {"notRequestPrincipals": ["*"]}}]}]}], True),
        ([{"rules": [{"from": [{"source": {"requestPrincipals": ["*"]}}]}]}], True),
        ([{"rules": [{"when": [{"key": "request.auth.claims[groups]", "values": ["ml"]}]}]}], True),
        ([{}, {"rules": [{"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}]}]}], False),
        (
            [
                {"rules": [{"from": [{"source": {"requestPrincipals": ["*"]}}]}]},
                {"rules": [{"to": [{"operation": {"paths": ["/metrics"]}}]}]},
            ],
            False,
        ),
    ],
)
def test_unauthenticated_access(specs: list[dict[str, Any]], authenticated: bool) -> None:
    why = istio.unauthenticated_access([_policy(s, name=f"p{i}") for i, s in enumerate(specs)])
    assert (why is None) is authenticated, why


def test_policies_apply_by_selector_never_by_target_ref() -> None:
    labels = {"app": "model", "component": "predictor"}
    assert istio.applies_to(_policy({}), labels)
    assert istio.applies_to(_policy({"selector": {"matchLabels": {"component": "predictor"}}}), labels)
    assert not istio.applies_to(_policy({"selector": {"matchLabels": {"app": "other"}}}), labels)
    assert not istio.applies_to(_policy({"targetRef": {"kind": "Gateway", "name": "gw"}}), labels)


def test_peer_authentication_and_destination_rule_modes() -> None:
    pa = istio.peer_authentication(
        {"mtls": {"mode": "strict"}, "portLevelMtls": {"8080": {"mode": "DISABLE"}}}
    )
    assert pa == {"selector": None, "mode": "STRICT", "port_modes": {"8080": "DISABLE"}}
    dr = istio.destination_rule(
        {
            "host": "h",
            "trafficPolicy": {"portLevelSettings": [{"port": {"number": 9000}, "tls": {"mode": "DISABLE"}}]},
            "subsets": [{"name": "v2", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}}],
        }
    )
    assert dr["tls_modes"] == [
        {"where": "trafficPolicy.portLevelSettings[9000]", "mode": "DISABLE"},
        {"where": "subsets[v2].trafficPolicy", "mode": "ISTIO_MUTUAL"},
    ]


def test_predictor_pod_spec_puts_the_model_first_and_keeps_pod_fields() -> None:
    component = {
        "serviceAccountName": "sa",
        "minReplicas": 1,  # a KServe field, not a pod spec field
        "pytorch": {
            "storageUri": "gs://m",
            "resources": {"limits": {"memory": "1Gi"}},
            "runtimeVersion": "x",
        },
        "containers": [{"name": "sidecar", "image": "registry.example.com/s:1"}],
    }
    spec = kserve.pod_spec(component)
    assert spec["serviceAccountName"] == "sa" and "minReplicas" not in spec
    assert [c["name"] for c in spec["containers"]] == ["kserve-container", "sidecar"]
    assert spec["containers"][0] == {"name": "kserve-container", "resources": {"limits": {"memory": "1Gi"}}}


def test_storage_uris_of_every_component() -> None:
    spec = {
        "predictor": {"model": {"storageUri": "s3://a"}, "storageUris": [{"uri": "pvc://b"}]},
        "explainer": {"alibi": {"storageUri": "[REDACTED]"}},
    }
    assert kserve.storage_uris(spec) == [
        {"component": "predictor", "field": "storageUris[0]", "uri": "pvc://b"},
        {"component": "predictor", "field": "model.storageUri", "uri": "s3://a"},
        {"component": "explainer", "field": "alibi.storageUri", "uri": "[REDACTED]"},
    ]


@pytest.mark.parametrize(
    ("host", "internal"),
    [
        ("minio", True),
        ("minio.minio.svc", True),
        ("minio.minio.svc.cluster.local", True),
        ("10.1.2.3", True),
        ("models.example.com", False),
        ("8.8.8.8", False),
    ],
)
def test_internal_hosts(host: str, internal: bool) -> None:
    assert _internal_host(host) is internal


# --- the normaliser and the checks on small estates -------------------------------------------

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps", "labels": {"team": "a"}}}
WORKER = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "worker", "namespace": "apps"},
    "spec": {
        "template": {
            "metadata": {"labels": {"sidecar.istio.io/inject": "true"}},
            "spec": {"containers": [{"name": "w", "image": "registry.example.com/w@sha256:" + "0" * 64}]},
        }
    },
}
ROOT_PA = {
    "apiVersion": "security.istio.io/v1",
    "kind": "PeerAuthentication",
    "metadata": {"name": "default", "namespace": "istio-system"},
    "spec": {"mtls": {"mode": "STRICT"}},
}


def _judge(objects: list[dict[str, Any]], **estate: Any) -> dict[tuple[str, str], str]:
    sink = SnapshotBuilder()
    ev = sink.record("k8s", "test", {})
    prepared = [prepare(o, ev) for o in objects]
    est = Estate(scope="c", live=True, objects=[o for o in prepared if isinstance(o, Obj)], **estate)
    for r in build_resources(est):
        sink.add_resource(r)
    snap = sink.build()
    assert_valid(snap)
    return status_map(findings_of(snap))


def test_a_pod_label_asking_for_a_sidecar_makes_the_namespace_a_mesh_namespace() -> None:
    got = _judge([NS, WORKER, ROOT_PA])
    assert got[("k8s.istio.namespace_default_deny", "c/Namespace/apps")] == "fail"
    assert got[("k8s.istio.mesh_mtls_strict", "c/Mesh/istio")] == "pass"


def test_without_istio_served_the_mesh_checks_have_nothing_to_judge() -> None:
    not_served = {"PeerAuthentication", "AuthorizationPolicy", "DestinationRule"}
    got = _judge([NS, WORKER], not_served=not_served)
    assert got[("k8s.istio.namespace_default_deny", "c/Namespace/apps")] == "not_applicable"
    assert not [k for k in got if k[0] == "k8s.istio.mesh_mtls_strict"]


def test_a_scan_limited_to_other_namespaces_cannot_judge_the_mesh_wide_policy() -> None:
    got = _judge([NS, WORKER], namespaces=["apps"])
    assert got[("k8s.istio.mesh_mtls_strict", "c/Mesh/istio")] == "error"
    assert got[("k8s.istio.namespace_default_deny", "c/Namespace/apps")] == "error"
