"""Amazon Bedrock: model invocation logging and guardrails of a region, and custom models with
the key they are encrypted with."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, described, region_id, take


def collect(c: Collection, acct: Account, region: str) -> None:
    c.gather(
        acct,
        region,
        {
            "logging": lambda: c.call(acct, region, "bedrock", "GetModelInvocationLoggingConfiguration"),
            "guardrails": lambda: c.call(acct, region, "bedrock", "ListGuardrails"),
        },
        lambda res: _region(c, acct, region, res),
    )
    listed = c.listing(acct, region, "bedrock", "ListCustomModels", types=(T.BEDROCK_CUSTOM_MODEL,))
    if listed is None:
        return
    for m in listed.body.get("modelSummaries", []):
        c.submit(acct, region, _custom_model, c, acct, region, m, listed.evidence)


def _logging(body: dict[str, Any]) -> dict[str, Any] | None:
    cfg = body.get("loggingConfig") or {}
    bucket = (cfg.get("s3Config") or {}).get("bucketName")
    group = (cfg.get("cloudWatchConfig") or {}).get("logGroupName")
    if not bucket and not group:
        return None
    return {"s3_bucket": bucket or None, "log_group": group or None}


def _region(c: Collection, acct: Account, region: str, res: Results) -> None:
    gaps: dict[str, str] = {}
    evs: list[str] = []
    attrs: dict[str, Any] = {}
    logging = take(res, "logging", gaps, ("invocation_logging",), evs)
    if logging is not None:
        attrs["invocation_logging"] = _logging(logging)
    guardrails = take(res, "guardrails", gaps, ("guardrails",), evs)
    if guardrails is not None:
        attrs["guardrails"] = [
            {"id": g.get("id"), "name": g.get("name"), "status": g.get("status")}
            for g in guardrails.get("guardrails", [])
        ]
    c.add(
        T.BEDROCK_REGION,
        region_id(acct, region, "bedrock"),
        acct,
        region,
        attrs,
        evs,
        name=f"Bedrock in {region}",
        gaps=gaps,
    )


def _custom_model(c: Collection, acct: Account, region: str, m: dict[str, Any], list_ev: str) -> None:
    described(
        c,
        acct,
        region,
        T.BEDROCK_CUSTOM_MODEL,
        m["modelArn"],
        list_ev,
        lambda: c.call(acct, region, "bedrock", "GetCustomModel", {"modelIdentifier": m["modelArn"]}),
        lambda d: {"kms_key_arn": d.get("modelKmsKeyArn"), "base_model": d.get("baseModelArn")},
        name=m.get("modelName"),
    )


SERVICE = Service(
    name="bedrock",
    fanout="regional",
    operations=(
        "GetModelInvocationLoggingConfiguration",
        "ListGuardrails",
        "ListCustomModels",
        "GetCustomModel",
    ),
    produces=(T.BEDROCK_REGION, T.BEDROCK_CUSTOM_MODEL),
    collect=collect,
)
