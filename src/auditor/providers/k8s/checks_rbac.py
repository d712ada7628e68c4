"""RBAC: who is bound to what, and which roles grant too much."""

from __future__ import annotations

from collections.abc import Iterable
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


def subject_label(s: dict[str, Any]) -> str:
    kind = s.get("kind", "?")
    if kind == "ServiceAccount":
        return f"ServiceAccount {s.get('namespace')}/{s.get('name')}"
    return f"{kind} {s.get('name')}"


def is_system_subject(s: dict[str, Any]) -> bool:
    name = str(s.get("name", ""))
    if name.startswith("system:"):
        return True
    return s.get("kind") == "ServiceAccount" and s.get("namespace") in SYSTEM_NAMESPACES


def _where(r: Resource) -> str:
    ns = r.attributes.get("namespace")
    return f"{r.attributes.get('kind')} {ns + '/' if ns else ''}{r.attributes.get('name')}"


def _allowed(ctx: CheckContext, param: str) -> set[str]:
    return {str(x) for x in ctx.param(param) or []}


def _matches(values: Iterable[Any], wanted: set[str]) -> bool:
    vs = {str(v) for v in values or []}
    return "*" in vs or bool(vs & wanted)


def grants(rules: list[dict[str, Any]], resources: set[str], verbs: set[str], group: str = "") -> bool:
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        if (
            _matches(rule.get("apiGroups") or [], {group})
            and _matches(rule.get("resources") or [], resources)
            and _matches(rule.get("verbs") or [], verbs)
        ):
            return True
    return False


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
    if not grants(rules, {"secrets"}, {"get", "list", "watch"}):
        return passed(f"{_where(b)} grants no read access to Secrets")
    bad = _subjects(b, ctx, "k8s.secret_reader_allowed_subjects")
    ref = need(b, "role_ref")
    if bad:
        scope = (
            f"in namespace {b.attributes.get('namespace')}"
            if b.attributes.get("namespace")
            else "cluster-wide"
        )
        return failed(
            f"{summarize(subject_label(s) for s in bad)} can read Secrets {scope} "
            f"through {_where(b)} ({ref.get('kind')} {ref.get('name')})"
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
        fields = [f for f in ("verbs", "resources", "apiGroups") if "*" in (rule.get(f) or [])]
        if fields:
            bad.append(f"rule {i} ({'/'.join(fields)})")
    if bad:
        return failed(f"{_where(r)} uses wildcards: {summarize(bad)}")
    return passed(f"{_where(r)} lists its verbs and resources explicitly")


@checks.check(
    id="k8s.rbac.escalation_verbs",
    title="Roles do not grant escalate, bind or impersonate",
    severity="high",
    resource_types=[ROLE],
    rationale="escalate and bind let a subject grant itself permissions it does not hold; impersonate lets "
    "it act as any user or group, including system:masters.",
    remediation="Remove escalate/bind/impersonate from custom roles; reserve them for cluster administrators.",
    references=[RBAC_DOC],
)
def escalation_verbs(r: Resource, ctx: CheckContext) -> Verdict:
    if (na := _role_applicable(r)) is not None:
        return na
    bad = []
    for rule in need(r, "rules"):
        verbs = {str(v) for v in rule.get("verbs") or []}
        hit = sorted(verbs & {"escalate", "bind", "impersonate"})
        if hit:
            bad.append(f"{'/'.join(hit)} on {','.join(rule.get('resources') or [])}")
    if bad:
        return failed(f"{_where(r)} grants {summarize(bad)}")
    return passed(f"{_where(r)} grants no escalate, bind or impersonate")


@checks.check(
    id="k8s.rbac.pod_exec",
    title="Roles do not grant exec or attach into pods",
    severity="medium",
    resource_types=[ROLE],
    rationale="pods/exec and pods/attach give a shell in running containers, with their mounted secrets and "
    "network position; such access should be break-glass and logged.",
    remediation="Remove create on pods/exec and pods/attach from standing roles; use just-in-time access.",
    references=[RBAC_DOC],
)
def pod_exec(r: Resource, ctx: CheckContext) -> Verdict:
    if (na := _role_applicable(r)) is not None:
        return na
    rules = need(r, "rules")
    hits = [res for res in ("pods/exec", "pods/attach") if grants(rules, {res}, {"create", "get"})]
    if hits:
        return failed(f"{_where(r)} grants {', '.join(hits)}")
    return passed(f"{_where(r)} grants no exec/attach")


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
