"""Monitoring: the activity log exported with every category, and activity-log alerts for risky changes."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, param, passed, summarize
from auditor.models import Resource
from auditor.providers.azure import resources as T

checks = CheckSet("azure")
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Logging and Monitoring"
CATEGORIES = [
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
]


@checks.check(
    id="azure.monitor.activity_log_export",
    title="The subscription activity log is exported with every category",
    severity="medium",
    resource_types=[T.SUBSCRIPTION],
    rationale="The activity log is kept 90 days only; exporting it keeps the record of every control-plane change.",
    remediation="Create a subscription diagnostic setting sending all categories to a Log Analytics workspace or storage account.",
    references=[CIS],
    params=[
        param(
            "azure.monitor.activity_log_categories",
            "string_list",
            CATEGORIES,
            "Activity-log categories the subscription's diagnostic settings must export.",
        )
    ],
)
def activity_log_export(sub: Resource, ctx: CheckContext) -> Verdict:
    exported: set[str] = set()
    for setting in need(sub, "activity_log_settings"):
        if setting.get("destinations"):
            exported |= {str(c).lower() for c in setting.get("logs", [])}
    wanted = list(ctx.param("azure.monitor.activity_log_categories"))
    if "alllogs" in exported:
        return passed("the activity log is exported with every category (allLogs)")
    missing = [c for c in wanted if c.lower() not in exported]
    if not exported:
        return failed(
            "the activity log is not exported: add a subscription diagnostic setting with every category"
        )
    if missing:
        return failed(f"the activity log export leaves out {summarize(missing)}: enable those categories")
    return passed(f"the activity log is exported with {len(wanted)} categories")


def _alerted(view: Resource, operations: list[str], what: str) -> Verdict:
    watched = set(need(view, "operations"))
    missing = [op for op in operations if op.lower() not in watched]
    if missing:
        return failed(
            f"no enabled activity-log alert (with an action group) for {summarize(missing)}: create one for {what}"
        )
    return passed(f"activity-log alerts watch {what}")


@checks.check(
    id="azure.monitor.alert_policy_changes",
    title="Activity-log alerts fire on policy assignment changes",
    severity="medium",
    resource_types=[T.ALERT_COVERAGE],
    rationale="Creating or deleting a policy assignment can silently switch off guardrails.",
    remediation="Create activity-log alerts for Microsoft.Authorization/policyAssignments/write and /delete at subscription scope.",
    references=[CIS],
)
def alert_policy(view: Resource, ctx: CheckContext) -> Verdict:
    ops = [
        "Microsoft.Authorization/policyAssignments/write",
        "Microsoft.Authorization/policyAssignments/delete",
    ]
    return _alerted(view, ops, "policy assignment changes")


@checks.check(
    id="azure.monitor.alert_nsg_changes",
    title="Activity-log alerts fire on network security group changes",
    severity="medium",
    resource_types=[T.ALERT_COVERAGE],
    rationale="An NSG change can open a network to the Internet in seconds.",
    remediation="Create activity-log alerts for Microsoft.Network/networkSecurityGroups/write and /delete.",
    references=[CIS],
)
def alert_nsg(view: Resource, ctx: CheckContext) -> Verdict:
    ops = ["Microsoft.Network/networkSecurityGroups/write", "Microsoft.Network/networkSecurityGroups/delete"]
    return _alerted(view, ops, "NSG changes")


@checks.check(
    id="azure.monitor.alert_sql_firewall_changes",
    title="Activity-log alerts fire on SQL firewall rule changes",
    severity="medium",
    resource_types=[T.ALERT_COVERAGE],
    rationale="A new SQL firewall rule can expose a database to the Internet.",
    remediation="Create activity-log alerts for Microsoft.Sql/servers/firewallRules/write and /delete.",
    references=[CIS],
)
def alert_sql_firewall(view: Resource, ctx: CheckContext) -> Verdict:
    ops = ["Microsoft.Sql/servers/firewallRules/write", "Microsoft.Sql/servers/firewallRules/delete"]
    return _alerted(view, ops, "SQL firewall rule changes")
