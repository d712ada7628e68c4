"""Azure Database for PostgreSQL and MySQL flexible servers: encrypted connections, TLS versions,
network exposure, and each engine's logging. The checks both engines share are declared once per
engine from one definition."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.checks import CheckContext, CheckSet, Verdict, errored, failed, param, passed, summarize
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import (
    is_on,
    parameter_on,
    public_network_closed,
    server_parameter,
    tls_versions_modern,
)

checks = CheckSet("azure")


@dataclass(frozen=True)
class Engine:
    key: str  # check id segment: postgresql, mysql
    title: str
    type: str
    cli: str  # az command group
    tls_parameter: str  # the parameter naming the allowed TLS versions
    tls_value: str  # what to set it to
    cis: str


POSTGRES = Engine(
    "postgresql",
    "PostgreSQL",
    T.POSTGRES,
    "az postgres flexible-server",
    "ssl_min_protocol_version",
    "TLSv1.2",
    "CIS Microsoft Azure Foundations Benchmark v2.1.0: PostgreSQL Database Server",
)
MYSQL = Engine(
    "mysql",
    "MySQL",
    T.MYSQL,
    "az mysql flexible-server",
    "tls_version",
    "TLSv1.2,TLSv1.3",
    "CIS Microsoft Azure Foundations Benchmark v2.1.0: MySQL Database",
)


def _shared(engine: Engine) -> None:
    kinds = [engine.type]

    @checks.check(
        id=f"azure.{engine.key}.require_secure_transport",
        title=f"{engine.title} flexible servers require encrypted connections",
        severity="high",
        resource_types=kinds,
        rationale="Without it, clients may connect in clear text and send credentials and data unencrypted.",
        remediation=f"{engine.cli} parameter set -g RG -s SERVER -n require_secure_transport --value ON.",
        references=[engine.cis],
    )
    def require_secure_transport(server: Resource, ctx: CheckContext) -> Verdict:
        return parameter_on(
            server, "require_secure_transport", "set the server parameter require_secure_transport to ON"
        )

    @checks.check(
        id=f"azure.{engine.key}.tls_12",
        title=f"{engine.title} flexible servers refuse TLS older than 1.2",
        severity="medium",
        resource_types=kinds,
        rationale="TLS 1.0 and 1.1 are deprecated and weak.",
        remediation=f"{engine.cli} parameter set -g RG -s SERVER -n {engine.tls_parameter} --value {engine.tls_value}.",
        references=[engine.cis],
    )
    def tls_12(server: Resource, ctx: CheckContext) -> Verdict:
        value = server_parameter(server, engine.tls_parameter)
        if value is None:
            return errored(f"the server did not report {engine.tls_parameter}")
        if tls_versions_modern(value):
            return passed(f"{engine.tls_parameter} is {value}")
        return failed(f"{engine.tls_parameter} is {value or 'empty'}: set it to {engine.tls_value}")

    @checks.check(
        id=f"azure.{engine.key}.public_access",
        title=f"{engine.title} flexible servers are not reachable over public networks",
        severity="medium",
        resource_types=kinds,
        rationale="Private access (VNet integration or private endpoints) keeps the server off the Internet.",
        remediation="Use private access (VNet integration) or a private endpoint and disable public network access.",
        references=[engine.cis],
    )
    def public_access(server: Resource, ctx: CheckContext) -> Verdict:
        return public_network_closed(
            server, "public_network_access", "disable public access and use private networking"
        )


_shared(POSTGRES)
_shared(MYSQL)

LOG_SWITCHES = ("log_checkpoints", "log_connections", "log_disconnections", "connection_throttle.enable")


@checks.check(
    id="azure.postgresql.log_settings",
    title="PostgreSQL flexible servers log checkpoints, connections and disconnections, throttle connections, and keep logs",
    severity="low",
    resource_types=[T.POSTGRES],
    rationale="These logs show who connected when, and throttling slows password guessing; short retention loses them.",
    remediation="Set log_checkpoints, log_connections, log_disconnections and connection_throttle.enable to ON and logfiles.retention_days high enough.",
    references=[POSTGRES.cis],
    params=[
        param(
            "azure.postgresql.log_retention_min_days",
            "integer",
            4,
            "Fewest days (logfiles.retention_days) server logs must be kept.",
        )
    ],
)
def log_settings(server: Resource, ctx: CheckContext) -> Verdict:
    problems = []
    for name in LOG_SWITCHES:
        value = server_parameter(server, name)
        if value is None or not is_on(value):
            problems.append(f"{name} is {value or 'not reported'}")
    least = ctx.param("azure.postgresql.log_retention_min_days")
    days = server_parameter(server, "logfiles.retention_days")
    if days is None or not days.isdigit() or int(days) < least:
        problems.append(f"logfiles.retention_days is {days or 'not reported'} (at least {least})")
    if problems:
        return failed(f"{summarize(problems)}: set these server parameters")
    return passed("checkpoints, connections and disconnections are logged, connections throttled, logs kept")


@checks.check(
    id="azure.mysql.audit_log",
    title="MySQL flexible servers audit connections",
    severity="low",
    resource_types=[T.MYSQL],
    rationale="The audit log records connections (and optionally queries), the trail an investigation starts from.",
    remediation="Set audit_log_enabled to ON and include CONNECTION in audit_log_events.",
    references=[MYSQL.cis],
)
def audit_log(server: Resource, ctx: CheckContext) -> Verdict:
    enabled = server_parameter(server, "audit_log_enabled")
    events = server_parameter(server, "audit_log_events")
    if enabled is None or events is None:
        return errored("the server did not report audit_log_enabled / audit_log_events")
    if not is_on(enabled):
        return failed(f"audit_log_enabled is {enabled or 'empty'}: set it to ON")
    if "CONNECTION" not in [e.strip().upper() for e in events.split(",")]:
        return failed(f"audit_log_events is {events or 'empty'}: include CONNECTION")
    return passed(f"the audit log records {events}")
