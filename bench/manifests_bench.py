"""`auditor scan k8s --manifests` on a generated corpus: wall time, peak memory, output size.

The corpus is synthetic but shaped like a real repository of manifests: one file per app with
its Namespace (every tenth app), Deployment or StatefulSet or CronJob, Service, ServiceAccount,
ConfigMap, Role and RoleBinding, Ingress, NetworkPolicy and HorizontalPodAutoscaler (a kind no
check reads), a tenth of the apps dumped as one `kubectl get -o json` List instead, and a mix
of hardened and insecure settings so every workload check has work to do. It is deterministic:
the same size gives the same bytes.

    .venv/bin/python bench/manifests_bench.py generate --objects 2180 /tmp/corpus
    .venv/bin/python bench/manifests_bench.py run                       # 218, 2,180 objects, 50 MB
    .venv/bin/python bench/manifests_bench.py run --sizes 218,2180 --src /tmp/before/src

`run` starts `python -m auditor scan k8s --manifests DIR --out OUT -q` in a child process per
size (so peak RSS is that scan's alone) and prints one line per size. `--src` puts another
checkout's `src/` first on PYTHONPATH, to measure an older version with the same interpreter.
Sizes are object counts, or megabytes with an `MB` suffix.

Measured on 2 shared cores (load average 2-4), same corpus and interpreter for each version:

| version | 218 objects | 2,180 objects (1.3 MB) | 50 MB (83,948 objects) |
|---|---|---|---|
| main 6a75bdf | 0.74 s, 51 MB | 2.88 s, 86 MB | 126 s, 1,159 MB peak, 304 MB written (93 MB evidence) |
| 5bf5776 (k8s on the runtime) | 1.46 s, 51 MB | 3.82 s, 85 MB | 174 s, 1,159 MB peak, 304 MB written (93 MB evidence) |
| this version | 0.50 s, 51 MB | 0.94 s, 76 MB | 26 s, 660 MB peak, 220 MB written (8.7 MB evidence) |

What is left of the written output is results.json and report.html, one entry per finding (251,844).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DIGEST = "sha256:" + "0f1e2d3c4b5a6978" * 4


def _container(rng: random.Random, app: str, hardened: bool) -> dict[str, Any]:
    image = (
        f"registry.example.com/{app}/server@{DIGEST}"
        if hardened
        else rng.choice([f"nginx:1.{rng.randint(18, 27)}", "redis:latest", f"ghcr.io/acme/{app}"])
    )
    c: dict[str, Any] = {
        "name": "server",
        "image": image,
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [
            {"name": "LOG_LEVEL", "value": rng.choice(["info", "debug", "warn"])},
            {"name": "APP_NAME", "value": app},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}}},
        ],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
        "livenessProbe": {"httpGet": {"path": "/livez", "port": 8080}, "initialDelaySeconds": 15},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": True}],
    }
    if hardened:
        c["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        c["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    else:
        c["securityContext"] = rng.choice(
            [{"privileged": True}, {"capabilities": {"add": ["NET_ADMIN"]}}, {"runAsUser": 0}]
        )
        if rng.random() < 0.3:
            c["env"].append({"name": "API_TOKEN", "value": "not-a-real-token-" + str(rng.randint(0, 9999))})
    return c


def _pod_spec(rng: random.Random, app: str, hardened: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "serviceAccountName": app,
        "containers": [_container(rng, app, hardened)],
        "volumes": [{"name": "config", "configMap": {"name": app}}],
    }
    if hardened:
        spec["securityContext"] = {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        spec["automountServiceAccountToken"] = False
    elif rng.random() < 0.3:
        spec["hostNetwork"] = True
        spec["volumes"].append({"name": "host", "hostPath": {"path": "/var/run"}})
    return spec


def _path(app: str) -> dict[str, Any]:
    backend = {"service": {"name": app, "port": {"number": 80}}}
    return {"path": "/", "pathType": "Prefix", "backend": backend}


def _app(rng: random.Random, i: int) -> list[dict[str, Any]]:
    app, ns = f"app-{i:05d}", f"team-{i // 10:04d}"
    hardened = rng.random() < 0.5
    meta = {
        "name": app,
        "namespace": ns,
        "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": ns, "team": ns},
        "annotations": {"owner": f"{ns}@example.com", "description": f"The {app} service of {ns}"},
    }
    docs: list[dict[str, Any]] = []
    if i % 10 == 0:
        labels = {"pod-security.kubernetes.io/enforce": "restricted"} if hardened else {}
        docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}})
    template = {"metadata": {"labels": {"app": app}}, "spec": _pod_spec(rng, app, hardened)}
    shape = rng.random()
    if shape < 0.7:
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": meta,
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": app}}, "template": template},
            }
        )
    elif shape < 0.85:
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": meta,
                "spec": {"serviceName": app, "selector": {"matchLabels": {"app": app}}, "template": template},
            }
        )
    else:
        template["spec"]["restartPolicy"] = "OnFailure"
        docs.append(
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": meta,
                "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}},
            }
        )
    docs += [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {
                "type": "ClusterIP" if hardened else rng.choice(["NodePort", "LoadBalancer"]),
                "selector": {"app": app},
                "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta,
            "automountServiceAccountToken": False,
        },
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"app.conf": f"name={app}\n"}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta,
            "rules": [
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}
                if hardened
                else {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
            "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns}],
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta,
            "spec": {
                "rules": [{"host": f"{app}.example.com", "http": {"paths": [_path(app)]}}],
                **(
                    {"tls": [{"hosts": [f"{app}.example.com"], "secretName": f"{app}-tls"}]}
                    if hardened
                    else {}
                ),
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {**meta, "name": f"{app}-default-deny"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta,
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                "minReplicas": 2,
                "maxReplicas": 10,
            },
        },
    ]
    return docs


def _yaml(docs: list[dict[str, Any]]) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return "".join("---\n" + yaml.dump(d, Dumper=dumper, sort_keys=False) for d in docs)


def generate(out: Path, objects: int | None = None, megabytes: float | None = None) -> tuple[int, int]:
    """Write the corpus into `out` (emptied first) until it holds `objects` objects or
    `megabytes` MB; returns (objects, bytes)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(11)
    count = size = i = 0
    while (objects is not None and count < objects) or (megabytes is not None and size < megabytes * 1e6):
        docs = _app(rng, i)
        if objects is not None:
            docs = docs[: objects - count]
        folder = out / f"team-{i // 10:04d}"
        folder.mkdir(exist_ok=True)
        if i % 10 == 5:
            path = folder / f"app-{i:05d}.json"
            text = json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}, indent=2)
        else:
            path = folder / f"app-{i:05d}.yaml"
            text = _yaml(docs)
        path.write_text(text, "utf-8")
        count += len(docs)
        size += len(text.encode())
        i += 1
    return count, size


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(corpus: Path, out: Path, src: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [
        sys.executable,
        "-m",
        "auditor",
        "scan",
        "k8s",
        "--manifests",
        str(corpus),
        "--out",
        str(out),
        "-q",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    findings = 0
    if (out / "results.json").is_file():
        summary = json.loads((out / "results.json").read_text())["summary"]
        findings = sum(summary["findings"].values())
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "output_mb": round(_dir_size(out) / 1e6, 1) if out.exists() else 0,
        "evidence_mb": round(_dir_size(out / "evidence") / 1e6, 1) if (out / "evidence").exists() else 0,
        "findings": findings,
        "stderr": stderr.strip().splitlines()[-1:] if stderr.strip() else [],
    }


def _size(text: str) -> tuple[int | None, float | None]:
    return (None, float(text[:-2])) if text.upper().endswith("MB") else (int(text), None)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a corpus")
    g.add_argument("--objects", type=int)
    g.add_argument("--megabytes", type=float)
    g.add_argument("dir", type=Path)
    r = sub.add_parser("run", help="generate and scan each size")
    r.add_argument("--sizes", default="218,2180,50MB")
    r.add_argument("--src", help="another checkout's src/ to measure instead (PYTHONPATH)")
    r.add_argument("--workdir", type=Path, help="where corpora and outputs go (default: a temp dir)")
    args = ap.parse_args(argv)
    if args.cmd == "generate":
        n, size = generate(args.dir, args.objects, args.megabytes)
        print(f"{n} objects, {size / 1e6:.1f} MB in {args.dir}")
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="manifests-bench-"))
    for text in args.sizes.split(","):
        objects, megabytes = _size(text.strip())
        corpus = work / f"corpus-{text.strip()}"
        n, size = generate(corpus, objects, megabytes)
        out = work / f"out-{text.strip()}"
        shutil.rmtree(out, ignore_errors=True)
        m = measure(corpus, out, args.src)
        print(
            f"{n:>7} objects {size / 1e6:7.1f} MB: exit {m['exit']}, {m['wall_s']:8.2f} s, "
            f"peak {m['peak_mb']:5} MB, output {m['output_mb']:7.1f} MB "
            f"(evidence {m['evidence_mb']} MB), {m['findings']} findings {m['stderr'] or ''}",
            flush=True,
        )
    print(f"self peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB", flush=True)


if __name__ == "__main__":
    main()
