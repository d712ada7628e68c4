"""Azure SQL: auditing and its retention, TDE, a Microsoft Entra admin, network exposure."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, param, passed, summarize
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import public_network_closed

checks = CheckSet("azure")
SERVER = [T.SQL_SERVER]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Database Services / SQL Server"


@checks.check(
    id="azure.sql.auditing",
    title="SQL servers audit, and keep audit logs long enough",
    severity="high",
    resource_types=SERVER,
    rationale="Server auditing records logins, queries and permission changes on every database of the server.",
    remediation="Enable server auditing to a storage account or Log Analytics workspace with retention of at least the required days (0: forever).",
    references=[CIS],
    params=[
        param(
            "azure.sql.audit_retention_min_days",
            "integer",
            90,
            "Fewest days SQL audit logs must be kept (0 = forever passes).",
        )
    ],
)
def auditing(server: Resource, ctx: CheckContext) -> Verdict:
    if need(server, "auditing_state") != "Enabled":
        return failed("server auditing is off: enable it (auditingSettings/default state Enabled)")
    days = need(server, "audit_retention_days") or 0
    least = ctx.param("azure.sql.audit_retention_min_days")
    if days == 0 or days >= least:
        return passed("auditing is on, logs kept " + ("forever" if days == 0 else f"{days} days"))
    return failed(f"auditing keeps logs {days} days: raise retentionDays to at least {least}")


@checks.check(
    id="azure.sql.tde",
    title="SQL databases use transparent data encryption",
    severity="high",
    resource_types=[T.SQL_DATABASE],
    rationale="TDE encrypts the database, its backups and logs at rest.",
    remediation="az sql db tde set -g RG -s SERVER -d DB --status Enabled.",
    references=[CIS],
)
def tde(db: Resource, ctx: CheckContext) -> Verdict:
    state = need(db, "tde_state")
    if state == "Enabled":
        return passed("transparent data encryption is on")
    return failed(f"transparent data encryption is {state or 'not reported'}: enable it")


@checks.check(
    id="azure.sql.entra_admin",
    title="SQL servers have a Microsoft Entra administrator",
    severity="medium",
    resource_types=SERVER,
    rationale="An Entra admin enables central identity, MFA and conditional access instead of shared SQL logins.",
    remediation="az sql server ad-admin create -g RG -s SERVER -u GROUP -i OBJECT_ID (prefer a group).",
    references=[CIS],
)
def entra_admin(server: Resource, ctx: CheckContext) -> Verdict:
    admins = [a for a in need(server, "entra_admins") if a.get("administrator_type") == "ActiveDirectory"]
    if admins:
        return passed(f"Microsoft Entra administrator {admins[0].get('login')} is set")
    return failed("no Microsoft Entra administrator: set one (a group) on the server")


@checks.check(
    id="azure.sql.public_network_access",
    title="SQL servers are not reachable over public networks",
    severity="medium",
    resource_types=SERVER,
    rationale="With public access disabled the server is reachable only through private endpoints.",
    remediation="Add a private endpoint, then az sql server update -g RG -n SERVER --enable-public-network false.",
    references=[CIS],
)
def public_network_access(server: Resource, ctx: CheckContext) -> Verdict:
    return public_network_closed(
        server,
        "public_network_access",
        "set publicNetworkAccess to Disabled and connect through private endpoints",
    )


@checks.check(
    id="azure.sql.firewall_allow_all",
    title="No SQL firewall rule admits every address (0.0.0.0-255.255.255.255)",
    severity="critical",
    resource_types=SERVER,
    rationale="A rule from 0.0.0.0 to 255.255.255.255 opens the server to the whole Internet.",
    remediation="Delete the rule: az sql server firewall-rule delete -g RG -s SERVER -n RULE; allow only the addresses needed.",
    references=[CIS],
)
def firewall_allow_all(server: Resource, ctx: CheckContext) -> Verdict:
    wide = [
        r["name"]
        for r in need(server, "firewall_rules")
        if r.get("start") == "0.0.0.0" and r.get("end") == "255.255.255.255"
    ]
    if wide:
        return failed(f"firewall rule(s) {summarize(wide)} admit every address: delete them")
    return passed("no firewall rule admits every address")
