"""Shape validation before normalisation: every part of an object that normalisation or a check
reads must have the type the Kubernetes API gives it, or the object is not judged at all.

A Deployment whose `containers` is a mapping, a pod whose `resources` is a list, `env: true`,
`privileged: "true"` or a Namespace whose `labels` is a list would otherwise pass checks it
never met (a check that finds no list of containers finds no privileged container) or crash
normalisation. The API server rejects such objects too; here each becomes a problem naming the
field (`spec.template.spec.containers is a mapping, expected a list`), never its value, and the
collector reports it for the file and object (manifests) or the list (live) it came from.

Only what is read is validated; fields the provider does not read are ignored, as are unknown
fields (the API server drops those). `null` means unset, as in the API, except where the API
requires a value (a pod's containers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor.providers.k8s.kinds import BY_KIND, Kind

MAX_PROBLEMS = 3  # per object; the rest are counted


_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),  # before int: a bool is an int
    (int, "a number"),
    (float, "a number"),
    (str, "a string"),
    (dict, "a mapping"),
    (list, "a list"),
)


def describe(value: Any) -> str:
    """What a value is, never what it says."""
    if value is None:
        return "null"
    return next((name for t, name in _NAMES if isinstance(value, t)), f"a {type(value).__name__}")


class Shape:
    @property
    def expected(self) -> str:
        return "a mapping"

    def check(self, value: Any, path: str, out: list[str]) -> None:
        raise NotImplementedError

    def descend(self, value: Any, path: str, out: list[str], typ: type) -> bool:
        """Whether `value` is a `typ` to look into; null (unset) is not, nor is a wrong type (a problem)."""
        if value is None:
            return False
        if not isinstance(value, typ):
            out.append(f"{path or 'the object'} is {describe(value)}, expected {self.expected}")
            return False
        return True


@dataclass(frozen=True)
class Scalar(Shape):
    types: tuple[type, ...]
    what: str

    @property
    def expected(self) -> str:
        return self.what

    def check(self, value: Any, path: str, out: list[str]) -> None:
        if value is None:
            return
        if isinstance(value, bool) and bool not in self.types:
            out.append(f"{path} is a boolean, expected {self.expected}")
        elif not isinstance(value, self.types):
            out.append(f"{path} is {describe(value)}, expected {self.expected}")


STR = Scalar((str,), "a string")
BOOL = Scalar((bool,), "a boolean")
INT = Scalar((int,), "an integer")
QUANTITY = Scalar((str, int, float), "a quantity")  # 100m, 1Gi, 2
SCALAR = Scalar((str, int, float, bool), "a scalar")  # stringified where read
TIMESTAMP = Scalar((str, date), "a timestamp")  # YAML reads an unquoted one as a datetime


@dataclass(frozen=True)
class ListOf(Shape):
    item: Shape
    non_empty: bool = False
    null_items: bool = False  # a null item means an empty one (NetworkPolicy rules)

    @property
    def expected(self) -> str:
        return "a non-empty list" if self.non_empty else "a list"

    def check(self, value: Any, path: str, out: list[str]) -> None:
        if not self.descend(value, path, out, list):
            return
        if self.non_empty and not value:
            out.append(f"{path} is empty, expected at least one item")
        for i, item in enumerate(value):
            if item is None and (self.null_items or not isinstance(self.item, Fields)):
                continue
            if item is None:
                out.append(f"{path}[{i}] is null, expected a mapping")
                continue
            self.item.check(item, f"{path}[{i}]", out)


@dataclass(frozen=True)
class MapOf(Shape):
    value: Shape

    def check(self, value: Any, path: str, out: list[str]) -> None:
        if not self.descend(value, path, out, dict):
            return
        for k, v in value.items():
            if not isinstance(k, str):
                out.append(f"{path} has a key that is {describe(k)}, expected a string")
            elif v is not None:
                self.value.check(v, f"{path}.{k}", out)


@dataclass(frozen=True)
class Fields(Shape):
    fields: Mapping[str, Shape] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # neither missing nor null

    def check(self, value: Any, path: str, out: list[str]) -> None:
        if not self.descend(value, path, out, dict):
            return
        for name in self.required:
            if value.get(name) is None:
                state = "missing" if name not in value else "null"
                out.append(f"{_join(path, name)} is {state}, expected {self.fields[name].expected}")
        for name, shape in self.fields.items():
            v = value.get(name)
            if v is not None:
                shape.check(v, _join(path, name), out)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


ANY_MAPPING = Fields()
METADATA = Fields(
    {
        "name": STR,
        "namespace": STR,
        "labels": MapOf(SCALAR),
        "annotations": MapOf(SCALAR),
        "ownerReferences": ListOf(Fields({"kind": STR, "name": STR, "controller": BOOL})),
        "creationTimestamp": TIMESTAMP,
    }
)
SECCOMP = Fields({"type": STR, "localhostProfile": STR})
CAPABILITIES = Fields({"add": ListOf(STR), "drop": ListOf(STR)})
CONTAINER_SC = Fields(
    {
        "privileged": BOOL,
        "allowPrivilegeEscalation": BOOL,
        "readOnlyRootFilesystem": BOOL,
        "runAsNonRoot": BOOL,
        "runAsUser": INT,
        "runAsGroup": INT,
        "capabilities": CAPABILITIES,
        "seccompProfile": SECCOMP,
    }
)
POD_SC = Fields(
    {"runAsNonRoot": BOOL, "runAsUser": INT, "runAsGroup": INT, "fsGroup": INT, "seccompProfile": SECCOMP}
)
CONTAINER = Fields(
    {
        "name": STR,
        "image": STR,
        "securityContext": CONTAINER_SC,
        "resources": Fields({"requests": MapOf(QUANTITY), "limits": MapOf(QUANTITY)}),
        "env": ListOf(Fields({"name": STR, "value": SCALAR, "valueFrom": ANY_MAPPING})),
        "envFrom": ListOf(ANY_MAPPING),
        "ports": ListOf(Fields({"containerPort": INT, "hostPort": INT, "protocol": STR})),
        "command": ListOf(SCALAR),
        "args": ListOf(SCALAR),
    }
)
POD_SPEC = Fields(
    {
        "containers": ListOf(CONTAINER, non_empty=True),
        "initContainers": ListOf(CONTAINER),
        "ephemeralContainers": ListOf(CONTAINER),
        "hostPID": BOOL,
        "hostIPC": BOOL,
        "hostNetwork": BOOL,
        "volumes": ListOf(Fields({"name": STR, "hostPath": Fields({"path": STR})})),
        "securityContext": POD_SC,
        "serviceAccountName": STR,
        "serviceAccount": STR,
        "automountServiceAccountToken": BOOL,
    },
    required=("containers",),
)
TEMPLATE = Fields({"metadata": METADATA, "spec": POD_SPEC}, required=("spec",))
RULE = Fields(
    {
        "apiGroups": ListOf(STR),
        "resources": ListOf(STR),
        "verbs": ListOf(STR),
        "resourceNames": ListOf(STR),
        "nonResourceURLs": ListOf(STR),
    }
)
SUBJECT = Fields({"kind": STR, "name": STR, "namespace": STR})
NETPOL_RULES = ListOf(ANY_MAPPING, null_items=True)
HOOKS = ListOf(Fields({"name": STR, "failurePolicy": STR}))

# kind -> the shape of the object's body (metadata is validated for every kind)
BODIES: dict[str, Fields] = {
    "Namespace": Fields({"status": Fields({"phase": STR})}),
    "Node": Fields({"status": Fields({"nodeInfo": Fields({"kubeletVersion": STR})})}),
    "ServiceAccount": Fields({"automountServiceAccountToken": BOOL}),
    "Role": Fields({"rules": ListOf(RULE), "aggregationRule": ANY_MAPPING}),
    "RoleBinding": Fields({"roleRef": Fields({"kind": STR, "name": STR}), "subjects": ListOf(SUBJECT)}),
    "NetworkPolicy": Fields(
        {
            "spec": Fields(
                {
                    "podSelector": Fields(
                        {"matchLabels": MapOf(SCALAR), "matchExpressions": ListOf(ANY_MAPPING)}
                    ),
                    "policyTypes": ListOf(STR),
                    "ingress": NETPOL_RULES,
                    "egress": NETPOL_RULES,
                }
            )
        }
    ),
    "Service": Fields(
        {
            "spec": Fields(
                {
                    "type": STR,
                    "loadBalancerSourceRanges": ListOf(STR),
                    "ports": ListOf(Fields({"port": INT, "nodePort": INT, "protocol": STR})),
                }
            )
        }
    ),
    "Ingress": Fields(
        {
            "spec": Fields(
                {
                    "tls": ListOf(Fields({"hosts": ListOf(STR), "secretName": STR})),
                    "rules": ListOf(Fields({"host": STR})),
                }
            )
        }
    ),
    "ValidatingAdmissionPolicy": Fields(
        {"spec": Fields({"failurePolicy": STR, "validations": ListOf(ANY_MAPPING)})}
    ),
    "ValidatingAdmissionPolicyBinding": Fields(
        {"spec": Fields({"policyName": STR, "validationActions": ListOf(STR)})}
    ),
    "ValidatingWebhookConfiguration": Fields({"webhooks": HOOKS}),
    "MutatingWebhookConfiguration": Fields({"webhooks": HOOKS}),
    "Secret": Fields({"type": STR, "data": MapOf(SCALAR), "stringData": MapOf(SCALAR)}),
}
BODIES["ClusterRole"] = BODIES["Role"]
BODIES["ClusterRoleBinding"] = BODIES["RoleBinding"]


def template_shape(path: tuple[str, ...]) -> Fields:
    """The shape of an object whose pod template sits at `path` (() for a Pod)."""
    if not path:
        return Fields({"spec": POD_SPEC}, required=("spec",))
    shape: Fields = TEMPLATE
    for name in reversed(path):
        shape = Fields({name: shape}, required=(name,))
    return shape


_TEMPLATES: dict[tuple[str, ...], Fields] = {}


def problems(
    obj: Mapping[str, Any], kind: Kind | None = None, template: tuple[str, ...] | None = None
) -> list[str]:
    """What is wrong with the shape of `obj` (empty when nothing is), at most MAX_PROBLEMS of them
    plus a count of the rest. `kind` defaults to the table entry of obj's kind; `template` is the
    pod template path of a workload the table does not know (a CRD)."""
    out: list[str] = []
    METADATA.check(obj.get("metadata"), "metadata", out)
    k = kind or BY_KIND.get(str(obj.get("kind")))
    path = k.template if k is not None else template
    if path is not None:
        shape = _TEMPLATES.get(path)
        if shape is None:
            shape = _TEMPLATES.setdefault(path, template_shape(path))
        shape.check(obj, "", out)
    elif k is not None and k.kind in BODIES:
        BODIES[k.kind].check(obj, "", out)
    if len(out) > MAX_PROBLEMS:
        return [*out[:MAX_PROBLEMS], f"(and {len(out) - MAX_PROBLEMS} more)"]
    return out
