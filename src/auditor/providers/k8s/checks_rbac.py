"""RBAC: who is bound to what, and which roles grant too much."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.k8s.kinds import SYSTEM_NAMESPACES
from auditor.providers.k8s.resources import BINDING, ROLE, SERVICE_ACCOUNT

checks = CheckSet("k8s")

RBAC_DOC = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
ANONYMOUS = {"system:anonymous", "system:unauthenticated"}
# Groups that hold everyone (or every workload): a binding to them is never a system grant.
EVERYONE = {"system:anonymous", "system:unauthenticated", "system:authenticated", "system:serviceaccounts"}

# The ServiceAccounts Kubernetes itself runs controllers as, all in kube-system: the
# system:controller:* roles of the bootstrap policy (kube-controller-manager with
# --use-service-account-credentials), the namespaced bootstrap roles, the cloud controller
# manager, and the kubeadm add-ons kube-proxy and CoreDNS. Any other ServiceAccount in
# kube-system is a custom identity and is judged like any other.
SYSTEM_SERVICE_ACCOUNTS = frozenset(
    {
        "attachdetach-controller",
        "bootstrap-signer",
        "certificate-controller",
        "clusterrole-aggregation-controller",
        "cronjob-controller",
        "daemon-set-controller",
        "deployment-controller",
        "device-taint-eviction-controller",
        "disruption-controller",
        "endpoint-controller",
        "endpointslice-controller",
        "endpointslicemirroring-controller",
        "ephemeral-volume-controller",
        "expand-controller",
        "generic-garbage-collector",
        "horizontal-pod-autoscaler",
        "job-controller",
        "kube-apiserver-serving-clustertrustbundle-publisher",
        "legacy-service-account-token-cleaner",
        "namespace-controller",
        "node-controller",
        "persistent-volume-binder",
        "pod-garbage-collector",
        "podcertificaterequestcleaner",
        "pv-protection-controller",
        "pvc-protection-controller",
        "replicaset-controller",
        "replication-controller",
        "resource-claim-controller",
        "resourcequota-controller",
        "root-ca-cert-publisher",
        "route-controller",
        "selinux-warning-controller",
        "service-account-controller",
        "service-cidrs-controller",
        "service-controller",
        "statefulset-controller",
        "storage-version-garbage-collector",
        "storage-version-migrator-controller",
        "token-cleaner",
        "ttl-after-finished-controller",
        "ttl-controller",
        "validatingadmissionpolicy-status-controller",
        "volumeattributesclass-protection-controller",
        "cloud-provider",
        "cloud-controller-manager",
        "kube-proxy",
        "coredns",
        "kube-dns",
    }
)


def subject_label(s: dict[str, Any]) -> str:
    kind = s.get("kind", "?")
    if kind == "ServiceAccount":
        return f"ServiceAccount {s.get('namespace')}/{s.get('name')}"
    return f"{kind} {s.get('name')}"


def is_system_subject(s: dict[str, Any]) -> bool:
    """A subject Kubernetes itself uses: a `system:` user or group (never the groups that hold
    everyone), or one of the known controller ServiceAccounts in kube-system (also when named as
    the user `system:serviceaccount:kube-system:NAME`)."""
    name = str(s.get("name", ""))
    if s.get("kind") == "ServiceAccount":
        return s.get("namespace") == SYSTEM_NAMESPACES[0] and name in SYSTEM_SERVICE_ACCOUNTS
    if name.startswith("system:serviceaccount:"):
        ns, _, sa = name.removeprefix("system:serviceaccount:").partition(":")
        return ns == SYSTEM_NAMESPACES[0] and sa in SYSTEM_SERVICE_ACCOUNTS
    if name in EVERYONE or name.startswith("system:serviceaccounts:"):
        return False
    return name.startswith("system:")


def _where(r: Resource) -> str:
    ns = r.attributes.get("namespace")
    return f"{r.attributes.get('kind')} {ns + '/' if ns else ''}{r.attributes.get('name')}"


def _allowed(ctx: CheckContext, param: str) -> set[str]:
    return {str(x) for x in ctx.param(param) or []}


# ------------------------------------------------------------------------ the rule matcher


def _strs(rule: dict[str, Any], key: str) -> list[str]:
    v = rule.get(key)
    return [str(x) for x in v] if isinstance(v, list) else []


INERT_WILDCARD = "Kubernetes' RBAC authorizer does not expand this pattern, but the rule means it"


def resource_match(patterns: Iterable[str], resource: str) -> str | None:
    """The entry of a rule's `resources` that covers `resource` (`pods`, or `pods/exec` for a
    subresource), or None.

    As Kubernetes matches: `*` covers every resource and subresource, `*/exec` the exec
    subresource of every resource. Beyond it, `pods/*` is taken at its word, as every subresource
    of pods (pods/exec, pods/attach, pods/portforward...): Kubernetes' own authorizer matches it
    literally and so grants none of them (checked against kube-apiserver 1.20), but a role written
    so means to grant them, and one edit to `*` or `*/exec` makes it true; the findings say which."""
    base, _, sub = resource.partition("/")
    for p in patterns:
        if p == "*" or p == resource or (sub and p in (f"*/{sub}", f"{base}/*")):
            return p
    return None


@dataclass(frozen=True)
class Grant:
    """What one rule grants of what was asked: the verbs, the `resources` entry that matched, whether
    it was through a `*` verb, and the object names it is limited to (`resourceNames`; empty: all)."""

    verbs: tuple[str, ...]
    via: str
    star_verb: bool = False
    names: tuple[str, ...] = ()

    def how(self, resource: str) -> str:
        """How `resource` is granted, when it is not by its own name: `via *`, `via pods/*, verbs *`."""
        parts = [self.via] if self.via != resource else []
        parts += ["verbs *"] if self.star_verb else []
        return ", ".join(parts)


def describe(hits: Iterable[tuple[str, Grant]]) -> str:
    """`pods/exec, pods/attach (via pods/*; ...)`: the resources granted, how, and to which names."""
    how: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for res, g in hits:
        how.setdefault(res, set()).update([g.how(res)] if g.how(res) else [])
        names.setdefault(res, set()).update(g.names)
    ways = {frozenset(v) for v in how.values()}
    shared = next(iter(ways)) if len(ways) == 1 else None
    parts = []
    for res in sorted(how):
        notes = ([] if shared is not None else sorted(how[res])) + (
            [f"only {', '.join(sorted(names[res]))}"] if names[res] else []
        )
        parts.append(res + (f" ({'; '.join(notes)})" if notes else ""))
    text = summarize(parts)
    if shared:
        text += f" (via {'; '.join(sorted(shared))})"
    inert = sorted({g.via for _, g in hits if g.via.endswith("/*") and g.via != "*"} if hits else set())
    if inert:
        text += f"; {', '.join(inert)}: {INERT_WILDCARD}"
    return text


def rule_grants(rule: Any, group: str, resource: str, verbs: Iterable[str]) -> Grant | None:
    """The grant `rule` makes of any of `verbs` on `resource` in API group `group`, or None.

    `*` in verbs, resources or apiGroups covers everything (a `*` verb grants escalate, bind and
    impersonate too); a rule of nonResourceURLs grants no resource; resourceNames limit the grant
    to those objects, which is still a grant."""
    if not isinstance(rule, dict):
        return None
    groups, rule_verbs = _strs(rule, "apiGroups"), _strs(rule, "verbs")
    if not ("*" in groups or group in groups):
        return None
    via = resource_match(_strs(rule, "resources"), resource)
    if via is None:
        return None
    wanted = tuple(v for v in verbs if "*" in rule_verbs or v in rule_verbs)
    if not wanted:
        return None
    return Grant(wanted, via, "*" in rule_verbs, tuple(_strs(rule, "resourceNames")))


def grants_of(
    rules: Iterable[Any], resources: Iterable[str], verbs: Iterable[str], group: str = ""
) -> list[tuple[str, Grant]]:
    """(resource, grant) for every rule granting any of `verbs` on each of `resources` in `group`."""
    wanted = sorted(verbs)
    out: list[tuple[str, Grant]] = []
    for res in sorted(resources):
        for rule in rules:
            g = rule_grants(rule, group, res, wanted)
            if g is not None:
                out.append((res, g))
    return out


def _subjects(b: Resource, ctx: CheckContext, allow_param: str) -> list[dict[str, Any]]:
    allowed = _allowed(ctx, allow_param)
    return [
        s
        for s in need(b, "subjects")
        if not is_system_subject(s) and str(s.get("name")) not in allowed and subject_label(s) not in allowed
    ]


@checks.check(
    id="k8s.rbac.cluster_admin_binding",
    title="cluster-admin is bound only to system subjects or approved identities",
    severity="critical",
    resource_types=[BINDING],
    rationale="cluster-admin can do anything to any object, Secrets included; each binding to a person or "
    "workload is a standing superuser.",
    remediation="Bind narrower roles; keep break-glass admin access in a group managed by the identity "
    "provider and list approved subjects in the parameter k8s.cluster_admin_allowed_subjects.",
    references=[RBAC_DOC],
    params=[
        param(
            "k8s.cluster_admin_allowed_subjects",
            "string_list",
            [],
            "Subjects approved to hold cluster-admin: a name (alice), or as findings name them "
            "(User alice, Group ops, ServiceAccount ns/name).",
        )
    ],
)
def cluster_admin_binding(b: Resource, ctx: CheckContext) -> Verdict:
    ref = need(b, "role_ref")
    if ref.get("kind") != "ClusterRole" or ref.get("name") != "cluster-admin":
        return not_applicable(f"{_where(b)} does not grant cluster-admin")
    bad = _subjects(b, ctx, "k8s.cluster_admin_allowed_subjects")
    if bad:
        return failed(f"{_where(b)} grants cluster-admin to {summarize(subject_label(s) for s in bad)}")
    return passed(f"{_where(b)} grants cluster-admin to system subjects only")


@checks.check(
    id="k8s.rbac.anonymous_binding",
    title="Nothing is bound to system:anonymous or system:unauthenticated",
    severity="critical",
    resource_types=[BINDING],
    rationale="A binding to these groups gives its permissions to anyone who can reach the API server, "
    "without credentials.",
    remediation="Delete the binding (or remove those subjects). Only the built-in system:public-info-viewer "
    "is allowed by default (parameter k8s.anonymous_allowed_roles).",
    references=[RBAC_DOC],
    params=[
        param(
            "k8s.anonymous_allowed_roles",
            "string_list",
            ["system:public-info-viewer"],
            "Roles that may be bound to anonymous or unauthenticated users.",
        )
    ],
)
def anonymous_binding(b: Resource, ctx: CheckContext) -> Verdict:
    ref = need(b, "role_ref")
    subjects = need(b, "subjects")
    anon = [s for s in subjects if s.get("name") in ANONYMOUS]
    allowed_roles = {str(x) for x in ctx.param("k8s.anonymous_allowed_roles")}
    if anon and ref.get("name") not in allowed_roles:
        return failed(
            f"{_where(b)} grants {ref.get('kind')} {ref.get('name')} to {summarize(subject_label(s) for s in anon)}"
        )
    return passed(f"{_where(b)} grants nothing to unauthenticated users")


@checks.check(
    id="k8s.rbac.secret_readers",
    title="Only approved subjects can read Secrets",
    severity="high",
    resource_types=[BINDING],
    rationale="get/list/watch on Secrets returns their values: whoever holds it holds every credential in "
    "the scope of the binding.",
    remediation="Remove Secret read access from the role or the subject; approved readers go in the "
    "parameter k8s.secret_reader_allowed_subjects.",
    references=[RBAC_DOC],
    params=[
        param(
            "k8s.secret_reader_allowed_subjects",
            "string_list",
            [],
            "Subjects approved to read Secrets through any binding: a name, or as findings name them "
            "(User bob, ServiceAccount ns/name).",
        )
    ],
)
def secret_readers(b: Resource, ctx: CheckContext) -> Verdict:
    rules = need(b, "role_rules")
    reads = grants_of(rules, {"secrets"}, {"get", "list", "watch"})
    if not reads:
        return passed(f"{_where(b)} grants no read access to Secrets")
    bad = _subjects(b, ctx, "k8s.secret_reader_allowed_subjects")
    ref = need(b, "role_ref")
    if bad:
        scope = (
            f"in namespace {b.attributes.get('namespace')}"
            if b.attributes.get("namespace")
            else "cluster-wide"
        )
        only = sorted({n for _, g in reads for n in g.names}) if all(g.names for _, g in reads) else []
        return failed(
            f"{summarize(subject_label(s) for s in bad)} can read Secrets {scope}"
            + (f" (only {summarize(only)})" if only else "")
            + f" through {_where(b)} ({ref.get('kind')} {ref.get('name')})"
        )
    return passed(f"{_where(b)} grants Secret read access to system/approved subjects only")


def _role_applicable(r: Resource) -> Verdict | None:
    if need(r, "builtin"):
        return not_applicable(f"{_where(r)} is a built-in role")
    return None


@checks.check(
    id="k8s.rbac.wildcard_rules",
    title="Roles do not use wildcard verbs or resources",
    severity="high",
    resource_types=[ROLE],
    rationale="`*` grants every current and future verb or resource, including ones added by CRDs later: "
    "the role's real reach cannot be reviewed.",
    remediation="List the API groups, resources and verbs the subject needs explicitly.",
    references=[RBAC_DOC],
)
def wildcard_rules(r: Resource, ctx: CheckContext) -> Verdict:
    if (na := _role_applicable(r)) is not None:
        return na
    bad = []
    for i, rule in enumerate(need(r, "rules")):
        if not isinstance(rule, dict):
            continue
        fields = [
            f
            for f in ("verbs", "resources", "apiGroups", "nonResourceURLs")
            if any("*" in x for x in _strs(rule, f))  # `*`, and patterns: pods/*, */exec, /logs/*
        ]
        if fields:
            bad.append(f"rule {i} ({'/'.join(fields)})")
    if bad:
        return failed(f"{_where(r)} uses wildcards: {summarize(bad)}")
    return passed(f"{_where(r)} lists its verbs and resources explicitly")


RBAC_GROUP = "rbac.authorization.k8s.io"
# (API group, resources, verb) that let a subject gain permissions it does not hold
ESCALATION = (
    (RBAC_GROUP, ("roles", "clusterroles"), "escalate"),
    (RBAC_GROUP, ("roles", "clusterroles"), "bind"),
    ("", ("users", "groups", "serviceaccounts"), "impersonate"),
    ("authentication.k8s.io", ("uids",), "impersonate"),
)


@checks.check(
    id="k8s.rbac.escalation_verbs",
    title="Roles do not grant escalate, bind or impersonate",
    severity="high",
    resource_types=[ROLE],
    rationale="escalate and bind let a subject grant itself permissions it does not hold; impersonate lets "
    "it act as any user or group, including system:masters. A `*` verb grants all three.",
    remediation="Remove escalate/bind/impersonate (and `*` verbs on roles, users, groups and "
    "ServiceAccounts) from custom roles; reserve them for cluster administrators.",
    references=[RBAC_DOC],
)
def escalation_verbs(r: Resource, ctx: CheckContext) -> Verdict:
    if (na := _role_applicable(r)) is not None:
        return na
    rules = need(r, "rules")
    merged: dict[str, list[tuple[str, Grant]]] = {}
    for group, resources, verb in ESCALATION:
        if hits := grants_of(rules, resources, {verb}, group):
            merged.setdefault(verb, []).extend(hits)
    if merged:
        return failed(
            f"{_where(r)} grants "
            + "; ".join(f"{verb} on {describe(hits)}" for verb, hits in sorted(merged.items()))
        )
    return passed(f"{_where(r)} grants no escalate, bind or impersonate")


POD_ENTRY = ("pods/exec", "pods/attach", "pods/portforward")


@checks.check(
    id="k8s.rbac.pod_exec",
    title="Roles do not grant exec, attach or port-forward into pods",
    severity="medium",
    resource_types=[ROLE],
    rationale="pods/exec and pods/attach give a shell in running containers, with their mounted secrets and "
    "network position, and pods/portforward reaches their ports past every NetworkPolicy; such access "
    "should be break-glass and logged.",
    remediation="Remove create/get on pods/exec, pods/attach and pods/portforward (and on pods/* or `*`) "
    "from standing roles; use just-in-time access.",
    references=[RBAC_DOC],
)
def pod_exec(r: Resource, ctx: CheckContext) -> Verdict:
    if (na := _role_applicable(r)) is not None:
        return na
    hits = grants_of(need(r, "rules"), POD_ENTRY, {"create", "get"})
    if hits:
        return failed(f"{_where(r)} grants {describe(hits)}")
    return passed(f"{_where(r)} grants no exec, attach or port-forward")


@checks.check(
    id="k8s.serviceaccount.default_automount",
    title="Default ServiceAccounts do not automount their token",
    severity="medium",
    resource_types=[SERVICE_ACCOUNT],
    rationale="Every pod that names no ServiceAccount runs as `default`; if its token is mounted, any "
    "compromised container gets API credentials it never needed.",
    remediation="Set automountServiceAccountToken: false on each namespace's default ServiceAccount.",
    references=["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"],
)
def default_automount(sa: Resource, ctx: CheckContext) -> Verdict:
    if sa.attributes.get("name") != "default":
        return not_applicable(f"{_where(sa)} is not a default ServiceAccount")
    if need(sa, "automountServiceAccountToken") is False:
        return passed(f"{_where(sa)} does not automount its token")
    return failed(f"{_where(sa)} automounts its token into every pod that does not opt out")
