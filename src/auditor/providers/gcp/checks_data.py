"""BigQuery and Cloud KMS checks: public datasets, CMEK, key rotation, public keys."""

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
from auditor.providers.gcp import policy as P
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.common import CIS, cmek_required

checks = CheckSet("gcp")


@checks.check(
    id="gcp.bigquery.dataset_not_public",
    title="BigQuery datasets are not readable by the public",
    severity="critical",
    resource_types=[T.BQ_DATASET],
    rationale="A dataset shared with allUsers or allAuthenticatedUsers can be queried by anyone.",
    remediation="Remove the allUsers / allAuthenticatedUsers access entries and IAM bindings from the dataset.",
    references=[f"{CIS} 7.1"],
)
def dataset_not_public(ds: Resource, ctx: CheckContext) -> Verdict:
    public = sorted(
        {
            f"{e['member']} ({e.get('role', '')})"
            for e in need(ds, "access")
            if e.get("member") in P.PUBLIC_MEMBERS
        }
    )
    pol = P.attached_policy(ctx, T.IAM_POLICY, ds)
    public += P.public_grants(pol) if pol is not None else []
    if public:
        return failed(f"remove public access from dataset {ds.name}: {summarize(public)}")
    return passed("no public access")


@checks.check(
    id="gcp.bigquery.dataset_cmek",
    title="BigQuery datasets use a customer-managed key where required",
    severity="medium",
    resource_types=[T.BQ_DATASET],
    rationale="A default CMEK on the dataset encrypts every new table with a key you control and can revoke.",
    remediation="Set the dataset's default KMS key (bq update --default_kms_key).",
    references=[f"{CIS} 7.3"],
    params=[
        param(
            "gcp.bigquery.require_cmek",
            "boolean",
            False,
            "Require a default customer-managed key on BigQuery datasets.",
        )
    ],
)
def dataset_cmek(ds: Resource, ctx: CheckContext) -> Verdict:
    return cmek_required(ds, ctx, "gcp.bigquery.require_cmek", "set a default key on dataset")


@checks.check(
    id="gcp.kms.rotation_period",
    title="Cloud KMS keys rotate automatically often enough",
    severity="medium",
    resource_types=[T.KMS_KEY],
    rationale="Rotation limits how much data one key version protects and how long a leaked version is useful.",
    remediation="Set a rotation period (gcloud kms keys update --rotation-period 90d --next-rotation-time ...).",
    references=[f"{CIS} 1.10"],
    params=[
        param(
            "gcp.kms.max_rotation_days",
            "integer",
            90,
            "Longest automatic rotation period of a symmetric KMS key, in days.",
        )
    ],
)
def rotation_period(key: Resource, ctx: CheckContext) -> Verdict:
    if need(key, "purpose") not in (None, "ENCRYPT_DECRYPT"):
        return not_applicable("an asymmetric or MAC key (no automatic rotation)")
    seconds = need(key, "rotation_period_seconds")
    limit = ctx.param("gcp.kms.max_rotation_days")
    if seconds is None or seconds > limit * 86400:
        now = f"{seconds // 86400} days" if seconds else "no rotation"
        return failed(f"set the rotation period of key {key.name} to {limit} days or less (now {now})")
    return passed(f"rotates every {seconds // 86400} days")


@checks.check(
    id="gcp.kms.key_not_public",
    title="Cloud KMS keys are not usable by the public",
    severity="critical",
    resource_types=[T.KMS_KEY],
    rationale="A key granted to allUsers or allAuthenticatedUsers lets anyone encrypt or decrypt with it.",
    remediation="Remove allUsers and allAuthenticatedUsers from the key's IAM policy.",
    references=[f"{CIS} 1.9"],
)
def key_not_public(key: Resource, ctx: CheckContext) -> Verdict:
    pol = P.attached_policy(ctx, T.IAM_POLICY, key)
    public = P.public_grants(pol) if pol is not None else []
    if public:
        return failed(f"remove public members from key {key.name}: {summarize(public)}")
    return passed("no public access")
