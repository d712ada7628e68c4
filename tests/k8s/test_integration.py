"""The live path against a real kube-apiserver v1.20.2 + etcd on 127.0.0.1 (auditor_testkit.kubeapi).

Seeded once through the admin identity; then scanned as the read-only scanner identity
bound to nothing but docs/permissions/k8s-clusterrole.yaml (which proves the role is
enough), again with the opt-in Secret-metadata role added, and once as an identity with no
binding at all (real 403s that must end as `error`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.models import Snapshot, Status
from auditor.providers.k8s.collector import SECRETS_EXCLUDED

from .util import (
    ESTATE,
    PERMISSIONS,
    assert_no_canary,
    assert_valid,
    findings_of,
    object_key,
    snapshot_of,
    status_map,
    write_all,
)

pytestmark = pytest.mark.integration


@dataclass
class Live:
    cluster: Any
    workdir: Path
    kubeconfig: Path  # contexts: scanner, other
    base: Snapshot  # scanner with k8s-clusterrole.yaml only
    base_cli: tuple[int, str, Path]  # `auditor scan k8s` as that identity: exit code, output, --out
    secrets: Snapshot  # scanner with the opt-in Secret-metadata role added
    other: Snapshot  # an identity with no binding


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, skip_or_fail: Any) -> Iterator[Live]:
    from auditor_testkit.k8s_seed import admin_client, bind, seed_estate
    from auditor_testkit.kubeapi import (
        KubeApiServerError,
        etcd_binary,
        kube_apiserver_binary,
        run_kube_apiserver,
    )

    try:
        kube_apiserver_binary()
        etcd_binary()
    except KubeApiServerError as exc:
        skip_or_fail(str(exc))
    workdir = tmp_path_factory.mktemp("kube")
    with run_kube_apiserver(workdir) as cluster:
        admin = admin_client(cluster, workdir)
        seed_estate(admin, ESTATE)
        bind(admin, PERMISSIONS / "k8s-clusterrole.yaml")
        scanner = cluster.kubeconfig(cluster.scanner_token, workdir / "scanner.kubeconfig", "live")
        other = cluster.kubeconfig(cluster.other_token, workdir / "other.kubeconfig", "other")
        base = snapshot_of(kubeconfig=str(scanner), page_size=7)
        cli_out = workdir / "cli-base"
        res = CliRunner().invoke(
            main, ["scan", "k8s", "--kubeconfig", str(scanner), "--out", str(cli_out), "-q"]
        )
        base_cli = (res.exit_code, res.output, cli_out)
        bind(admin, PERMISSIONS / "k8s-clusterrole-secret-metadata.yaml")
        secrets = snapshot_of(kubeconfig=str(scanner), secret_metadata=True)
        other_snap = snapshot_of(kubeconfig=str(other))
        yield Live(cluster, workdir, scanner, base, base_cli, secrets, other_snap)


def test_the_shipped_clusterrole_is_enough(live: Live) -> None:
    assert live.base.errors == []
    assert [(x.resource_types, x.reason) for x in live.base.exclusions] == [
        (("k8s.secret",), SECRETS_EXCLUDED)
    ]
    assert live.secrets.errors == [] and live.secrets.exclusions == []
    version = next(r for r in live.base.resources if r.type == "k8s.cluster").attributes["version"]
    assert version["gitVersion"].startswith("v1.20")


def test_live_resources_match_their_contracts(live: Live) -> None:
    for snap in (live.base, live.secrets, live.other):
        assert_valid(snap)


def test_default_scan_with_the_shipped_clusterrole_exits_0_and_lists_secret_checks_as_excluded(
    live: Live,
) -> None:
    code, output, out = live.base_cli
    assert code == 0, output
    results = json.loads((out / "results.json").read_text())
    assert results["errors"] == []
    excluded = {x["check_id"]: x["reason"] for x in results["exclusions"]}
    assert excluded == {
        "k8s.secret.legacy_service_account_token": SECRETS_EXCLUDED,
        "k8s.secret.max_age": SECRETS_EXCLUDED,
    }
    assert not [f for f in results["findings"] if f["check_id"] in excluded or f["status"] == "error"]
    cc61 = next(c for c in results["controls"] if c["framework"] == "soc2" and c["control_id"] == "CC6.1")
    assert set(excluded) <= set(cc61["excluded_checks"])


def test_lists_are_paged_and_old_apis_fall_back(live: Live) -> None:
    pages = [
        e.parameters.get("page")
        for e in live.base.evidence
        if e.operation == "rbac.authorization.k8s.io.clusterroles.list"
    ]
    assert max(pages) >= 2, "1.20 has ~60 built-in ClusterRoles: page_size 7 needs several pages"
    ids = {r.id for r in live.base.resources}
    assert "live/CronJob/secure/pass-report" in ids  # batch/v1 404 on 1.20 -> batch/v1beta1
    served = [e for e in live.base.evidence if e.operation.endswith("validatingadmissionpolicies.list")]
    assert served and served[0].body == {"served": False, "status": 404}
    # every kind that carries a pod template is read; OpenShift's is not served here: none exist
    for rid in ("live/ReplicaSet/legacy/fail-rs", "live/ReplicationController/secure/pass-rc"):
        assert rid in ids, rid
    assert "live/PodTemplate/legacy/fail-podtemplate" in ids
    dc = [e for e in live.base.evidence if e.operation == "apps.openshift.io.deploymentconfigs.list"]
    assert dc and dc[0].body == {"served": False, "status": 404}


def _can(admin: Any, user: str, namespace: str, resource: str, subresource: str) -> bool:
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": user,
            "resourceAttributes": {
                "namespace": namespace,
                "verb": "create",
                "resource": resource,
                "subresource": subresource,
            },
        },
    }
    cfg = admin.configuration
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    for setting in cfg.auth_settings().values():
        headers[setting["key"]] = setting["value"]
    r = admin.rest_client.request(
        "POST", cfg.host + "/apis/authorization.k8s.io/v1/subjectaccessreviews", headers=headers, body=review
    )
    data = r.read() if getattr(r, "data", None) is None else r.data
    return bool(json.loads(data)["status"].get("allowed"))


def test_subresource_wildcards_as_kubernetes_matches_them_and_as_the_checks_judge_them(live: Live) -> None:
    """The real authorizer: `*/exec` grants exec on pods; `pods/*` grants none of pods' subresources.
    The checks fail both roles: the first as Kubernetes grants it, the second as its author means it
    (and say that Kubernetes does not expand the pattern)."""
    from auditor_testkit.k8s_seed import admin_client, create

    admin = admin_client(live.cluster, live.workdir)
    for user, role in (("probe-star-exec", "fail-star-exec"), ("probe-pods-star", "fail-pod-subresources")):
        create(
            admin,
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": user, "namespace": "legacy"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
            },
        )
    assert _can(admin, "probe-star-exec", "legacy", "pods", "exec")
    assert not _can(admin, "probe-pods-star", "legacy", "pods", "exec")
    assert not _can(admin, "probe-pods-star", "legacy", "pods", "attach")
    findings = {(f.check_id, f.resource_id): f for f in findings_of(live.base)}
    star = findings[("k8s.rbac.pod_exec", "live/Role/legacy/fail-star-exec")]
    pods = findings[("k8s.rbac.pod_exec", "live/Role/legacy/fail-pod-subresources")]
    assert star.status == pods.status == Status.FAIL
    assert "does not expand" in pods.message and "does not expand" not in star.message


def test_live_findings(live: Live) -> None:
    got = status_map(findings_of(live.secrets))
    assert got[("k8s.workload.privileged", "live/Pod/legacy/fail-insecure")] == "fail"
    assert got[("k8s.workload.privileged", "live/Deployment/secure/pass-hardened")] == "pass"
    assert got[("k8s.rbac.cluster_admin_binding", "live/ClusterRoleBinding/fail-alice-admin")] == "fail"
    assert got[("k8s.rbac.cluster_admin_binding", "live/ClusterRoleBinding/cluster-admin")] == "pass"
    assert got[("k8s.rbac.anonymous_binding", "live/ClusterRoleBinding/system:public-info-viewer")] == "pass"
    assert got[("k8s.rbac.secret_readers", "live/ClusterRoleBinding/fail-alice-admin")] == "fail"
    assert got[("k8s.secret.legacy_service_account_token", "live/Secret/legacy/fail-legacy-token")] == "fail"
    assert got[("k8s.secret.legacy_service_account_token", "live/Secret/secure/app-credentials")] == "pass"
    for check in ("version_supported", "pod_security_admission", "authorization_mode", "audit_logging"):
        assert got[(f"k8s.cluster.{check}", "live")] == "fail", check
    # 1.20 stores Pod Security labels but does not enforce them: the label check and the
    # cluster check say different things, on purpose.
    assert got[("k8s.namespace.pod_security_enforce", "live/Namespace/secure")] == "pass"


PARITY_EXEMPT = {"k8s.secret.max_age"}  # creationTimestamp is assigned by the server


def test_live_and_manifest_paths_agree(live: Live) -> None:
    manifest = snapshot_of(manifests=[str(ESTATE)])

    def per_object(snap: Snapshot) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for f in findings_of(snap):
            if f.check_id not in PARITY_EXEMPT and f.resource_id.count("/") >= 2:
                out.setdefault(object_key(f.resource_id), {})[f.check_id] = f.status.value
        return out

    offline, online = per_object(manifest), per_object(live.secrets)
    assert len(offline) >= 30
    for key, statuses in offline.items():
        assert online.get(key) == statuses, f"{key}: live {online.get(key)} != manifests {statuses}"


def test_no_canary_in_any_output_with_either_role(live: Live, tmp_path: Path) -> None:
    for name, snap in (("base", live.base), ("secrets", live.secrets)):
        _, text = write_all(snap, tmp_path / name)
        assert_no_canary(text)
        assert "DB_PASSWORD" in text


def test_forbidden_everywhere_ends_as_error_and_exit_3(live: Live, tmp_path: Path) -> None:
    denied = [e for e in live.other.errors if e.kind == "access_denied"]
    assert len(denied) >= 15 and all("forbidden" in e.message for e in denied)
    judged = {f.check_id for f in findings_of(live.other) if f.status in (Status.PASS, Status.FAIL)}
    # /version is public to authenticated users: only what depends on it alone is judged.
    assert judged == {"k8s.cluster.version_supported", "k8s.cluster.pod_security_admission"}
    res = CliRunner().invoke(
        main,
        [
            "scan",
            "k8s",
            "--kubeconfig",
            str(live.workdir / "other.kubeconfig"),
            "--out",
            str(tmp_path / "o"),
            "-q",
        ],
    )
    assert res.exit_code == 3, res.output


def test_rejected_token_is_one_whole_target_error(live: Live, tmp_path: Path) -> None:
    bogus = live.cluster.kubeconfig("expired-or-made-up", tmp_path / "bogus.kubeconfig", "bogus")
    snap = snapshot_of(kubeconfig=str(bogus))
    (err,) = snap.errors
    assert err.kind == "access_denied" and "401" in err.message and err.resource_types == ()
    assert {f.status for f in findings_of(snap)} == {Status.ERROR}
