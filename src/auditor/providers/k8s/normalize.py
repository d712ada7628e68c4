"""From Kubernetes objects (API JSON shape, as served or as written in a manifest) to resources.

The live collector and the manifest reader both call `build_resources`, which is why one
set of checks judges both. Everything here is pure: no I/O, no SDK.

Scrubbing happens before anything is kept (evidence and attributes):
- Secrets keep only apiVersion, kind, metadata and type (plus the *names* of their data keys);
- every literal env value is replaced by `[REDACTED]` (names stay: checks judge by name; a value
  such as DATABASE_URL may carry a password whatever the name says), and so is the value of any
  container command/args flag whose name looks secret (`--db-password=...`, `--token X`);
- the `kubectl.kubernetes.io/last-applied-configuration` annotation (a full copy of the
  object as applied, Secret data included) and `managedFields` are dropped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.models import Location, Resource, SourceLocation
from auditor.providers.k8s.kinds import BY_KIND, DEFAULT_NAMESPACE
from auditor.providers.k8s.resources import (
    ADMISSION,
    BINDING,
    CLUSTER,
    INGRESS,
    NAMESPACE,
    NETWORK_POLICY,
    NODE,
    ROLE,
    SECRET,
    SERVICE,
    SERVICE_ACCOUNT,
    WORKLOAD,
)
from auditor.redact import REDACTED, is_secret_key

PROVIDER = "k8s"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping"

_SECRET_ENV = re.compile(
    r"(^|_)(PASS|PASSWD|PWD|PASSWORD|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|SECRET_KEY|"
    r"CLIENT_SECRET|CREDENTIALS?|JWT|DSN|CONN(ECTION)?_STRING|AUTH)($|_)",
    re.IGNORECASE,
)


def secret_like_name(name: str) -> bool:
    """An env variable whose name says it holds a secret (DB_PASSWORD, API_KEY, GITHUB_TOKEN...)."""
    return is_secret_key(name) or bool(_SECRET_ENV.search(name))


# --------------------------------------------------------------------------- scrubbing


def pod_spec_of(obj: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(pod spec, pod template metadata) of a Pod or of any workload's pod template."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec, dict(obj.get("metadata") or {})
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template") or {}
    if not isinstance(template, dict):
        return None, {}
    return template.get("spec"), dict(template.get("metadata") or {})


def _containers(spec: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield c


def _scrub_env(spec: dict[str, Any]) -> None:
    for c in _containers(spec):
        for env in c.get("env") or []:
            if isinstance(env, dict) and env.get("value") not in (None, ""):
                env["value"] = REDACTED
        for key in ("command", "args"):
            if isinstance(c.get(key), list):
                c[key] = _scrub_args([str(a) for a in c[key]])


def _secret_flag(name: str) -> bool:
    """A flag whose value may be a secret. Flags naming a file, path or mode are not (the secret, if
    any, is in the file), so control-plane flags such as --token-auth-file stay readable."""
    n = name.replace("-", "_").lower()
    return secret_like_name(n) and not n.endswith(("_file", "_path", "_dir", "_mode", "_ttl"))


def _scrub_args(args: list[str]) -> list[str]:
    """Mask the value of secret-looking flags: `--password=x`, `--token x`, `-p=x` stays if not secret."""
    out: list[str] = []
    mask_next = False
    for a in args:
        if mask_next:
            out.append(REDACTED)
            mask_next = False
            continue
        name, eq, value = a.lstrip("-").partition("=")
        if a.startswith("-") and _secret_flag(name):
            if eq:
                out.append(a if value.lower() in ("true", "false") else a.split("=", 1)[0] + "=" + REDACTED)
            else:
                out.append(a)
                mask_next = True
            continue
        out.append(a)
    return out


def _scrub_meta(meta: Any) -> Any:
    if not isinstance(meta, dict):
        return meta
    meta = dict(meta)
    meta.pop("managedFields", None)
    ann = meta.get("annotations")
    if isinstance(ann, dict) and LAST_APPLIED in ann:
        meta["annotations"] = {k: v for k, v in ann.items() if k != LAST_APPLIED}
    return meta


def scrub(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `obj` that holds no secret value (see the module docstring)."""
    kind = obj.get("kind")
    if kind == "Secret":
        keys = sorted({*(obj.get("data") or {}), *(obj.get("stringData") or {})})
        out: dict[str, Any] = {
            "apiVersion": obj.get("apiVersion", "v1"),
            "kind": "Secret",
            "metadata": _scrub_meta(copy.deepcopy(obj.get("metadata") or {})),
        }
        if "type" in obj:
            out["type"] = obj["type"]
        if keys:
            out["dataKeys"] = keys
        return out
    clean = copy.deepcopy(dict(obj))
    clean["metadata"] = _scrub_meta(clean.get("metadata") or {})
    spec, _ = pod_spec_of(clean)
    if isinstance(spec, dict):
        _scrub_env(spec)
    if clean.get("kind") == "CronJob":  # the job template's own metadata
        jt = (clean.get("spec") or {}).get("jobTemplate")
        if isinstance(jt, dict):
            jt["metadata"] = _scrub_meta(jt.get("metadata") or {})
    return clean


def scrub_list(body: Mapping[str, Any]) -> dict[str, Any]:
    """Scrub a list response (items scrubbed, list metadata kept)."""
    out = {k: v for k, v in body.items() if k != "items"}
    out["items"] = [scrub(i) for i in body.get("items") or [] if isinstance(i, dict)]
    return out


# ---------------------------------------------------------------------- normalisation


@dataclass
class Obj:
    """One Kubernetes object, scrubbed, with where it came from."""

    obj: dict[str, Any]
    evidence: str
    source: SourceLocation | None = None  # manifests: file and document (the address is added here)

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def meta(self) -> dict[str, Any]:
        m = self.obj.get("metadata")
        return m if isinstance(m, dict) else {}

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    @property
    def namespace(self) -> str | None:
        k = BY_KIND.get(self.kind)
        if k is None or not k.namespaced:
            return None
        return str(self.meta.get("namespace") or DEFAULT_NAMESPACE)


@dataclass
class Estate:
    """Everything read from one target (a cluster context, or one set of manifests)."""

    scope: str
    live: bool
    objects: list[Obj] = field(default_factory=list)
    # kind -> why it could not be read, per namespace (None: cluster-wide)
    failed: dict[tuple[str, str | None], str] = field(default_factory=dict)
    version: dict[str, Any] | None = None
    version_evidence: str | None = None

    def failed_kind(self, kind: str, namespace: str | None = None) -> str | None:
        return self.failed.get((kind, None)) or (self.failed.get((kind, namespace)) if namespace else None)


def resource_id(scope: str, kind: str, name: str, namespace: str | None) -> str:
    return f"{scope}/{kind}/{namespace}/{name}" if namespace else f"{scope}/{kind}/{name}"


# Built-in ClusterRoles a manifest may bind to without defining them (rules abridged to
# what the checks judge: wildcards and Secret access).
BUILTIN_CLUSTERROLES: dict[str, list[dict[str, Any]]] = {
    "cluster-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    "admin": [
        {
            "apiGroups": [""],
            "resources": ["secrets", "pods", "pods/exec", "configmaps", "services"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        }
    ],
    "edit": [
        {
            "apiGroups": [""],
            "resources": ["secrets", "pods", "pods/exec", "configmaps", "services"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        }
    ],
    "view": [
        {
            "apiGroups": [""],
            "resources": ["pods", "configmaps", "services"],
            "verbs": ["get", "list", "watch"],
        }
    ],
}


def _flags(command: Iterable[Any]) -> dict[str, str]:
    """`--name=value` / `--name value` / `--flag` arguments as a dict."""
    out: dict[str, str] = {}
    args = [str(a) for a in command]
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            if not eq and i + 1 < len(args) and not args[i + 1].startswith("-"):
                value = args[i + 1]
                i += 1
            elif not eq:
                value = "true"
            out[name] = value
        i += 1
    return out


def _netpol_summary(o: Obj) -> dict[str, Any]:
    spec = o.obj.get("spec") or {}
    selector = spec.get("podSelector") or {}
    selects_all = not selector.get("matchLabels") and not selector.get("matchExpressions")
    types = spec.get("policyTypes") or (["Ingress", "Egress"] if spec.get("egress") else ["Ingress"])
    return {
        "name": o.name,
        "selects_all_pods": selects_all,
        "policy_types": list(types),
        "ingress_rules": len(spec.get("ingress") or []),
        "egress_rules": len(spec.get("egress") or []),
        "allows_all_ingress": any(not r for r in spec.get("ingress") or []),
        "allows_all_egress": any(not r for r in spec.get("egress") or []),
    }


def _admission_summary(o: Obj, bindings: list[Obj]) -> dict[str, Any]:
    spec = o.obj.get("spec") or {}
    if o.kind == "ValidatingAdmissionPolicy":
        mine = [b for b in bindings if (b.obj.get("spec") or {}).get("policyName") == o.name]
        return {
            "kind": o.kind,
            "name": o.name,
            "failure_policy": spec.get("failurePolicy", "Fail"),
            "validations": len(spec.get("validations") or []),
            "bindings": [
                {
                    "name": b.name,
                    "validation_actions": list((b.obj.get("spec") or {}).get("validationActions") or []),
                }
                for b in mine
            ],
        }
    hooks = o.obj.get("webhooks") or []
    return {
        "kind": o.kind,
        "name": o.name,
        "webhooks": [
            {"name": h.get("name"), "failure_policy": h.get("failurePolicy", "Fail")}
            for h in hooks
            if isinstance(h, dict)
        ],
    }


def build_resources(estate: Estate) -> list[Resource]:
    """Normalise every object of one target into resources (see the module docstring)."""
    out: list[Resource] = []
    scope = estate.scope
    by_kind: dict[str, list[Obj]] = {}
    for o in estate.objects:
        by_kind.setdefault(o.kind, []).append(o)

    def res(
        o: Obj,
        rtype: str,
        attrs: dict[str, Any],
        gaps: dict[str, str] | None = None,
        evidence: tuple[str, ...] = (),
    ) -> Resource:
        ns = o.namespace
        labels = o.meta.get("labels") or {}
        name = f"{o.kind}/{ns}/{o.name}" if ns else f"{o.kind}/{o.name}"
        source = o.source.model_copy(update={"address": name}) if o.source is not None else None
        return Resource(
            provider=PROVIDER,
            type=rtype,
            id=resource_id(scope, o.kind, o.name, ns),
            name=name,
            location=Location(account=scope, region=ns),
            tags={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
            attributes={"kind": o.kind, "namespace": ns, "name": o.name, **attrs},
            gaps=gaps or {},
            evidence=(o.evidence, *evidence),
            source=source,
        )

    # Workloads: pods and every pod template, one shape.
    for kind in ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"):
        for o in by_kind.get(kind, []):
            spec, tmeta = pod_spec_of(o.obj)
            owners = [r for r in o.meta.get("ownerReferences") or [] if isinstance(r, dict)]
            controller = next((r for r in owners if r.get("controller")), None)
            attrs = {
                "pod_spec": spec if isinstance(spec, dict) else None,
                "pod_annotations": dict(tmeta.get("annotations") or {}),
                "controller": f"{controller.get('kind')}/{controller.get('name')}" if controller else None,
            }
            gaps = {} if isinstance(spec, dict) else {"pod_spec": "the object has no pod template"}
            out.append(res(o, WORKLOAD, attrs, gaps))

    # Network policies, and each namespace's summary of them.
    netpols: dict[str, list[dict[str, Any]]] = {}
    for o in by_kind.get("NetworkPolicy", []):
        summary = _netpol_summary(o)
        netpols.setdefault(o.namespace or DEFAULT_NAMESPACE, []).append(summary)
        out.append(res(o, NETWORK_POLICY, summary))

    for o in by_kind.get("Namespace", []):
        labels = o.meta.get("labels") or {}
        psa = {
            mode: labels.get(f"pod-security.kubernetes.io/{mode}")
            for mode in ("enforce", "audit", "warn")
            if f"pod-security.kubernetes.io/{mode}" in labels
        }
        gaps = {}
        why = estate.failed_kind("NetworkPolicy", o.name)
        if why:
            gaps["network_policies"] = f"NetworkPolicies could not be read: {why}"
        out.append(
            res(
                o,
                NAMESPACE,
                {
                    "labels": dict(labels),
                    "pod_security": psa,
                    "network_policies": netpols.get(o.name, []),
                    "phase": (o.obj.get("status") or {}).get("phase"),
                },
                gaps,
            )
        )

    for o in by_kind.get("Node", []):
        info = (o.obj.get("status") or {}).get("nodeInfo") or {}
        out.append(res(o, NODE, {"kubelet_version": info.get("kubeletVersion")}))

    for o in by_kind.get("ServiceAccount", []):
        out.append(
            res(
                o,
                SERVICE_ACCOUNT,
                {"automountServiceAccountToken": o.obj.get("automountServiceAccountToken")},
            )
        )

    # RBAC: roles, and bindings with the rules of the role they grant resolved.
    roles: dict[tuple[str, str | None, str], Obj] = {}
    for kind in ("Role", "ClusterRole"):
        for o in by_kind.get(kind, []):
            roles[(kind, o.namespace, o.name)] = o
            out.append(
                res(
                    o,
                    ROLE,
                    {
                        "rules": list(o.obj.get("rules") or []),
                        "builtin": (o.meta.get("labels") or {}).get(BOOTSTRAP_LABEL) == "rbac-defaults"
                        or o.name.startswith("system:"),
                        "aggregated": bool(o.obj.get("aggregationRule")),
                    },
                )
            )
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        for o in by_kind.get(kind, []):
            ref = o.obj.get("roleRef") or {}
            rkind, rname = str(ref.get("kind", "")), str(ref.get("name", ""))
            role = roles.get((rkind, o.namespace if rkind == "Role" else None, rname))
            battrs: dict[str, Any] = {
                "role_ref": {"kind": rkind, "name": rname},
                "subjects": [s for s in o.obj.get("subjects") or [] if isinstance(s, dict)],
                "builtin": (o.meta.get("labels") or {}).get(BOOTSTRAP_LABEL) == "rbac-defaults",
            }
            gaps = {}
            evidence: tuple[str, ...] = ()
            if role is not None:
                battrs["role_rules"] = list(role.obj.get("rules") or [])
                evidence = (role.evidence,)
            elif why := estate.failed_kind(rkind, o.namespace if rkind == "Role" else None):
                gaps["role_rules"] = f"{rkind}s could not be read: {why}"
            elif rkind == "ClusterRole" and rname in BUILTIN_CLUSTERROLES and not estate.live:
                battrs["role_rules"] = BUILTIN_CLUSTERROLES[rname]
            elif estate.live:
                battrs["role_rules"] = []  # a binding to a role that does not exist grants nothing
                battrs["role_missing"] = True
            else:
                gaps["role_rules"] = f"{rkind} {rname!r} is not among the manifests scanned"
            out.append(res(o, BINDING, battrs, gaps, evidence))

    for o in by_kind.get("Service", []):
        spec = o.obj.get("spec") or {}
        out.append(
            res(
                o,
                SERVICE,
                {
                    "type": spec.get("type", "ClusterIP"),
                    "load_balancer_source_ranges": list(spec.get("loadBalancerSourceRanges") or []),
                    "annotations": dict(o.meta.get("annotations") or {}),
                    "ports": [
                        {"port": p.get("port"), "nodePort": p.get("nodePort"), "protocol": p.get("protocol")}
                        for p in spec.get("ports") or []
                        if isinstance(p, dict)
                    ],
                },
            )
        )

    for o in by_kind.get("Ingress", []):
        spec = o.obj.get("spec") or {}
        hosts = sorted(
            {str(r.get("host")) for r in spec.get("rules") or [] if isinstance(r, dict) and r.get("host")}
        )
        out.append(res(o, INGRESS, {"tls": list(spec.get("tls") or []), "hosts": hosts}))

    bindings = by_kind.get("ValidatingAdmissionPolicyBinding", [])
    admission: list[dict[str, Any]] = []
    for kind in (
        "ValidatingAdmissionPolicy",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ):
        for o in by_kind.get(kind, []):
            summary = _admission_summary(o, bindings)
            admission.append(summary)
            out.append(res(o, ADMISSION, summary))

    for o in by_kind.get("Secret", []):
        ann = o.meta.get("annotations") or {}
        out.append(
            res(
                o,
                SECRET,
                {
                    "type": o.obj.get("type", "Opaque"),
                    "created": o.meta.get("creationTimestamp"),
                    "service_account": ann.get("kubernetes.io/service-account.name"),
                },
            )
        )

    if estate.live:
        out.append(_cluster_resource(estate, by_kind, admission))
    return out


def _cluster_resource(
    estate: Estate, by_kind: dict[str, list[Obj]], admission: list[dict[str, Any]]
) -> Resource:
    gaps: dict[str, str] = {}
    evidence: list[str] = []
    attrs: dict[str, Any] = {"kind": "Cluster", "name": estate.scope}
    if estate.version is not None:
        attrs["version"] = estate.version
        if estate.version_evidence:
            evidence.append(estate.version_evidence)
    else:
        gaps["version"] = "the /version endpoint could not be read"
    # Control-plane static pods (kubeadm and most self-managed installs label them).
    apiserver = [
        o
        for o in by_kind.get("Pod", [])
        if o.namespace == "kube-system" and (o.meta.get("labels") or {}).get("component") == "kube-apiserver"
    ]
    if why := estate.failed_kind("Pod", "kube-system"):
        gaps["apiserver_flags"] = f"kube-system pods could not be read: {why}"
    elif apiserver:
        pod = sorted(apiserver, key=lambda o: o.name)[0]
        spec = pod.obj.get("spec") or {}
        container = next(
            (c for c in spec.get("containers") or [] if "kube-apiserver" in " ".join(c.get("command") or [])),
            (spec.get("containers") or [{}])[0],
        )
        attrs["apiserver_flags"] = _flags([*(container.get("command") or []), *(container.get("args") or [])])
        attrs["apiserver_pod"] = pod.name
        evidence.append(pod.evidence)
    else:
        attrs["apiserver_flags"] = None  # not visible: a managed control plane
    admission_kinds = (
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    )
    failed = [f"{k}: {w}" for k in admission_kinds if (w := estate.failed_kind(k))]
    if failed:
        gaps["admission"] = "admission configuration could not be read: " + "; ".join(failed)
    else:
        attrs["admission"] = admission
    return Resource(
        provider=PROVIDER,
        type=CLUSTER,
        id=estate.scope,
        name=estate.scope,
        location=Location(account=estate.scope),
        attributes=attrs,
        gaps=gaps,
        evidence=tuple(evidence),
    )
