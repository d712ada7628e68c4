"""The offline path: `auditor scan k8s --manifests PATH`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.models import Status
from auditor.providers.k8s.manifests import display_path

from .util import ESTATE, FIX, NEWER, ROOT, assert_no_canary, findings_of, snapshot_of, write_all


def test_findings_point_at_file_and_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=[str(ESTATE)])
    by_id = {r.id: r for r in snap.resources}
    pod = by_id["manifests/Pod/legacy/fail-insecure"]
    assert pod.source is not None
    assert (pod.source.file, pod.source.document) == ("fixtures/k8s/estate/03-workloads.yaml", 1)
    assert pod.source.address == "Pod/legacy/fail-insecure"
    f = next(
        f for f in findings_of(snap) if f.check_id == "k8s.workload.privileged" and f.resource_id == pod.id
    )
    assert f.status == Status.FAIL and f.location == pod.source
    ns_source = by_id["manifests/Namespace/secure"].source
    assert (
        ns_source is not None
        and ns_source.text == "fixtures/k8s/estate/00-namespaces.yaml#0 (Namespace/secure)"
    )
    assert not snap.errors
    assert not any(r.type == "k8s.cluster" for r in snap.resources), "manifests have no cluster"


def test_manifest_paths_are_relative_to_cwd_else_the_directory_argument_else_as_given(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    one = ESTATE / "03-workloads.yaml"
    assert display_path(one, ESTATE, cwd=ROOT) == "fixtures/k8s/estate/03-workloads.yaml"
    assert display_path(one, ESTATE, cwd=outside) == "03-workloads.yaml"
    assert display_path(ESTATE / "." / "03-workloads.yaml", ESTATE, cwd=outside) == "03-workloads.yaml"
    assert display_path(one, None, cwd=outside) == one.as_posix()
    assert display_path(Path("fixtures/k8s/estate/03-workloads.yaml"), None, cwd=ROOT) == (
        "fixtures/k8s/estate/03-workloads.yaml"
    )


def test_finding_keys_do_not_depend_on_where_the_manifests_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def keys(snap_paths: list[str]) -> set[tuple[str, str]]:
        snap = snapshot_of(manifests=snap_paths)
        return {(f.key, f.status.value) for f in findings_of(snap)}

    for machine in ("a", "b"):
        shutil.copytree(ESTATE, tmp_path / machine / "deploy")
    monkeypatch.chdir(tmp_path / "a")
    in_a = keys(["deploy"])
    monkeypatch.chdir(tmp_path / "b")
    assert keys(["deploy"]) == in_a, "same checkout, another machine"
    assert keys([str(tmp_path / "b" / "deploy")]) == in_a, "absolute path below the current directory"
    monkeypatch.chdir(ROOT)
    outside_a, outside_b = keys([str(tmp_path / "a" / "deploy")]), keys([str(tmp_path / "b" / "deploy")])
    assert outside_a == outside_b, "directories outside the current one: relative to the argument"
    assert len(in_a) > 100


def test_malformed_document_is_named_and_the_rest_still_scanned() -> None:
    snap = snapshot_of(manifests=[str(FIX / "bad")])
    names = {r.attributes["name"] for r in snap.resources}
    assert {"ok-before", "ok-after"} <= names
    msgs = {e.message: e for e in snap.errors}
    broken = next(e for m, e in msgs.items() if "broken.yaml#1" in m)
    assert "not valid YAML" in broken.message and broken.resource_types == ("k8s.service",)
    noname = next(e for m, e in msgs.items() if "broken.yaml#3" in m)
    assert "no metadata.name" in noname.message and noname.resource_types == ("k8s.serviceaccount",)
    errs = [
        f for f in findings_of(snap) if f.status == Status.ERROR and f.check_id == "k8s.service.node_port"
    ]
    assert errs, "checks over the broken document's kind must report error"


def test_list_dump_helm_and_missing_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    helm = tmp_path / "helm.yaml"
    helm.write_text(
        "---\n# Source: chart/templates/empty.yaml\n---\n# Source: chart/templates/sa.yaml\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: helm\n"
        "automountServiceAccountToken: false\n--- # trailing\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  password: CANARY-k8s-secret-5f1d2c\n"
    )
    snap = snapshot_of(manifests=[str(FIX / "kubectl-get.json"), str(helm), str(tmp_path / "nope.yaml")])
    src = {r.attributes["name"]: r.source.text for r in snap.resources if r.source}
    dump = "fixtures/k8s/kubectl-get.json"  # below the current directory: relative to it
    assert src["dumped-np"].startswith(f"{dump}#0 (")
    assert src["default"].startswith((f"{helm}#1 ", f"{dump}#0 "))  # helm.yaml is outside: as given
    assert any(r.source and r.source.text.startswith(f"{helm}#1 ") for r in snap.resources)
    assert [e.message for e in snap.errors] == [f"{tmp_path / 'nope.yaml'}: no such file or directory"]
    assert "cm" not in src, "kinds no check reads are neither kept nor recorded"
    assert_no_canary(snap.model_dump_json())


def test_no_canary_in_any_output(tmp_path: Path) -> None:
    snap = snapshot_of(manifests=[str(ESTATE), str(NEWER)])
    _, text = write_all(snap, tmp_path)
    assert "DB_PASSWORD" in text  # the variable is reported...
    assert_no_canary(text)  # ...never its value, and no Secret data at all


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["scan", "k8s", "--manifests", str(ESTATE), "--out", str(tmp_path / "ok"), "-q"])
    assert ok.exit_code == 0, ok.output
    results = json.loads((tmp_path / "ok" / "results.json").read_text())
    assert results["summary"]["findings"]["fail"] > 0
    bad = runner.invoke(
        main, ["scan", "k8s", "--manifests", str(FIX / "bad"), "--out", str(tmp_path / "bad"), "-q"]
    )
    assert bad.exit_code == 3, bad.output
    assert "broken.yaml#1" in (tmp_path / "bad" / "results.json").read_text()


def test_scrub_drops_secret_data_last_applied_and_secret_env_values() -> None:
    from auditor.providers.k8s.normalize import scrub

    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "s",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"k":"CANARY-k8s-secret-5f1d2c"}}'
            },
            "managedFields": [{"manager": "kubectl"}],
        },
        "type": "Opaque",
        "data": {"k": "Q0FOQVJZLWs4cy10b2tlbi03YzQxZTI="},
    }
    clean = scrub(secret)
    assert clean == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "annotations": {}},
        "type": "Opaque",
        "dataKeys": ["k"],
    }
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "env": [
                        {"name": "GITHUB_TOKEN", "value": "CANARY-env-9a7b31"},
                        {"name": "DATABASE_URL", "value": "postgres://app:CANARY-url-3e1@db/app"},
                        {"name": "MODE", "value": "x"},
                        {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                    ],
                    "args": [
                        "--db-password=CANARY-arg-1",
                        "--api-token",
                        "CANARY-arg-2",
                        "--anonymous-auth=false",
                        "--token-auth-file",
                        "/etc/tokens.csv",
                        "--port=8080",
                    ],
                }
            ]
        },
    }
    container = scrub(pod)["spec"]["containers"][0]
    # every literal value is masked (a URL can carry a password whatever its name); names and refs stay
    assert container["env"] == [
        {"name": "GITHUB_TOKEN", "value": "[REDACTED]"},
        {"name": "DATABASE_URL", "value": "[REDACTED]"},
        {"name": "MODE", "value": "[REDACTED]"},
        {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]
    # secret-looking flags lose their values; booleans, file paths and other flags stay readable
    assert container["args"] == [
        "--db-password=[REDACTED]",
        "--api-token",
        "[REDACTED]",
        "--anonymous-auth=false",
        "--token-auth-file",
        "/etc/tokens.csv",
        "--port=8080",
    ]
    assert pod["spec"]["containers"][0]["env"][0]["value"] == "CANARY-env-9a7b31", "the input is not mutated"
