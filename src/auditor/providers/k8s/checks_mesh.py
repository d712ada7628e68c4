"""Istio service mesh: mutual TLS everywhere (PeerAuthentication, DestinationRule), and
authorization that denies by default and never admits every caller (AuthorizationPolicy).

The mesh-wide and per-namespace checks relate objects through the index (`ctx.lookup`), within
the judged resource's target: a lookup into a kind that could not be read there is an `error`."""

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
    summarize,
)
from auditor.models import Resource
from auditor.providers.k8s import istio
from auditor.providers.k8s.checks_network import P_EXEMPT_NAMESPACES
from auditor.providers.k8s.resources import (
    AUTHORIZATION_POLICY,
    DESTINATION_RULE,
    MESH,
    NAMESPACE,
    PEER_AUTHENTICATION,
    WORKLOAD,
    where,
)

checks = CheckSet("k8s")

P_ROOT_NAMESPACE = param(
    "k8s.istio_root_namespace",
    "string",
    "istio-system",
    "Istio's root namespace (meshConfig.rootNamespace): its selector-less policies apply mesh-wide.",
)
ISTIO = "https://istio.io/latest/docs"
INJECT = "sidecar.istio.io/inject"  # a pod label (or legacy annotation) that asks for a sidecar
PEER_DOC = f"{ISTIO}/reference/config/security/peer_authentication/"
AUTHZ_DOC = f"{ISTIO}/reference/config/security/authorization-policy/"


def mesh_of(r: Resource, ctx: CheckContext) -> Resource | None:
    return next(iter(ctx.lookup(MESH, "cluster", r.location.account, within="account", of=r)), None)


def policy_view(p: Resource) -> dict[str, Any]:
    """An AuthorizationPolicy's attributes as the `istio` predicates read them."""
    return {
        "namespace": p.attributes.get("namespace"),
        "name": p.attributes.get("name"),
        "action": need(p, "action"),
        "selector": need(p, "selector"),
        "target_refs": need(p, "target_refs"),
        "rules": need(p, "rules"),
    }


def policies_for(namespace: str, r: Resource, ctx: CheckContext) -> list[dict[str, Any]]:
    """AuthorizationPolicies of `namespace` and of the root namespace, in `r`'s target."""
    root = str(ctx.param("k8s.istio_root_namespace"))
    found: list[dict[str, Any]] = []
    for ns in dict.fromkeys((namespace, root)):
        found.extend(
            policy_view(p) for p in ctx.lookup(AUTHORIZATION_POLICY, "namespace", ns, within="account", of=r)
        )
    return found


def _root_unread(mesh: Resource, root: str) -> str | None:
    """Why the root namespace's policies are unknown: the scan was limited to other namespaces."""
    read = need(mesh, "namespaces")
    if read is not None and root not in read:
        return f"the root namespace {root} was not scanned (--namespaces {','.join(read)})"
    return None


@checks.check(
    id="k8s.istio.mesh_mtls_strict",
    title="The mesh requires mutual TLS (a STRICT PeerAuthentication in the root namespace)",
    severity="high",
    resource_types=[MESH],
    rationale="Istio's default is PERMISSIVE: sidecars accept plaintext too, so anything that reaches a pod "
    "without a sidecar (or from outside the mesh) talks to it unauthenticated and unencrypted. A mesh-wide "
    "STRICT PeerAuthentication makes every workload refuse plaintext.",
    remediation="Create PeerAuthentication `default` in the root namespace with no selector and "
    "spec.mtls.mode STRICT (after checking with PERMISSIVE that every client has a sidecar).",
    references=[PEER_DOC, f"{ISTIO}/tasks/security/authentication/mtls-migration/"],
    params=[P_ROOT_NAMESPACE],
)
def mesh_mtls_strict(mesh: Resource, ctx: CheckContext) -> Verdict:
    root = str(ctx.param("k8s.istio_root_namespace"))
    if why := _root_unread(mesh, root):
        return errored(why)
    wide = [
        p for p in need(mesh, "peer_authentications") if p.get("namespace") == root and not p.get("selector")
    ]
    if not wide:
        return failed(
            f"no mesh-wide PeerAuthentication in {root}: workloads also accept plaintext (PERMISSIVE)"
        )
    weak = [f"{p['name']} ({p.get('mode') or 'UNSET'})" for p in wide if p.get("mode") != "STRICT"]
    if weak:
        return failed(f"the mesh-wide PeerAuthentication in {root} is not STRICT: {summarize(weak)}")
    return passed(f"mesh-wide mTLS is STRICT ({summarize(p['name'] for p in wide)} in {root})")


@checks.check(
    id="k8s.istio.peer_authentication_strict",
    title="PeerAuthentications do not accept plaintext (no PERMISSIVE or DISABLE mode)",
    severity="high",
    resource_types=[PEER_AUTHENTICATION],
    rationale="A namespace, workload or port PeerAuthentication in PERMISSIVE or DISABLE mode overrides the "
    "mesh-wide policy and lets those pods accept unauthenticated plaintext connections.",
    remediation="Set spec.mtls.mode (and every portLevelMtls mode) to STRICT, or UNSET to inherit the "
    "mesh-wide STRICT policy.",
    references=[PEER_DOC],
)
def peer_authentication_strict(pa: Resource, ctx: CheckContext) -> Verdict:
    weak = []
    if (mode := need(pa, "mode")) in istio.DISABLED_MTLS:
        weak.append(f"mtls {mode}")
    weak += [
        f"port {port} {m}" for port, m in sorted(need(pa, "port_modes").items()) if m in istio.DISABLED_MTLS
    ]
    if weak:
        return failed(f"{where(pa)} accepts plaintext: {summarize(weak)}")
    return passed(f"{where(pa)}: {mode or 'UNSET'} (no plaintext)")


@checks.check(
    id="k8s.istio.destination_rule_tls",
    title="DestinationRules do not disable TLS",
    severity="high",
    resource_types=[DESTINATION_RULE],
    rationale="tls.mode DISABLE makes the client sidecar send plaintext to the host (or subset or port), "
    "whatever the server side accepts: traffic leaves the pod unencrypted and unauthenticated.",
    remediation="Use ISTIO_MUTUAL for hosts in the mesh (or remove the tls block: auto mTLS applies), and "
    "SIMPLE or MUTUAL for hosts outside it.",
    references=[f"{ISTIO}/reference/config/networking/destination-rule/#ClientTLSSettings"],
)
def destination_rule_tls(dr: Resource, ctx: CheckContext) -> Verdict:
    off = [m["where"] for m in need(dr, "tls_modes") if m.get("mode") == "DISABLE"]
    if off:
        return failed(f"{where(dr)} disables TLS to {need(dr, 'host')} in {summarize(off)}")
    return passed(f"{where(dr)} keeps TLS to {need(dr, 'host')}")


def _meshed(ns: Resource, ctx: CheckContext) -> str | None:
    """Why the namespace runs mesh workloads (None: it does not)."""
    name = str(ns.attributes.get("name"))
    labels = need(ns, "labels")
    injection = labels.get("istio-injection")
    if injection == "disabled":
        return None
    if injection == "enabled":
        return "label istio-injection=enabled"
    if labels.get("istio.io/rev"):
        return f"label istio.io/rev={labels['istio.io/rev']}"
    if labels.get("istio.io/dataplane-mode") == "ambient":
        return "label istio.io/dataplane-mode=ambient"
    for w in ctx.lookup(WORKLOAD, "namespace", name, within="account", of=ns):
        asks = (need(w, "pod_labels").get(INJECT), need(w, "pod_annotations").get(INJECT))
        if any(str(v).lower() == "true" for v in asks):
            return f"{w.attributes.get('kind')}/{w.attributes.get('name')} asks for a sidecar"
    return None


@checks.check(
    id="k8s.istio.namespace_default_deny",
    title="Namespaces running mesh workloads have a default-deny AuthorizationPolicy",
    severity="high",
    resource_types=[NAMESPACE],
    rationale="Without an AuthorizationPolicy every caller in (or entering) the mesh may call every "
    "workload; a namespace-wide allow-nothing (or deny-all) policy makes each allowed path explicit.",
    remediation="Create AuthorizationPolicy `allow-nothing` with `spec: {}` in the namespace (or in the root "
    "namespace, mesh-wide), then ALLOW policies for the callers each workload needs.",
    references=[f"{ISTIO}/ops/best-practices/security/#use-default-deny-patterns", AUTHZ_DOC],
    params=[P_ROOT_NAMESPACE, P_EXEMPT_NAMESPACES],
)
def namespace_default_deny(ns: Resource, ctx: CheckContext) -> Verdict:
    name = str(ns.attributes.get("name"))
    if name in {str(x) for x in ctx.param("k8s.exempt_namespaces")}:
        return not_applicable(f"namespace {name} is exempt (parameter k8s.exempt_namespaces)")
    mesh = mesh_of(ns, ctx)
    if mesh is None:
        return not_applicable(f"no Istio mesh in {ns.location.account}")
    why = _meshed(ns, ctx)
    if why is None:
        return not_applicable(f"namespace {name} runs no mesh workloads")
    deny = [f"{p['namespace']}/{p['name']}" for p in policies_for(name, ns, ctx) if istio.default_deny(p)]
    if deny:
        return passed(f"namespace {name} ({why}) denies by default: {summarize(deny)}")
    if unread := _root_unread(mesh, str(ctx.param("k8s.istio_root_namespace"))):
        return errored(f"namespace {name} has no default-deny AuthorizationPolicy of its own, and {unread}")
    return failed(
        f"namespace {name} ({why}) has no default-deny AuthorizationPolicy: every caller is allowed"
    )


@checks.check(
    id="k8s.istio.authorization_policy_not_open",
    title="AuthorizationPolicies do not allow every caller (ALLOW rules name their sources)",
    severity="high",
    resource_types=[AUTHORIZATION_POLICY],
    rationale="An ALLOW rule without `from` (and without `when`) matches requests from anyone: any workload "
    "in the mesh, and through the ingress gateway anyone on the network, defeating the default deny.",
    remediation="Give each ALLOW rule `from` sources (principals, namespaces or requestPrincipals) or `when` "
    "conditions on the caller.",
    references=[AUTHZ_DOC],
)
def authorization_policy_not_open(ap: Resource, ctx: CheckContext) -> Verdict:
    view = policy_view(ap)
    name = where(ap)
    if view["action"] != "ALLOW":
        return passed(f"{name} is a {view['action']} policy")
    open_ = istio.open_rules(view)
    if open_:
        return failed(f"{name} allows every caller: {summarize(open_)}")
    return passed(
        f"{name}: every ALLOW rule names its callers" if view["rules"] else f"{name} allows nothing"
    )
