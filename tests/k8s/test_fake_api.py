"""The live collector with the real `kubernetes` client against the local HTTPS fake:
kinds newer than the real test apiserver (1.20), paging, metadata-only Secrets, faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor import scan as scan_api
from auditor.cli import main
from auditor.models import CheckStatus, ControlStatus, Snapshot, Status
from auditor.providers.k8s.collector import (
    METADATA_ONLY,
    SECRETS_EXCLUDED,
    in_cluster_client,
    kubeconfig_client,
)
from auditor.providers.k8s.manifests import read_manifests
from auditor_testkit.k8s_fake import FakeKube

from .util import FIX, NOW, assert_no_canary, assert_valid, findings_of, snapshot_of, status_map, write_all


def _scan(fake: FakeKube, kubeconfig: Path, **opts: Any) -> tuple[Snapshot, list[Any]]:
    """Scan the fake; every snapshot it yields must match the resource contracts."""
    start = len(fake.seen)
    snap = snapshot_of(kubeconfig=str(kubeconfig), **opts)
    if snap.resources:
        assert_valid(snap)
    return snap, fake.seen[start:]


@pytest.fixture(scope="module")
def modern(fake_kube: FakeKube, fake_kubeconfig: Path) -> tuple[Snapshot, list[Any]]:
    return _scan(fake_kube, fake_kubeconfig, context=["modern"], secret_metadata=True, page_size=2)


def test_newer_kinds_are_read_and_judged(modern: tuple[Snapshot, list[Any]]) -> None:
    snap, _ = modern
    assert not snap.errors
    got = status_map(findings_of(snap, now=NOW))
    assert (
        got[("k8s.admission.fail_closed", "modern/ValidatingAdmissionPolicy/pass-require-labels")] == "pass"
    )
    assert got[("k8s.admission.fail_closed", "modern/ValidatingAdmissionPolicy/fail-warn-only")] == "fail"
    assert got[("k8s.workload.image_not_latest", "modern/CronJob/batch/fail-cleanup")] == "fail"
    assert got[("k8s.workload.privileged", "modern/CronJob/batch/pass-nightly")] == "pass"
    # OpenShift DeploymentConfigs, where served, are pod templates like any other
    assert got[("k8s.workload.privileged", "modern/DeploymentConfig/payments/fail-dc")] == "fail"
    assert got[("k8s.workload.privileged", "modern/DeploymentConfig/payments/pass-dc")] == "pass"
    assert (
        got[("k8s.rbac.cluster_admin_binding", "modern/ClusterRoleBinding/fail-authenticated-admin")]
        == "fail"
    )
    for check in ("version_supported", "pod_security_admission", "audit_logging", "admission_policies"):
        assert got[(f"k8s.cluster.{check}", "modern")] == "pass", check
    assert got[("k8s.secret.max_age", "modern/Secret/payments/fail-old-secret")] == "fail"
    assert got[("k8s.secret.legacy_service_account_token", "modern/Secret/batch/fail-cron-token")] == "fail"
    assert (
        got[("k8s.secret.legacy_service_account_token", "modern/Secret/payments/pass-fresh-secret")] == "pass"
    )


def test_lists_are_paged_with_continue(modern: tuple[Snapshot, list[Any]]) -> None:
    _, seen = modern
    ns_calls = [s for s in seen if s.resource == "namespaces"]
    assert len(ns_calls) == 3 and all("continue" in c.query for c in ns_calls[1:])
    assert all(s.query.get("limit") == "2" for s in seen if s.resource)
    snap, _ = modern
    assert {r.attributes["name"] for r in snap.resources if r.type == "k8s.namespace"} == {
        "payments",
        "batch",
        "kube-system",
        "istio-system",
        "inference",
    }
    assert len([r for r in snap.resources if r.type == "k8s.secret"]) == 3


def test_secrets_are_requested_as_metadata_only(modern: tuple[Snapshot, list[Any]], tmp_path: Path) -> None:
    snap, seen = modern
    secret_calls = [s for s in seen if s.resource == "secrets"]
    assert secret_calls and all(s.accept == METADATA_ONLY for s in secret_calls)
    assert all(s.method == "GET" for s in seen)
    _, text = write_all(snap, tmp_path)
    assert_no_canary(text)
    assert "API_TOKEN" in text


def test_default_scan_excludes_secrets_on_purpose_and_says_why(
    fake_kube: FakeKube, fake_kubeconfig: Path, tmp_path: Path
) -> None:
    snap, seen = _scan(fake_kube, fake_kubeconfig, context=["modern"])
    assert not [s for s in seen if s.resource == "secrets"]
    assert snap.errors == [], "not reading Secrets by design is no collection error"
    (excl,) = snap.exclusions
    assert excl.resource_types == ("k8s.secret",) and excl.scope.account == "modern"
    assert excl.reason == SECRETS_EXCLUDED and "--secret-metadata" in excl.reason
    result = scan_api.evaluate_snapshot(snap)
    secret_checks = {"k8s.secret.legacy_service_account_token", "k8s.secret.max_age"}
    assert {x.check_id: x.reason for x in result.exclusions} == dict.fromkeys(secret_checks, SECRETS_EXCLUDED)
    assert not [f for f in result.findings if f.status == Status.ERROR]
    touched = [c for c in result.controls if secret_checks & {s.check_id for s in c.checks}]
    assert touched
    for c in touched:
        assert set(c.excluded_checks) == secret_checks & {s.check_id for s in c.checks}
        assert not c.fully_evaluated
        judged = {s.status for s in c.checks if s.check_id not in secret_checks}
        if not judged & {CheckStatus.FAIL, CheckStatus.ERROR}:
            assert c.status == ControlStatus.EXCLUDED, c.control_id

    res = CliRunner().invoke(
        main,
        [
            "scan",
            "k8s",
            "--kubeconfig",
            str(fake_kubeconfig),
            "--context",
            "modern",
            "--out",
            str(tmp_path),
            "-q",
        ],
    )
    assert res.exit_code == 0, res.output


def test_forbidden_resources_end_as_error(fake_kube: FakeKube, fake_kubeconfig: Path) -> None:
    snap, _ = _scan(fake_kube, fake_kubeconfig, context=["limited"])
    denied = {e.operation: e for e in snap.errors if e.kind == "access_denied"}
    assert set(denied) == {
        "networking.k8s.io.networkpolicies.list",
        "batch.cronjobs.list",
        "security.istio.io.authorizationpolicies.list",
    }
    assert (
        'User "limited" cannot list resource "networkpolicies"'
        in denied["networking.k8s.io.networkpolicies.list"].message
    )
    got = findings_of(snap)
    ns = [f for f in got if f.check_id == "k8s.namespace.default_deny_ingress"]
    judged = {
        f.resource_id: f.status for f in ns if f.status != Status.NOT_APPLICABLE
    }  # kube-system is exempt
    assert judged and set(judged.values()) == {Status.ERROR}, (
        "namespaces must not pass without their policies"
    )
    wl = [f for f in got if f.check_id == "k8s.workload.privileged" and f.resource_id == "k8s/limited"]
    assert wl and wl[0].status == Status.ERROR


def test_forbidden_authorization_policies_make_the_checks_that_need_them_error(
    fake_kube: FakeKube, fake_kubeconfig: Path
) -> None:
    """A 403 on one custom resource is an error for what depends on it, never a pass (nor a
    'not installed'); what does not depend on it is still judged."""
    snap, _ = _scan(fake_kube, fake_kubeconfig, context=["limited"])
    got = status_map(findings_of(snap))
    assert got[("k8s.istio.namespace_default_deny", "limited/Namespace/inference")] == "error"
    assert got[
        ("k8s.kserve.ingress_authentication", "limited/InferenceService/inference/pass-jwt-model")
    ] == ("error")
    assert got[("k8s.istio.authorization_policy_not_open", "k8s/limited")] == "error"
    assert got[("k8s.istio.mesh_mtls_strict", "limited/Mesh/istio")] == "pass"  # PeerAuthentications read
    assert got[("k8s.kserve.storage_uri_tls", "limited/InferenceService/inference/pass-jwt-model")] == "pass"


def test_expired_credentials_and_unreachable_cluster(
    fake_kube: FakeKube, fake_kubeconfig: Path, tmp_path: Path
) -> None:
    snap, seen = _scan(fake_kube, fake_kubeconfig, context=["expired"])
    assert len(seen) == 1, "after a 401 the collector stops instead of hammering the server"
    (err,) = snap.errors
    assert err.kind == "access_denied" and "credentials rejected" in err.message and err.resource_types == ()
    assert {f.status for f in findings_of(snap)} == {Status.ERROR}

    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(fake_kubeconfig.read_text().replace(fake_kube.url, "https://127.0.0.1:9"))
    snap = snapshot_of(kubeconfig=str(dead), context=["modern"], timeout=3)
    (err,) = snap.errors
    assert err.kind == "unreachable"
    res = CliRunner().invoke(
        main,
        ["scan", "k8s", "--kubeconfig", str(dead), "--context", "modern", "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 2, res.output  # nothing at all could be scanned: a usage problem, said on stderr
    assert "nothing could be scanned" in res.stderr and "unreachable" in res.stderr


def test_several_contexts_in_one_scan(fake_kube: FakeKube, fake_kubeconfig: Path) -> None:
    snap, _ = _scan(fake_kube, fake_kubeconfig, context=["modern", "limited"])
    assert {t.label for t in snap.targets} == {"cluster modern", "cluster limited"}
    assert {r.id for r in snap.resources if r.type == "k8s.cluster"} == {"modern", "limited"}


def test_namespaces_option_limits_namespaced_reads(fake_kube: FakeKube, fake_kubeconfig: Path) -> None:
    snap, seen = _scan(fake_kube, fake_kubeconfig, context=["modern"], namespaces=["batch"])
    pods = [s.path for s in seen if s.resource == "pods"]
    assert pods == ["/api/v1/namespaces/batch/pods"]
    assert {r.attributes["namespace"] for r in snap.resources if r.type == "k8s.workload"} == {"batch"}


def test_in_cluster_service_account_config_through_an_injected_factory(
    fake_kube: FakeKube, tmp_path: Path
) -> None:
    from .conftest import SCANNER_TOKEN

    token, ca = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text(SCANNER_TOKEN)
    ca.write_bytes(Path(str(fake_kube.ca_file)).read_bytes())
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": fake_kube.url.rsplit(":", 1)[1]}
    asked: list[str | None] = []

    def factory(context: str | None) -> Any:
        asked.append(context)
        return in_cluster_client(str(token), str(ca), environ=env)

    snap = snapshot_of(clients=factory, in_cluster=True, cluster_name="prod")
    assert asked == [None], "in-cluster asks the factory for no context"
    assert snap.errors == []
    assert any(r.id == "prod" and r.type == "k8s.cluster" for r in snap.resources)


def test_injected_factory_gets_each_context_and_a_failing_one_is_that_targets_error(
    fake_kube: FakeKube, fake_kubeconfig: Path
) -> None:
    asked: list[str | None] = []

    def factory(context: str | None) -> Any:
        asked.append(context)
        if context == "limited":
            raise RuntimeError("no credentials for limited")
        return kubeconfig_client(str(fake_kubeconfig), context)

    snap = snapshot_of(clients=factory, kubeconfig=str(fake_kubeconfig), context=["modern", "limited"])
    assert asked == ["modern", "limited"]
    (err,) = snap.errors
    assert (err.operation, err.scope.account) == ("client.configure", "limited")
    assert "no credentials for limited" in err.message
    assert {r.id for r in snap.resources if r.type == "k8s.cluster"} == {"modern"}


def test_lists_run_concurrently_within_the_bound_and_give_the_same_snapshot(
    fake_kube: FakeKube, fake_kubeconfig: Path
) -> None:
    def scan(concurrency: int) -> tuple[Snapshot, int]:
        fake_kube.max_in_flight = 0
        fake_kube.latency = 0.05
        try:
            snap, _ = _scan(
                fake_kube, fake_kubeconfig, context=["modern"], secret_metadata=True, concurrency=concurrency
            )
        finally:
            fake_kube.latency = 0.0
        return snap, fake_kube.max_in_flight

    serial, one = scan(1)
    parallel, four = scan(4)
    assert one == 1 and 2 <= four <= 4, (one, four)

    def shape(snap: Snapshot) -> list[tuple[str, str, Any, Any, Any]]:
        return [(r.type, r.id, r.attributes, r.gaps, r.evidence) for r in snap.resources]

    assert shape(serial) == shape(parallel), "the order tasks finish in must not show in the snapshot"
    stats = parallel.targets[0].options
    assert stats["concurrency"] == 4 and stats["api_repeated_calls"] == 0
    assert stats["api_requests"] == stats["api_operations"] > 20


def test_throttled_lists_are_retried_as_the_server_asks(fake_kube: FakeKube, fake_kubeconfig: Path) -> None:
    fake_kube.throttle("core.services.list", retry_after=0, times=2)
    try:
        snap, seen = _scan(fake_kube, fake_kubeconfig, context=["modern"])
    finally:
        fake_kube.clear_faults()
    assert snap.errors == []
    assert len([s for s in seen if s.resource == "services"]) == 3
    assert snap.targets[0].options["api_requests"] == snap.targets[0].options["api_operations"] + 2

    # urllib3 retries 3 times, the session once more: 8 requests; a 9th 429 is a gap, never an empty list
    fake_kube.throttle("core.services.list", retry_after=0, times=9)
    try:
        snap, _ = _scan(fake_kube, fake_kubeconfig, context=["modern"])
    finally:
        fake_kube.clear_faults()
    (err,) = snap.errors
    assert (err.operation, err.kind, err.resource_types) == (
        "core.services.list",
        "throttled",
        ("k8s.service",),
    )
    assert {f.status for f in findings_of(snap) if f.check_id == "k8s.service.node_port"} == {Status.ERROR}


def test_bad_kubeconfig_is_a_collection_error(tmp_path: Path) -> None:
    snap = snapshot_of(kubeconfig=str(tmp_path / "missing"), context=["x"])
    (err,) = snap.errors
    assert err.operation == "kubeconfig.load" and "missing" in err.message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("clusters: 5\ncontexts: []\n", "clusters: expected a list of named entries, not int"),
        ("contexts: [{name: a, context: oops}]\n", "contexts[0].context: expected a mapping, not str"),
        ("users: [just-a-name]\n", "users[0]: expected a mapping with a name"),
        ("current-context: [a]\ncontexts: []\n", "current-context: expected a context name, not list"),
        ("- a\n- b\n", "the file is not a mapping"),
        ("clusters: [\n", "not valid YAML"),
    ],
)
def test_a_kubeconfig_of_the_wrong_shape_is_named_by_entry(tmp_path: Path, text: str, said: str) -> None:
    """The kubernetes client raises TypeError or AttributeError on these; the error must name the
    file and the entry instead."""
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\n" + text if not text.startswith("-") else text)
    (err,) = snapshot_of(kubeconfig=str(path), context=["a"]).errors
    assert err.operation == "kubeconfig.load" and str(path) in err.message and said in err.message, (
        err.message
    )
    assert "TypeError" not in err.message and "AttributeError" not in err.message


def test_objects_served_in_shapes_the_api_never_serves_are_named_and_leak_nothing(tmp_path: Path) -> None:
    """A server (or an aggregated API, or a proxy) that serves malformed objects: each is a named
    error for its kind, never judged, and no secret in it reaches the evidence or any output."""
    docs, _ = read_manifests(
        [str(FIX / "malformed" / "shapes.yaml"), str(FIX / "malformed" / "redaction.yaml")]
    )
    fake = FakeKube(objects=[d.obj for d in docs], tokens={"t": "auditor-scanner"}).start(tmp_path)
    try:
        snap = snapshot_of(
            kubeconfig=str(fake.kubeconfig(tmp_path / "kubeconfig", {"odd": "t"})), secret_metadata=True
        )
    finally:
        fake.stop()
    errors = "\n".join(e.message for e in snap.errors)
    assert "/api/v1/pods: Pod/shapes/containers-mapping: spec.containers is a mapping" in errors
    assert "Namespace/labels-list: metadata.labels is a list, expected a mapping" in errors
    judged = {r.name for r in snap.resources if r.type == "k8s.workload"}
    assert judged == {"Pod/shapes/intact", "Pod/shapes/env-mistyped-key"}
    _, text = write_all(snap, tmp_path / "out")
    assert_no_canary(text)
