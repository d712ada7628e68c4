"""Azure Database for MySQL flexible servers: encrypted connections, network exposure, audit logging."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, errored, failed, passed
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
SERVER = [T.MYSQL]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: MySQL Database"


@checks.check(
    id="azure.mysql.require_secure_transport",
    title="MySQL flexible servers require encrypted connections",
    severity="high",
    resource_types=SERVER,
    rationale="Without it, clients may connect in clear text.",
    remediation="az mysql flexible-server parameter set -g RG -s SERVER -n require_secure_transport --value ON.",
    references=[CIS],
)
def require_secure_transport(server: Resource, ctx: CheckContext) -> Verdict:
    return parameter_on(
        server, "require_secure_transport", "set the server parameter require_secure_transport to ON"
    )


@checks.check(
    id="azure.mysql.tls_12",
    title="MySQL flexible servers allow only TLS 1.2 or newer",
    severity="medium",
    resource_types=SERVER,
    rationale="TLS 1.0 and 1.1 are deprecated and weak.",
    remediation="az mysql flexible-server parameter set -g RG -s SERVER -n tls_version --value TLSv1.2,TLSv1.3.",
    references=[CIS],
)
def tls_12(server: Resource, ctx: CheckContext) -> Verdict:
    value = server_parameter(server, "tls_version")
    if value is None:
        return errored("the server did not report tls_version")
    if tls_versions_modern(value):
        return passed(f"tls_version is {value}")
    return failed(f"tls_version is {value or 'empty'}: allow only TLSv1.2 and TLSv1.3")


@checks.check(
    id="azure.mysql.public_access",
    title="MySQL flexible servers are not reachable over public networks",
    severity="medium",
    resource_types=SERVER,
    rationale="Private access keeps the server off the Internet.",
    remediation="Use private access (VNet integration) or a private endpoint and disable public network access.",
    references=[CIS],
)
def public_access(server: Resource, ctx: CheckContext) -> Verdict:
    return public_network_closed(
        server, "public_network_access", "disable public access and use private networking"
    )


@checks.check(
    id="azure.mysql.audit_log",
    title="MySQL flexible servers audit connections",
    severity="low",
    resource_types=SERVER,
    rationale="The audit log records connections (and optionally queries), the trail an investigation starts from.",
    remediation="Set audit_log_enabled to ON and include CONNECTION in audit_log_events.",
    references=[CIS],
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
