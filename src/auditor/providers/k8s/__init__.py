"""Kubernetes: one set of checks for live clusters and for manifests.

The live collector (the official `kubernetes` client) and the manifest reader both turn
Kubernetes objects into the same normalised resources (`auditor.providers.k8s.normalize`),
so a Deployment judged in CI from its YAML and the same Deployment read from a cluster get
the same findings. Pods and the pod templates of every workload kind become one resource
type, `k8s.workload`, so the workload checks are written once.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auditor.providers import ProviderSpec


class K8sOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kubeconfig: str | None = Field(
        None, description="Kubeconfig file (default: $KUBECONFIG or ~/.kube/config)."
    )
    context: list[str] | None = Field(
        None, description="Kubeconfig contexts to scan, one target each (default: the current context)."
    )
    in_cluster: bool = Field(
        False, description="Use the pod's service-account credentials (the scanner runs as a CronJob)."
    )
    cluster_name: str | None = Field(
        None, description="Label for the in-cluster target (default: in-cluster)."
    )
    namespaces: list[str] | None = Field(
        None, description="Limit namespaced reads to these namespaces (default: all)."
    )
    manifests: list[str] | None = Field(
        None,
        description="Scan manifests offline instead of a cluster: files, directories, globs, '-' for "
        "stdin, or a kustomize directory (rendered with kubectl kustomize); YAML/JSON, multi-document, "
        "kind: List (kubectl get -o json|yaml), helm template output.",
    )
    secret_metadata: bool = Field(
        False,
        description="Also list Secret metadata (never data); needs the opt-in role "
        "docs/permissions/k8s-clusterrole-secret-metadata.yaml.",
    )
    concurrency: int = Field(
        8,
        ge=1,
        le=64,
        description="List requests in flight at once per cluster (each kind, and namespace, is a task).",
    )
    page_size: int = Field(500, ge=1, le=5000, description="Items per list request (limit/continue paging).")
    timeout: float = Field(30.0, gt=0, description="Per-request timeout in seconds.")


PROVIDER = ProviderSpec(
    name="k8s",
    title="Kubernetes clusters and manifests",
    options=K8sOptions,
    collector="auditor.providers.k8s.collector:collect",
    types="auditor.providers.k8s.resources:TYPES",
    extra="k8s",
    shards_units=True,  # CollectRun.owns per unit (see auditor.sharding)
)
