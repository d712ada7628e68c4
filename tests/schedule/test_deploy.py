"""deploy/: the kustomize base and overlays render, meet our own Kubernetes checks, and the
rendered base (with the 1.20 overlay: CronJob batch/v1beta1) passes a server-side dry run on a
real kube-apiserver v1.20.2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT, cli

DEPLOY = ROOT / "deploy"
OVERLAYS = ["base", "overlays/k8s-1.20", "overlays/postgres", "overlays/sharded"]
HIGH = {"high", "critical"}


def kubectl() -> str | None:
    """kubectl on PATH, else the one .ci/run extracts from Debian's kubernetes-client."""
    cache = Path(os.environ.get("AUDITOR_CACHE_DIR", Path.home() / ".cache" / "auditor"))
    extracted = cache / "kubernetes-client" / "usr" / "bin" / "kubectl"
    return shutil.which("kubectl") or (str(extracted) if extracted.exists() else None)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, skip_or_fail: Any) -> dict[str, Path]:
    exe = kubectl()
    if exe is None:
        skip_or_fail("kubectl not found (.ci/run extracts Debian's kubernetes-client)")
    out = tmp_path_factory.mktemp("rendered")
    files = {}
    for overlay in OVERLAYS:
        r = subprocess.run(
            [exe, "kustomize", str(DEPLOY / overlay)], capture_output=True, text=True, check=False
        )
        assert r.returncode == 0, r.stderr
        path = out / (overlay.replace("/", "-") + ".yaml")
        path.write_text(r.stdout, "utf-8")
        files[overlay] = path
    return files


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text("utf-8")) if d]


def test_the_shipped_clusterrole_is_the_one_deployed() -> None:
    assert (DEPLOY / "base" / "clusterrole.yaml").read_bytes() == (
        ROOT / "docs" / "permissions" / "k8s-clusterrole.yaml"
    ).read_bytes()


def _failing(out: Path) -> list[str]:
    data = json.loads((out / "results.json").read_text("utf-8"))
    assert data["errors"] == []
    return [
        f"{f['severity']} {f['check_id']} {f['resource_id']}: {f['message']}"
        for f in data["findings"]
        if f["status"] in ("fail", "error") and f["severity"] in HIGH
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_rendered_manifests_meet_our_own_checks(
    rendered: dict[str, Path], overlay: str, tmp_path: Path
) -> None:
    r = cli(
        "scan", "k8s", "--manifests", str(rendered[overlay]), "--out", str(tmp_path), "--format", "json", "-q"
    )
    assert r.exit_code == 0, r.output
    assert _failing(tmp_path) == []


def test_the_deploy_directory_as_committed_meets_our_own_checks(tmp_path: Path) -> None:
    """What `auditor gate --manifests deploy/` will read: every file is a whole manifest or a
    kustomization (patches are *.patch files, not judged as partial objects)."""
    r = cli("scan", "k8s", "--manifests", str(DEPLOY), "--out", str(tmp_path), "--format", "json", "-q")
    assert r.exit_code == 0, r.output
    assert _failing(tmp_path) == []


def test_the_pod_spec_is_hardened(rendered: dict[str, Path]) -> None:
    for overlay in OVERLAYS:
        [cron] = [d for d in _docs(rendered[overlay]) if d["kind"] == "CronJob"]
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["serviceAccountName"] == "auditor-scanner"
        [c] = pod["containers"]
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"] == {"drop": ["ALL"]}
        assert set(c["resources"]) == {"requests", "limits"}
        store = next(e for e in c["env"] if e["name"] == "AUDITOR_STORE")
        if overlay == "overlays/postgres":
            assert store == {
                "name": "AUDITOR_STORE",
                "valueFrom": {"secretKeyRef": {"name": "auditor-store", "key": "url"}},
            }
        else:
            assert store["value"].endswith(".db")


def test_the_sharded_overlay_runs_an_indexed_job_and_merges_in_pod_0(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    [cron] = [d for d in _docs(rendered["overlays/sharded"]) if d["kind"] == "CronJob"]
    job = cron["spec"]["jobTemplate"]["spec"]
    assert job["completionMode"] == "Indexed" and job["completions"] == job["parallelism"] == 4
    [c] = job["template"]["spec"]["containers"]
    env = {e["name"]: e for e in c["env"]}
    assert env["SHARDS"]["value"] == "4"
    assert "job-completion-index" in env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"]
    script = c["args"][0]
    assert '--shard "${i}/${SHARDS}"' in script and "auditor merge" in script and "--wait" in script
    assert subprocess.run(["sh", "-n", "-c", script], check=False).returncode == 0
    [pvc] = [d for d in _docs(rendered["overlays/sharded"]) if d["kind"] == "PersistentVolumeClaim"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory, skip_or_fail: Any) -> Iterator[tuple[Any, Path]]:
    from auditor_testkit.kubeapi import KubeApiServerError, run_kube_apiserver

    workdir = tmp_path_factory.mktemp("kube-deploy")
    with ExitStack() as stack:
        try:
            cluster = stack.enter_context(run_kube_apiserver(workdir))
        except KubeApiServerError as exc:  # the binary is missing, or the server did not come up
            skip_or_fail(str(exc))
        yield cluster, cluster.kubeconfig(cluster.admin_token, workdir / "admin.kubeconfig")


def _kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = kubectl()
    assert exe is not None
    return subprocess.run(
        [exe, "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.integration
def test_the_rendered_base_passes_a_server_side_dry_run_on_kubernetes_1_20(
    rendered: dict[str, Path], apiserver: tuple[Any, Path]
) -> None:
    _cluster, kubeconfig = apiserver
    docs = _docs(rendered["overlays/k8s-1.20"])
    [ns] = [d for d in docs if d["kind"] == "Namespace"]
    made = _kubectl(kubeconfig, "create", "namespace", ns["metadata"]["name"])  # dry-run objects need it
    assert made.returncode == 0 or "AlreadyExists" in made.stderr, made.stderr
    r = _kubectl(kubeconfig, "apply", "--dry-run=server", "-f", str(rendered["overlays/k8s-1.20"]))
    assert r.returncode == 0, r.stderr
    kinds = {d["kind"] for d in docs}
    assert kinds == {
        "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "NetworkPolicy",
        "PersistentVolumeClaim", "ConfigMap", "CronJob",
    }  # fmt: skip
    assert r.stdout.count("(server dry run)") == len(docs)
    # the batch/v1 CronJob of the plain base is what 1.20 does not serve: hence the overlay
    plain = _kubectl(kubeconfig, "apply", "--dry-run=server", "-f", str(rendered["base"]))
    assert plain.returncode != 0 and "batch/v1" in plain.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_our_own_manifests_pass_our_own_gate(rendered: dict[str, Path], overlay: str, tmp_path: Path) -> None:
    """The tool meets its own checks, as a CI pipeline would judge it before applying."""
    for target in (DEPLOY, rendered[overlay]):
        out = tmp_path / target.name
        r = cli("gate", "--manifests", str(target), "--out", str(out), "-q")
        assert r.exit_code == 0, r.output
