"""Cloud SQL checks: public exposure, TLS, backups, and the benchmark's database flags."""

from __future__ import annotations

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
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.common import CIS

checks = CheckSet("gcp")
WORLD = frozenset({"0.0.0.0/0", "::/0"})


@checks.check(
    id="gcp.sql.open_to_world",
    title="Cloud SQL instances do not accept connections from 0.0.0.0/0",
    severity="critical",
    resource_types=[T.SQL_INSTANCE],
    rationale="An authorized network of 0.0.0.0/0 lets the whole internet try the database's passwords.",
    remediation="Remove 0.0.0.0/0 from the authorized networks; connect through private IP or the Auth Proxy.",
    references=[f"{CIS} 6.5"],
)
def open_to_world(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "ipv4_enabled") and WORLD & set(need(db, "authorized_networks")):
        return failed(f"remove 0.0.0.0/0 from the authorized networks of {db.name}")
    return passed("not open to the internet")


@checks.check(
    id="gcp.sql.no_public_ip",
    title="Cloud SQL instances have no public IP",
    severity="medium",
    resource_types=[T.SQL_INSTANCE],
    rationale="A private IP keeps the database off the internet altogether.",
    remediation="Configure private IP and turn off the public IPv4 address.",
    references=[f"{CIS} 6.6"],
)
def no_public_ip(db: Resource, ctx: CheckContext) -> Verdict:
    if need(db, "ipv4_enabled"):
        return failed(f"turn off the public IPv4 address of {db.name}; use private IP")
    return passed("no public IP")


@checks.check(
    id="gcp.sql.require_ssl",
    title="Cloud SQL instances accept only encrypted connections",
    severity="high",
    resource_types=[T.SQL_INSTANCE],
    rationale="Unencrypted connections expose credentials and data on the wire.",
    remediation="Set sslMode ENCRYPTED_ONLY (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED) on the instance.",
    references=[f"{CIS} 6.4"],
)
def require_ssl(db: Resource, ctx: CheckContext) -> Verdict:
    if not need(db, "require_ssl"):
        return failed(
            f"require TLS on {db.name} (sslMode ENCRYPTED_ONLY; now {need(db, 'ssl_mode') or 'unset'})"
        )
    return passed("TLS required")


def _primary(db: Resource) -> bool:
    return need(db, "instance_type") in (None, "CLOUD_SQL_INSTANCE")


@checks.check(
    id="gcp.sql.automated_backups",
    title="Cloud SQL instances have automated backups",
    severity="high",
    resource_types=[T.SQL_INSTANCE],
    rationale="Without backups a deletion or corruption is permanent.",
    remediation="Enable automated backups (gcloud sql instances patch --backup-start-time).",
    references=[f"{CIS} 6.7"],
)
def automated_backups(db: Resource, ctx: CheckContext) -> Verdict:
    if not _primary(db):
        return not_applicable("a replica (backed up through its primary)")
    if not need(db, "backups_enabled"):
        return failed(f"enable automated backups on {db.name}")
    return passed("automated backups on")


@checks.check(
    id="gcp.sql.point_in_time_recovery",
    title="Cloud SQL instances can be restored to a point in time",
    severity="medium",
    resource_types=[T.SQL_INSTANCE],
    rationale="Daily backups lose up to a day of writes; point-in-time recovery loses minutes.",
    remediation="Enable point-in-time recovery (binary logging on MySQL).",
)
def point_in_time_recovery(db: Resource, ctx: CheckContext) -> Verdict:
    if not _primary(db):
        return not_applicable("a replica")
    if not need(db, "pitr_enabled"):
        return failed(f"enable point-in-time recovery on {db.name}")
    return passed("point-in-time recovery on")


def _flags(db: Resource, engine: str, wanted: dict[str, str]) -> Verdict:
    if need(db, "engine") != engine:
        return not_applicable(f"not {engine}")
    have = need(db, "database_flags")
    wrong = [
        f"{k}={v} (now {have.get(k, 'unset')})"
        for k, v in sorted(wanted.items())
        if have.get(k, "").lower() != v.lower()
    ]
    if wrong:
        return failed(f"set database flags on {db.name}: {summarize(wrong)}")
    return passed(f"{len(wanted)} benchmark flags set")


@checks.check(
    id="gcp.sql.postgres_flags",
    title="PostgreSQL instances set the benchmark's logging flags",
    severity="medium",
    resource_types=[T.SQL_INSTANCE],
    rationale="Connection, disconnection, DDL and error logging are what an investigation reads.",
    remediation="Set the flags with gcloud sql instances patch --database-flags.",
    references=[f"{CIS} 6.2"],
    params=[
        param(
            "gcp.sql.postgres_flags",
            "string_map",
            {
                "log_connections": "on",
                "log_disconnections": "on",
                "log_statement": "ddl",
                "log_min_duration_statement": "-1",
                "cloudsql.enable_pgaudit": "on",
            },
            "PostgreSQL database flags and the values they must have.",
        )
    ],
)
def postgres_flags(db: Resource, ctx: CheckContext) -> Verdict:
    return _flags(db, "postgres", ctx.param("gcp.sql.postgres_flags"))


@checks.check(
    id="gcp.sql.mysql_flags",
    title="MySQL instances set the benchmark's flags",
    severity="medium",
    resource_types=[T.SQL_INSTANCE],
    rationale="local_infile reads client files into the server; skip_show_database hides other databases' names.",
    remediation="Set the flags with gcloud sql instances patch --database-flags.",
    references=[f"{CIS} 6.1"],
    params=[
        param(
            "gcp.sql.mysql_flags",
            "string_map",
            {"local_infile": "off", "skip_show_database": "on"},
            "MySQL database flags and the values they must have.",
        )
    ],
)
def mysql_flags(db: Resource, ctx: CheckContext) -> Verdict:
    return _flags(db, "mysql", ctx.param("gcp.sql.mysql_flags"))


@checks.check(
    id="gcp.sql.sqlserver_flags",
    title="SQL Server instances set the benchmark's flags",
    severity="medium",
    resource_types=[T.SQL_INSTANCE],
    rationale="External scripts, cross-database ownership chaining, contained authentication and remote access "
    "widen what a compromised login can do.",
    remediation="Set the flags with gcloud sql instances patch --database-flags.",
    references=[f"{CIS} 6.3"],
    params=[
        param(
            "gcp.sql.sqlserver_flags",
            "string_map",
            {
                "external scripts enabled": "off",
                "cross db ownership chaining": "off",
                "contained database authentication": "off",
                "remote access": "off",
                "3625": "on",
            },
            "SQL Server database flags and the values they must have.",
        )
    ],
)
def sqlserver_flags(db: Resource, ctx: CheckContext) -> Verdict:
    return _flags(db, "sqlserver", ctx.param("gcp.sql.sqlserver_flags"))
