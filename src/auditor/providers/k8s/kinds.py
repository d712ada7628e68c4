"""The Kubernetes kinds the provider reads: API group/version/plural, the resource type each
becomes (declared in `resources`) and, for workloads, where the pod template is. Shared by the
live collector, the manifest reader and the tests (no SDK).

Every kind that carries a pod template is a workload: Pods, Deployments, StatefulSets,
DaemonSets, ReplicaSets, ReplicationControllers, PodTemplates, Jobs, CronJobs, OpenShift
DeploymentConfigs and Kubeflow Notebooks; each component of a KServe InferenceService too."""

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
    optional: bool = False  # newer or vendor API: a 404 means the cluster does not serve it (so none exist)
    opt_in: bool = False  # only read when asked (Secrets)
    # Workload kinds: the path to the pod template (metadata + spec); () for a Pod, which is its
    # own template. None for every other kind.
    template: tuple[str, ...] | None = None
    # Further resource types its objects become (an InferenceService is also a workload; the
    # mesh summary is made of PeerAuthentications): a failed read leaves these unread too.
    also: tuple[str, ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        """Every resource type objects of this kind become."""
        return (self.rtype, *self.also)

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
ISTIO_SECURITY = "security.istio.io"
ISTIO_NETWORKING = "networking.istio.io"
KSERVE = "serving.kserve.io"
KUBEFLOW = "kubeflow.org"
SPEC_TEMPLATE = ("spec", "template")

KINDS: tuple[Kind, ...] = (
    Kind("Namespace", "", "v1", "namespaces", False, rt.NAMESPACE),
    Kind("Node", "", "v1", "nodes", False, rt.NODE),
    Kind("Pod", "", "v1", "pods", True, rt.WORKLOAD, template=()),
    Kind("Deployment", "apps", "v1", "deployments", True, rt.WORKLOAD, template=SPEC_TEMPLATE),
    Kind("StatefulSet", "apps", "v1", "statefulsets", True, rt.WORKLOAD, template=SPEC_TEMPLATE),
    Kind("DaemonSet", "apps", "v1", "daemonsets", True, rt.WORKLOAD, template=SPEC_TEMPLATE),
    Kind("ReplicaSet", "apps", "v1", "replicasets", True, rt.WORKLOAD, template=SPEC_TEMPLATE),
    Kind(
        "ReplicationController", "", "v1", "replicationcontrollers", True, rt.WORKLOAD, template=SPEC_TEMPLATE
    ),
    Kind("PodTemplate", "", "v1", "podtemplates", True, rt.WORKLOAD, template=("template",)),
    Kind("Job", "batch", "v1", "jobs", True, rt.WORKLOAD, template=SPEC_TEMPLATE),
    Kind(
        "CronJob",
        "batch",
        "v1",
        "cronjobs",
        True,
        rt.WORKLOAD,
        fallback_versions=("v1beta1",),
        template=("spec", "jobTemplate", "spec", "template"),
    ),
    # OpenShift: served only there (a 404 elsewhere means none exist)
    Kind(
        "DeploymentConfig",
        "apps.openshift.io",
        "v1",
        "deploymentconfigs",
        True,
        rt.WORKLOAD,
        optional=True,
        template=SPEC_TEMPLATE,
    ),
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
    # Custom resources, read where their API groups are served (a 404 means not installed): Istio
    # (v1 since 1.22, v1beta1 before; DestinationRule also v1alpha3), KServe, Kubeflow.
    Kind(
        "PeerAuthentication",
        ISTIO_SECURITY,
        "v1",
        "peerauthentications",
        True,
        rt.PEER_AUTHENTICATION,
        fallback_versions=("v1beta1",),
        optional=True,
        also=(rt.MESH,),
    ),
    Kind(
        "AuthorizationPolicy",
        ISTIO_SECURITY,
        "v1",
        "authorizationpolicies",
        True,
        rt.AUTHORIZATION_POLICY,
        fallback_versions=("v1beta1",),
        optional=True,
    ),
    Kind(
        "DestinationRule",
        ISTIO_NETWORKING,
        "v1",
        "destinationrules",
        True,
        rt.DESTINATION_RULE,
        fallback_versions=("v1beta1", "v1alpha3"),
        optional=True,
    ),
    Kind(
        "InferenceService",
        KSERVE,
        "v1beta1",
        "inferenceservices",
        True,
        rt.INFERENCE_SERVICE,
        optional=True,
        also=(rt.WORKLOAD,),
    ),
    Kind(
        "Notebook",
        KUBEFLOW,
        "v1",
        "notebooks",
        True,
        rt.WORKLOAD,
        fallback_versions=("v1beta1", "v1alpha1"),
        optional=True,
        template=SPEC_TEMPLATE,
    ),
)

BY_KIND: dict[str, Kind] = {k.kind: k for k in KINDS}
WORKLOAD_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k.template is not None)

# Where a kind this table does not know (a CRD such as an Argo Rollout or a Knative Service) may
# carry a pod template: such objects are judged as workloads too (manifests only).
GENERIC_TEMPLATES: tuple[tuple[str, ...], ...] = (SPEC_TEMPLATE, ("spec", "jobTemplate", "spec", "template"))

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")

# Kubernetes "no namespace given" default for namespaced objects in manifests.
DEFAULT_NAMESPACE = "default"
