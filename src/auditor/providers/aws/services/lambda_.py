"""Lambda: functions (environment variable names only: values are masked before storage)
and their resource policies."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, policy_doc
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(
        acct,
        region,
        "lambda",
        "ListFunctions",
        secret_paths=("Functions.*.Environment.Variables.*",),
        types=(T.LAMBDA_FUNCTION,),
    )
    if listed is None:
        return
    for fn in listed.body.get("Functions", []):
        c.submit(acct, region, _lambda_function, c, acct, region, fn, listed.evidence)


def _lambda_function(c: Collection, acct: Account, region: str, fn: dict[str, Any], list_ev: str) -> None:
    arn = fn["FunctionArn"]
    attrs: dict[str, Any] = {
        "runtime": fn.get("Runtime"),
        "package_type": fn.get("PackageType", "Zip"),
        # the names only: values may be secrets and never leave this function
        "environment_variable_names": sorted(((fn.get("Environment") or {}).get("Variables") or {}).keys()),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(
            acct, region, "lambda", "GetPolicy", {"FunctionName": arn}, absent={"ResourceNotFoundException"}
        )
        evs.append(got.evidence)
        attrs["policy"] = policy_doc(got.body["Policy"]) if got.body and got.body.get("Policy") else None
    except CallFailed as err:
        gaps["policy"] = err.reason
    c.add(T.LAMBDA_FUNCTION, arn, acct, region, attrs, evs, name=fn.get("FunctionName"), gaps=gaps)


SERVICE = Service(
    name="lambda",
    fanout="regional",
    operations=("ListFunctions", "GetPolicy"),
    produces=(T.LAMBDA_FUNCTION,),
    collect=collect,
)
