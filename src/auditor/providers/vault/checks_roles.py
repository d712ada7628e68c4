"""Vault workload-auth checks: which identities a Kubernetes or JWT/OIDC role admits, and how long
the tokens of every login role (AppRole, Kubernetes, JWT/OIDC) live."""

from __future__ import annotations

from typing import Any

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    errored,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.vault.common import APPROLE, AUTH, JWT_ROLE, K8S_ROLE, REFS, human, seconds

checks = CheckSet("vault")

_KIND = {APPROLE: "AppRole", K8S_ROLE: "Kubernetes", JWT_ROLE: "JWT/OIDC"}


def _values(value: Any) -> list[str]:
    """A role field Vault returns as a list, a comma-separated string or null, as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def _wide(values: list[str], what: str) -> list[str]:
    """What a list of names admits beyond named values: `*` (anything) or globs."""
    if "*" in values:
        return [f"any {what} (*)"]
    globs = [v for v in values if "*" in v]
    return [f"{what}s matching {summarize(globs)}"] if globs else []


@checks.check(
    id="vault.kubernetes.role_bound_service_accounts",
    title="Kubernetes auth roles admit named service accounts in named namespaces",
    severity="high",
    resource_types=[K8S_ROLE],
    rationale="A role bound to `*` (or a glob, or a namespace label selector) lets any pod whose service "
    "account matches log in and receive the role's policies: whoever can create a service account or "
    "label a namespace in the cluster gets the workload's secrets.",
    remediation="Set bound_service_account_names and bound_service_account_namespaces to the exact "
    "service accounts and namespaces of the workload, and clear bound_service_account_namespace_selector.",
    references=[f"{REFS}/auth/kubernetes", f"{REFS}/api-docs/auth/kubernetes#create-role"],
)
def k8s_role_bound_service_accounts(role: Resource, ctx: CheckContext) -> Verdict:
    names = _values(need(role, "bound_service_account_names"))
    namespaces = _values(need(role, "bound_service_account_namespaces"))
    selector = str(role.attributes.get("bound_service_account_namespace_selector") or "").strip()
    wide = _wide(names, "service-account name") + _wide(namespaces, "namespace")
    if selector:
        wide.append(f"namespaces labelled {selector}")
    if not names:
        wide.append("no named service account")
    if not namespaces and not selector:
        wide.append("no named namespace")
    if wide:
        return failed(f"Kubernetes role {role.name} admits {', '.join(wide)}")
    return passed(f"Kubernetes role {role.name} admits {summarize(names)} in {summarize(namespaces)}")


@checks.check(
    id="vault.jwt.role_bound_audiences",
    title="JWT auth roles accept only tokens issued for Vault (bound audiences)",
    severity="high",
    resource_types=[JWT_ROLE],
    rationale="Without bound_audiences a role does not tie the presented JWT to Vault: a token the "
    "issuer minted for another service (another CI job's deploy token, an API's access token) may "
    "log in (CVE-2024-5798 on servers before the audience check became mandatory).",
    remediation="Set bound_audiences on the role to the audience the workload requests for Vault "
    "(e.g. the Vault address, or `sts.amazonaws.com`-style names your issuer uses).",
    references=[f"{REFS}/auth/jwt#bound-claims", f"{REFS}/api-docs/auth/jwt#create-update-role"],
)
def jwt_role_bound_audiences(role: Resource, ctx: CheckContext) -> Verdict:
    if need(role, "role_type") == "oidc":
        return not_applicable(
            f"OIDC role {role.name}: Vault checks the ID token's audience against the method's client id"
        )
    audiences = _values(need(role, "bound_audiences"))
    if not audiences:
        return failed(f"JWT role {role.name} does not check the token's audience (no bound_audiences)")
    return passed(f"JWT role {role.name} accepts tokens for {summarize(audiences)}")


def _matches_anything(value: str, glob: bool) -> bool:
    return glob and value.strip("*") == ""


@checks.check(
    id="vault.jwt.role_bound_claims",
    title="JWT/OIDC auth roles require specific claims or a subject",
    severity="high",
    resource_types=[JWT_ROLE],
    rationale="A role that binds neither a subject nor a claim admits every token (or every user) of the "
    "issuer: any repository of a CI provider, any account of the identity provider's tenant gets the "
    "role's policies.",
    remediation="Bind the role to the identity it is for: bound_subject, or bound_claims such as the "
    "repository and branch of a CI job or the group of an OIDC user (with bound_claims_type=glob, "
    "never a value of `*`).",
    references=[f"{REFS}/auth/jwt#bound-claims"],
)
def jwt_role_bound_claims(role: Resource, ctx: CheckContext) -> Verdict:
    kind = "OIDC" if need(role, "role_type") == "oidc" else "JWT"
    subject = str(need(role, "bound_subject") or "")
    claims: dict[str, Any] = dict(need(role, "bound_claims") or {})
    glob = need(role, "bound_claims_type") == "glob"
    open_claims = sorted(k for k, v in claims.items() if any(_matches_anything(x, glob) for x in _values(v)))
    bound = [f"{k}={'|'.join(_values(v))}" for k, v in sorted(claims.items()) if k not in open_claims]
    if subject:
        bound.insert(0, f"sub={subject}")
    if not bound:
        why = (
            f"its bound_claims match anything ({summarize(open_claims)} = *)"
            if open_claims
            else ("no bound_subject and no bound_claims")
        )
        return failed(f"{kind} role {role.name} admits every token of the issuer: {why}")
    return passed(f"{kind} role {role.name} requires {summarize(bound)}")


@checks.check(
    id="vault.auth.role_token_ttl",
    title="Login roles (AppRole, Kubernetes, JWT/OIDC) issue tokens with a bounded life",
    severity="medium",
    resource_types=[APPROLE, K8S_ROLE, JWT_ROLE],
    rationale="A workload can log in again whenever it needs a token, so its tokens need not outlive a "
    "shift: a short life bounds what a leaked token is worth. A periodic token without "
    "token_explicit_max_ttl renews without end.",
    remediation="Set token_max_ttl (or tune the mount's max lease TTL) within "
    "vault.auth.role_token_max_ttl_hours; give periodic roles a token_explicit_max_ttl.",
    references=[f"{REFS}/concepts/tokens#token-time-to-live-periodic-tokens-and-explicit-max-ttls"],
    params=[
        param(
            "vault.auth.role_token_max_ttl_hours",
            "number",
            24,
            "Longest life, in hours, of the tokens a login role (AppRole, Kubernetes, JWT/OIDC) issues.",
        )
    ],
)
def role_token_ttl(role: Resource, ctx: CheckContext) -> Verdict:
    what = f"{_KIND.get(role.type, 'login')} role {role.name}"
    limit = int(float(ctx.param("vault.auth.role_token_max_ttl_hours")) * 3600)
    explicit = seconds(need(role, "token_explicit_max_ttl"))
    period = seconds(need(role, "token_period"))
    if period and not explicit:
        return failed(f"{what} issues periodic tokens ({human(period)}) that renew without end")
    life, source = seconds(need(role, "token_max_ttl")), "token_max_ttl"
    if not period and (life == 0 or life > limit):
        # The mount's max lease TTL applies when the role sets none, and caps the role's otherwise.
        methods = ctx.lookup(AUTH, "accessor", need(role, "mount_accessor"))
        if not methods:
            return errored(f"the auth method of {what} is not in the snapshot")
        mount_max = seconds(need(methods[0], "max_lease_ttl"))
        if mount_max and (life == 0 or mount_max < life):
            life, source = mount_max, "the mount's max lease TTL"
    if explicit and (period or life == 0 or explicit < life):
        life, source = explicit, "token_explicit_max_ttl"
    if life == 0 or life > limit:
        return failed(f"{what} issues tokens that live {human(life)} ({source}), above {human(limit)}")
    return passed(f"{what} issues tokens that live at most {human(life)} ({source})")
