"""Systems Manager: instances under management, their patch compliance, and shared documents."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, passed, summarize
from auditor.models import Resource
from auditor.providers.aws import resources as T
from auditor.providers.aws.verdicts import forbidden

checks = CheckSet("aws")


@checks.check(
    id="aws.ssm.instance_managed",
    title="Running EC2 instances are managed by Systems Manager",
    severity="medium",
    resource_types=[T.EC2_INSTANCE],
    rationale="An instance outside Systems Manager gets no patch baseline, inventory or session logging.",
    remediation="Attach an instance profile with AmazonSSMManagedInstanceCore and run the SSM agent "
    "(or turn on Default Host Management Configuration).",
)
def instance_managed(inst: Resource, ctx: CheckContext) -> Verdict:
    if need(inst, "state") != "running":
        return not_applicable(f"instance is {inst.attributes.get('state')}")
    managed = ctx.lookup(
        T.SSM_MANAGED_INSTANCE, "instance_id", need(inst, "instance_id"), within="region", of=inst
    )
    if managed:
        return passed(f"managed by Systems Manager (agent {need(managed[0], 'ping_status')})")
    return failed(
        f"instance {inst.name} is not managed by Systems Manager: give it an instance profile with "
        "AmazonSSMManagedInstanceCore and the SSM agent"
    )


@checks.check(
    id="aws.ssm.patch_compliance",
    title="Managed instances are compliant with their patch baseline",
    severity="high",
    resource_types=[T.SSM_MANAGED_INSTANCE],
    rationale="Missing security patches are the most common way in.",
    remediation="Run AWS-RunPatchBaseline (Install) through a maintenance window or Patch Manager policy.",
)
def patch_compliance(node: Resource, ctx: CheckContext) -> Verdict:
    status = need(node, "patch_status")
    if status is None:
        return not_applicable("no patch compliance reported (no patch scan has run)")
    if status == "COMPLIANT":
        return passed("compliant with its patch baseline")
    return failed(
        f"managed instance {node.name} is {status}: install the missing patches (AWS-RunPatchBaseline)"
    )


@checks.check(
    id="aws.ssm.document_not_public",
    title="Systems Manager documents are not shared publicly",
    severity="high",
    resource_types=[T.SSM_DOCUMENT],
    rationale="A public document exposes scripts, parameters and sometimes credentials to every AWS account.",
    remediation="ModifyDocumentPermission removing 'all' (share with named accounts only), or block public "
    "sharing for the account.",
)
def document_not_public(doc: Resource, ctx: CheckContext) -> Verdict:
    shared = need(doc, "shared_with")
    ok = f"shared with {summarize(shared)}" if shared else "not shared"
    return forbidden(
        doc, "public", ok, "document {name} is public: ModifyDocumentPermission AccountIdsToRemove=all"
    )
