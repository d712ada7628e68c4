"""API Gateway (REST APIs): APIs with their authorizers, their stages (logging, WAF, client
certificate; stage variable values are masked before storage), and custom domain names with
their TLS security policy."""

from __future__ import annotations

from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, tags, take
from auditor.runtime import CallFailed

# Stage variables are free-form name/value pairs (backend hosts, and too often backend keys):
# every value is masked before the answer is stored; no check reads them.
_STAGE_VARIABLES = ("item.*.variables.*",)


def collect(c: Collection, acct: Account, region: str) -> None:
    c.submit(acct, region, _domains, c, acct, region)
    listed = c.listing(acct, region, "apigateway", "GetRestApis", types=(T.APIGW_REST_API, T.APIGW_STAGE))
    if listed is None:
        return
    for api in listed.body.get("items", []):
        api_id = api["id"]
        c.gather(
            acct,
            region,
            {
                "stages": partial(
                    c.call,
                    acct,
                    region,
                    "apigateway",
                    "GetStages",
                    {"restApiId": api_id},
                    secret_paths=_STAGE_VARIABLES,
                ),
                "authorizers": partial(
                    c.call, acct, region, "apigateway", "GetAuthorizers", {"restApiId": api_id}
                ),
            },
            partial(_build, c, acct, region, api, listed.evidence),
        )


def _build(
    c: Collection, acct: Account, region: str, api: dict[str, Any], list_ev: str, res: Results
) -> None:
    api_id = api["id"]
    gaps: dict[str, str] = {}
    evs = [list_ev]
    auth = take(res, "authorizers", gaps, ("authorizers",), evs)
    attrs: dict[str, Any] = {
        "endpoint_types": list((api.get("endpointConfiguration") or {}).get("types") or [])
    }
    if auth is not None:
        attrs["authorizers"] = [{"name": a.get("name"), "type": a.get("type")} for a in auth.get("items", [])]
    api_arn = f"arn:aws:apigateway:{region}::/restapis/{api_id}"
    c.add(
        T.APIGW_REST_API,
        api_arn,
        acct,
        region,
        attrs,
        evs,
        name=api.get("name"),
        gaps=gaps,
        tags=tags(api.get("tags")),
    )
    stages = res["stages"]
    if isinstance(stages, CallFailed):
        c.gap(stages, acct, region, (T.APIGW_STAGE,))
        return
    for st in stages.body.get("item", []):
        every = (st.get("methodSettings") or {}).get("*/*") or {}
        level = every.get("loggingLevel")
        c.add(
            T.APIGW_STAGE,
            f"{api_arn}/stages/{st['stageName']}",
            acct,
            region,
            {
                "api_id": api_id,
                "logging_level": None if level in (None, "OFF") else level,
                "access_log_destination": (st.get("accessLogSettings") or {}).get("destinationArn"),
                "web_acl_arn": st.get("webAclArn"),
                "client_certificate_id": st.get("clientCertificateId"),
            },
            [list_ev, stages.evidence],
            name=f"{api.get('name')}/{st['stageName']}",
            tags=tags(st.get("tags")),
        )


def _domains(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(acct, region, "apigateway", "GetDomainNames", types=(T.APIGW_DOMAIN,))
    if got is None:
        return
    for d in got.body.get("items", []):
        c.add(
            T.APIGW_DOMAIN,
            f"arn:aws:apigateway:{region}::/domainnames/{d['domainName']}",
            acct,
            region,
            {"security_policy": d.get("securityPolicy")},
            [got.evidence],
            name=d["domainName"],
        )


SERVICE = Service(
    name="apigateway",
    fanout="regional",
    operations=("GetRestApis", "GetStages", "GetAuthorizers", "GetDomainNames"),
    produces=(T.APIGW_REST_API, T.APIGW_STAGE, T.APIGW_DOMAIN),
    collect=collect,
)
