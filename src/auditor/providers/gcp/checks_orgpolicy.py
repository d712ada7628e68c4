"""Organization policy checks: guardrails enforced at the organization node, for every project."""

from __future__ import annotations

from typing import Any

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, param, passed
from auditor.models import Resource
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.common import CIS

checks = CheckSet("gcp")


def _policy(summary: Resource, constraint: str) -> dict[str, Any] | None:
    found = need(summary, "constraints").get(constraint)
    return found if isinstance(found, dict) else None


def _boolean(summary: Resource, constraint: str, what: str) -> Verdict:
    p = _policy(summary, constraint)
    if p is None or not p.get("enforced"):
        return failed(f"enforce constraints/{constraint} on {need(summary, 'organization')} ({what})")
    return passed(f"constraints/{constraint} enforced at the organization")


def _restricted(p: dict[str, Any] | None) -> bool:
    """A list constraint that allows nothing: all values denied, or an allow list that is empty."""
    if p is None or p.get("all_values") == "ALLOW":
        return False
    return p.get("all_values") == "DENY" or (not p.get("allowed_values") and bool(p.get("denied_values")))


@checks.check(
    id="gcp.orgpolicy.domain_restricted_sharing",
    title="The organization restricts IAM members to its own customer IDs",
    severity="high",
    resource_types=[T.ORG_POLICY_SUMMARY],
    rationale="iam.allowedPolicyMemberDomains stops anyone from granting roles to outside accounts, everywhere.",
    remediation="Set constraints/iam.allowedPolicyMemberDomains at the organization to allow only your directory "
    "customer IDs.",
    references=[f"{CIS} 1.1"],
    params=[
        param(
            "gcp.orgpolicy.allowed_customer_ids",
            "string_list",
            [],
            "Directory customer IDs iam.allowedPolicyMemberDomains may allow (empty: any allow list passes).",
        )
    ],
)
def domain_restricted_sharing(s: Resource, ctx: CheckContext) -> Verdict:
    p = _policy(s, "iam.allowedPolicyMemberDomains")
    org = need(s, "organization")
    if p is None or p.get("all_values") == "ALLOW" or not p.get("allowed_values"):
        return failed(f"set constraints/iam.allowedPolicyMemberDomains on {org} to your customer IDs")
    allowed = ctx.param("gcp.orgpolicy.allowed_customer_ids")
    extra = sorted(set(p["allowed_values"]) - set(allowed)) if allowed else []
    if extra:
        return failed(f"remove {', '.join(extra)} from iam.allowedPolicyMemberDomains on {org}")
    return passed(f"members restricted to {', '.join(p['allowed_values'])}")


@checks.check(
    id="gcp.orgpolicy.require_os_login",
    title="The organization requires OS Login",
    severity="medium",
    resource_types=[T.ORG_POLICY_SUMMARY],
    rationale="compute.requireOsLogin turns OS Login on for every VM, whatever its metadata says.",
    remediation="Enforce constraints/compute.requireOsLogin at the organization.",
    references=[f"{CIS} 4.4"],
)
def require_os_login(s: Resource, ctx: CheckContext) -> Verdict:
    return _boolean(s, "compute.requireOsLogin", "OS Login for every VM")


@checks.check(
    id="gcp.orgpolicy.vm_external_ip_access",
    title="The organization forbids external IPs on VMs",
    severity="medium",
    resource_types=[T.ORG_POLICY_SUMMARY],
    rationale="compute.vmExternalIpAccess denying all values keeps every VM off the internet unless excepted.",
    remediation="Set constraints/compute.vmExternalIpAccess at the organization to deny all (except listed VMs "
    "lower in the hierarchy).",
    references=[f"{CIS} 4.9"],
)
def vm_external_ip_access(s: Resource, ctx: CheckContext) -> Verdict:
    if not _restricted(_policy(s, "compute.vmExternalIpAccess")):
        return failed(
            f"deny all values of constraints/compute.vmExternalIpAccess on {need(s, 'organization')}"
        )
    return passed("external IPs denied at the organization")


@checks.check(
    id="gcp.orgpolicy.uniform_bucket_level_access",
    title="The organization requires uniform bucket-level access",
    severity="medium",
    resource_types=[T.ORG_POLICY_SUMMARY],
    rationale="storage.uniformBucketLevelAccess stops object ACLs on every new bucket.",
    remediation="Enforce constraints/storage.uniformBucketLevelAccess at the organization.",
    references=[f"{CIS} 5.2"],
)
def uniform_bucket_level_access(s: Resource, ctx: CheckContext) -> Verdict:
    return _boolean(s, "storage.uniformBucketLevelAccess", "uniform access on every bucket")


@checks.check(
    id="gcp.orgpolicy.sql_restrict_public_ip",
    title="The organization forbids public IPs on Cloud SQL",
    severity="medium",
    resource_types=[T.ORG_POLICY_SUMMARY],
    rationale="sql.restrictPublicIp keeps every Cloud SQL instance off the internet.",
    remediation="Enforce constraints/sql.restrictPublicIp at the organization.",
    references=[f"{CIS} 6.6"],
)
def sql_restrict_public_ip(s: Resource, ctx: CheckContext) -> Verdict:
    return _boolean(s, "sql.restrictPublicIp", "no public IP on Cloud SQL")


@checks.check(
    id="gcp.orgpolicy.disable_sa_key_creation",
    title="The organization forbids creating service account keys",
    severity="high",
    resource_types=[T.ORG_POLICY_SUMMARY],
    rationale="iam.disableServiceAccountKeyCreation stops long-lived key files from being made at all.",
    remediation="Enforce constraints/iam.disableServiceAccountKeyCreation at the organization.",
    references=[f"{CIS} 1.4"],
)
def disable_sa_key_creation(s: Resource, ctx: CheckContext) -> Verdict:
    return _boolean(s, "iam.disableServiceAccountKeyCreation", "no service account key files")
