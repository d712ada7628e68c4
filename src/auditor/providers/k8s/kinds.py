"""The Kubernetes kinds the provider reads: API group/version/plural and the resource type
each becomes (declared in `resources`). Shared by the live collector, the manifest reader and
the tests (no SDK)."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.providers.k8s import resources as rt


@dataclass(frozen=True)
class Kind:
    kind: str
    group: str  # "" is the core group
    version: str
    plural: str
    namespaced: bool
    rtype: str
    fallback_versions: tuple[str, ...] = ()
    optional: bool = False  # newer API: a 404 means the cluster does not serve it (so none exist)
    opt_in: bool = False  # only read when asked (Secrets)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def list_path(self, namespace: str | None = None, version: str | None = None) -> str:
        version = version or self.version
        base = f"/apis/{self.group}/{version}" if self.group else f"/api/{version}"
        if namespace and self.namespaced:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"


RBAC = "rbac.authorization.k8s.io"
ADMREG = "admissionregistration.k8s.io"

KINDS: tuple[Kind, ...] = (
    Kind("Namespace", "", "v1", "namespaces", False, rt.NAMESPACE),
    Kind("Node", "", "v1", "nodes", False, rt.NODE),
    Kind("Pod", "", "v1", "pods", True, rt.WORKLOAD),
    Kind("Deployment", "apps", "v1", "deployments", True, rt.WORKLOAD),
    Kind("StatefulSet", "apps", "v1", "statefulsets", True, rt.WORKLOAD),
    Kind("DaemonSet", "apps", "v1", "daemonsets", True, rt.WORKLOAD),
    Kind("Job", "batch", "v1", "jobs", True, rt.WORKLOAD),
    Kind("CronJob", "batch", "v1", "cronjobs", True, rt.WORKLOAD, fallback_versions=("v1beta1",)),
    Kind("ServiceAccount", "", "v1", "serviceaccounts", True, rt.SERVICE_ACCOUNT),
    Kind("Role", RBAC, "v1", "roles", True, rt.ROLE),
    Kind("ClusterRole", RBAC, "v1", "clusterroles", False, rt.ROLE),
    Kind("RoleBinding", RBAC, "v1", "rolebindings", True, rt.BINDING),
    Kind("ClusterRoleBinding", RBAC, "v1", "clusterrolebindings", False, rt.BINDING),
    Kind("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, rt.NETWORK_POLICY),
    Kind("Service", "", "v1", "services", True, rt.SERVICE),
    Kind("Ingress", "networking.k8s.io", "v1", "ingresses", True, rt.INGRESS),
    Kind(
        "ValidatingAdmissionPolicy",
        ADMREG,
        "v1",
        "validatingadmissionpolicies",
        False,
        rt.ADMISSION,
        optional=True,
    ),
    Kind(
        "ValidatingAdmissionPolicyBinding",
        ADMREG,
        "v1",
        "validatingadmissionpolicybindings",
        False,
        rt.ADMISSION,
        optional=True,
    ),
    Kind(
        "ValidatingWebhookConfiguration", ADMREG, "v1", "validatingwebhookconfigurations", False, rt.ADMISSION
    ),
    Kind("MutatingWebhookConfiguration", ADMREG, "v1", "mutatingwebhookconfigurations", False, rt.ADMISSION),
    Kind("Secret", "", "v1", "secrets", True, rt.SECRET, opt_in=True),
)

BY_KIND: dict[str, Kind] = {k.kind: k for k in KINDS}

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")

# Kubernetes "no namespace given" default for namespaced objects in manifests.
DEFAULT_NAMESPACE = "default"
