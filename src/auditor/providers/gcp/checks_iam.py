"""IAM checks: who holds what on organization, folder, project and resource policies, and keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

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
from auditor.providers.gcp import policy as P
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.common import CIS

checks = CheckSet("gcp")


def _offending(pol: Resource, keep: Callable[[str, str], bool]) -> list[str]:
    """'member (role)' for every grant of the policy that `keep(role, member)` selects."""
    return sorted({f"{m} ({r})" for r, m in P.grants(pol) if keep(r, m)})


def _holding_both(pol: Resource, first: str, second: frozenset[str]) -> list[str]:
    """Members granted `first` and any role of `second` by the same policy."""
    return sorted(m for m, roles in P.by_member(pol).items() if first in roles and roles & second)


def _on_hierarchy(pol: Resource, bad: Callable[[], list[str]], fix: str, ok: str) -> Verdict:
    """A verdict on an organization, folder or project policy (resource-level ones: not applicable)."""
    if need(pol, "level") not in P.HIERARCHY_LEVELS:
        return not_applicable("a resource-level policy, not the hierarchy")
    found = bad()
    return failed(f"{fix} on {pol.name}: {summarize(found)}") if found else passed(ok)


@checks.check(
    id="gcp.iam.basic_roles_to_humans",
    title="No basic Owner or Editor role granted to users or groups on the hierarchy",
    severity="high",
    resource_types=[T.IAM_POLICY],
    rationale="Owner and Editor grant thousands of permissions across every service of a project; people "
    "should hold predefined roles scoped to their job.",
    remediation="Replace roles/owner and roles/editor bindings of user: and group: members with predefined roles.",
    references=[f"{CIS} 1.5"],
)
def basic_roles_to_humans(pol: Resource, ctx: CheckContext) -> Verdict:
    return _on_hierarchy(
        pol,
        lambda: _offending(pol, lambda r, m: r in P.BASIC_ROLES and P.member_kind(m) in ("user", "group")),
        "replace these basic roles with predefined ones",
        "no user or group holds Owner or Editor",
    )


@checks.check(
    id="gcp.iam.no_public_principals",
    title="No IAM policy grants anything to allUsers or allAuthenticatedUsers",
    severity="critical",
    resource_types=[T.IAM_POLICY],
    rationale="allUsers is anyone on the internet; allAuthenticatedUsers is anyone with a Google account.",
    remediation="Remove the allUsers and allAuthenticatedUsers members from the policy.",
    references=[f"{CIS} 5.1", f"{CIS} 7.1", f"{CIS} 1.9"],
)
def no_public_principals(pol: Resource, ctx: CheckContext) -> Verdict:
    public = P.public_grants(pol)
    if public:
        return failed(f"remove public members from the IAM policy of {pol.name}: {summarize(public)}")
    return passed("no public members")


@checks.check(
    id="gcp.iam.allowed_member_domains",
    title="IAM members belong to the allowed domains",
    severity="high",
    resource_types=[T.IAM_POLICY],
    rationale="Members from other domains (personal accounts, partners) escape your identity lifecycle: "
    "leavers are never removed and MFA is not yours to enforce.",
    remediation="Remove members outside the allowed domains, and enforce iam.allowedPolicyMemberDomains.",
    references=[f"{CIS} 1.1"],
    params=[
        param(
            "gcp.iam.allowed_domains",
            "string_list",
            [],
            "Domains whose users, groups and domains may be IAM members (empty: the check is not applicable).",
        )
    ],
)
def allowed_member_domains(pol: Resource, ctx: CheckContext) -> Verdict:
    allowed = ctx.param("gcp.iam.allowed_domains")
    if not allowed:
        return not_applicable("set gcp.iam.allowed_domains to judge member domains")
    bad = sorted(set(P.outside((m for _, m in P.grants(pol)), allowed)))
    if bad:
        return failed(f"remove members outside {', '.join(allowed)} from {pol.name}: {summarize(bad)}")
    return passed("every member is in an allowed domain")


@checks.check(
    id="gcp.iam.service_account_admin_roles",
    title="Service accounts hold no admin, Owner or Editor role on the hierarchy",
    severity="high",
    resource_types=[T.IAM_POLICY],
    rationale="A workload's key or token that leaks then administers the whole project or organization.",
    remediation="Grant service accounts only the predefined roles their workload needs.",
    references=[f"{CIS} 1.5"],
)
def service_account_admin_roles(pol: Resource, ctx: CheckContext) -> Verdict:
    return _on_hierarchy(
        pol,
        lambda: _offending(pol, lambda r, m: P.member_kind(m) == "serviceAccount" and P.is_admin_role(r)),
        "remove the admin roles of service accounts",
        "no service account holds an admin role",
    )


@checks.check(
    id="gcp.iam.service_account_user_at_project",
    title="Service Account User and Token Creator are not granted on the hierarchy",
    severity="high",
    resource_types=[T.IAM_POLICY],
    rationale="Granted on a project, folder or organization, these roles let the member act as every "
    "service account below it, including the most privileged.",
    remediation="Grant roles/iam.serviceAccountUser and roles/iam.serviceAccountTokenCreator on the single "
    "service account that needs it instead.",
    references=[f"{CIS} 1.6"],
)
def service_account_user_at_project(pol: Resource, ctx: CheckContext) -> Verdict:
    return _on_hierarchy(
        pol,
        lambda: _offending(pol, lambda r, m: r in P.SA_USER_ROLES),
        "grant these on the one service account concerned instead",
        "no hierarchy-wide Service Account User or Token Creator grant",
    )


@checks.check(
    id="gcp.iam.kms_separation_of_duties",
    title="Nobody both administers Cloud KMS keys and uses them",
    severity="medium",
    resource_types=[T.IAM_POLICY],
    rationale="Separation of duties: whoever manages keys should not also encrypt and decrypt with them.",
    remediation="Give roles/cloudkms.admin and the cryptoKey encrypter/decrypter roles to different members.",
    references=[f"{CIS} 1.11"],
)
def kms_separation_of_duties(pol: Resource, ctx: CheckContext) -> Verdict:
    return _on_hierarchy(
        pol,
        lambda: _holding_both(pol, P.KMS_ADMIN, P.KMS_CRYPTO_ROLES),
        "split Cloud KMS Admin from the encrypt/decrypt roles",
        "no member holds both KMS administration and key use",
    )


@checks.check(
    id="gcp.iam.service_account_separation_of_duties",
    title="Nobody both administers service accounts and acts as them",
    severity="medium",
    resource_types=[T.IAM_POLICY],
    rationale="Separation of duties: creating service accounts and impersonating them are different jobs.",
    remediation="Give roles/iam.serviceAccountAdmin and roles/iam.serviceAccountUser to different members.",
    references=[f"{CIS} 1.8"],
)
def service_account_separation_of_duties(pol: Resource, ctx: CheckContext) -> Verdict:
    return _on_hierarchy(
        pol,
        lambda: _holding_both(pol, P.SA_ADMIN, frozenset({"roles/iam.serviceAccountUser"})),
        "split Service Account Admin from Service Account User",
        "no member holds both",
    )


@checks.check(
    id="gcp.iam.user_managed_keys",
    title="Service accounts have only Google-managed keys",
    severity="medium",
    resource_types=[T.SERVICE_ACCOUNT],
    rationale="A user-managed key is a long-lived credential in a file: it leaks, and is rarely rotated. "
    "Workload identity and attached service accounts need none.",
    remediation="Delete user-managed keys (gcloud iam service-accounts keys delete) and use workload identity "
    "or attached service accounts.",
    references=[f"{CIS} 1.4"],
)
def user_managed_keys(sa: Resource, ctx: CheckContext) -> Verdict:
    keys = ctx.lookup(T.SERVICE_ACCOUNT_KEY, "service_account", need(sa, "email"))
    user = sorted(k.name or k.id for k in keys if k.attributes.get("key_type") == "USER_MANAGED")
    if user:
        return failed(f"delete the user-managed keys of {sa.name}: {summarize(user)}")
    return passed("no user-managed key")


@checks.check(
    id="gcp.iam.key_age",
    title="User-managed service account keys are rotated",
    severity="medium",
    resource_types=[T.SERVICE_ACCOUNT_KEY],
    rationale="The older a key, the more places it has been copied to.",
    remediation="Create a new key, move its users over, then delete the old key.",
    references=[f"{CIS} 1.7"],
    params=[
        param(
            "gcp.iam.key_max_age_days",
            "integer",
            90,
            "Oldest a user-managed service account key may be, in days.",
        )
    ],
)
def key_age(key: Resource, ctx: CheckContext) -> Verdict:
    if need(key, "key_type") != "USER_MANAGED":
        return not_applicable("a Google-managed key (rotated by Google)")
    if need(key, "disabled"):
        return not_applicable("the key is disabled")
    since = need(key, "valid_after")
    if not since:
        return failed(f"key {key.name} of {need(key, 'service_account')} has no creation time: rotate it")
    age = (ctx.now - datetime.fromisoformat(since.replace("Z", "+00:00"))).days
    limit = ctx.param("gcp.iam.key_max_age_days")
    if age > limit:
        return failed(
            f"rotate key {key.name} of {need(key, 'service_account')}: {age} days old (limit {limit})"
        )
    return passed(f"{age} days old")
