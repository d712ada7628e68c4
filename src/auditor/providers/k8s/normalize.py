"""From Kubernetes objects (API JSON shape, as served or as written in a manifest) to resources.

The live collector and the manifest reader both call `prepare` on every object they read and
`build_resources` on what it returns, which is why one set of checks judges both. Everything
here is pure: no I/O, no SDK.

`prepare` validates the object's shape first (`shapes.problems`): an object whose judged parts
have the wrong type is not normalised at all, and the collector reports it. Then it scrubs,
before anything is kept (evidence and attributes):
- Secrets keep only apiVersion, kind, metadata and type (plus the *names* of their data keys);
- every literal env value is replaced by `[REDACTED]` (names stay; a value such as DATABASE_URL
  may carry a password whatever the name says), and so is the value of any container
  command/args flag whose name looks secret (`--db-password=...`, `--token X`). What the secret
  check needs to judge a value is measured before it is masked (`env_literals`): which kind of
  secret it looks like, its entropy and length, never the value;
- the `kubectl.kubernetes.io/last-applied-configuration` annotation (a full copy of the
  object as applied, Secret data included) and `managedFields` are dropped.
Scrubbing never mutates its input, copies only what it changes, and accepts any shape (the
live evidence is scrubbed before the shape is judged); `auditor.redact` then masks every `env`
and Secret data position again, whatever their shape.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.models import Location, Resource, SourceLocation
from auditor.providers.k8s import istio, kserve, podspec, shapes
from auditor.providers.k8s.kinds import BY_KIND, DEFAULT_NAMESPACE, GENERIC_TEMPLATES
from auditor.providers.k8s.podspec import CONTAINER_KEYS
from auditor.providers.k8s.resources import (
    ADMISSION,
    AUTHORIZATION_POLICY,
    BINDING,
    CLUSTER,
    DESTINATION_RULE,
    INFERENCE_SERVICE,
    INGRESS,
    MESH,
    NAMESPACE,
    NETWORK_POLICY,
    NODE,
    PEER_AUTHENTICATION,
    ROLE,
    SECRET,
    SERVICE,
    SERVICE_ACCOUNT,
    WORKLOAD,
)
from auditor.redact import REDACTED, is_secret_key, secret_value_kind, shannon_entropy

PROVIDER = "k8s"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping"

_SECRET_ENV = re.compile(
    r"(^|_)(PASS|PASSWD|PWD|PASSWORD|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|SECRET_KEY|"
    r"CLIENT_SECRET|CREDENTIALS?|JWT|DSN|CONN(ECTION)?_STRING|AUTH)($|_)",
    re.IGNORECASE,
)
# A name that says it holds where a secret is, not the secret: SOME_TOKEN_PATH=/var/run/...
_LOCATION_SUFFIX = re.compile(r"[_-](PATHS?|FILES?|FILENAME|DIRS?|DIRECTORY)$", re.IGNORECASE)
_FLAG_NOT_SECRET = ("_file", "_path", "_dir", "_mode", "_ttl")


def secret_like_name(name: str) -> bool:
    """An env variable whose name says it holds a secret (DB_PASSWORD, API_KEY, GITHUB_TOKEN...);
    a name that holds a path, file or directory (TOKEN_PATH, SECRET_FILE, CERT_DIR) does not."""
    if _LOCATION_SUFFIX.search(name):
        return False
    return is_secret_key(name) or bool(_SECRET_ENV.search(name))


def _opaque(value: str) -> bool:
    """A value the entropy test applies to: one token (no whitespace), not a path, not a URL,
    not a reference to another variable."""
    v = value.strip()
    return not (
        not v
        or any(ch.isspace() for ch in v)
        or v.startswith(("/", "./", "../", "~/", "$(", "${"))
        or "://" in v
    )


def env_literals(spec: Any) -> list[dict[str, Any]]:
    """What the secret check needs about each literal env value of a pod spec, measured before
    the value is masked: container and variable name, the kind of secret the value looks like
    (`auditor.redact.secret_value_kind`, or null), its Shannon entropy in bits per character,
    its length, and whether it is `opaque` (one token: the entropy test applies)."""
    out: list[dict[str, Any]] = []
    if not isinstance(spec, dict):
        return out
    for c in podspec.containers(spec):
        env = c.get("env")
        for e in env if isinstance(env, list) else ():
            if not isinstance(e, dict) or e.get("value") in (None, ""):
                continue
            value = str(e["value"])
            out.append(
                {
                    "container": podspec.cname(c),
                    "name": str(e.get("name", "")),
                    "detected": secret_value_kind(value),
                    "entropy": round(shannon_entropy(value), 2),
                    "length": len(value),
                    "opaque": _opaque(value),
                }
            )
    return out


# --------------------------------------------------------------------------- scrubbing


def template_path(obj: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Where `obj` keeps its pod template: the kind's (kinds.KINDS), or, for a kind the table does
    not know, `spec.template` or `spec.jobTemplate.spec.template` when that holds a pod spec with
    a list of containers (Argo Rollouts, Knative Services...). None: not a workload."""
    k = BY_KIND.get(str(obj.get("kind")))
    if k is not None:
        return k.template
    for path in GENERIC_TEMPLATES:
        spec = _get(obj, (*path, "spec"))
        if isinstance(spec, dict) and isinstance(spec.get("containers"), list):
            return path
    return None


def _get(obj: Any, path: Iterable[str]) -> Any:
    for name in path:
        obj = obj.get(name) if isinstance(obj, dict) else None
    return obj


def pod_spec_of(
    obj: Mapping[str, Any], path: tuple[str, ...] | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(pod spec, pod template metadata) of a Pod or of any workload's pod template."""
    if path is None:
        path = template_path(obj)
    if path is None:
        return None, {}
    template = _get(obj, path) if path else obj
    if not isinstance(template, dict):
        return None, {}
    spec, meta = template.get("spec"), template.get("metadata")
    return (spec if isinstance(spec, dict) else None), (dict(meta) if isinstance(meta, dict) else {})


def _scrub_container(c: Any) -> Any:
    if not isinstance(c, dict):
        return c
    out = dict(c)
    env = c.get("env")
    if isinstance(env, list):
        out["env"] = [_scrub_env_var(e) for e in env]
    elif env is not None:
        out["env"] = REDACTED
    for key in ("command", "args"):
        v = c.get(key)
        if isinstance(v, list):
            out[key] = _scrub_args([str(a) for a in v])
        elif v is not None:
            out[key] = REDACTED
    return out


def _scrub_env_var(e: Any) -> Any:
    """The variable's name and `valueFrom` reference stay; a literal value, or anything under any
    other key (a typo such as `vaule`), is masked."""
    if not isinstance(e, dict):
        return REDACTED
    return {
        k: v if (k == "name" or (k == "valueFrom" and isinstance(v, dict)) or v in (None, "")) else REDACTED
        for k, v in e.items()
    }


def _scrub_pod_spec(spec: Any) -> Any:
    if not isinstance(spec, dict):
        return spec
    out = dict(spec)
    for key in CONTAINER_KEYS:
        cs = spec.get(key)
        if isinstance(cs, list):
            out[key] = [_scrub_container(c) for c in cs]
        elif isinstance(cs, dict):  # malformed (a mapping of containers): scrub it all the same
            out[key] = {k: _scrub_container(c) for k, c in cs.items()}
    return out


def _secret_flag(name: str) -> bool:
    """A flag whose value may be a secret. Flags naming a file, path or mode are not (the secret, if
    any, is in the file), so control-plane flags such as --token-auth-file stay readable."""
    n = name.replace("-", "_").lower()
    return secret_like_name(n) and not n.endswith(_FLAG_NOT_SECRET)


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


def _scrub_template(node: Any, path: tuple[str, ...]) -> Any:
    """A copy of `node` with the pod template at `path` below it scrubbed, and the metadata of
    every object on the way (a CronJob's job template, the pod template)."""
    if not isinstance(node, dict):
        return node
    out = dict(node)
    if "metadata" in out:
        out["metadata"] = _scrub_meta(out["metadata"])
    if not path:
        if "spec" in out:
            out["spec"] = _scrub_pod_spec(out["spec"])
    elif path[0] in out:
        out[path[0]] = _scrub_template(out[path[0]], path[1:])
    return out


def _key_names(value: Any) -> list[str]:
    return [str(k) for k in value] if isinstance(value, dict) else []


def scrub(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `obj` that holds no secret value (see the module docstring). Never mutates `obj`
    and shares the parts it does not change with it."""
    kind = obj.get("kind")
    if kind == "Secret":
        keys = sorted({*_key_names(obj.get("data")), *_key_names(obj.get("stringData"))})
        out: dict[str, Any] = {
            "apiVersion": obj.get("apiVersion", "v1"),
            "kind": "Secret",
            "metadata": _scrub_meta(obj.get("metadata") or {}),
        }
        if "type" in obj:
            out["type"] = obj["type"]
        if keys:
            out["dataKeys"] = keys
        return out
    path = template_path(obj)
    if path is not None:
        return dict(_scrub_template(obj, path))
    clean = dict(obj)
    clean["metadata"] = _scrub_meta(obj.get("metadata") or {})
    if kind == "InferenceService" and isinstance(obj.get("spec"), dict):
        clean["spec"] = _scrub_inference_spec(obj["spec"])
    return clean


def _scrub_inference_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Every KServe component is a pod spec inline, and its model spec a container: both scrubbed."""
    out = dict(spec)
    for name, component in kserve.components(spec).items():
        clean = _scrub_pod_spec(component)
        for key, model in kserve.model_specs(component):
            clean[key] = _scrub_container(model)
        out[name] = clean
    return out


def scrub_list(body: Mapping[str, Any]) -> dict[str, Any]:
    """Scrub a list response (items scrubbed, list metadata kept)."""
    out = {k: v for k, v in body.items() if k != "items"}
    out["items"] = [scrub(i) for i in body.get("items") or [] if isinstance(i, dict)]
    return out


# ---------------------------------------------------------------------- normalisation


@dataclass
class Obj:
    """One Kubernetes object, scrubbed, with where it came from (see `prepare`)."""

    obj: dict[str, Any]
    evidence: str
    source: SourceLocation | None = None  # manifests: file, lines, document (the address is added here)
    env: list[dict[str, Any]] = field(default_factory=list)  # env_literals of its pod spec
    template: tuple[str, ...] | None = None  # where its pod template is (a workload), else None

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
        if (k is None and self.template is None) or (k is not None and not k.namespaced):
            return None
        return str(self.meta.get("namespace") or DEFAULT_NAMESPACE)

    @property
    def address(self) -> str:
        """`Kind/namespace/name` (`Kind/name` for cluster-scoped kinds)."""
        ns = self.namespace
        return f"{self.kind}/{ns}/{self.name}" if ns else f"{self.kind}/{self.name}"


def address_of(obj: Mapping[str, Any]) -> str:
    """The address of an object that may not be well-formed (for problem messages)."""
    kind = obj.get("kind")
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    k = BY_KIND.get(str(kind))
    namespaced = k.namespaced if k is not None else isinstance(meta.get("namespace"), str)
    ns = (meta.get("namespace") or DEFAULT_NAMESPACE) if namespaced else None
    name = meta.get("name")
    parts = [
        str(kind),
        *([str(ns)] if isinstance(ns, str) else []),
        str(name) if isinstance(name, str) else "?",
    ]
    return "/".join(parts)


def prepare(raw: Mapping[str, Any], evidence: str, source: SourceLocation | None = None) -> Obj | list[str]:
    """An object ready for `build_resources` (scrubbed, its env literals measured), or what is
    wrong with its shape (`shapes.problems`): such an object is never normalised."""
    path = template_path(raw)
    problems = shapes.problems(raw, template=path)
    if problems:
        return problems
    if path is not None:
        env = env_literals(pod_spec_of(raw, path)[0])
    elif raw.get("kind") == "InferenceService":
        env = inference_env_literals(raw)
    else:
        env = []
    return Obj(scrub(raw), evidence, source, env, path)


def inference_env_literals(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`env_literals` of every component of an InferenceService (each pod KServe runs), each
    entry marked with its `component` (predictor, transformer, explainer)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    return [
        {**e, "component": name}
        for name, component in kserve.components(spec).items()
        for e in env_literals(kserve.pod_spec(component))
    ]


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
    # objects build_resources could not normalise, and why (the collector reports them)
    unbuilt: list[tuple[Obj, str]] = field(default_factory=list)
    # optional kinds the cluster does not serve (a 404: not installed, so none exist)
    not_served: set[str] = field(default_factory=set)
    # live: the namespaces namespaced kinds were read in (None: all of them)
    namespaces: list[str] | None = None

    def failed_kind(self, kind: str, namespace: str | None = None) -> str | None:
        return self.failed.get((kind, None)) or (self.failed.get((kind, namespace)) if namespace else None)


def resource_id(scope: str, kind: str, name: str, namespace: str | None) -> str:
    return f"{scope}/{kind}/{namespace}/{name}" if namespace else f"{scope}/{kind}/{name}"


# Built-in ClusterRoles a manifest may bind to without defining them (rules abridged to
# what the checks judge: wildcards and Secret access).
_EDIT_RULES = [
    {
        "apiGroups": [""],
        "resources": [
            "secrets",
            "pods",
            "pods/exec",
            "pods/attach",
            "pods/portforward",
            "configmaps",
            "services",
        ],
        "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
    }
]
BUILTIN_CLUSTERROLES: dict[str, list[dict[str, Any]]] = {
    "cluster-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    "admin": _EDIT_RULES,
    "edit": _EDIT_RULES,
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


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items() if v is not None} if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _spec(o: Obj) -> dict[str, Any]:
    spec = o.obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# Kinds whose resource needs only the object itself, built as soon as it is added: kind -> method.
_AT_ONCE = {
    "Node": "node",
    "ServiceAccount": "service_account",
    "Service": "service",
    "Ingress": "ingress",
    "Secret": "secret",
    "NetworkPolicy": "network_policy",
    "Role": "role",
    "ClusterRole": "role",
    "PeerAuthentication": "peer_authentication",
    "AuthorizationPolicy": "authorization_policy",
    "DestinationRule": "destination_rule",
}  # (an InferenceService is built at once too, as itself and as a workload per component: `add`)
# Kinds whose resource needs others (namespaces their NetworkPolicies, bindings their role,
# policies their bindings): kept until `finish`.
_AT_END = (
    "Namespace",
    "RoleBinding",
    "ClusterRoleBinding",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
)


def _is_apiserver_pod(o: Obj) -> bool:
    """A control-plane static pod (kubeadm and most self-managed installs label them)."""
    labels = o.meta.get("labels") or {}
    return o.kind == "Pod" and o.namespace == "kube-system" and labels.get("component") == "kube-apiserver"


class Builder:
    """Normalises the objects of one estate, one object at a time: `add(o)` returns the resources
    `o` can become on its own (workloads, services, roles...), so a large set of manifests never has
    to be held whole; `finish()` returns the ones that need other objects (namespaces, bindings,
    admission, the cluster). Each kind's resource comes from one method."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.kept: dict[str, list[Obj]] = {}
        self.roles: dict[tuple[str, str | None, str], Obj] = {}
        self.netpols: dict[str, list[dict[str, Any]]] = {}
        self.admission: list[dict[str, Any]] = []
        self.apiserver_pods: list[Obj] = []  # live: the cluster resource reads their flags
        self.peer_auths: list[tuple[dict[str, Any], str]] = []  # the mesh summary: (summary, evidence)
        self.istio_seen = False  # manifests: an Istio object was read (the mesh is judged)
        self.istio_files: set[str] = set()  # manifests: the files Istio objects came from

    def kinds(self, *kinds: str) -> list[Obj]:
        return [o for k in kinds for o in self.kept.get(k, [])]

    def add(self, o: Obj) -> list[Resource]:
        if o.template is not None:
            if self.estate.live and _is_apiserver_pod(o):
                self.apiserver_pods.append(o)
            return self.each([o], self.workload)  # Pods and every pod template, one shape
        if o.kind in ("Role", "ClusterRole"):
            self.roles[(o.kind, o.namespace, o.name)] = o
        if o.kind == "InferenceService":  # also workloads: each component is a pod spec
            out = self.each([o], self.inference_service) + self.each([o], self.predictor)
            for name in kserve.components(_spec(o)):
                if name != "predictor":
                    out += self.each([o], functools.partial(self.component_workload, component=name))
            return out
        method = _AT_ONCE.get(o.kind)
        if method is not None:
            return self.each([o], getattr(self, method))
        if o.kind in _AT_END:
            self.kept.setdefault(o.kind, []).append(o)
        return []

    def finish(self) -> list[Resource]:
        out = self.each(self.kinds("Namespace"), self.namespace)
        out += self.each(self.kinds("RoleBinding", "ClusterRoleBinding"), self.binding)
        admission = (
            "ValidatingAdmissionPolicy",
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
        )
        out += self.each(self.kinds(*admission), self.admission_config)
        if self.estate.live:
            out.append(_cluster_resource(self.estate, self.apiserver_pods, self.admission))
        if (self.estate.live and "PeerAuthentication" not in self.estate.not_served) or (
            not self.estate.live and self.istio_seen
        ):
            out.append(self.mesh())
        return out

    def each(self, objs: Iterable[Obj], build: Any) -> list[Resource]:
        """`build(o)` for each object; one that cannot be normalised (a shape the validation let
        through) is set aside with the reason, never dropped silently, and never stops the rest."""
        out: list[Resource] = []
        for o in objs:
            try:
                r = build(o)
            except Exception as exc:
                self.estate.unbuilt.append((o, f"could not be normalised: {type(exc).__name__}: {exc}"))
                continue
            if r is not None:
                out.append(r)
        return out

    def res(
        self,
        o: Obj,
        rtype: str,
        attrs: dict[str, Any],
        gaps: dict[str, str] | None = None,
        evidence: tuple[str, ...] = (),
    ) -> Resource:
        ns = o.namespace
        name = o.address
        source = o.source.model_copy(update={"address": name}) if o.source is not None else None
        return Resource(
            provider=PROVIDER,
            type=rtype,
            id=resource_id(self.estate.scope, o.kind, o.name, ns),
            name=name,
            location=Location(account=self.estate.scope, region=ns),
            tags=_str_map(o.meta.get("labels")),
            attributes={"kind": o.kind, "namespace": ns, "name": o.name, **attrs},
            gaps=gaps or {},
            evidence=(o.evidence, *evidence),
            source=source,
        )

    # ------------------------------------------------------------------ one method per kind

    def workload(self, o: Obj) -> Resource:
        spec, tmeta = pod_spec_of(o.obj, o.template)
        owners = _dicts(o.meta.get("ownerReferences"))
        controller = next((r for r in owners if r.get("controller")), None)
        attrs = {
            "pod_spec": spec,
            "pod_annotations": dict(tmeta.get("annotations") or {}),
            "pod_labels": _str_map(tmeta.get("labels")),
            "controller": f"{controller.get('kind')}/{controller.get('name')}" if controller else None,
            "env_literals": o.env,
        }
        gaps = {} if spec is not None else {"pod_spec": "the object has no pod template"}
        return self.res(o, WORKLOAD, attrs, gaps)

    def network_policy(self, o: Obj) -> Resource:
        summary = _netpol_summary(o)
        self.netpols.setdefault(o.namespace or DEFAULT_NAMESPACE, []).append(summary)
        return self.res(o, NETWORK_POLICY, summary)

    def namespace(self, o: Obj) -> Resource:
        labels = _str_map(o.meta.get("labels"))
        psa = {
            mode: labels[f"pod-security.kubernetes.io/{mode}"]
            for mode in ("enforce", "audit", "warn")
            if f"pod-security.kubernetes.io/{mode}" in labels
        }
        gaps = {}
        if why := self.estate.failed_kind("NetworkPolicy", o.name):
            gaps["network_policies"] = f"NetworkPolicies could not be read: {why}"
        attrs = {
            "labels": labels,
            "pod_security": psa,
            "network_policies": self.netpols.get(o.name, []),
            "phase": (o.obj.get("status") or {}).get("phase"),
        }
        return self.res(o, NAMESPACE, attrs, gaps)

    def node(self, o: Obj) -> Resource:
        info = (o.obj.get("status") or {}).get("nodeInfo") or {}
        return self.res(o, NODE, {"kubelet_version": info.get("kubeletVersion")})

    def service_account(self, o: Obj) -> Resource:
        return self.res(
            o, SERVICE_ACCOUNT, {"automountServiceAccountToken": o.obj.get("automountServiceAccountToken")}
        )

    def role(self, o: Obj) -> Resource:
        builtin = (o.meta.get("labels") or {}).get(BOOTSTRAP_LABEL) == "rbac-defaults" or o.name.startswith(
            "system:"
        )
        attrs = {
            "rules": _list(o.obj.get("rules")),
            "builtin": builtin,
            "aggregated": bool(o.obj.get("aggregationRule")),
        }
        return self.res(o, ROLE, attrs)

    def binding(self, o: Obj) -> Resource:
        estate = self.estate
        ref = o.obj.get("roleRef") or {}
        rkind, rname = str(ref.get("kind", "")), str(ref.get("name", ""))
        role_ns = o.namespace if rkind == "Role" else None
        role = self.roles.get((rkind, role_ns, rname))
        attrs: dict[str, Any] = {
            "role_ref": {"kind": rkind, "name": rname},
            "subjects": _dicts(o.obj.get("subjects")),
            "builtin": (o.meta.get("labels") or {}).get(BOOTSTRAP_LABEL) == "rbac-defaults",
        }
        gaps = {}
        evidence: tuple[str, ...] = ()
        if role is not None:
            attrs["role_rules"] = _list(role.obj.get("rules"))
            evidence = (role.evidence,)
        elif why := estate.failed_kind(rkind, role_ns):
            gaps["role_rules"] = f"{rkind}s could not be read: {why}"
        elif rkind == "ClusterRole" and rname in BUILTIN_CLUSTERROLES and not estate.live:
            attrs["role_rules"] = BUILTIN_CLUSTERROLES[rname]
        elif estate.live:
            attrs["role_rules"] = []  # a binding to a role that does not exist grants nothing
            attrs["role_missing"] = True
        else:
            gaps["role_rules"] = f"{rkind} {rname!r} is not among the manifests scanned"
        return self.res(o, BINDING, attrs, gaps, evidence)

    def service(self, o: Obj) -> Resource:
        spec = o.obj.get("spec") or {}
        attrs = {
            "type": spec.get("type", "ClusterIP"),
            "load_balancer_source_ranges": _list(spec.get("loadBalancerSourceRanges")),
            "annotations": dict(o.meta.get("annotations") or {}),
            "ports": [
                {"port": p.get("port"), "nodePort": p.get("nodePort"), "protocol": p.get("protocol")}
                for p in _dicts(spec.get("ports"))
            ],
        }
        return self.res(o, SERVICE, attrs)

    def ingress(self, o: Obj) -> Resource:
        spec = o.obj.get("spec") or {}
        hosts = sorted({str(r.get("host")) for r in _dicts(spec.get("rules")) if r.get("host")})
        return self.res(o, INGRESS, {"tls": _list(spec.get("tls")), "hosts": hosts})

    def admission_config(self, o: Obj) -> Resource:
        summary = _admission_summary(o, self.kinds("ValidatingAdmissionPolicyBinding"))
        self.admission.append(summary)
        return self.res(o, ADMISSION, summary)

    # ------------------------------------------------------------- Istio and KServe objects

    def peer_authentication(self, o: Obj) -> Resource:
        attrs = istio.peer_authentication(_spec(o))
        self.peer_auths.append(({"namespace": o.namespace, "name": o.name, **attrs}, o.evidence))
        self._istio(o)
        return self.res(o, PEER_AUTHENTICATION, attrs)

    def authorization_policy(self, o: Obj) -> Resource:
        self._istio(o)
        return self.res(o, AUTHORIZATION_POLICY, istio.authorization_policy(_spec(o)))

    def destination_rule(self, o: Obj) -> Resource:
        self._istio(o)
        return self.res(o, DESTINATION_RULE, istio.destination_rule(_spec(o)))

    def _istio(self, o: Obj) -> None:
        self.istio_seen = True
        if o.source is not None:
            self.istio_files.add(o.source.file)

    def inference_service(self, o: Obj) -> Resource:
        spec = _spec(o)
        attrs = {
            "labels": _str_map(o.meta.get("labels")),
            "annotations": _str_map(o.meta.get("annotations")),
            "components": list(kserve.components(spec)),
            "storage_uris": kserve.storage_uris(spec),
        }
        return self.res(o, INFERENCE_SERVICE, attrs)

    def predictor(self, o: Obj) -> Resource:
        """The InferenceService's predictor as a workload (the pod KServe runs for it), named as
        the InferenceService itself; an InferenceService without one is a gap, never a pass."""
        resource = self.component_workload(o, "predictor")
        if resource.attributes["pod_spec"] is None:
            return resource.model_copy(update={"gaps": {"pod_spec": "the InferenceService has no predictor"}})
        return resource

    def component_workload(self, o: Obj, component: str) -> Resource:
        """One component of an InferenceService (predictor, transformer, explainer) as the workload
        KServe runs for it: the workload checks judge a custom transformer or explainer image as
        they judge the predictor. The predictor keeps the InferenceService's own id and name (the
        identity of its findings predates the other components); the others are suffixed."""
        part = kserve.components(_spec(o)).get(component)
        spec = kserve.pod_spec(part) if part is not None else None
        annotations = {**_str_map(o.meta.get("annotations")), **kserve.component_annotations(part or {})}
        labels = kserve.pod_labels(
            o.name,
            component,
            {**_str_map(o.meta.get("labels")), **_str_map((part or {}).get("labels"))},
        )
        attrs = {
            "pod_spec": spec,
            "pod_annotations": annotations,
            "pod_labels": labels,
            "controller": None,
            "env_literals": [
                {k: v for k, v in e.items() if k != "component"}
                for e in o.env
                if e.get("component") == component
            ],
        }
        resource = self.res(o, WORKLOAD, attrs)
        if component == "predictor":
            return resource
        name = f"{o.address}/{component}"
        source = resource.source.model_copy(update={"address": name}) if resource.source is not None else None
        return resource.model_copy(
            update={"id": f"{resource.id}/{component}", "name": name, "source": source}
        )

    def mesh(self) -> Resource:
        """The mesh as a whole: every PeerAuthentication, so the mesh-wide policy can be judged."""
        estate = self.estate
        gaps: dict[str, str] = {}
        attrs: dict[str, Any] = {"kind": "Mesh", "namespace": None, "name": "istio", "cluster": estate.scope}
        attrs["namespaces"] = estate.namespaces
        failed = [
            w for (kind, _ns), w in sorted(estate.failed.items(), key=str) if kind == "PeerAuthentication"
        ]
        if failed:
            gaps["peer_authentications"] = f"PeerAuthentications could not be read: {failed[0]}"
        else:
            attrs["peer_authentications"] = sorted(
                (summary for summary, _ in self.peer_auths), key=lambda p: (str(p["namespace"]), p["name"])
            )
        # Manifests: the mesh is read from files, named by the first that holds Istio objects.
        source = (
            SourceLocation(file=min(self.istio_files), address="Mesh/istio") if self.istio_files else None
        )
        return Resource(
            provider=PROVIDER,
            type=MESH,
            id=resource_id(estate.scope, "Mesh", "istio", None),
            name="Mesh/istio",
            location=Location(account=estate.scope),
            attributes=attrs,
            gaps=gaps,
            evidence=tuple(dict.fromkeys(ev for _, ev in self.peer_auths)),
            source=source,
        )

    def secret(self, o: Obj) -> Resource:
        ann = o.meta.get("annotations") or {}
        attrs = {
            "type": o.obj.get("type", "Opaque"),
            "created": o.meta.get("creationTimestamp"),
            "service_account": ann.get("kubernetes.io/service-account.name"),
        }
        return self.res(o, SECRET, attrs)


def build_resources(estate: Estate) -> list[Resource]:
    """Normalise every object of one target into resources (see the module docstring and
    `Builder`). Objects that cannot be normalised are listed in `estate.unbuilt` for the collector
    to report."""
    b = Builder(estate)
    out = [r for o in estate.objects for r in b.add(o)]
    return out + b.finish()


def _cluster_resource(estate: Estate, apiserver: list[Obj], admission: list[dict[str, Any]]) -> Resource:
    gaps: dict[str, str] = {}
    evidence: list[str] = []
    attrs: dict[str, Any] = {"kind": "Cluster", "name": estate.scope}
    if estate.version is not None:
        attrs["version"] = estate.version
        if estate.version_evidence:
            evidence.append(estate.version_evidence)
    else:
        gaps["version"] = "the /version endpoint could not be read"
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
