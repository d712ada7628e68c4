"""Azure Database for PostgreSQL flexible servers: encrypted connections, network exposure, logging."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, errored, failed, param, passed, summarize
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import (
    MODERN_TLS,
    is_on,
    parameter_on,
    public_network_closed,
    server_parameter,
)

checks = CheckSet("azure")
SERVER = [T.POSTGRES]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: PostgreSQL Database Server"
LOG_SWITCHES = ("log_checkpoints", "log_connections", "log_disconnections", "connection_throttle.enable")


@checks.check(
    id="azure.postgresql.require_secure_transport",
    title="PostgreSQL flexible servers require encrypted connections",
    severity="high",
    resource_types=SERVER,
    rationale="Without it, clients may connect in clear text and send credentials and data unencrypted.",
    remediation="az postgres flexible-server parameter set -g RG -s SERVER -n require_secure_transport --value on.",
    references=[CIS],
)
def require_secure_transport(server: Resource, ctx: CheckContext) -> Verdict:
    return parameter_on(
        server, "require_secure_transport", "set the server parameter require_secure_transport to ON"
    )


@checks.check(
    id="azure.postgresql.tls_12",
    title="PostgreSQL flexible servers refuse TLS older than 1.2",
    severity="medium",
    resource_types=SERVER,
    rationale="TLS 1.0 and 1.1 are deprecated and weak.",
    remediation="az postgres flexible-server parameter set -g RG -s SERVER -n ssl_min_protocol_version --value TLSv1.2.",
    references=[CIS],
)
def tls_12(server: Resource, ctx: CheckContext) -> Verdict:
    value = server_parameter(server, "ssl_min_protocol_version")
    if value is None:
        return errored("the server did not report ssl_min_protocol_version")
    if value in MODERN_TLS:
        return passed(f"the minimum TLS version is {value}")
    return failed(f"ssl_min_protocol_version is {value or 'empty'}: set it to TLSv1.2")


@checks.check(
    id="azure.postgresql.public_access",
    title="PostgreSQL flexible servers are not reachable over public networks",
    severity="medium",
    resource_types=SERVER,
    rationale="Private access (VNet integration or private endpoints) keeps the server off the Internet.",
    remediation="Use private access (VNet integration) or a private endpoint and disable public network access.",
    references=[CIS],
)
def public_access(server: Resource, ctx: CheckContext) -> Verdict:
    return public_network_closed(
        server, "public_network_access", "disable public access and use private networking"
    )


@checks.check(
    id="azure.postgresql.log_settings",
    title="PostgreSQL flexible servers log checkpoints, connections and disconnections, throttle connections, and keep logs",
    severity="low",
    resource_types=SERVER,
    rationale="These logs show who connected when, and throttling slows password guessing; short retention loses them.",
    remediation="Set log_checkpoints, log_connections, log_disconnections and connection_throttle.enable to ON and logfiles.retention_days high enough.",
    references=[CIS],
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
