"""IAM policy predicates shared by the GCP checks: members, domains, roles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from auditor.checks import need
from auditor.models import Resource

PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
BASIC_ROLES = frozenset({"roles/owner", "roles/editor"})
HIERARCHY_LEVELS = frozenset({"organization", "folder", "project"})
SA_USER_ROLES = frozenset({"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"})
KMS_ADMIN = "roles/cloudkms.admin"
KMS_CRYPTO_ROLES = frozenset(
    {
        "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "roles/cloudkms.cryptoKeyEncrypter",
        "roles/cloudkms.cryptoKeyDecrypter",
    }
)
SA_ADMIN = "roles/iam.serviceAccountAdmin"


def grants(policy: Resource) -> Iterator[tuple[str, str]]:
    """(role, member) for every member of every binding of an IAM policy resource."""
    for b in need(policy, "bindings"):
        for m in b.get("members", ()):
            yield str(b.get("role", "")), str(m)


def is_admin_role(role: str) -> bool:
    """Owner, editor, and any predefined or custom role named *Admin (roles/iam.securityAdmin...)."""
    return role in BASIC_ROLES or role.lower().endswith("admin")


def member_kind(member: str) -> str:
    return member.split(":", 1)[0] if ":" in member else member


def member_domain(member: str) -> str | None:
    """The domain of a user:, group:, domain: or serviceAccount: member (None for others)."""
    kind, _, rest = member.partition(":")
    rest = rest.split("?", 1)[0]  # deleted:user:x?uid=...
    if kind == "domain":
        return rest.lower()
    if kind in ("user", "group", "serviceAccount") and "@" in rest:
        return rest.rsplit("@", 1)[1].lower()
    return None


def outside(members: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """Members that are public or belong to no allowed domain (service accounts of Google's
    own domains are in any organization)."""
    ok = {d.lower().lstrip("@") for d in allowed}
    out = []
    for m in members:
        if m in PUBLIC_MEMBERS:
            out.append(m)
            continue
        d = member_domain(m)
        if d is None or d in ok or d.endswith(".gserviceaccount.com") or any(d.endswith("." + a) for a in ok):
            continue
        out.append(m)
    return out


def by_member(policy: Resource) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for role, member in grants(policy):
        roles.setdefault(member, set()).add(role)
    return roles


def public_grants(policy: Resource) -> list[str]:
    return sorted({f"{m} ({role})" for role, m in grants(policy) if m in PUBLIC_MEMBERS})


def attached_policy(ctx: Any, policy_type: str, resource: Resource) -> Resource | None:
    """The IAM policy attached to `resource` (None: it has none). Fails closed through ctx.lookup
    when IAM policies could not be read for its project."""
    found = ctx.lookup(policy_type, "resource", resource.id)
    return found[0] if found else None
