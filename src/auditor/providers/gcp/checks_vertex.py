"""Vertex AI and Workbench checks: notebook exposure, root access, customer-managed keys."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, param, passed
from auditor.models import Resource
from auditor.providers.gcp import resources as T

checks = CheckSet("gcp")


@checks.check(
    id="gcp.vertex.workbench_no_public_ip",
    title="Workbench instances have no public IP",
    severity="high",
    resource_types=[T.WORKBENCH_INSTANCE],
    rationale="Notebooks hold credentials and data; a public address exposes the Jupyter server and the VM.",
    remediation="Recreate the instance with --no-public-ip (gceSetup.disablePublicIp) and reach it through the proxy.",
)
def workbench_no_public_ip(nb: Resource, ctx: CheckContext) -> Verdict:
    if need(nb, "public_ip"):
        return failed(f"recreate Workbench instance {nb.name} without a public IP")
    return passed("no public IP")


@checks.check(
    id="gcp.vertex.workbench_no_root",
    title="Workbench users cannot become root",
    severity="medium",
    resource_types=[T.WORKBENCH_INSTANCE],
    rationale="Root on the notebook VM can read the attached service account's token and change anything on it.",
    remediation="Set metadata notebook-disable-root=true on the instance.",
)
def workbench_no_root(nb: Resource, ctx: CheckContext) -> Verdict:
    if need(nb, "root_access"):
        return failed(f"set notebook-disable-root=true on Workbench instance {nb.name}")
    return passed("root access disabled")


@checks.check(
    id="gcp.vertex.cmek",
    title="Vertex AI datasets, endpoints, models and Workbench disks use customer-managed keys where required",
    severity="medium",
    resource_types=[T.VERTEX_DATASET, T.VERTEX_ENDPOINT, T.VERTEX_MODEL, T.WORKBENCH_INSTANCE],
    rationale="Regulated training data and models must be encrypted with keys you control and can revoke.",
    remediation="Recreate the resource with an encryption spec naming a Cloud KMS key.",
    params=[
        param(
            "gcp.vertex.require_cmek",
            "boolean",
            False,
            "Require customer-managed keys on Vertex AI resources.",
        )
    ],
)
def cmek(r: Resource, ctx: CheckContext) -> Verdict:
    if not ctx.param("gcp.vertex.require_cmek"):
        return not_applicable("CMEK is not required (gcp.vertex.require_cmek)")
    if not need(r, "kms_key"):
        return failed(
            f"recreate {r.type.rsplit('.', 1)[-1].replace('_', ' ')} {r.name} with a customer-managed key"
        )
    return passed("CMEK")
