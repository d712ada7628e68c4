"""The offline path: `auditor scan k8s --manifests PATH`."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor import scan as scan_api
from auditor.cli import main
from auditor.errors import ConfigError
from auditor.evidence import SnapshotBuilder
from auditor.models import Status
from auditor.providers import discover_providers
from auditor.providers.k8s import K8sOptions
from auditor.providers.k8s.collector import collect_manifests
from auditor.providers.k8s.manifests import display_path
from auditor.runtime import CollectRun

from .util import ESTATE, FIX, NEWER, ROOT, assert_no_canary, findings_of, snapshot_of, status_map, write_all


def test_findings_point_at_file_and_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=[str(ESTATE)])
    by_id = {r.id: r for r in snap.resources}
    pod = by_id["manifests/Pod/legacy/fail-insecure"]
    assert pod.source is not None
    assert (pod.source.file, pod.source.document) == ("fixtures/k8s/estate/03-workloads.yaml", 1)
    assert (pod.source.start_line, pod.source.end_line) == (36, 59), (
        "the object's own lines, comments left out"
    )
    assert pod.source.address == "Pod/legacy/fail-insecure"
    f = next(
        f for f in findings_of(snap) if f.check_id == "k8s.workload.privileged" and f.resource_id == pod.id
    )
    assert f.status == Status.FAIL and f.location == pod.source
    ns_source = by_id["manifests/Namespace/secure"].source
    assert (
        ns_source is not None
        and ns_source.text == "fixtures/k8s/estate/00-namespaces.yaml:3 (Namespace/secure)"
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


def test_list_dumps_give_each_item_its_own_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=[str(FIX / "kubectl-get.json"), str(FIX / "kubectl-get.yaml")])
    src = {r.id: r.source for r in snap.resources}
    json_np, yaml_lb = src["manifests/Service/dump/dumped-np"], src["manifests/Service/dump-yaml/dumped-lb"]
    assert json_np is not None and yaml_lb is not None
    assert (json_np.file, json_np.start_line, json_np.end_line) == ("fixtures/k8s/kubectl-get.json", 12, 28)
    assert (yaml_lb.file, yaml_lb.start_line, yaml_lb.end_line) == ("fixtures/k8s/kubectl-get.yaml", 12, 20)
    assert src["manifests/ServiceAccount/dump/default"].start_line == 4  # type: ignore[union-attr]
    assert not snap.errors


def test_helm_template_output_and_kinds_no_check_reads(tmp_path: Path) -> None:
    helm = tmp_path / "helm.yaml"
    helm.write_text(
        "---\n# Source: chart/templates/empty.yaml\n---\n# Source: chart/templates/sa.yaml\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: helm\n"
        "automountServiceAccountToken: false\n--- # trailing\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  password: CANARY-k8s-secret-5f1d2c\n"
    )
    snap = snapshot_of(manifests=[str(helm)])
    (sa,) = snap.resources
    assert sa.source is not None and sa.source.text == f"{helm}:5 (ServiceAccount/helm/default)"
    assert not snap.errors
    (unread,) = snap.exclusions
    assert (
        unread.resource_types == ("k8s.unread/ConfigMap",) and "1 ConfigMap object in 1 file" in unread.reason
    )
    assert_no_canary(snap.model_dump_json())


def test_every_object_that_carries_a_pod_template_is_judged() -> None:
    snap = snapshot_of(manifests=[str(ESTATE), str(NEWER), str(FIX / "mixed")])
    got = status_map(findings_of(snap))
    for rid in (
        "manifests/ReplicaSet/legacy/fail-rs",
        "manifests/DeploymentConfig/payments/fail-dc",
        "manifests/Rollout/mixed/web",  # a CRD the provider does not know, with a pod template
    ):
        assert got[("k8s.workload.privileged", rid)] == "fail", rid
    assert got[("k8s.workload.host_network", "manifests/PodTemplate/legacy/fail-podtemplate")] == "fail"
    assert got[("k8s.workload.privileged", "manifests/ReplicationController/secure/pass-rc")] == "pass"


def test_every_component_of_an_inference_service_is_judged_as_a_workload(tmp_path: Path) -> None:
    # the transformer and explainer are pods KServe runs too: only the predictor was judged
    isvc = "manifests/InferenceService/ml-open/fail-public-model"
    got = status_map(findings_of(snapshot_of(manifests=[str(ESTATE / "07-ml.yaml")])))
    assert got[("k8s.workload.privileged", isvc)] == "fail"  # the predictor keeps its identity
    assert got[("k8s.workload.image_not_latest", f"{isvc}/transformer")] == "fail"  # tokenizer:latest
    assert got[("k8s.workload.secret_env_literals", f"{isvc}/transformer")] == "fail"  # DOWNLOAD_PASSWORD
    assert got[("k8s.workload.secret_env_literals", f"{isvc}/explainer")] == "pass"
    assert not any(rid.endswith("/transformer") for _, rid in got if "pass-proxied-model" in rid)
    hardened = {
        "securityContext": {"privileged": False, "allowPrivilegeEscalation": False},
        "image": "registry.example.com/tokenizer@sha256:" + "a" * 64,
    }
    (tmp_path / "isvc.yaml").write_text(
        json.dumps(
            {
                "apiVersion": "serving.kserve.io/v1beta1",
                "kind": "InferenceService",
                "metadata": {"name": "m", "namespace": "ml"},
                "spec": {
                    "predictor": {"model": {"modelFormat": {"name": "onnx"}, "storageUri": "s3://b/m"}},
                    "transformer": {"containers": [{"name": "pre", **hardened}]},
                    "explainer": {
                        "containers": [{"name": "x", **hardened, "securityContext": {"privileged": True}}]
                    },
                },
            }
        )
    )
    got = status_map(findings_of(snapshot_of(manifests=[str(tmp_path)])))
    assert got[("k8s.workload.privileged", "manifests/InferenceService/ml/m/transformer")] == "pass"
    assert got[("k8s.workload.privileged", "manifests/InferenceService/ml/m/explainer")] == "fail"


def test_kinds_no_check_reads_are_counted_and_named_in_results_and_report(tmp_path: Path) -> None:
    snap = snapshot_of(manifests=[str(FIX / "mixed")])
    assert snap.targets[0].options["unread_kinds"] == {"ConfigMap": 2, "HorizontalPodAutoscaler": 1}
    _, text = write_all(snap, tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    unread = {x["reason"] for x in results["exclusions"] if x["check_id"] == "*"}
    assert unread == {
        "2 ConfigMap objects in 1 file (fixtures/k8s/mixed/app.yaml): objects of this kind are not read: no "
        "check judges them",
        "1 HorizontalPodAutoscaler object in 1 file (fixtures/k8s/mixed/app.yaml): objects of this kind are "
        "not read: no check judges them",
    }
    report = (tmp_path / "report.html").read_text()
    assert "Not evaluated on purpose" in report and "2 ConfigMap objects in 1 file" in report
    assert results["summary"]["excluded_checks"] == 0, "no check was excluded"
    assert_no_canary(text)
    res = CliRunner().invoke(
        main, ["scan", "k8s", "--manifests", str(FIX / "mixed"), "--out", str(tmp_path / "cli")]
    )
    assert "2 kind(s) of input no check judges, left unread" in res.stderr
    assert "check(s) excluded on purpose" not in res.stderr


MALFORMED = {
    "Pod/shapes/containers-mapping": "spec.containers is a mapping, expected a non-empty list",
    "Pod/shapes/containers-null": "spec.containers is null, expected a non-empty list",
    "Deployment/shapes/resources-list": "spec.template.spec.containers[0].resources is a list, expected a mapping",
    "Deployment/shapes/env-true": "spec.template.spec.containers[0].env is a boolean, expected a list",
    "Pod/shapes/privileged-string": "spec.containers[0].securityContext.privileged is a string, expected a boolean",
    "CronJob/shapes/no-template": "spec.jobTemplate is missing, expected a mapping",
    "Namespace/labels-list": "metadata.labels is a list, expected a mapping",
    "Secret/shapes/data-list": "data is a list, expected a mapping",
    "ClusterRole/rules-mapping": "rules is a mapping, expected a list",
}


def test_malformed_shapes_never_pass_never_crash_and_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=[str(FIX / "malformed" / "shapes.yaml")])
    named = {e.message.split(": ", 2)[1]: e for e in snap.errors}
    for address, problem in MALFORMED.items():
        err = named[address]
        assert err.operation == "manifests.shape" and err.message.endswith(problem), err.message
        assert err.message.startswith("fixtures/k8s/malformed/shapes.yaml#"), "file and document"
        assert "(line " in err.message
    assert {r.name for r in snap.resources} == {"Pod/shapes/intact"}, "malformed objects are never judged"
    findings = findings_of(snap)
    assert not [f for f in findings if f.status == Status.PASS and f.resource_name != "Pod/shapes/intact"]
    intact = {f.check_id: f.status for f in findings if f.resource_name == "Pod/shapes/intact"}
    assert intact["k8s.workload.privileged"] == Status.FAIL, "the rest of the file is still judged"
    privileged = {f.status for f in findings if f.check_id == "k8s.workload.privileged"}
    assert privileged == {Status.FAIL, Status.ERROR}, "the malformed workloads make the check error"


def test_one_malformed_document_never_stops_the_rest(tmp_path: Path) -> None:
    f = tmp_path / "ns.yaml"
    f.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: broken, labels: [a, b]}\n---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: fine}\n"
    )
    other = tmp_path / "sa.yaml"
    other.write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: fine}\n")
    snap = snapshot_of(manifests=[str(tmp_path)])
    assert {r.name for r in snap.resources} == {"Namespace/fine", "ServiceAccount/fine/default"}
    (err,) = snap.errors
    assert (
        err.message == "ns.yaml#0 (line 1): Namespace/broken: metadata.labels is a list, expected a mapping"
    )
    got = status_map(findings_of(snap))
    assert got[("k8s.namespace.pod_security_enforce", "manifests/Namespace/fine")] == "fail"


def test_helm_sources_say_render_first(tmp_path: Path) -> None:
    snap = snapshot_of(manifests=[str(FIX / "malformed" / "template.yaml")])
    (err,) = snap.errors
    assert "looks like a Helm template" in err.message and "helm template" in err.message
    assert "auditor gate --manifests -" in err.message and "not valid YAML:" not in err.message
    quoted = tmp_path / "quoted.yaml"  # a template whose actions are all quoted parses as YAML
    quoted.write_text('apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: "{{ .Release.Name }}"\n')
    (err,) = snapshot_of(manifests=[str(quoted)]).errors
    assert "looks like a Helm template" in err.message and "helm template" in err.message
    shutil.copytree(FIX / "chart", tmp_path / "deploy" / "chart")
    (tmp_path / "deploy" / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n"
    )
    nested = snapshot_of(manifests=[str(tmp_path / "deploy")])
    assert [r.name for r in nested.resources] == ["ServiceAccount/default/a"]
    (chart_err,) = nested.errors
    assert "is a Helm chart" in chart_err.message and "helm template" in chart_err.message
    code, out = _cli(tmp_path, "--manifests", str(FIX / "chart"))
    assert code == 2 and "is a Helm chart" in out and "helm template" in out


def _cli(tmp_path: Path, *args: str, input: bytes | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["scan", "k8s", *args, "--out", str(tmp_path / "out"), "-q"], input=input)
    return res.exit_code, res.output


@pytest.mark.parametrize("what", ["missing", "empty-dir", "no-manifests", "glob"])
def test_a_path_that_names_nothing_is_exit_2(tmp_path: Path, what: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.txt").write_text("not a manifest")
    path, message = {
        "missing": (tmp_path / "nope.yaml", "no such file or directory"),
        "empty-dir": (tmp_path / "empty", "holds no manifest file"),
        "no-manifests": (tmp_path / "notes", "holds no manifest file"),
        "glob": (tmp_path / "deploy" / "*.yaml", "matches no file"),
    }[what]
    code, out = _cli(tmp_path, "--manifests", str(path))
    assert code == 2, out
    assert str(path) in out and message in out
    assert not (tmp_path / "out" / "results.json").exists(), "no clean run with 0 findings"
    with pytest.raises(ConfigError, match=message):
        scan_api.collect([(discover_providers()["k8s"], "manifests", K8sOptions(manifests=[str(path)]))])


def test_stdin_is_read_with_dash(tmp_path: Path) -> None:
    rendered = (ESTATE / "03-workloads.yaml").read_bytes()
    code, out = _cli(tmp_path, "--manifests", "-", input=rendered)
    assert code == 0, out
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    pod = next(
        f for f in results["findings"]
        if f["check_id"] == "k8s.workload.privileged" and f["resource_name"] == "Pod/legacy/fail-insecure"
    )  # fmt: skip
    assert pod["status"] == "fail" and pod["source"] == "stdin:36 (Pod/legacy/fail-insecure)"
    # stdin cannot be re-read: its objects are kept in evidence, scrubbed
    records = [
        json.loads(p.read_text()) for p in (tmp_path / "out" / "evidence").glob("k8s.manifests.read.*")
    ]
    (record,) = records
    assert record["body"]["origin"] == "stdin" and len(record["body"]["content"]) == 11
    assert_no_canary("\n".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file()))


def test_globs_are_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=["fixtures/k8s/estate/0[12]-*.yaml"])
    assert {r.source.file for r in snap.resources if r.source} == {
        "fixtures/k8s/estate/01-network.yaml",
        "fixtures/k8s/estate/02-rbac.yaml",
    }


def test_a_json_file_that_is_not_json_is_read_as_yaml(tmp_path: Path) -> None:
    f = tmp_path / "sa.json"
    f.write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: n}\n")
    (sa,) = snapshot_of(manifests=[str(f)]).resources
    assert sa.source is not None and (sa.source.start_line, sa.source.address) == (1, "ServiceAccount/n/a")


def test_files_are_recorded_by_path_and_hash_not_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=[str(ESTATE / "03-workloads.yaml")])
    (ev,) = [e for e in snap.evidence if e.operation == "manifests.read"]
    data = (ESTATE / "03-workloads.yaml").read_bytes()
    assert ev.body == {
        "source": "fixtures/k8s/estate/03-workloads.yaml",
        "origin": "file",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "documents": 11,
        "objects": 11,
    }
    assert all(ev.id in r.evidence for r in snap.resources)


def test_a_yaml_bomb_is_that_documents_problem_only(tmp_path: Path) -> None:
    bomb = "\n".join(
        ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb}", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
        + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
           f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
           for i in range(8)]
    )  # fmt: skip
    f = tmp_path / "bomb.yaml"
    f.write_text(bomb + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: after}\n")
    snap = snapshot_of(manifests=[str(f)])
    assert [r.name for r in snap.resources] == ["ServiceAccount/default/after"]
    (err,) = snap.errors
    assert "bomb.yaml#0 (line 1)" in err.message and "alias" in err.message


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


@pytest.mark.parametrize("origin", ["file", "stdin"])
def test_secret_literals_in_unexpected_shapes_reach_no_output(tmp_path: Path, origin: str) -> None:
    """env as pairs, as NAME=value strings, a string valueFrom, a mistyped key (in the variable and
    for the container's env), and a Secret whose data is a list: in no output, whichever way the
    manifests came in (files are recorded by hash; stdin is kept in evidence, scrubbed)."""
    files = [FIX / "malformed" / "redaction.yaml", FIX / "malformed" / "shapes.yaml"]
    if origin == "file":
        snap = snapshot_of(manifests=[str(f) for f in files])
    else:
        sink = SnapshotBuilder(tool_version="test")
        stream = io.BytesIO(b"\n---\n".join(f.read_bytes() for f in files))
        collect_manifests(K8sOptions(manifests=["-"]), CollectRun(sink=sink), stdin=stream)
        snap = sink.build()
        (record,) = [e for e in snap.evidence if e.operation == "manifests.read"]
        assert record.body["content"], "stdin content is kept (scrubbed)"
    _, text = write_all(snap, tmp_path)
    assert_no_canary(text)
    assert "env-mistyped-key" in text, "the object is reported, only the values are gone"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_a_kustomize_directory_is_rendered_with_kubectl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    snap = snapshot_of(manifests=[str(FIX / "kustomize")])
    (dep,) = snap.resources
    assert dep.name == "Deployment/kustomized/prod-web", "namePrefix and namespace applied by kustomize"
    assert dep.source is not None and dep.source.file == "fixtures/k8s/kustomize/kustomization.yaml"
    got = status_map(findings_of(snap))
    assert got[("k8s.workload.privileged", "manifests/Deployment/kustomized/prod-web")] == "fail"
    _, text = write_all(snap, tmp_path)
    assert_no_canary(text)


def test_a_kustomize_directory_without_kubectl_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no kubectl on it
    code, out = _cli(tmp_path, "--manifests", str(FIX / "kustomize"))
    assert code == 2 and "kustomize directory" in out and "kubectl" in out, out
