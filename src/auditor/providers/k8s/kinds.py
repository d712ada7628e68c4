"""The Kubernetes kinds the provider reads: API group/version/plural and the resource type
each becomes. Shared by the live collector, the manifest reader and the tests (no SDK)."""

from __future__ import annotations

from dataclasses import dataclass


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


WORKLOAD = "k8s.workload"
NAMESPACE = "k8s.namespace"
NODE = "k8s.node"
CLUSTER = "k8s.cluster"
SERVICE_ACCOUNT = "k8s.serviceaccount"
ROLE = "k8s.role"
BINDING = "k8s.binding"
NETWORK_POLICY = "k8s.networkpolicy"
SERVICE = "k8s.service"
INGRESS = "k8s.ingress"
ADMISSION = "k8s.admission"
SECRET = "k8s.secret"

RBAC = "rbac.authorization.k8s.io"
ADMREG = "admissionregistration.k8s.io"

KINDS: tuple[Kind, ...] = (
    Kind("Namespace", "", "v1", "namespaces", False, NAMESPACE),
    Kind("Node", "", "v1", "nodes", False, NODE),
    Kind("Pod", "", "v1", "pods", True, WORKLOAD),
    Kind("Deployment", "apps", "v1", "deployments", True, WORKLOAD),
    Kind("StatefulSet", "apps", "v1", "statefulsets", True, WORKLOAD),
    Kind("DaemonSet", "apps", "v1", "daemonsets", True, WORKLOAD),
    Kind("Job", "batch", "v1", "jobs", True, WORKLOAD),
    Kind("CronJob", "batch", "v1", "cronjobs", True, WORKLOAD, fallback_versions=("v1beta1",)),
    Kind("ServiceAccount", "", "v1", "serviceaccounts", True, SERVICE_ACCOUNT),
    Kind("Role", RBAC, "v1", "roles", True, ROLE),
    Kind("ClusterRole", RBAC, "v1", "clusterroles", False, ROLE),
    Kind("RoleBinding", RBAC, "v1", "rolebindings", True, BINDING),
    Kind("ClusterRoleBinding", RBAC, "v1", "clusterrolebindings", False, BINDING),
    Kind("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, NETWORK_POLICY),
    Kind("Service", "", "v1", "services", True, SERVICE),
    Kind("Ingress", "networking.k8s.io", "v1", "ingresses", True, INGRESS),
    Kind(
        "ValidatingAdmissionPolicy",
        ADMREG,
        "v1",
        "validatingadmissionpolicies",
        False,
        ADMISSION,
        optional=True,
    ),
    Kind(
        "ValidatingAdmissionPolicyBinding",
        ADMREG,
        "v1",
        "validatingadmissionpolicybindings",
        False,
        ADMISSION,
        optional=True,
    ),
    Kind("ValidatingWebhookConfiguration", ADMREG, "v1", "validatingwebhookconfigurations", False, ADMISSION),
    Kind("MutatingWebhookConfiguration", ADMREG, "v1", "mutatingwebhookconfigurations", False, ADMISSION),
    Kind("Secret", "", "v1", "secrets", True, SECRET, opt_in=True),
)

BY_KIND: dict[str, Kind] = {k.kind: k for k in KINDS}

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")

# Kubernetes "no namespace given" default for namespaced objects in manifests.
DEFAULT_NAMESPACE = "default"
