"""The edge: Classic Load Balancers, API Gateway REST APIs, CloudFront WAF / logging / origin
access, and WAFv2 logging."""

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
from auditor.providers.aws import resources as T
from auditor.providers.aws.verdicts import required

checks = CheckSet("aws")

# Classic ELB predefined policies that still allow TLS 1.0/1.1 or SSLv3 (ELBSecurityPolicy-TLS-1-2-2017-01 and the
# -FS- ones do not).
WEAK_CLASSIC_POLICIES = [
    "ELBSample-ELBDefaultNegotiationPolicy",
    "ELBSample-OpenSSLDefaultNegotiationPolicy",
    "ELBSecurityPolicy-2011-08",
    "ELBSecurityPolicy-2014-01",
    "ELBSecurityPolicy-2014-10",
    "ELBSecurityPolicy-2015-02",
    "ELBSecurityPolicy-2015-03",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
]


# ----------------------------------------------------------------------------- Classic Load Balancers


@checks.check(
    id="aws.elb.https_listeners",
    title="Classic load balancers listen with HTTPS or SSL only",
    severity="high",
    resource_types=[T.CLASSIC_ELB],
    rationale="Plain HTTP and TCP listeners carry sessions and data in clear text; a Classic Load Balancer "
    "cannot redirect to HTTPS.",
    remediation="Replace HTTP/TCP listeners with HTTPS/SSL listeners (or move to an Application Load Balancer "
    "that redirects).",
)
def elb_https(lb: Resource, ctx: CheckContext) -> Verdict:
    listeners = need(lb, "listeners")
    if not listeners:
        return not_applicable("no listeners")
    plain = [
        f"{li.get('protocol')}:{li.get('port')}" for li in listeners if li.get("protocol") in ("HTTP", "TCP")
    ]
    if plain:
        return failed(
            f"Classic load balancer {lb.name} listens in clear text on {summarize(plain)}: use HTTPS or SSL"
        )
    return passed("HTTPS/SSL listeners only")


@checks.check(
    id="aws.elb.tls_policy",
    title="Classic load balancer TLS listeners use a TLS 1.2+ policy",
    severity="medium",
    resource_types=[T.CLASSIC_ELB],
    rationale="TLS 1.0/1.1 and SSLv3 have known weaknesses.",
    remediation="SetLoadBalancerPoliciesOfListener with a policy referencing ELBSecurityPolicy-TLS-1-2-2017-01 "
    "(parameter aws.elb.weak_tls_policies).",
    params=[
        param(
            "aws.elb.weak_tls_policies",
            "string_list",
            WEAK_CLASSIC_POLICIES,
            "Classic load balancer predefined security policies that count as weak.",
        )
    ],
)
def elb_tls(lb: Resource, ctx: CheckContext) -> Verdict:
    weak_set = set(ctx.param("aws.elb.weak_tls_policies"))
    tls = [li for li in need(lb, "listeners") if li.get("protocol") in ("HTTPS", "SSL")]
    if not tls:
        return not_applicable("no TLS listener")
    weak = [
        f"{li.get('port')}:{li.get('reference_policy') or 'the default policy'}"
        for li in tls
        if li.get("reference_policy") is None
        or li.get("reference_policy") in weak_set
        or li.get("weak_protocols")
    ]
    if weak:
        return failed(
            f"Classic load balancer {lb.name} allows TLS below 1.2 on {summarize(weak)}: "
            "use ELBSecurityPolicy-TLS-1-2-2017-01"
        )
    return passed(f"TLS policies: {summarize(sorted({str(li.get('reference_policy')) for li in tls}))}")


@checks.check(
    id="aws.elb.access_logs",
    title="Classic load balancer access logs are enabled",
    severity="low",
    resource_types=[T.CLASSIC_ELB],
    rationale="Access logs record every request for investigations.",
    remediation="ModifyLoadBalancerAttributes AccessLog Enabled=true with an S3 bucket.",
)
def elb_logs(lb: Resource, ctx: CheckContext) -> Verdict:
    return required(
        lb,
        "access_logs_enabled",
        "access logs are on",
        "Classic load balancer {name} has no access logs: enable AccessLog",
    )


@checks.check(
    id="aws.elb.cross_zone",
    title="Classic load balancers balance across zones",
    severity="low",
    resource_types=[T.CLASSIC_ELB],
    rationale="Cross-zone load balancing keeps the service up when one Availability Zone's targets fail.",
    remediation="ModifyLoadBalancerAttributes CrossZoneLoadBalancing Enabled=true.",
)
def elb_cross_zone(lb: Resource, ctx: CheckContext) -> Verdict:
    return required(
        lb,
        "cross_zone",
        "cross-zone load balancing is on",
        "Classic load balancer {name} does not balance across zones: enable CrossZoneLoadBalancing",
    )


# ----------------------------------------------------------------------------- API Gateway


@checks.check(
    id="aws.apigateway.stage_logging",
    title="API Gateway stages log requests",
    severity="medium",
    resource_types=[T.APIGW_STAGE],
    rationale="Execution and access logs record who called which API and what happened.",
    remediation="UpdateStage: set */*/logging/loglevel to INFO or ERROR and an access log destination.",
)
def stage_logging(stage: Resource, ctx: CheckContext) -> Verdict:
    level = need(stage, "logging_level")
    access = need(stage, "access_log_destination")
    if level or access:
        return passed(
            f"logging: {', '.join(x for x in (level and f'execution {level}', access and 'access') if x)}"
        )
    return failed(
        f"API stage {stage.name} logs nothing: set an execution logging level and an access log destination"
    )


@checks.check(
    id="aws.apigateway.stage_waf",
    title="API Gateway stages are protected by AWS WAF",
    severity="medium",
    resource_types=[T.APIGW_STAGE],
    rationale="A web ACL filters injection, bots and floods before they reach the backend.",
    remediation="AssociateWebACL (WAFv2, REGIONAL scope) with the stage's ARN.",
)
def stage_waf(stage: Resource, ctx: CheckContext) -> Verdict:
    return required(
        stage,
        "web_acl_arn",
        "a WAF web ACL is associated",
        "API stage {name} has no WAF web ACL: AssociateWebACL",
    )


@checks.check(
    id="aws.apigateway.authorizer",
    title="API Gateway REST APIs have an authorizer",
    severity="medium",
    resource_types=[T.APIGW_REST_API],
    rationale="Without an authorizer (Lambda or Cognito) an API relies on each method being locked down by hand.",
    remediation="CreateAuthorizer (COGNITO_USER_POOLS, TOKEN or REQUEST) and set it on the methods "
    "(or use AWS_IAM authorization).",
)
def api_authorizer(api: Resource, ctx: CheckContext) -> Verdict:
    found = [f"{a.get('name')} ({a.get('type')})" for a in need(api, "authorizers")]
    if found:
        return passed(f"authorizers: {summarize(found)}")
    if "PRIVATE" in need(api, "endpoint_types"):
        return not_applicable("a private API: reached only through VPC endpoints and its resource policy")
    return failed(f"REST API {api.name} has no authorizer: CreateAuthorizer and use it on its methods")


@checks.check(
    id="aws.apigateway.domain_tls",
    title="API Gateway custom domains require TLS 1.2",
    severity="medium",
    resource_types=[T.APIGW_DOMAIN],
    rationale="TLS_1_0 lets clients negotiate TLS 1.0 and 1.1.",
    remediation="UpdateDomainName with securityPolicy TLS_1_2.",
)
def domain_tls(domain: Resource, ctx: CheckContext) -> Verdict:
    policy = str(need(domain, "security_policy") or "TLS_1_0")
    if policy == "TLS_1_0" or "TLS10" in policy.upper().replace("_", ""):
        return failed(f"custom domain {domain.name} accepts TLS 1.0: UpdateDomainName securityPolicy=TLS_1_2")
    return passed(f"security policy {policy}")


# ----------------------------------------------------------------------------- CloudFront and WAF


@checks.check(
    id="aws.cloudfront.waf",
    title="CloudFront distributions are protected by AWS WAF",
    severity="medium",
    resource_types=[T.CLOUDFRONT_DISTRIBUTION],
    rationale="A web ACL at the edge filters attacks before they reach any origin.",
    remediation="UpdateDistribution with WebACLId set to a CLOUDFRONT-scope WAFv2 web ACL.",
)
def cf_waf(dist: Resource, ctx: CheckContext) -> Verdict:
    return required(
        dist,
        "web_acl_id",
        "a WAF web ACL is attached",
        "distribution {name} has no WAF web ACL: set WebACLId",
    )


@checks.check(
    id="aws.cloudfront.logging",
    title="CloudFront distributions log requests",
    severity="low",
    resource_types=[T.CLOUDFRONT_DISTRIBUTION],
    rationale="Access logs record every viewer request for investigations.",
    remediation="UpdateDistribution with Logging Enabled=true and an S3 bucket (or configure standard logging v2).",
)
def cf_logging(dist: Resource, ctx: CheckContext) -> Verdict:
    return required(
        dist,
        "logging_enabled",
        "access logging is on",
        "distribution {name} logs no requests: enable Logging",
    )


@checks.check(
    id="aws.cloudfront.origin_access_control",
    title="CloudFront reaches S3 origins through origin access control",
    severity="medium",
    resource_types=[T.CLOUDFRONT_DISTRIBUTION],
    rationale="Without origin access control the bucket must be readable by the public or by a legacy origin "
    "access identity.",
    remediation="CreateOriginAccessControl (SigV4, always sign), set OriginAccessControlId on the S3 origin, and "
    "allow only the distribution in the bucket policy.",
)
def cf_oac(dist: Resource, ctx: CheckContext) -> Verdict:
    origins = need(dist, "s3_origins")
    if not origins:
        return not_applicable("no S3 origin")
    without = [str(o.get("domain")) for o in origins if not o.get("oac")]
    if without:
        legacy = [str(o.get("domain")) for o in origins if not o.get("oac") and o.get("oai")]
        how = f" (origin access identity on {summarize(legacy)})" if legacy else ""
        return failed(
            f"distribution {dist.name} reaches S3 origin(s) {summarize(without)} without origin access control"
            f"{how}: set OriginAccessControlId"
        )
    return passed("every S3 origin uses origin access control")


@checks.check(
    id="aws.wafv2.logging",
    title="WAF web ACLs are logged",
    severity="medium",
    resource_types=[T.WAF_WEB_ACL],
    rationale="WAF logs show which requests were blocked or allowed, and why.",
    remediation="PutLoggingConfiguration to a CloudWatch Logs group, S3 bucket or Firehose named aws-waf-logs-*.",
)
def waf_logging(acl: Resource, ctx: CheckContext) -> Verdict:
    return required(
        acl,
        "logging_destinations",
        "requests are logged",
        "web ACL {name} is not logged: PutLoggingConfiguration",
    )
