"""Vault access checks: auth methods, AppRole roles, ACL policies, tokens."""

from __future__ import annotations

from fnmatch import fnmatchcase
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
from auditor.providers.vault.common import APPROLE, AUTH, POLICY, REFS, TOKEN, human, parse_time, seconds

checks = CheckSet("vault")
P_POLICY_ADMIN_POLICIES = param(
    "vault.policy.admin_policies",
    "string_list",
    [],
    "Policies approved to grant broad or sudo access (exempt from the breadth checks).",
)

HUMAN_AUTH = ("userpass", "ldap", "okta", "radius")
# The built-in default policy of Vault and OpenBao: path -> capabilities it grants.
DEFAULT_POLICY = {
    "auth/token/lookup-self": {"read"},
    "auth/token/renew-self": {"update"},
    "auth/token/revoke-self": {"update"},
    "sys/capabilities-self": {"update"},
    "identity/entity/id/{{identity.entity.id}}": {"read"},
    "identity/entity/name/{{identity.entity.name}}": {"read"},
    "sys/internal/ui/resultant-acl": {"read"},
    "sys/renew": {"update"},
    "sys/leases/renew": {"update"},
    "sys/leases/lookup": {"update"},
    "cubbyhole/*": {"create", "read", "update", "delete", "list"},
    "sys/wrapping/wrap": {"update"},
    "sys/wrapping/lookup": {"update"},
    "sys/wrapping/unwrap": {"update"},
    "sys/tools/hash": {"update"},
    "sys/tools/hash/*": {"update"},
    "sys/control-group/request": {"update"},
    "identity/oidc/provider/+/authorize": {"read", "update"},
    "sys/mfa/validate": {"update"},
}
BROAD_PATHS = {"*", "+/*", "+", "sys/*", "auth/*", "identity/*", "sys/+", "auth/+/*"}


def _limit(ctx: CheckContext, name: str) -> int:
    return int(float(ctx.param(name)) * 3600)


def _admin(policy: Resource, ctx: CheckContext) -> bool:
    return policy.name in set(ctx.param("vault.policy.admin_policies") or [])


@checks.check(
    id="vault.auth.max_lease_ttl",
    title="Auth methods cap token lifetime (max lease TTL within the limit)",
    severity="medium",
    resource_types=[AUTH],
    rationale="The max lease TTL bounds how long a token issued by the method stays usable; the 768h system "
    "default keeps leaked or forgotten tokens alive for a month.",
    remediation="Tune the auth mount: `bao auth tune -max-lease-ttl=24h <path>` (limit: vault.auth.max_lease_ttl_hours).",
    references=[f"{REFS}/commands/auth/tune"],
    params=[
        param(
            "vault.auth.max_lease_ttl_hours",
            "number",
            720,
            "Longest max lease TTL, in hours, an auth method may allow.",
        )
    ],
)
def auth_max_lease_ttl(method: Resource, ctx: CheckContext) -> Verdict:
    limit = _limit(ctx, "vault.auth.max_lease_ttl_hours")
    ttl = seconds(need(method, "max_lease_ttl"))
    if ttl == 0 or ttl > limit:
        return failed(
            f"auth method {method.name} ({method.attributes.get('type')}) issues tokens with max TTL {human(ttl)}, above {human(limit)}"
        )
    return passed(f"auth method {method.name} max TTL {human(ttl)} (limit {human(limit)})")


@checks.check(
    id="vault.auth.login_mfa",
    title="Password-based auth methods (userpass, LDAP, Okta, RADIUS) enforce login MFA",
    severity="high",
    resource_types=[AUTH],
    rationale="People logging in with a password alone can be phished or brute-forced; a login MFA "
    "enforcement adds a second factor before Vault issues a token.",
    remediation="Create an MFA method (identity/mfa/method/totp...) and a login enforcement "
    "(identity/mfa/login-enforcement) naming this mount's accessor or type.",
    references=[f"{REFS}/auth/login-mfa"],
)
def auth_login_mfa(method: Resource, ctx: CheckContext) -> Verdict:
    mtype = need(method, "type")
    if mtype not in HUMAN_AUTH:
        return not_applicable(f"{mtype} is not a password-based login method")
    enforcements = need(method, "mfa_enforcements")
    if not enforcements:
        return failed(f"{mtype} auth method {method.name} has no login MFA enforcement")
    return passed(f"{mtype} auth method {method.name} enforced by {summarize(enforcements)}")


@checks.check(
    id="vault.auth.listing_hidden",
    title="Auth methods are not advertised to unauthenticated users",
    severity="low",
    resource_types=[AUTH],
    rationale="listing_visibility=unauth lists the mount on the unauthenticated UI login page, telling "
    "anyone which login paths exist.",
    remediation="Tune the mount with listing_visibility=hidden unless the UI needs it for people.",
    references=[f"{REFS}/commands/auth/tune"],
)
def auth_listing_hidden(method: Resource, ctx: CheckContext) -> Verdict:
    if need(method, "listing_visibility") == "unauth":
        return failed(
            f"auth method {method.name} is listed to unauthenticated users (listing_visibility=unauth)"
        )
    return passed(f"auth method {method.name} is hidden from unauthenticated listing")


@checks.check(
    id="vault.approle.secret_id_ttl",
    title="AppRole roles require a secret id that expires",
    severity="high",
    resource_types=[APPROLE],
    rationale="A role without bind_secret_id logs in with the role id alone; a secret id without TTL "
    "remains a valid long-term credential if it leaks.",
    remediation="Set bind_secret_id=true and secret_id_ttl (e.g. 24h) on the role.",
    references=[f"{REFS}/auth/approle"],
    params=[
        param(
            "vault.approle.max_secret_id_ttl_hours",
            "number",
            720,
            "Longest secret-id TTL, in hours, an AppRole role may allow.",
        )
    ],
)
def approle_secret_id_ttl(role: Resource, ctx: CheckContext) -> Verdict:
    if not need(role, "bind_secret_id"):
        return failed(f"AppRole {role.name} does not require a secret id (bind_secret_id=false)")
    ttl = seconds(need(role, "secret_id_ttl"))
    limit = _limit(ctx, "vault.approle.max_secret_id_ttl_hours")
    if ttl == 0:
        return failed(f"AppRole {role.name} secret ids never expire (secret_id_ttl=0)")
    if ttl > limit:
        return failed(f"AppRole {role.name} secret ids live {human(ttl)}, above {human(limit)}")
    return passed(f"AppRole {role.name} secret ids expire after {human(ttl)}")


@checks.check(
    id="vault.approle.cidr_binding",
    title="AppRole roles bind secret ids or tokens to source CIDRs",
    severity="medium",
    resource_types=[APPROLE],
    rationale="Binding to the workload's network means a leaked secret id or token is useless elsewhere.",
    remediation="Set secret_id_bound_cidrs and/or token_bound_cidrs on the role (which roles must: "
    "vault.approle.cidr_required_roles).",
    references=[f"{REFS}/auth/approle"],
    params=[
        param(
            "vault.approle.cidr_required_roles",
            "string_list",
            [],
            "AppRole roles that must bind secret ids or tokens to CIDRs: role names or mount/role, globs "
            "allowed (`*`: every role); the others are not applicable. Default: none (pod and runner "
            "addresses are rarely stable enough to bind to).",
        )
    ],
)
def approle_cidr_binding(role: Resource, ctx: CheckContext) -> Verdict:
    required = list(ctx.param("vault.approle.cidr_required_roles") or [])
    if not required:
        return not_applicable(
            f"AppRole {role.name}: no role must bind CIDRs (vault.approle.cidr_required_roles is empty)"
        )
    names = (str(need(role, "role")), role.name or "")
    if not any(fnmatchcase(n, pattern) for pattern in required for n in names):
        return not_applicable(f"AppRole {role.name} is not in vault.approle.cidr_required_roles")
    cidrs = list(need(role, "secret_id_bound_cidrs") or []) + list(need(role, "token_bound_cidrs") or [])
    if not cidrs:
        return failed(f"AppRole {role.name} has no secret_id_bound_cidrs or token_bound_cidrs")
    return passed(f"AppRole {role.name} bound to {summarize(sorted(set(cidrs)))}")


def _rules(policy: Resource) -> list[dict[str, Any]]:
    return list(need(policy, "rules"))


@checks.check(
    id="vault.policy.no_wildcard_paths",
    title="ACL policies do not grant access to `*` or whole system trees",
    severity="high",
    resource_types=[POLICY],
    rationale="A policy on `*`, `sys/*`, `auth/*` or `identity/*` gives every holder access far beyond one "
    "workload's needs, including reconfiguring Vault itself.",
    remediation="Replace wildcard paths with the specific mount paths the holder needs; name true admin "
    "policies in vault.policy.admin_policies so they are reviewed separately.",
    references=[f"{REFS}/concepts/policies"],
    params=[P_POLICY_ADMIN_POLICIES],
)
def policy_no_wildcard_paths(policy: Resource, ctx: CheckContext) -> Verdict:
    if policy.name == "root":
        return not_applicable(
            "the built-in root policy has no rules; root tokens are checked by vault.token.no_root"
        )
    broad = [
        f"{r['path']} [{', '.join(r['capabilities'])}]"
        for r in _rules(policy)
        if r["path"].lstrip("/") in BROAD_PATHS and set(r["capabilities"]) - {"deny"}
    ]
    if broad and not _admin(policy, ctx):
        return failed(f"policy {policy.name} grants wildcard paths: {summarize(broad)}")
    if broad:
        return passed(f"admin policy {policy.name} (vault.policy.admin_policies) grants {summarize(broad)}")
    return passed(f"policy {policy.name} names specific paths only")


@checks.check(
    id="vault.policy.no_broad_sudo",
    title="ACL policies grant sudo/root only on specific paths",
    severity="high",
    resource_types=[POLICY],
    rationale="sudo opens root-protected endpoints (audit, seal, token accessors...); on a glob it opens "
    "every such endpoint below it. (A `+` segment, matching one name, is not counted as broad.)",
    remediation="Grant sudo only on the exact paths that need it, in a dedicated admin policy.",
    references=[f"{REFS}/concepts/policies#capabilities"],
    params=[P_POLICY_ADMIN_POLICIES],
)
def policy_no_broad_sudo(policy: Resource, ctx: CheckContext) -> Verdict:
    if policy.name == "root":
        return not_applicable("the built-in root policy is checked through root tokens")
    bad = [
        f"{r['path']} [{', '.join(c for c in r['capabilities'] if c in ('sudo', 'root'))}]"
        for r in _rules(policy)
        if {"sudo", "root"} & set(r["capabilities"]) and "*" in r["path"]
    ]
    if bad and not _admin(policy, ctx):
        return failed(f"policy {policy.name} grants sudo/root on `*` globs: {summarize(bad)}")
    return passed(
        f"policy {policy.name} grants no sudo/root on glob paths"
        if not bad
        else f"admin policy {policy.name}: {summarize(bad)}"
    )


@checks.check(
    id="vault.policy.default_not_widened",
    title="The default policy grants nothing beyond the built-in set",
    severity="high",
    resource_types=[POLICY],
    rationale="The default policy is attached to every token; a path added there is granted to every "
    "identity in the namespace.",
    remediation="Restore the built-in default policy and grant extra paths through dedicated policies.",
    references=[f"{REFS}/concepts/policies#built-in-policies"],
)
def policy_default_not_widened(policy: Resource, ctx: CheckContext) -> Verdict:
    if policy.name != "default":
        return not_applicable("only the default policy is compared with the built-in set")
    extra = []
    for r in _rules(policy):
        caps = set(r["capabilities"]) - {"deny"}
        allowed = DEFAULT_POLICY.get(r["path"])
        if caps and (allowed is None or not caps <= allowed):
            extra.append(f"{r['path']} [{', '.join(sorted(caps - (allowed or set())))}]")
    if extra:
        return failed(f"the default policy is widened: {summarize(extra)}")
    return passed("the default policy grants only the built-in paths")


def _ttl(token: Resource) -> int:
    return seconds(need(token, "ttl"))


def _never_expires(token: Resource) -> bool:
    return _ttl(token) == 0 and not need(token, "expire_time")


@checks.check(
    id="vault.token.no_root",
    title="No root tokens exist",
    severity="critical",
    resource_types=[TOKEN],
    rationale="A root token can do anything and bypasses every policy; it should be generated for an "
    "emergency and revoked right after.",
    remediation="Revoke root tokens (`bao token revoke -accessor <accessor>`); use generate-root for break-glass.",
    references=[f"{REFS}/concepts/tokens#root-tokens"],
)
def token_no_root(token: Resource, ctx: CheckContext) -> Verdict:
    if "root" in need(token, "policies"):
        return failed(f"token {token.name} carries the root policy")
    return passed(f"token {token.name} is not a root token")


@checks.check(
    id="vault.token.expires",
    title="Tokens expire",
    severity="high",
    resource_types=[TOKEN],
    rationale="A token with no TTL stays valid until someone revokes it; leaked, it is a permanent key.",
    remediation="Revoke non-expiring tokens and re-issue them with a TTL (or as periodic tokens under a role).",
    references=[f"{REFS}/concepts/tokens#token-time-to-live-periodic-tokens-and-explicit-max-ttls"],
)
def token_expires(token: Resource, ctx: CheckContext) -> Verdict:
    if _never_expires(token):
        return failed(f"token {token.name} never expires (ttl=0, no expire_time)")
    return passed(f"token {token.name} expires at {need(token, 'expire_time')}")


@checks.check(
    id="vault.token.max_ttl",
    title="Token lifetimes stay within the limit",
    severity="medium",
    resource_types=[TOKEN],
    rationale="Long-lived tokens widen the window in which a stolen token is useful.",
    remediation="Re-issue the token with a shorter TTL and lower the mount's max lease TTL "
    "(limit: vault.token.max_ttl_hours).",
    references=[f"{REFS}/concepts/tokens"],
    params=[param("vault.token.max_ttl_hours", "number", 720, "Longest TTL, in hours, a token may have.")],
)
def token_max_ttl(token: Resource, ctx: CheckContext) -> Verdict:
    limit = _limit(ctx, "vault.token.max_ttl_hours")
    if _never_expires(token):
        return failed(f"token {token.name} never expires")
    life = max(seconds(need(token, "creation_ttl")), seconds(need(token, "explicit_max_ttl")))
    expire = need(token, "expire_time")
    if expire:
        remaining = int((parse_time(expire) - ctx.now).total_seconds())
        life = max(life, remaining)
    if life > limit:
        return failed(f"token {token.name} lives {human(life)}, above {human(limit)}")
    return passed(f"token {token.name} lives {human(life)} (limit {human(limit)})")


@checks.check(
    id="vault.token.no_orphan_created",
    title="No orphan tokens created through the token store",
    severity="medium",
    resource_types=[TOKEN],
    rationale="An orphan token outlives the revocation of whoever created it, so revoking a compromised "
    "parent does not revoke what it handed out.",
    remediation="Create child tokens (or tokens from a token role with orphan=false) and revoke the orphans.",
    references=[f"{REFS}/concepts/tokens#token-hierarchies-and-orphan-tokens"],
)
def token_no_orphan_created(token: Resource, ctx: CheckContext) -> Verdict:
    path = str(need(token, "path") or "")
    if need(token, "orphan") and path.startswith("auth/token/create"):
        return failed(f"token {token.name} is an orphan created at {path}")
    if need(token, "orphan"):
        return passed(
            f"token {token.name} is a login token ({path or 'unknown path'}), the root of its own tree"
        )
    return passed(f"token {token.name} has a parent")
