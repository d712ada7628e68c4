"""RBAC: custom roles that grant everything, and how many Owners a subscription has."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, param, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T

checks = CheckSet("azure")
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Identity and Access Management"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"  # the built-in Owner role's GUID, the same everywhere


@checks.check(
    id="azure.rbac.custom_role_wildcard",
    title="No custom role grants every action (*) at subscription scope",
    severity="high",
    resource_types=[T.ROLE_DEFINITION],
    rationale="A custom role with '*' is an Owner in disguise, outside the reviews that watch the Owner role.",
    remediation="Replace '*' with the actions the role needs, or delete the role and use a built-in one.",
    references=[CIS],
)
def custom_role_wildcard(role: Resource, ctx: CheckContext) -> Verdict:
    if need(role, "role_type") != "CustomRole":
        return not_applicable("a built-in role")
    if "*" not in need(role, "actions"):
        return passed("the role does not grant every action")
    wide = [
        s
        for s in need(role, "assignable_scopes")
        if s == "/" or (s.startswith("/subscriptions/") and s.count("/") == 2)
    ]
    if wide:
        return failed(
            f"custom role {need(role, 'role_name')} grants '*' and is assignable at {wide[0]}: list only the actions needed"
        )
    return passed("the role grants '*' only below subscription scope (resource groups)")


@checks.check(
    id="azure.rbac.owner_count",
    title="Subscriptions have neither too few nor too many Owners",
    severity="medium",
    resource_types=[T.SUBSCRIPTION],
    rationale="One Owner is a single point of failure; many Owners are many paths to full control.",
    remediation="Keep the Owner role on subscription scope between the minimum and maximum; grant narrower roles through PIM otherwise.",
    references=[CIS],
    params=[
        param("azure.rbac.min_owners", "integer", 2, "Fewest principals with Owner on a subscription."),
        param("azure.rbac.max_owners", "integer", 3, "Most principals with Owner on a subscription."),
    ],
)
def owner_count(sub: Resource, ctx: CheckContext) -> Verdict:
    owners = {
        a.attributes.get("principal_id")
        for a in ctx.lookup(T.ROLE_ASSIGNMENT, "scope", sub.id)
        if a.attributes.get("role_guid") == OWNER
    }
    n = len(owners)
    low, high = ctx.param("azure.rbac.min_owners"), ctx.param("azure.rbac.max_owners")
    if n < low:
        return failed(
            f"{n} Owner(s) at subscription scope: assign at least {low} (break-glass and a team group)"
        )
    if n > high:
        return failed(f"{n} Owners at subscription scope: remove Owner from all but {high}")
    return passed(f"{n} Owners at subscription scope (allowed {low}-{high})")
