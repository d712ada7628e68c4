"""Edge and compute: load balancers, certificates, CloudFront, Lambda."""

from __future__ import annotations

from datetime import datetime, timedelta

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
from auditor.providers.aws.policy import public_statements

checks = CheckSet("aws")

# Policies that allow TLS 1.0/1.1 (everything else offered by ELB is TLS 1.2+).
WEAK_TLS_POLICIES = {
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-1-PQ-2025-09",
}
# Lambda runtimes past their deprecation date (parameter aws.lambda.deprecated_runtimes replaces the list).
DEPRECATED_RUNTIMES = {
    "python2.7", "python3.6", "python3.7", "python3.8",
    "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
    "java8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet5.0",
    "ruby2.5", "ruby2.7", "go1.x", "provided",
}  # fmt: skip


@checks.check(
    id="aws.elbv2.https_listeners",
    title="Load balancers serve HTTPS (plain HTTP only redirects)",
    severity="high",
    resource_types=[T.ELB_LOAD_BALANCER],
    rationale="Plain HTTP listeners carry sessions and data in clear text.",
    remediation="Replace the HTTP listener's action with a redirect to HTTPS, or remove it.",
)
def https_listeners(lb: Resource, ctx: CheckContext) -> Verdict:
    listeners = need(lb, "listeners")
    if need(lb, "type") != "application":
        plain = [li for li in listeners if li.get("protocol") in ("TCP", "UDP", "TCP_UDP")]
        if not plain:
            return passed("all listeners use TLS")
        return not_applicable(
            "network load balancer with TCP listeners: TLS is end to end or not visible here"
        )
    bad = [
        f"HTTP:{li['port']}"
        for li in listeners
        if li.get("protocol") == "HTTP" and not li.get("redirects_to_https")
    ]
    if bad:
        return failed(f"load balancer {lb.name} serves plain HTTP on {summarize(bad)}")
    if not listeners:
        return not_applicable("no listeners")
    return passed("HTTPS only (HTTP redirects)")


@checks.check(
    id="aws.elbv2.tls_policy",
    title="Load balancer TLS listeners use a TLS 1.2+ security policy",
    severity="medium",
    resource_types=[T.ELB_LOAD_BALANCER],
    rationale="TLS 1.0/1.1 have known weaknesses and are not accepted by PCI or NIST guidance.",
    remediation="ModifyListener with SslPolicy ELBSecurityPolicy-TLS13-1-2-2021-06 (or newer).",
    params=[
        param(
            "aws.elbv2.weak_tls_policies",
            "string_list",
            sorted(WEAK_TLS_POLICIES),
            "Load balancer TLS security policies that count as weak.",
        )
    ],
)
def tls_policy(lb: Resource, ctx: CheckContext) -> Verdict:
    weak_set = set(ctx.param("aws.elbv2.weak_tls_policies"))
    tls = [li for li in need(lb, "listeners") if li.get("protocol") in ("HTTPS", "TLS")]
    if not tls:
        return not_applicable("no TLS listener")
    weak = [f"{li['port']}:{li.get('ssl_policy')}" for li in tls if li.get("ssl_policy") in weak_set]
    if weak:
        return failed(f"load balancer {lb.name} allows TLS < 1.2 on {summarize(weak)}")
    return passed(f"TLS policies: {summarize(sorted({str(li.get('ssl_policy')) for li in tls}))}")


@checks.check(
    id="aws.elbv2.access_logs",
    title="Load balancer access logs are enabled",
    severity="low",
    resource_types=[T.ELB_LOAD_BALANCER],
    rationale="Access logs record every request for investigations.",
    remediation="ModifyLoadBalancerAttributes access_logs.s3.enabled=true with a bucket.",
)
def elb_logs(lb: Resource, ctx: CheckContext) -> Verdict:
    if need(lb, "access_logs_enabled"):
        return passed("access logs are on")
    return failed(f"load balancer {lb.name} has no access logs")


@checks.check(
    id="aws.acm.certificate_expiry",
    title="ACM certificates are not about to expire",
    severity="medium",
    resource_types=[T.ACM_CERTIFICATE],
    rationale="An expired certificate breaks TLS or pushes clients to ignore errors.",
    remediation="Renew or re-import the certificate (parameter aws.acm.expiry_days, default 30).",
    params=[
        param("aws.acm.expiry_days", "integer", 30, "Days before expiry from which a certificate fails.")
    ],
)
def acm_expiry(cert: Resource, ctx: CheckContext) -> Verdict:
    if need(cert, "status") not in ("ISSUED", "EXPIRED"):
        return not_applicable(f"certificate is {cert.attributes.get('status')}")
    not_after = need(cert, "not_after")
    days = (datetime.fromisoformat(str(not_after)) - ctx.now) / timedelta(days=1)
    limit = int(ctx.param("aws.acm.expiry_days"))
    if days < 0:
        return failed(f"certificate {cert.name} expired {int(-days)} days ago")
    if days < limit:
        return failed(f"certificate {cert.name} expires in {int(days)} days")
    return passed(f"expires in {int(days)} days")


@checks.check(
    id="aws.cloudfront.https_only",
    title="CloudFront distributions redirect or require HTTPS for viewers",
    severity="medium",
    resource_types=[T.CLOUDFRONT_DISTRIBUTION],
    rationale="allow-all lets viewers use plain HTTP.",
    remediation="Set ViewerProtocolPolicy to redirect-to-https or https-only on every cache behavior.",
)
def cf_https(dist: Resource, ctx: CheckContext) -> Verdict:
    bad = [p for p in need(dist, "viewer_protocol_policies") if p == "allow-all"]
    if bad:
        return failed(f"distribution {dist.name} has {len(bad)} cache behavior(s) allowing plain HTTP")
    return passed("viewers use HTTPS")


@checks.check(
    id="aws.cloudfront.tls_version",
    title="CloudFront distributions use TLS 1.2+ with a custom certificate",
    severity="medium",
    resource_types=[T.CLOUDFRONT_DISTRIBUTION],
    rationale="Old minimum protocol versions allow TLS 1.0/1.1 and SSLv3.",
    remediation="Set ViewerCertificate.MinimumProtocolVersion to TLSv1.2_2021 or newer.",
)
def cf_tls(dist: Resource, ctx: CheckContext) -> Verdict:
    if need(dist, "default_certificate"):
        return not_applicable("uses the *.cloudfront.net certificate (TLS version not configurable)")
    version = str(need(dist, "minimum_protocol_version") or "")
    if version.startswith("TLSv1.2") or version.startswith("TLSv1.3"):
        return passed(f"minimum protocol {version}")
    return failed(f"distribution {dist.name} accepts {version or 'old protocols'}")


@checks.check(
    id="aws.lambda.not_public",
    title="Lambda functions cannot be invoked by everyone",
    severity="critical",
    resource_types=[T.LAMBDA_FUNCTION],
    rationale="A resource policy for principal '*' without a source condition lets any AWS account invoke the function.",
    remediation="RemovePermission for the public statement, or add a SourceArn/SourceAccount condition.",
)
def lambda_public(fn: Resource, ctx: CheckContext) -> Verdict:
    public = public_statements(need(fn, "policy"))
    if public:
        return failed(f"function {fn.name} can be invoked by anyone: {summarize(public)}")
    return passed("resource policy names its principals")


@checks.check(
    id="aws.lambda.supported_runtime",
    title="Lambda functions use a supported runtime",
    severity="medium",
    resource_types=[T.LAMBDA_FUNCTION],
    rationale="Deprecated runtimes get no security patches.",
    remediation="Upgrade the function to a supported runtime (parameter aws.lambda.deprecated_runtimes).",
    params=[
        param(
            "aws.lambda.deprecated_runtimes",
            "string_list",
            sorted(DEPRECATED_RUNTIMES),
            "Lambda runtimes that count as deprecated.",
        )
    ],
)
def lambda_runtime(fn: Resource, ctx: CheckContext) -> Verdict:
    if need(fn, "package_type") == "Image":
        return not_applicable("container image function: the image's runtime is not visible here")
    runtime = need(fn, "runtime")
    if runtime in set(ctx.param("aws.lambda.deprecated_runtimes")):
        return failed(f"function {fn.name} runs deprecated runtime {runtime}")
    return passed(f"runtime {runtime}")
