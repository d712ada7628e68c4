"""Logging checks: Data Access audit logs, sinks exporting every entry, log bucket retention."""

from __future__ import annotations

from typing import Any

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    errored,
    failed,
    need,
    not_applicable,
    param,
    passed,
)
from auditor.models import Resource
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.common import CIS
from auditor.providers.gcp.inventory import CRM

checks = CheckSet("gcp")
DATA_LOGS = frozenset({"DATA_READ", "DATA_WRITE"})
RETENTION = param(
    "gcp.logging.min_retention_days",
    "integer",
    365,
    "Shortest retention of a log bucket or log archive bucket, in days.",
)


def _unscanned_ancestor(ctx: CheckContext, project: Resource) -> str | None:
    """An ancestor of the project this scan did not read (its settings are unknown), if any."""
    for a in need(project, "ancestors")[1:]:
        rtype = T.ORGANIZATION if a.startswith("organizations/") else T.FOLDER
        if ctx.get(rtype, CRM + a) is None:
            return str(a)
    return None


def _audit_logged(configs: list[dict[str, Any]]) -> bool:
    for c in configs:
        if c.get("service") != "allServices":
            continue
        kinds = {
            str(lc.get("log_type")) for lc in c.get("audit_log_configs", ()) if not lc.get("exempted_members")
        }
        if kinds >= DATA_LOGS:
            return True
    return False


@checks.check(
    id="gcp.logging.data_access_audit_logs",
    title="Data Access audit logs (DATA_READ and DATA_WRITE) are on for all services",
    severity="medium",
    resource_types=[T.PROJECT],
    rationale="Without Data Access logs nobody can tell who read or changed which data.",
    remediation="Set an audit config for allServices with DATA_READ and DATA_WRITE (no exemptions) on the "
    "organization or the project.",
    references=[f"{CIS} 2.1"],
)
def data_access_audit_logs(project: Resource, ctx: CheckContext) -> Verdict:
    # The project's own policy is in its account (found in that account's bucket, however often
    # its name recurs elsewhere); folders and organizations have no account.
    for i, a in enumerate(need(project, "ancestors")):
        for pol in ctx.lookup(T.IAM_POLICY, "resource", CRM + a, within="account" if i == 0 else "estate"):
            if _audit_logged(need(pol, "audit_configs")):
                return passed(f"Data Access logs for allServices are set on {'the project' if i == 0 else a}")
    missing = _unscanned_ancestor(ctx, project)
    if missing:
        return errored(f"{missing} above {project.name} was not scanned: its audit config is unknown")
    return failed(
        f"turn on DATA_READ and DATA_WRITE audit logs for allServices on {project.name} or its organization"
    )


def _exports_all(sink: Resource) -> bool:
    return not need(sink, "filter").strip() and not need(sink, "disabled")


@checks.check(
    id="gcp.logging.project_sink",
    title="Every log entry of the project is exported by a sink",
    severity="medium",
    resource_types=[T.PROJECT],
    rationale="Logs kept only in the project can be deleted with it; a sink copies them where they are kept.",
    remediation="Create a sink without filter in the project, or an aggregated sink (include children) on a "
    "folder or the organization above it.",
    references=[f"{CIS} 2.2"],
)
def project_sink(project: Resource, ctx: CheckContext) -> Verdict:
    ancestors = need(project, "ancestors")
    for i, a in enumerate(ancestors):
        for sink in ctx.lookup(T.LOG_SINK, "parent", a, within="account" if i == 0 else "estate"):
            if _exports_all(sink) and (i == 0 or need(sink, "include_children")):
                return passed(f"sink {sink.name} on {'the project' if i == 0 else a} exports every entry")
    missing = _unscanned_ancestor(ctx, project)
    if missing:
        return errored(f"{missing} above {project.name} was not scanned: its aggregated sinks are unknown")
    return failed(f"create a sink without filter for {project.name}, or an aggregated sink above it")


@checks.check(
    id="gcp.logging.aggregated_sink",
    title="The organization exports every log entry of every child through an aggregated sink",
    severity="medium",
    resource_types=[T.ORGANIZATION],
    rationale="One aggregated sink at the organization covers every project, including the ones created tomorrow.",
    remediation="Create an organization sink with --include-children and no filter to a locked bucket.",
    references=[f"{CIS} 2.2"],
)
def aggregated_sink(org: Resource, ctx: CheckContext) -> Verdict:
    for sink in ctx.lookup(T.LOG_SINK, "parent", need(org, "org_name")):
        if _exports_all(sink) and need(sink, "include_children"):
            return passed(f"aggregated sink {sink.name} exports every entry to {need(sink, 'destination')}")
    return failed(f"create an aggregated sink (include children, no filter) on {org.name}")


@checks.check(
    id="gcp.logging.bucket_retention",
    title="Log buckets keep entries long enough",
    severity="medium",
    resource_types=[T.LOG_BUCKET],
    rationale="Incidents are found months after the fact; logs must still be there.",
    remediation="Raise the log bucket's retention (gcloud logging buckets update --retention-days).",
    params=[RETENTION],
)
def bucket_retention(bucket: Resource, ctx: CheckContext) -> Verdict:
    if need(bucket, "bucket_id") == "_Required":
        return not_applicable("_Required is kept 400 days by Google")
    days = need(bucket, "retention_days")
    minimum = ctx.param("gcp.logging.min_retention_days")
    if days is None or days < minimum:
        return failed(f"raise the retention of log bucket {bucket.name} to {minimum} days (now {days})")
    return passed(f"{days} days")


@checks.check(
    id="gcp.logging.bucket_locked",
    title="Log bucket retention is locked",
    severity="medium",
    resource_types=[T.LOG_BUCKET],
    rationale="An unlocked retention can be shortened, and the logs deleted, by anyone who can edit the bucket.",
    remediation="Lock the log bucket (gcloud logging buckets update --locked) once its retention is right.",
)
def bucket_locked(bucket: Resource, ctx: CheckContext) -> Verdict:
    if need(bucket, "bucket_id") == "_Required":
        return not_applicable("_Required is locked by Google")
    if not need(bucket, "locked"):
        return failed(f"lock the retention of log bucket {bucket.name}")
    return passed("locked")
