"""The resource types of the Kubernetes provider: every attribute `normalize.build_resources`
writes, with its JSON type and meaning (no SDK here).

Live clusters and manifests produce the same types; what only a live cluster can know is
marked as such. Objects keep their API names (camelCase) inside `pod_spec`, `rules`,
`subjects` and `tls`, exactly as served or written in a manifest. Every type but
`k8s.cluster` carries the three object attributes `kind`, `namespace` and `name`.
"""

from __future__ import annotations

from typing import Any

from auditor.contracts import Attr, TypeSet, attr
from auditor.models import Resource

TYPES = TypeSet("k8s")


def _object(namespaced: bool = True) -> dict[str, Attr]:
    return {
        "kind": attr(str, "The Kubernetes kind of the object (Pod, Deployment, ClusterRole...)."),
        "namespace": attr(
            str | None,
            "The object's namespace (`default` when a namespaced manifest names none)"
            + ("; null for cluster-scoped kinds." if namespaced else "; always null (cluster-scoped)."),
        ),
        "name": attr(str, "metadata.name."),
    }


def where(r: Resource) -> str:
    """How findings name an object: `Kind namespace/name`, or `Kind name` when cluster-scoped."""
    ns = r.attributes.get("namespace")
    return f"{r.attributes.get('kind')} {ns + '/' if ns else ''}{r.attributes.get('name')}"


WORKLOAD = TYPES.declare(
    "k8s.workload",
    "Pod or pod template of a workload",
    {
        **_object(),
        "pod_spec": attr(
            dict[str, Any] | None,
            "The pod spec (API JSON shape) of a Pod, or the pod template of a Deployment, StatefulSet, "
            "DaemonSet, ReplicaSet, ReplicationController, PodTemplate, Job, CronJob, DeploymentConfig "
            "(or of another kind that carries one, in manifests), or the pod KServe runs for each "
            "component of an InferenceService (predictor, transformer, explainer); every literal env value and "
            "secret-looking flag value is `[REDACTED]`. Null (and a gap) when the object has no pod "
            "template.",
        ),
        "env_literals": attr(
            list[Any],
            "Every literal env value of the pod spec, measured before it was masked: {container, name, "
            "detected (the kind of secret the value looks like: aws_access_key_id, private_key, jwt, "
            "vendor_token, auth_header, url_password, connection_string_password; or null), entropy "
            "(Shannon, bits per character), length, opaque (one token, not a path, URL or reference)}. "
            "Never the value.",
        ),
        "pod_annotations": attr(
            dict[str, Any], "Annotations of the pod (or of its template), e.g. legacy seccomp annotations."
        ),
        "pod_labels": attr(
            dict[str, Any],
            "Labels of the pod (or of its template), e.g. sidecar.istio.io/inject; for an InferenceService's "
            "component, the labels KServe puts on its pods (`component` names it).",
        ),
        "controller": attr(
            str | None,
            "`Kind/name` of the owner reference marked controller (a ReplicaSet, a Job...); null if none.",
        ),
    },
    scope="namespace",
    description="Pods and the pod templates of every workload kind are one type, so the workload "
    "checks are written once. Objects whose judged fields have the wrong type are never normalised "
    "(the collector reports them instead).",
)

NAMESPACE = TYPES.declare(
    "k8s.namespace",
    "Namespace",
    {
        **_object(namespaced=False),
        "labels": attr(dict[str, Any], "metadata.labels."),
        "pod_security": attr(
            dict[str, Any],
            "Pod Security admission labels set on the namespace: mode (enforce, audit, warn) -> level "
            "(privileged, baseline, restricted); modes without a label are absent.",
        ),
        "network_policies": attr(
            list[Any],
            "Summaries of the NetworkPolicies in the namespace, each as in k8s.networkpolicy "
            "(name, selects_all_pods, policy_types, ingress_rules, egress_rules, allows_all_*). "
            "A gap when NetworkPolicies could not be read.",
        ),
        "phase": attr(str | None, "status.phase (Active, Terminating); null in manifests."),
    },
    scope="cluster",
)

NODE = TYPES.declare(
    "k8s.node",
    "Node",
    {
        **_object(namespaced=False),
        "kubelet_version": attr(
            str | None, "status.nodeInfo.kubeletVersion (v1.30.4); null if not reported."
        ),
    },
    scope="cluster",
)

CLUSTER = TYPES.declare(
    "k8s.cluster",
    "Cluster (one per scanned context; live scans only)",
    {
        "kind": attr(str, "Always `Cluster`."),
        "name": attr(str, "The target label: the kubeconfig context, or the in-cluster name."),
        "version": attr(
            dict[str, Any],
            "The /version response (major, minor, gitVersion, platform...). A gap when /version could "
            "not be read.",
        ),
        "apiserver_flags": attr(
            dict[str, Any] | None,
            "kube-apiserver command-line flags (name without dashes -> value; `true` for a bare flag) "
            "of the kube-system pod labelled component=kube-apiserver; null when no such pod is "
            "visible (a managed control plane). A gap when kube-system pods could not be read.",
        ),
        "apiserver_pod": attr(str, "Name of the kube-apiserver pod the flags were read from.", optional=True),
        "admission": attr(
            list[Any],
            "Every admission configuration of the cluster, each as in k8s.admission (kind, name, and "
            "its policy or webhook summary). A gap when any admission kind could not be read.",
        ),
    },
    scope="cluster",
    per_scope=True,
)

SERVICE_ACCOUNT = TYPES.declare(
    "k8s.serviceaccount",
    "ServiceAccount",
    {
        **_object(),
        "automountServiceAccountToken": attr(
            bool | None, "automountServiceAccountToken as set on the ServiceAccount; null if unset."
        ),
    },
    scope="namespace",
)

ROLE = TYPES.declare(
    "k8s.role",
    "Role or ClusterRole",
    {
        **_object(),
        "rules": attr(list[Any], "The RBAC rules (apiGroups, resources, verbs, ... as in the API)."),
        "builtin": attr(
            bool, "A built-in role: labelled kubernetes.io/bootstrapping=rbac-defaults or named system:*."
        ),
        "aggregated": attr(bool, "The role has an aggregationRule (its rules are filled in by the server)."),
    },
    scope="namespace",
)

BINDING = TYPES.declare(
    "k8s.binding",
    "RoleBinding or ClusterRoleBinding",
    {
        **_object(),
        "role_ref": attr(dict[str, Any], "The role granted: {kind, name}."),
        "subjects": attr(list[Any], "The subjects (kind, name, namespace, apiGroup as in the API)."),
        "builtin": attr(bool, "A built-in binding (labelled kubernetes.io/bootstrapping=rbac-defaults)."),
        "role_rules": attr(
            list[Any],
            "The rules of the granted role, resolved from the roles read (manifests: also the abridged "
            "built-in cluster-admin, admin, edit and view). A gap when the role's kind could not be "
            "read, or (manifests) when the role is not among the files scanned.",
        ),
        "role_missing": attr(
            bool,
            "Live only: true when the granted role does not exist (the binding grants nothing, role_rules "
            "is empty).",
            optional=True,
        ),
    },
    scope="namespace",
)

NETWORK_POLICY = TYPES.declare(
    "k8s.networkpolicy",
    "NetworkPolicy",
    {
        **_object(),
        "selects_all_pods": attr(
            bool, "podSelector is empty: the policy selects every pod in the namespace."
        ),
        "policy_types": attr(
            list[Any], "policyTypes (Ingress, Egress), defaulted as the API server does when absent."
        ),
        "ingress_rules": attr(int, "Number of ingress rules (0 with type Ingress: deny all ingress)."),
        "egress_rules": attr(int, "Number of egress rules (0 with type Egress: deny all egress)."),
        "allows_all_ingress": attr(bool, "An empty ingress rule admits traffic from everywhere."),
        "allows_all_egress": attr(bool, "An empty egress rule allows traffic to everywhere."),
    },
    scope="namespace",
)

SERVICE = TYPES.declare(
    "k8s.service",
    "Service",
    {
        **_object(),
        "type": attr(str, "spec.type (ClusterIP when unset, NodePort, LoadBalancer, ExternalName)."),
        "load_balancer_source_ranges": attr(list[Any], "spec.loadBalancerSourceRanges (CIDRs); [] if unset."),
        "annotations": attr(dict[str, Any], "metadata.annotations (cloud load-balancer settings live here)."),
        "ports": attr(list[Any], "Ports, each {port, nodePort, protocol} (null where unset)."),
    },
    scope="namespace",
)

INGRESS = TYPES.declare(
    "k8s.ingress",
    "Ingress",
    {
        **_object(),
        "tls": attr(list[Any], "spec.tls entries ({hosts, secretName} as in the API); [] when none."),
        "hosts": attr(list[Any], "Sorted host names of the Ingress rules."),
    },
    scope="namespace",
)

ADMISSION = TYPES.declare(
    "k8s.admission",
    "Admission policy or webhook configuration",
    {
        **_object(namespaced=False),
        "failure_policy": attr(
            str,
            "ValidatingAdmissionPolicy only: spec.failurePolicy (Fail when unset, or Ignore).",
            optional=True,
        ),
        "validations": attr(
            int, "ValidatingAdmissionPolicy only: number of validation expressions.", optional=True
        ),
        "bindings": attr(
            list[Any],
            "ValidatingAdmissionPolicy only: its ValidatingAdmissionPolicyBindings, each {name, "
            "validation_actions}.",
            optional=True,
        ),
        "webhooks": attr(
            list[Any],
            "Validating/MutatingWebhookConfiguration only: its webhooks, each {name, failure_policy} "
            "(Fail when unset).",
            optional=True,
        ),
    },
    scope="cluster",
    description="ValidatingAdmissionPolicies (with their bindings folded in), "
    "ValidatingWebhookConfigurations and MutatingWebhookConfigurations.",
)

SECRET = TYPES.declare(
    "k8s.secret",
    "Secret (metadata only)",
    {
        **_object(),
        "type": attr(str, "The Secret type (Opaque when unset, kubernetes.io/service-account-token...)."),
        "created": attr(str | None, "metadata.creationTimestamp (RFC 3339); null in manifests that omit it."),
        "service_account": attr(
            str | None,
            "The kubernetes.io/service-account.name annotation (the ServiceAccount a token Secret "
            "belongs to); null if absent.",
        ),
    },
    scope="namespace",
    description="Never the data: live scans list metadata only (and only with --secret-metadata); "
    "manifests keep metadata, type and the names of the data keys.",
)

# ------------------------------------------------ custom resources: Istio, KServe (read when served)

MESH = TYPES.declare(
    "k8s.mesh",
    "Istio service mesh (one per target where Istio's security API is served, or whose manifests "
    "hold Istio objects)",
    {
        **_object(namespaced=False),
        "cluster": attr(str, "The target label (kubeconfig context, in-cluster name, or `manifests`)."),
        "namespaces": attr(
            list[Any] | None,
            "Live scans limited with --namespaces: the namespaces read (objects elsewhere, the root "
            "namespace's included, were not); null when every namespace was read, and in manifests.",
        ),
        "peer_authentications": attr(
            list[Any],
            "Every PeerAuthentication of the target: {namespace, name, selector (matchLabels or null), "
            "mode (STRICT, PERMISSIVE, DISABLE, UNSET or null), port_modes}. A gap when they could not be "
            "read.",
        ),
    },
    scope="cluster",
    description="Live: present when security.istio.io is served (a 404 there means no mesh, so the "
    "mesh checks have nothing to judge). Its kind is `Mesh`, its name `istio`.",
)

_SELECTOR = attr(
    dict[str, Any] | None,
    "spec.selector.matchLabels; null when the object selects no pods in particular (namespace-wide, "
    "or mesh-wide in the root namespace).",
)

PEER_AUTHENTICATION = TYPES.declare(
    "k8s.peer_authentication",
    "Istio PeerAuthentication (security.istio.io)",
    {
        **_object(),
        "selector": _SELECTOR,
        "mode": attr(
            str | None, "spec.mtls.mode upper-cased (STRICT, PERMISSIVE, DISABLE, UNSET); null if unset."
        ),
        "port_modes": attr(dict[str, Any], "spec.portLevelMtls: port -> mode (upper-cased)."),
    },
    scope="namespace",
)

DESTINATION_RULE = TYPES.declare(
    "k8s.destination_rule",
    "Istio DestinationRule (networking.istio.io)",
    {
        **_object(),
        "host": attr(str, "spec.host."),
        "tls_modes": attr(
            list[Any],
            "Every TLS mode the rule sets: {where (trafficPolicy, trafficPolicy.portLevelSettings[PORT], "
            "subsets[NAME].trafficPolicy...), mode (DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL)}.",
        ),
    },
    scope="namespace",
)

AUTHORIZATION_POLICY = TYPES.declare(
    "k8s.authorization_policy",
    "Istio AuthorizationPolicy (security.istio.io)",
    {
        **_object(),
        "action": attr(str, "spec.action upper-cased (ALLOW when unset, DENY, AUDIT, CUSTOM)."),
        "selector": _SELECTOR,
        "target_refs": attr(list[Any], "spec.targetRef / targetRefs (gateways, services); [] when none."),
        "provider": attr(str | None, "spec.provider.name of a CUSTOM policy; null otherwise."),
        "rules": attr(list[Any], "spec.rules as in the API (from, to, when); [] when none."),
    },
    scope="namespace",
)

INFERENCE_SERVICE = TYPES.declare(
    "k8s.inference_service",
    "KServe InferenceService (serving.kserve.io)",
    {
        **_object(),
        "labels": attr(dict[str, Any], "metadata.labels (visibility labels live here)."),
        "annotations": attr(dict[str, Any], "metadata.annotations (authentication switches live here)."),
        "components": attr(list[Any], "The components it defines: predictor, transformer, explainer."),
        "storage_uris": attr(
            list[Any],
            "Every model storage URI: {component, field (model.storageUri...), uri}; a URI holding a "
            "credential is `[REDACTED]`.",
        ),
    },
    scope="namespace",
    description="Its predictor is also a k8s.workload (kind InferenceService), judged by the workload checks.",
)
