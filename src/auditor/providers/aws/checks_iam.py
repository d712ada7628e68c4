"""IAM checks: root user, password policy, users' credentials, policies and trust."""

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
from auditor.providers.aws import resources as T
from auditor.providers.aws.policy import allows_admin_star, public_statements

checks = CheckSet("aws")
REF = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html"


def _age_days(ctx: CheckContext, when: str | None) -> float | None:
    if not when:
        return None
    try:
        t = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ctx.now - t) / timedelta(days=1)


@checks.check(
    id="aws.iam.root_mfa",
    title="The root user has MFA enabled",
    severity="critical",
    resource_types=[T.IAM_ACCOUNT],
    rationale="The root user can do anything in the account, including closing it; a password alone is not enough.",
    remediation="Sign in as root and enable a hardware or virtual MFA device.",
    references=[REF],
)
def root_mfa(acct: Resource, ctx: CheckContext) -> Verdict:
    if need(acct, "AccountMFAEnabled") == 1:
        return passed("root user has MFA")
    return failed("root user has no MFA device")


@checks.check(
    id="aws.iam.root_access_keys",
    title="The root user has no access keys",
    severity="critical",
    resource_types=[T.IAM_ACCOUNT],
    rationale="Root access keys give unrestricted, unscoped programmatic access that cannot be limited by policy.",
    remediation="Delete the root user's access keys (Security credentials page, signed in as root).",
    references=[REF],
)
def root_access_keys(acct: Resource, ctx: CheckContext) -> Verdict:
    if need(acct, "AccountAccessKeysPresent"):
        return failed("the root user has access keys")
    return passed("the root user has no access keys")


def _password_policy(acct: Resource) -> dict[str, Any] | None:
    policy: dict[str, Any] | None = need(acct, "password_policy")
    return policy


@checks.check(
    id="aws.iam.password_min_length",
    title="The password policy requires long passwords",
    severity="medium",
    resource_types=[T.IAM_ACCOUNT],
    rationale="Short passwords are guessed and cracked quickly.",
    remediation="UpdateAccountPasswordPolicy with MinimumPasswordLength of at least 14 (parameter aws.iam.password_min_length).",
    params=[
        param(
            "aws.iam.password_min_length",
            "integer",
            14,
            "Minimum password length the account password policy must require.",
        )
    ],
)
def password_min_length(acct: Resource, ctx: CheckContext) -> Verdict:
    policy = _password_policy(acct)
    want = int(ctx.param("aws.iam.password_min_length"))
    if policy is None:
        return failed("no account password policy is set (AWS default: 8 characters)")
    have = int(policy.get("MinimumPasswordLength", 0))
    if have < want:
        return failed(f"minimum password length is {have}, below {want}")
    return passed(f"minimum password length is {have}")


@checks.check(
    id="aws.iam.password_complexity",
    title="The password policy requires upper, lower case letters, numbers and symbols",
    severity="low",
    resource_types=[T.IAM_ACCOUNT],
    rationale="Character-class requirements widen the search space of console passwords.",
    remediation="UpdateAccountPasswordPolicy with RequireUppercaseCharacters, RequireLowercaseCharacters, "
    "RequireNumbers and RequireSymbols set.",
)
def password_complexity(acct: Resource, ctx: CheckContext) -> Verdict:
    policy = _password_policy(acct)
    if policy is None:
        return failed("no account password policy is set")
    flags = ("RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers", "RequireSymbols")
    missing = [f for f in flags if not policy.get(f)]
    if missing:
        return failed(f"password policy does not set {', '.join(missing)}")
    return passed("password policy requires all four character classes")


@checks.check(
    id="aws.iam.password_reuse_prevention",
    title="The password policy prevents password reuse",
    severity="medium",
    resource_types=[T.IAM_ACCOUNT],
    rationale="Reuse lets a leaked old password come back into service.",
    remediation="UpdateAccountPasswordPolicy with PasswordReusePrevention of 24 (parameter aws.iam.password_reuse).",
    params=[
        param(
            "aws.iam.password_reuse",
            "integer",
            24,
            "How many previous passwords the policy must prevent reusing.",
        )
    ],
)
def password_reuse(acct: Resource, ctx: CheckContext) -> Verdict:
    policy = _password_policy(acct)
    want = int(ctx.param("aws.iam.password_reuse"))
    if policy is None:
        return failed("no account password policy is set: passwords may be reused")
    have = int(policy.get("PasswordReusePrevention") or 0)
    if have < want:
        return failed(f"password reuse prevention remembers {have} passwords, below {want}")
    return passed(f"the last {have} passwords cannot be reused")


@checks.check(
    id="aws.iam.password_max_age",
    title="The password policy expires passwords",
    severity="low",
    resource_types=[T.IAM_ACCOUNT],
    rationale="Frameworks expect passwords to be changed periodically where MFA is not universal.",
    remediation="UpdateAccountPasswordPolicy with MaxPasswordAge of 90 days or less (parameter aws.iam.password_max_age_days).",
    params=[
        param(
            "aws.iam.password_max_age_days",
            "integer",
            90,
            "Longest password lifetime, in days, the policy may allow.",
        )
    ],
)
def password_max_age(acct: Resource, ctx: CheckContext) -> Verdict:
    policy = _password_policy(acct)
    want = int(ctx.param("aws.iam.password_max_age_days"))
    if policy is None or not policy.get("MaxPasswordAge"):
        return failed("passwords never expire")
    have = int(policy["MaxPasswordAge"])
    if have > want:
        return failed(f"passwords expire after {have} days, more than {want}")
    return passed(f"passwords expire after {have} days")


@checks.check(
    id="aws.iam.support_role",
    title="A role can manage incidents with AWS Support",
    severity="low",
    resource_types=[T.IAM_ACCOUNT],
    rationale="Incident response needs someone authorised to open and manage AWS Support cases.",
    remediation="Attach the AWSSupportAccess managed policy to a role assumed by the incident responders.",
)
def support_role(acct: Resource, ctx: CheckContext) -> Verdict:
    entities = need(acct, "support_role_entities")
    roles = [e for e in entities if e.startswith("role/")]
    if roles:
        return passed(f"AWSSupportAccess is attached to {summarize(roles)}")
    return failed(
        "AWSSupportAccess is attached to no role" + (f" (only {summarize(entities)})" if entities else "")
    )


@checks.check(
    id="aws.iam.user_console_mfa",
    title="IAM users with a console password have MFA",
    severity="high",
    resource_types=[T.IAM_USER],
    rationale="A console password without MFA is one phishing email away from account access.",
    remediation="Enable an MFA device for the user, or remove the login profile if console access is not needed.",
)
def user_console_mfa(user: Resource, ctx: CheckContext) -> Verdict:
    if not need(user, "password_enabled"):
        return not_applicable("no console password")
    if need(user, "mfa_active"):
        return passed("console user has MFA")
    return failed(f"user {user.name} signs in to the console without MFA")


@checks.check(
    id="aws.iam.user_unused_credentials",
    title="IAM credentials unused for 90 days are disabled",
    severity="medium",
    resource_types=[T.IAM_USER],
    rationale="Dormant passwords and keys belong to people or systems that no longer need access.",
    remediation="Remove the login profile or deactivate the access keys that have not been used "
    "(parameter aws.iam.credential_unused_days).",
    params=[
        param(
            "aws.iam.credential_unused_days",
            "number",
            90,
            "Days after which an unused password or access key counts as stale.",
        )
    ],
)
def user_unused_credentials(user: Resource, ctx: CheckContext) -> Verdict:
    limit = float(ctx.param("aws.iam.credential_unused_days"))
    stale = []
    if need(user, "password_enabled"):
        used = _age_days(ctx, need(user, "password_last_used"))
        base = used if used is not None else _age_days(ctx, user.attributes.get("password_last_changed"))
        if base is not None and base > limit:
            stale.append(f"password unused for {int(base)} days")
    for key in need(user, "access_keys"):
        if not key.get("active"):
            continue
        used = _age_days(ctx, key.get("last_used"))
        base = used if used is not None else _age_days(ctx, key.get("last_rotated"))
        if base is not None and base > limit:
            stale.append(f"access key {key['key']} unused for {int(base)} days")
    if stale:
        return failed(f"user {user.name}: {', '.join(stale)}")
    if not need(user, "password_enabled") and not any(k.get("active") for k in need(user, "access_keys")):
        return not_applicable("no active password or access key")
    return passed(f"every credential was used within {int(limit)} days")


@checks.check(
    id="aws.iam.user_access_key_age",
    title="Active access keys are rotated within 90 days",
    severity="medium",
    resource_types=[T.IAM_USER],
    rationale="Long-lived keys accumulate exposure (laptops, CI logs, old repos).",
    remediation="Create a new key, move its users over, deactivate and delete the old one "
    "(parameter aws.iam.access_key_max_age_days).",
    params=[
        param(
            "aws.iam.access_key_max_age_days",
            "number",
            90,
            "Oldest an active access key may be, in days, since its last rotation.",
        )
    ],
)
def user_access_key_age(user: Resource, ctx: CheckContext) -> Verdict:
    limit = float(ctx.param("aws.iam.access_key_max_age_days"))
    active = [k for k in need(user, "access_keys") if k.get("active")]
    if not active:
        return not_applicable("no active access key")
    old = []
    for k in active:
        age = _age_days(ctx, k.get("last_rotated"))
        if age is None or age > limit:
            old.append(
                f"key {k['key']} "
                + (f"is {int(age)} days old" if age is not None else "has no rotation date")
            )
    if old:
        return failed(f"user {user.name}: {', '.join(old)}")
    return passed(f"{len(active)} active key(s) younger than {int(limit)} days")


@checks.check(
    id="aws.iam.user_no_direct_policies",
    title="Policies are granted through groups or roles, not attached to users",
    severity="low",
    resource_types=[T.IAM_USER],
    rationale="Permissions granted per user drift and escape access reviews; groups and roles keep them reviewable.",
    remediation="Move the user's managed and inline policies to a group and add the user to it.",
)
def user_no_direct_policies(user: Resource, ctx: CheckContext) -> Verdict:
    attached = [str(a).rsplit("/", 1)[-1] for a in need(user, "attached_policies")]
    inline = [p["name"] for p in need(user, "inline_policies")]
    if attached or inline:
        return failed(f"user {user.name} has policies attached directly: {summarize(attached + inline)}")
    return passed("no policies attached directly to the user")


@checks.check(
    id="aws.iam.policy_no_admin_star",
    title="Customer-managed policies do not grant *:* (full admin)",
    severity="high",
    resource_types=[T.IAM_POLICY],
    rationale="A policy allowing every action on every resource defeats least privilege.",
    remediation="Replace the Allow '*' on '*' statement with the actions and resources the holders need.",
)
def policy_no_admin_star(policy: Resource, ctx: CheckContext) -> Verdict:
    if allows_admin_star(need(policy, "document")):
        n = policy.attributes.get("attachment_count", 0)
        return failed(f"policy {policy.name} allows '*' on '*' (attached {n} time(s))")
    return passed("no Allow of '*' on '*'")


@checks.check(
    id="aws.iam.inline_policy_no_admin_star",
    title="Inline policies of users, groups and roles do not grant *:*",
    severity="high",
    resource_types=[T.IAM_USER, T.IAM_GROUP, T.IAM_ROLE],
    rationale="Inline full-admin grants are invisible in managed-policy reviews.",
    remediation="Replace the inline policy with a scoped managed policy.",
)
def inline_policy_no_admin_star(principal: Resource, ctx: CheckContext) -> Verdict:
    inline = need(principal, "inline_policies")
    bad = [p["name"] for p in inline if allows_admin_star(p.get("document"))]
    if bad:
        return failed(f"{principal.name}: inline policy {summarize(bad)} allows '*' on '*'")
    if not inline:
        return not_applicable("no inline policies")
    return passed(f"{len(inline)} inline policies, none grants '*' on '*'")


@checks.check(
    id="aws.iam.role_trust_not_public",
    title="Role trust policies do not let anyone assume the role",
    severity="critical",
    resource_types=[T.IAM_ROLE],
    rationale="A trust policy with principal '*' and no limiting condition lets any AWS account assume the role.",
    remediation="Name the trusted accounts, roles or services in the trust policy, or add an aws:PrincipalOrgID / "
    "sts:ExternalId condition.",
)
def role_trust_not_public(role: Resource, ctx: CheckContext) -> Verdict:
    public = public_statements(need(role, "trust_policy"))
    if public:
        return failed(f"role {role.name} can be assumed by anyone: {summarize(public)}")
    return passed("trust policy names its principals")


@checks.check(
    id="aws.iam.server_certificate_expired",
    title="IAM server certificates have not expired",
    severity="medium",
    resource_types=[T.IAM_SERVER_CERTIFICATE],
    rationale="CIS AWS Foundations 1.19: an expired certificate left in IAM can be attached to a load balancer "
    "by mistake and breaks TLS.",
    remediation="DeleteServerCertificate for expired certificates (and use ACM for new ones).",
)
def server_certificate_expired(cert: Resource, ctx: CheckContext) -> Verdict:
    expiry = need(cert, "expiration")
    if expiry is None:
        return not_applicable("no expiry date")
    left = (datetime.fromisoformat(str(expiry)) - ctx.now) / timedelta(days=1)
    if left < 0:
        return failed(
            f"server certificate {cert.name} expired {int(-left)} days ago: DeleteServerCertificate"
        )
    return passed(f"expires in {int(left)} days")
