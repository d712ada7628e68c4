"""Namespaces (Pod Security admission labels, default-deny NetworkPolicies), Services and Ingresses."""

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
from auditor.providers.k8s.kinds import SYSTEM_NAMESPACES
from auditor.providers.k8s.resources import INGRESS, NAMESPACE, SERVICE, where

checks = CheckSet("k8s")
P_EXEMPT_NAMESPACES = param(
    "k8s.exempt_namespaces",
    "string_list",
    list(SYSTEM_NAMESPACES),
    "Namespaces exempt from the namespace checks (Pod Security label, default-deny NetworkPolicies and "
    "AuthorizationPolicies).",
)

PSA_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"
NETPOL_DOC = "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies"


def _exempt(ns: Resource, ctx: CheckContext) -> bool:
    exempt = {str(x) for x in ctx.param("k8s.exempt_namespaces")}
    return str(ns.attributes.get("name")) in exempt


@checks.check(
    id="k8s.namespace.pod_security_enforce",
    title="Namespaces enforce a Pod Security Standard (baseline or restricted)",
    severity="high",
    resource_types=[NAMESPACE],
    rationale="The pod-security.kubernetes.io/enforce label makes the API server reject pods that break the "
    "baseline or restricted standard; without it any privileged pod is admitted.",
    remediation="Label the namespace pod-security.kubernetes.io/enforce=restricted (or baseline), after "
    "trying it in warn/audit mode.",
    references=[PSA_DOC],
    params=[P_EXEMPT_NAMESPACES],
)
def pod_security_enforce(ns: Resource, ctx: CheckContext) -> Verdict:
    if _exempt(ns, ctx):
        return not_applicable(
            f"namespace {ns.attributes.get('name')} is exempt (parameter k8s.exempt_namespaces)"
        )
    level = (need(ns, "pod_security") or {}).get("enforce")
    name = ns.attributes.get("name")
    if level in ("baseline", "restricted"):
        return passed(f"namespace {name} enforces the {level} Pod Security Standard")
    if level:
        return failed(f"namespace {name} enforces only the {level!r} level (needs baseline or restricted)")
    return failed(f"namespace {name} has no pod-security.kubernetes.io/enforce label")


def _default_deny(ns: Resource, ctx: CheckContext, direction: str) -> Verdict:
    name = ns.attributes.get("name")
    if _exempt(ns, ctx):
        return not_applicable(f"namespace {name} is exempt (parameter k8s.exempt_namespaces)")
    pols = need(ns, "network_policies")
    key = "ingress_rules" if direction == "Ingress" else "egress_rules"
    deny = [
        p["name"]
        for p in pols
        if p.get("selects_all_pods") and direction in (p.get("policy_types") or []) and p.get(key) == 0
    ]
    if deny:
        return passed(f"namespace {name}: {direction.lower()} is denied by default ({summarize(deny)})")
    if not pols:
        return failed(f"namespace {name} has no NetworkPolicy: all {direction.lower()} traffic is allowed")
    return failed(
        f"namespace {name} has NetworkPolicies ({summarize(p['name'] for p in pols)}) but none denies "
        f"{direction.lower()} by default (podSelector {{}} with policyTypes [{direction}] and no rules)"
    )


@checks.check(
    id="k8s.namespace.default_deny_ingress",
    title="Namespaces have a default-deny ingress NetworkPolicy",
    severity="high",
    resource_types=[NAMESPACE],
    rationale="Pods accept traffic from anywhere in the cluster until a NetworkPolicy selects them; a "
    "default deny makes every allowed flow explicit (segmentation of networks).",
    remediation="Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] and no ingress rules, "
    "then allow the flows each workload needs. (The CNI must enforce NetworkPolicies.)",
    references=[NETPOL_DOC],
    params=[P_EXEMPT_NAMESPACES],
)
def default_deny_ingress(ns: Resource, ctx: CheckContext) -> Verdict:
    return _default_deny(ns, ctx, "Ingress")


@checks.check(
    id="k8s.namespace.default_deny_egress",
    title="Namespaces have a default-deny egress NetworkPolicy",
    severity="medium",
    resource_types=[NAMESPACE],
    rationale="Unrestricted egress lets a compromised pod reach the metadata service, other namespaces "
    "and the internet (exfiltration).",
    remediation="Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress] and no egress rules, then "
    "allow DNS and the destinations each workload needs.",
    references=[NETPOL_DOC],
    params=[P_EXEMPT_NAMESPACES],
)
def default_deny_egress(ns: Resource, ctx: CheckContext) -> Verdict:
    return _default_deny(ns, ctx, "Egress")


_INTERNAL_LB = (
    "service.beta.kubernetes.io/aws-load-balancer-internal",
    "networking.gke.io/load-balancer-type",
    "cloud.google.com/load-balancer-type",
    "service.beta.kubernetes.io/azure-load-balancer-internal",
    "service.beta.kubernetes.io/aws-load-balancer-scheme",
)


@checks.check(
    id="k8s.service.load_balancer_exposure",
    title="LoadBalancer Services are internal or restricted by source range",
    severity="high",
    resource_types=[SERVICE],
    rationale="A LoadBalancer Service without loadBalancerSourceRanges or an internal annotation gets a "
    "public address reachable from the whole internet.",
    remediation="Set loadBalancerSourceRanges to the client networks, or make the load balancer internal "
    "(provider annotation), or front the service with an Ingress/WAF.",
)
def load_balancer_exposure(s: Resource, ctx: CheckContext) -> Verdict:
    if need(s, "type") != "LoadBalancer":
        return not_applicable(f"{where(s)} is not a LoadBalancer")
    ranges = need(s, "load_balancer_source_ranges")
    ann = need(s, "annotations")
    internal = [a for a in _INTERNAL_LB if str(ann.get(a, "")).lower() in ("true", "internal")]
    open_ranges = [r for r in ranges if r in ("0.0.0.0/0", "::/0")]
    if internal:
        return passed(f"{where(s)} is an internal load balancer ({internal[0]})")
    if ranges and not open_ranges:
        return passed(f"{where(s)} accepts only {summarize(ranges)}")
    return failed(f"{where(s)} is a public load balancer open to any source address")


@checks.check(
    id="k8s.service.node_port",
    title="Services are not exposed as NodePort",
    severity="medium",
    resource_types=[SERVICE],
    rationale="A NodePort opens the same port on every node's addresses, outside the control of Ingress "
    "and load-balancer policies.",
    remediation="Use ClusterIP behind an Ingress or an internal LoadBalancer instead of NodePort.",
)
def node_port(s: Resource, ctx: CheckContext) -> Verdict:
    if need(s, "type") == "NodePort":
        ports = [str(p.get("nodePort") or p.get("port")) for p in need(s, "ports")]
        return failed(f"{where(s)} is a NodePort service (ports {summarize(ports)})")
    return passed(f"{where(s)} is {s.attributes.get('type')}")


@checks.check(
    id="k8s.ingress.tls",
    title="Ingresses terminate TLS",
    severity="high",
    resource_types=[INGRESS],
    rationale="An Ingress without spec.tls serves its hosts over plain HTTP: credentials and data cross the "
    "network in clear text.",
    remediation="Add spec.tls with a certificate Secret for every host (cert-manager can issue them).",
    references=["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
)
def ingress_tls(i: Resource, ctx: CheckContext) -> Verdict:
    at = where(i)
    tls = need(i, "tls")
    hosts = set(need(i, "hosts"))
    if not tls:
        return failed(f"{at} has no TLS section: {summarize(sorted(hosts)) or 'all hosts'} served over HTTP")
    covered = {h for t in tls for h in (t.get("hosts") or [])}
    missing = sorted(hosts - covered) if covered else []
    if missing:
        return failed(f"{at}: hosts without TLS: {summarize(missing)}")
    return passed(f"{at} terminates TLS")
