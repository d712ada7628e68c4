"""Defender for Cloud: plans on for the workloads that matter, a security contact, alert notifications."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed, summarize
from auditor.models import Resource
from auditor.providers.azure import resources as T

checks = CheckSet("azure")
PLANS = [T.DEFENDER_PLANS]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Microsoft Defender for Cloud"
REMEDY = "az security pricing create -n {plan} --tier Standard"


def plans_on(view: Resource, plans: list[str], what: str) -> Verdict:
    tiers = need(view, "tiers")
    off = [f"{p} ({tiers.get(p) or 'not reported'})" for p in plans if tiers.get(p) != "Standard"]
    if off:
        return failed(f"Defender for {what} is off: {summarize(off)}; " + REMEDY.format(plan=plans[0]))
    return passed(f"Defender for {what} is on ({', '.join(plans)}: Standard)")


def _plan_check(plan_id: str, plans: list[str], what: str, severity: str) -> None:
    @checks.check(
        id=f"azure.defender.{plan_id}",
        title=f"Microsoft Defender for {what} is on",
        severity=severity,
        resource_types=PLANS,
        rationale=f"Defender for {what} detects threats against those resources and raises security alerts.",
        remediation=f"Turn the plan on: {REMEDY.format(plan=plans[0])} (in each subscription).",
        references=[CIS],
    )
    def plan(view: Resource, ctx: CheckContext) -> Verdict:
        return plans_on(view, list(plans), what)


_plan_check("servers", ["VirtualMachines"], "Servers", "high")
_plan_check("storage", ["StorageAccounts"], "Storage", "medium")
_plan_check("sql", ["SqlServers", "SqlServerVirtualMachines"], "SQL", "medium")
_plan_check("keyvault", ["KeyVaults"], "Key Vault", "medium")
_plan_check("containers", ["Containers"], "Containers", "medium")
_plan_check("arm", ["Arm"], "Resource Manager", "medium")


@checks.check(
    id="azure.defender.security_contact",
    title="Defender for Cloud has a security contact email",
    severity="medium",
    resource_types=[T.SUBSCRIPTION],
    rationale="Microsoft notifies the security contact of incidents and compromised resources; without one nobody hears.",
    remediation="az security contact create -n default --emails SECURITY-TEAM@EXAMPLE (Defender for Cloud > Email notifications).",
    references=[CIS],
)
def security_contact(sub: Resource, ctx: CheckContext) -> Verdict:
    contacts = [c for c in need(sub, "security_contacts") if c.get("enabled") and c.get("emails_set")]
    if contacts:
        return passed(f"security contact {contacts[0].get('name')} has email addresses")
    return failed("no security contact email is set: add one in Defender for Cloud email notifications")


@checks.check(
    id="azure.defender.alert_notifications",
    title="Defender for Cloud emails security alerts",
    severity="medium",
    resource_types=[T.SUBSCRIPTION],
    rationale="Alert emails get high-severity detections in front of people who can act on them.",
    remediation="Turn on 'Notify about alerts with the following severity' (High or lower) and notify the Owner role.",
    references=[CIS],
)
def alert_notifications(sub: Resource, ctx: CheckContext) -> Verdict:
    for c in need(sub, "security_contacts"):
        if c.get("enabled") and c.get("alert_notifications"):
            roles = ", ".join(c.get("notify_roles") or []) or "no role"
            return passed(
                f"alerts from severity {c.get('minimal_severity') or 'any'} are emailed (roles: {roles})"
            )
    return failed("security alert emails are off: enable alert notifications on the security contact")
