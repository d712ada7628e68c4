"""Every check has failing and passing cases, data-driven from fixtures/k8s/expected.yaml.

'fail-cluster' is the estate/ manifests normalised as a live cluster at v1.20.2 and
'pass-cluster' the newer/ manifests as a live cluster at v1.35.1 (the same normaliser the
collector uses), evaluated at a fixed time so version and age checks do not drift."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.checks import load_registry
from auditor.evidence import SnapshotBuilder
from auditor.models import Snapshot, Status
from auditor.providers.k8s.manifests import read_manifests
from auditor.providers.k8s.normalize import Estate, Obj, build_resources, prepare
from auditor.providers.k8s.podspec import split_image
from auditor.providers.k8s.versions import eol_of

from .util import ESTATE, FIX, NEWER, NOW, assert_no_canary, assert_valid, findings_of, status_map

EXPECTED = yaml.safe_load((FIX / "expected.yaml").read_text())


def _estate(scope: str, path: Path, version: str) -> Estate:
    docs, problems = read_manifests([str(path)])
    assert not problems
    sink = SnapshotBuilder()
    ev = sink.record("k8s", "test", {})
    major, minor = version.lstrip("v").split(".")[:2]
    objects = [prepare(d.obj, ev, d.location) for d in docs]
    assert all(isinstance(o, Obj) for o in objects), objects
    return Estate(
        scope=scope,
        live=True,
        objects=[o for o in objects if isinstance(o, Obj)],
        version={"major": major, "minor": minor, "gitVersion": version},
    )


@pytest.fixture(scope="module")
def unit_snapshot() -> Snapshot:
    sink = SnapshotBuilder(tool_version="test")
    for est in (_estate("fail-cluster", ESTATE, "v1.20.2"), _estate("pass-cluster", NEWER, "v1.35.1")):
        for r in build_resources(est):
            sink.add_resource(r)
    return sink.build().model_copy(update={"created_at": NOW})


@pytest.fixture(scope="module")
def statuses(unit_snapshot: Snapshot) -> dict[tuple[str, str], str]:
    return status_map(findings_of(unit_snapshot))


K8S_CHECKS = sorted(c.id for c in load_registry() if c.meta.provider == "k8s")


def test_at_least_35_checks_all_with_expectations() -> None:
    assert len(K8S_CHECKS) >= 35
    assert sorted(EXPECTED) == K8S_CHECKS, "every check needs fail and pass cases in expected.yaml"


@pytest.mark.parametrize("check_id", K8S_CHECKS)
def test_check_fails_and_passes_where_expected(check_id: str, statuses: dict[tuple[str, str], str]) -> None:
    want = EXPECTED[check_id]
    assert want["fail"] and want["pass"], f"{check_id} needs at least one failing and one passing case"
    for status in ("fail", "pass"):
        for rid in want[status]:
            got = statuses.get((check_id, rid))
            assert got == status, f"{check_id} on {rid}: expected {status}, got {got}"


def test_live_shaped_resources_match_their_contracts(unit_snapshot: Snapshot) -> None:
    assert_valid(unit_snapshot)


def test_messages_name_the_offender_and_never_a_secret_value(unit_snapshot: Snapshot) -> None:
    findings = findings_of(unit_snapshot)
    env = next(
        f
        for f in findings
        if f.check_id == "k8s.workload.secret_env_literals" and f.resource_id.endswith("fail-insecure")
    )
    assert "DB_PASSWORD" in env.message
    assert_no_canary(unit_snapshot.model_dump_json() + "\n".join(f.message for f in findings))
    rb = next(f for f in findings if f.check_id == "k8s.rbac.secret_readers" and f.status == Status.FAIL)
    assert "User bob" in rb.message and "legacy" in rb.message


def test_missing_attribute_is_error_not_pass(unit_snapshot: Snapshot) -> None:
    ns = next(r for r in unit_snapshot.resources if r.id == "fail-cluster/Namespace/secure")
    gapped = ns.model_copy(update={"gaps": {"network_policies": "403 forbidden"}})
    snap = unit_snapshot.model_copy(update={"resources": [gapped]})
    got = {f.check_id: f for f in findings_of(snap) if f.check_id.startswith("k8s.namespace.default_deny")}
    assert {f.status for f in got.values()} == {Status.ERROR}
    assert "403 forbidden" in got["k8s.namespace.default_deny_ingress"].message


def test_allowed_registries_without_a_list_is_not_applicable(unit_snapshot: Snapshot) -> None:
    got = {
        f.status
        for f in findings_of(unit_snapshot, params={})
        if f.check_id == "k8s.workload.allowed_registries"
    }
    assert got == {Status.NOT_APPLICABLE}


def test_version_eol_override_extends_support(unit_snapshot: Snapshot) -> None:
    params = {"k8s.version_eol": {"1.20": "2030-01-01"}}
    got = status_map(findings_of(unit_snapshot, params=params))
    assert got[("k8s.cluster.version_supported", "fail-cluster")] == "pass"


def test_control_plane_not_visible_is_not_applicable(unit_snapshot: Snapshot) -> None:
    cluster = next(r for r in unit_snapshot.resources if r.id == "pass-cluster")
    hidden = cluster.model_copy(update={"attributes": {**cluster.attributes, "apiserver_flags": None}})
    snap = unit_snapshot.model_copy(update={"resources": [hidden]})
    got = {f.check_id: f.status for f in findings_of(snap) if f.resource_id == "pass-cluster"}
    assert got["k8s.cluster.audit_logging"] == Status.NOT_APPLICABLE
    assert got["k8s.cluster.encryption_at_rest"] == Status.NOT_APPLICABLE
    assert got["k8s.cluster.version_supported"] == Status.PASS


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("docker.io", "nginx", None, None)),
        ("nginx:1.25", ("docker.io", "nginx", "1.25", None)),
        ("localhost:5000/app:v1", ("localhost:5000", "app", "v1", None)),
        ("registry.example.com/a/b@sha256:ab", ("registry.example.com", "a/b", None, "sha256:ab")),
        ("quay.io/org/x:1@sha256:cd", ("quay.io", "org/x", "1", "sha256:cd")),
    ],
)
def test_split_image(image: str, parts: tuple[str, str, str | None, str | None]) -> None:
    assert split_image(image) == parts


def test_eol_table() -> None:
    assert eol_of(1, 15)[1] is True  # older than the table: past end of support
    assert eol_of(1, 99) == (None, False)


def test_containers_and_env_literals_pass_over_any_shape() -> None:
    """The one container walker (podspec.containers, which env_literals goes through) never raises
    on a spec of the wrong shape: what is not a list of mappings holds no container."""
    from auditor.providers.k8s.normalize import env_literals
    from auditor.providers.k8s.podspec import containers

    spec = {
        "initContainers": 5,
        "containers": [{"name": "a", "env": [{"name": "K", "value": "v"}, 3]}, "junk"],
        "ephemeralContainers": {"b": {"name": "b"}},
    }
    assert [c["name"] for c in containers(spec)] == ["a"]
    assert [(e["container"], e["name"]) for e in env_literals(spec)] == [("a", "K")]
    assert env_literals({"containers": [{"name": "a", "env": 7}]}) == []
