"""Cluster level: version support, control-plane flags (where visible), admission control,
kubelets, and Secret metadata hygiene."""

from __future__ import annotations

from datetime import datetime, timedelta
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
from auditor.providers.k8s.resources import ADMISSION, CLUSTER, NODE, SECRET, where
from auditor.providers.k8s.versions import eol_of, minor_of

checks = CheckSet("k8s")
P_VERSION_EOL = param(
    "k8s.version_eol",
    "string_map",
    {},
    "End-of-support dates that override or extend the built-in upstream table, as MAJOR.MINOR: "
    "YYYY-MM-DD (extended support on managed services).",
)

RELEASES = "https://kubernetes.io/releases/"
APISERVER = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"


def _support(version: str | None, what: str, ctx: CheckContext) -> Verdict:
    mm = minor_of(version)
    if mm is None:
        return failed(f"{what}: version {version!r} could not be parsed")
    overrides = {str(k): str(v) for k, v in (ctx.param("k8s.version_eol") or {}).items()}
    eol, known = eol_of(mm[0], mm[1], overrides)
    if not known or eol is None:
        return passed(f"{what} runs {version} (newer than the support table)")
    if ctx.now.date() > eol:
        return failed(f"{what} runs {version}: {mm[0]}.{mm[1]} reached end of support on {eol.isoformat()}")
    return passed(f"{what} runs {version}, supported until {eol.isoformat()}")


@checks.check(
    id="k8s.cluster.version_supported",
    title="The control plane runs a supported Kubernetes version",
    severity="high",
    resource_types=[CLUSTER],
    rationale="Past end of support a minor version gets no security fixes.",
    remediation="Upgrade the control plane to a supported minor version (managed services may offer "
    "extended support: record its end date in the parameter k8s.version_eol).",
    references=[RELEASES],
    params=[P_VERSION_EOL],
)
def version_supported(c: Resource, ctx: CheckContext) -> Verdict:
    v = need(c, "version")
    return _support(str(v.get("gitVersion") or f"v{v.get('major')}.{v.get('minor')}"), f"cluster {c.id}", ctx)


@checks.check(
    id="k8s.node.kubelet_version_supported",
    title="Nodes run a supported kubelet version",
    severity="medium",
    resource_types=[NODE],
    rationale="Kubelets past end of support get no security fixes, and too much skew from the control "
    "plane is unsupported.",
    remediation="Upgrade or replace the node (node pools / machine images) with a supported kubelet.",
    references=[RELEASES],
    params=[P_VERSION_EOL],
)
def kubelet_version_supported(n: Resource, ctx: CheckContext) -> Verdict:
    return _support(need(n, "kubelet_version"), f"node {n.attributes.get('name')}", ctx)


def _flags(c: Resource) -> dict[str, str] | None:
    flags = need(c, "apiserver_flags")
    return flags if isinstance(flags, dict) else None


def _not_visible(c: Resource, what: str) -> Verdict:
    return not_applicable(
        f"cluster {c.id}: the kube-apiserver flags are not visible (managed control plane?); evidence {what} "
        "through the platform's settings"
    )


@checks.check(
    id="k8s.cluster.audit_logging",
    title="The API server writes an audit log",
    severity="high",
    resource_types=[CLUSTER],
    rationale="Without an audit policy and a log or webhook backend there is no record of who did what "
    "through the API.",
    remediation="Start kube-apiserver with --audit-policy-file and --audit-log-path (with --audit-log-maxage "
    "at least k8s.audit_log_min_age_days) or --audit-webhook-config-file; on managed clusters enable the "
    "provider's audit logs.",
    references=["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/"],
    params=[
        param(
            "k8s.audit_log_min_age_days",
            "integer",
            30,
            "Fewest days the API server must keep audit log files (--audit-log-maxage).",
        )
    ],
)
def audit_logging(c: Resource, ctx: CheckContext) -> Verdict:
    flags = _flags(c)
    if flags is None:
        return _not_visible(c, "API audit logging")
    if not flags.get("audit-policy-file"):
        return failed(f"cluster {c.id}: kube-apiserver has no --audit-policy-file: nothing is audited")
    path, hook = flags.get("audit-log-path"), flags.get("audit-webhook-config-file")
    if not path and not hook:
        return failed(f"cluster {c.id}: no audit backend (--audit-log-path or --audit-webhook-config-file)")
    min_age = int(ctx.param("k8s.audit_log_min_age_days"))
    if path and path != "-" and not hook:
        try:
            age = int(flags.get("audit-log-maxage", "0"))
        except ValueError:
            age = 0
        if 0 < age < min_age:
            return failed(
                f"cluster {c.id}: audit logs kept {age} days (--audit-log-maxage), less than {min_age}"
            )
    return passed(f"cluster {c.id}: audit log to {'a webhook' if hook else path}")


@checks.check(
    id="k8s.cluster.encryption_at_rest",
    title="Secrets are encrypted at rest in etcd",
    severity="high",
    resource_types=[CLUSTER],
    rationale="Without an encryption provider, Secrets are stored in etcd (and its backups) as base64 "
    "plain text.",
    remediation="Start kube-apiserver with --encryption-provider-config (kms v2 or aescbc/secretbox first, "
    "not identity); on managed clusters enable envelope encryption with a KMS key.",
    references=["https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"],
)
def encryption_at_rest(c: Resource, ctx: CheckContext) -> Verdict:
    flags = _flags(c)
    if flags is None:
        return _not_visible(c, "encryption at rest of Secrets")
    if flags.get("encryption-provider-config"):
        return passed(
            f"cluster {c.id}: --encryption-provider-config is set ({flags['encryption-provider-config']})"
        )
    return failed(
        f"cluster {c.id}: kube-apiserver has no --encryption-provider-config: Secrets are stored unencrypted"
    )


@checks.check(
    id="k8s.cluster.anonymous_auth_disabled",
    title="The API server refuses anonymous requests",
    severity="high",
    resource_types=[CLUSTER],
    rationale="With anonymous auth on (the default), unauthenticated requests reach authorization as "
    "system:anonymous; one careless binding then opens the cluster.",
    remediation="Start kube-apiserver with --anonymous-auth=false (or restrict anonymous access to health "
    "endpoints with an AuthenticationConfiguration on 1.32+).",
    references=[APISERVER],
)
def anonymous_auth_disabled(c: Resource, ctx: CheckContext) -> Verdict:
    flags = _flags(c)
    if flags is None:
        return _not_visible(c, "anonymous authentication settings")
    value = flags.get("anonymous-auth", "true").lower()
    if value == "false":
        return passed(f"cluster {c.id}: --anonymous-auth=false")
    return failed(f"cluster {c.id}: anonymous requests are accepted (--anonymous-auth={value})")


@checks.check(
    id="k8s.cluster.authorization_mode",
    title="The API server authorizes with RBAC (never AlwaysAllow)",
    severity="critical",
    resource_types=[CLUSTER],
    rationale="AlwaysAllow (the default without --authorization-mode) lets every authenticated request do "
    "anything.",
    remediation="Start kube-apiserver with --authorization-mode=Node,RBAC.",
    references=[APISERVER],
)
def authorization_mode(c: Resource, ctx: CheckContext) -> Verdict:
    flags = _flags(c)
    if flags is None:
        return _not_visible(c, "the authorization mode")
    modes = [m.strip() for m in flags.get("authorization-mode", "AlwaysAllow").split(",") if m.strip()]
    if "AlwaysAllow" in modes:
        return failed(f"cluster {c.id}: --authorization-mode includes AlwaysAllow ({','.join(modes)})")
    if "RBAC" not in modes:
        return failed(f"cluster {c.id}: --authorization-mode has no RBAC ({','.join(modes)})")
    return passed(f"cluster {c.id}: --authorization-mode={','.join(modes)}")


@checks.check(
    id="k8s.cluster.pod_security_admission",
    title="The cluster enforces Pod Security admission",
    severity="high",
    resource_types=[CLUSTER],
    rationale="Namespace pod-security labels only take effect where the PodSecurity admission plugin runs "
    "(Kubernetes 1.23 and later, unless disabled); on older clusters the labels are ignored.",
    remediation="Upgrade to 1.25+ (Pod Security admission GA) and do not disable the PodSecurity plugin.",
    references=["https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
)
def pod_security_admission(c: Resource, ctx: CheckContext) -> Verdict:
    v = need(c, "version")
    mm = minor_of(str(v.get("gitVersion") or f"v{v.get('major')}.{v.get('minor')}"))
    if mm is None or mm < (1, 23):
        return failed(
            f"cluster {c.id} runs {v.get('gitVersion')}: Pod Security admission (1.23+) is not available, "
            "namespace pod-security labels are not enforced"
        )
    flags = _flags(c) if "apiserver_flags" not in c.gaps else None
    disabled = (flags or {}).get("disable-admission-plugins", "")
    if "PodSecurity" in disabled.split(","):
        return failed(f"cluster {c.id}: the PodSecurity admission plugin is disabled")
    return passed(
        f"cluster {c.id} runs {v.get('gitVersion')}: Pod Security admission enforces namespace labels"
    )


def _enforcing(items: list[dict[str, Any]]) -> list[str]:
    out = []
    for a in items:
        if a.get("kind") == "ValidatingAdmissionPolicy":
            if any("Deny" in (b.get("validation_actions") or []) for b in a.get("bindings") or []):
                out.append(f"ValidatingAdmissionPolicy {a.get('name')}")
        elif a.get("kind") == "ValidatingWebhookConfiguration" and a.get("webhooks"):
            out.append(f"ValidatingWebhookConfiguration {a.get('name')}")
    return out


@checks.check(
    id="k8s.cluster.admission_policies",
    title="A policy engine validates objects at admission",
    severity="medium",
    resource_types=[CLUSTER],
    rationale="Validating admission (ValidatingAdmissionPolicy with a Deny binding, or a policy webhook such "
    "as Kyverno or Gatekeeper) enforces the organisation's configuration baseline on every change.",
    remediation="Deploy ValidatingAdmissionPolicies bound with validationActions [Deny], or a policy engine.",
    references=["https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/"],
)
def admission_policies(c: Resource, ctx: CheckContext) -> Verdict:
    enforcing = _enforcing(need(c, "admission"))
    if enforcing:
        return passed(f"cluster {c.id}: enforcing admission: {summarize(enforcing)}")
    return failed(f"cluster {c.id}: no validating admission policy or webhook enforces anything")


@checks.check(
    id="k8s.admission.fail_closed",
    title="Admission policies and webhooks fail closed",
    severity="medium",
    resource_types=[ADMISSION],
    rationale="With failurePolicy Ignore, an unavailable webhook or a policy error silently admits the object "
    "the policy was meant to stop; a policy bound only to Warn/Audit enforces nothing.",
    remediation="Set failurePolicy: Fail (and bind ValidatingAdmissionPolicies with validationActions [Deny]); "
    "exclude kube-system with a namespaceSelector to keep the cluster recoverable.",
)
def fail_closed(a: Resource, ctx: CheckContext) -> Verdict:
    kind = need(a, "kind")
    at = where(a)
    if kind == "ValidatingAdmissionPolicyBinding":
        return not_applicable(f"{at} is judged with its policy")
    if kind == "ValidatingAdmissionPolicy":
        problems = []
        if need(a, "failure_policy") != "Fail":
            problems.append(f"failurePolicy {a.attributes.get('failure_policy')}")
        if not any("Deny" in (b.get("validation_actions") or []) for b in need(a, "bindings")):
            problems.append("no binding with validationActions Deny")
        if problems:
            return failed(f"{at}: {', '.join(problems)}")
        return passed(f"{at} fails closed and denies")
    ignore = [str(h.get("name")) for h in need(a, "webhooks") if h.get("failure_policy") != "Fail"]
    if ignore:
        return failed(f"{at}: webhooks with failurePolicy Ignore: {summarize(ignore)}")
    return passed(f"{at}: every webhook fails closed")


@checks.check(
    id="k8s.secret.legacy_service_account_token",
    title="No long-lived service-account token Secrets",
    severity="medium",
    resource_types=[SECRET],
    rationale="kubernetes.io/service-account-token Secrets hold tokens that never expire; bound, projected "
    "tokens (TokenRequest) expire and are tied to a pod.",
    remediation="Delete legacy token Secrets and use projected service-account tokens (or TokenRequest).",
    references=["https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token"],
)
def legacy_service_account_token(s: Resource, ctx: CheckContext) -> Verdict:
    at = where(s)
    stype = need(s, "type")
    if stype == "kubernetes.io/service-account-token" or s.attributes.get("service_account"):
        return failed(f"{at} is a long-lived token for ServiceAccount {s.attributes.get('service_account')}")
    return passed(f"{at} is not a service-account token")


@checks.check(
    id="k8s.secret.max_age",
    title="Secrets are rotated within the maximum age",
    severity="low",
    resource_types=[SECRET],
    rationale="A Secret that was never replaced carries a credential older than the rotation policy allows.",
    remediation="Rotate the credential and recreate the Secret (or manage it with an external secret store "
    "that rotates); the limit is the parameter k8s.secret_max_age_days (default 365).",
    params=[
        param(
            "k8s.secret_max_age_days",
            "integer",
            365,
            "Oldest a Secret may be, in days, before it must be rotated.",
        )
    ],
)
def max_age(s: Resource, ctx: CheckContext) -> Verdict:
    at = where(s)
    created = need(s, "created")
    if not created:
        return not_applicable(f"{at} has no creation time (not created yet)")
    limit = int(ctx.param("k8s.secret_max_age_days"))
    when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    age = ctx.now - when
    if age > timedelta(days=limit):
        return failed(f"{at} was created {age.days} days ago (limit {limit})")
    return passed(f"{at} is {age.days} days old (limit {limit})")
