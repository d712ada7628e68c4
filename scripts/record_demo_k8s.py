"""Record the Kubernetes demo snapshot (fixtures/demo/k8s.json.gz) with the real collector.

From the real kube-apiserver v1.20.2 + etcd (auditor_testkit.kubeapi) with the Istio, KServe and
Kubeflow CRDs (fixtures/k8s/crds) installed and seeded with fixtures/k8s/estate (a mesh and an ML
platform included) through the admin identity, scanned as the read-only scanner identity
bound to docs/permissions/k8s-clusterrole.yaml plus the opt-in Secret-metadata role. If the
kube-apiserver binary has not been built (scripts/build-kube-apiserver.sh), it records from
the local HTTPS fake serving fixtures/k8s/newer instead, and says so.

Run: .venv/bin/python scripts/record_demo_k8s.py
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from auditor.evidence import SnapshotBuilder
from auditor.providers.k8s import K8sOptions
from auditor.providers.k8s.collector import collect
from auditor.providers.k8s.manifests import read_manifests
from auditor.runtime import CollectRun
from auditor.snapshot import save_snapshot
from auditor_testkit.k8s_fake import FakeKube
from auditor_testkit.k8s_seed import admin_client, bind, install_crds, seed_estate
from auditor_testkit.kubeapi import KubeApiServerError, etcd_binary, kube_apiserver_binary, run_kube_apiserver

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "demo" / "k8s.json.gz"
PERMISSIONS = ROOT / "docs" / "permissions"


def _scan(kubeconfig: Path, context: str) -> SnapshotBuilder:
    sink = SnapshotBuilder(tool_version="demo")
    opts = K8sOptions(kubeconfig=str(kubeconfig), context=[context], secret_metadata=True)
    collect(opts, CollectRun(sink=sink))
    return sink


def from_real_apiserver(work: Path) -> SnapshotBuilder:
    with run_kube_apiserver(work) as cluster:
        admin = admin_client(cluster, work)
        install_crds(admin, ROOT / "fixtures" / "k8s" / "crds" / "crds.yaml")
        seed_estate(admin, ROOT / "fixtures" / "k8s" / "estate")
        bind(admin, PERMISSIONS / "k8s-clusterrole.yaml")
        bind(admin, PERMISSIONS / "k8s-clusterrole-secret-metadata.yaml")
        kubeconfig = cluster.kubeconfig(cluster.scanner_token, work / "scanner.kubeconfig", "demo-cluster")
        return _scan(kubeconfig, "demo-cluster")


def from_fake(work: Path) -> SnapshotBuilder:
    docs, _ = read_manifests([str(ROOT / "fixtures" / "k8s" / "newer")])
    fake = FakeKube(objects=[d.obj for d in docs], tokens={"demo": "auditor-scanner"}).start(work)
    try:
        return _scan(fake.kubeconfig(work / "kubeconfig", {"demo-cluster": "demo"}), "demo-cluster")
    finally:
        fake.stop()


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            kube_apiserver_binary()
            etcd_binary()
            sink, source = from_real_apiserver(Path(tmp)), "the real kube-apiserver v1.20.2"
        except KubeApiServerError as exc:
            print(f"kube-apiserver not available ({exc}); recording from the local HTTPS fake instead")
            sink, source = from_fake(Path(tmp)), "the local HTTPS fake (fixtures/k8s/newer)"
    snap = sink.build()
    save_snapshot(snap, OUT)
    print(
        f"{OUT} ({OUT.stat().st_size // 1024} KB) from {source}: {len(snap.resources)} resources, {len(snap.errors)} errors"
    )


if __name__ == "__main__":
    main()
