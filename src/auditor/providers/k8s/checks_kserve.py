"""KServe InferenceServices: where models are downloaded from, and who may call the service.
(Their predictor pods are `k8s.workload` resources, judged by the workload checks.)"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

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
from auditor.providers.k8s import istio, kserve
from auditor.providers.k8s.checks_mesh import AUTHZ_DOC, P_ROOT_NAMESPACE, mesh_of, policies_for
from auditor.providers.k8s.resources import INFERENCE_SERVICE, where
from auditor.redact import REDACTED

checks = CheckSet("k8s")

KSERVE = "https://kserve.github.io/website/latest"
INTERNAL_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".local", ".internal", "localhost")


def _internal_host(host: str) -> bool:
    """A host only reachable inside the cluster or a private network."""
    host = host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host.endswith(INTERNAL_SUFFIXES)
    return ip.is_private or ip.is_loopback or ip.is_link_local


@checks.check(
    id="k8s.kserve.storage_uri_tls",
    title="InferenceServices do not download models over plain HTTP from outside the cluster",
    severity="medium",
    resource_types=[INFERENCE_SERVICE],
    rationale="KServe's storage initializer fetches the model before the server starts; over plain http:// "
    "from a public host anyone on the path can read or replace the model (and with it the predictions).",
    remediation="Serve models from object storage (s3://, gs://, azure blob), a PVC, an OCI registry, or "
    "https://; never put credentials in the URI (use the service account's storage secret).",
    references=[f"{KSERVE}/modelserving/storage/storagecontainers/"],
)
def storage_uri_tls(isvc: Resource, ctx: CheckContext) -> Verdict:
    uris = need(isvc, "storage_uris")
    if not uris:
        return not_applicable(f"{where(isvc)} names no storage URI (its containers bring the model)")
    bad: list[str] = []
    internal: list[str] = []
    for u in uris:
        uri, at = str(u.get("uri", "")), f"{u.get('component')}.{u.get('field')}"
        if REDACTED in uri:
            bad.append(f"{at} embeds a credential")
            continue
        parts = urlsplit(uri)
        if parts.scheme.lower() == "http":
            (internal if _internal_host(parts.hostname or "") else bad).append(f"{at} {uri}")
    if bad:
        return failed(f"{where(isvc)} downloads its model insecurely: {summarize(bad)}")
    note = f" (cluster-internal http: {summarize(internal)})" if internal else ""
    schemes = sorted({urlsplit(str(u.get("uri", ""))).scheme or "path" for u in uris})
    return passed(f"{where(isvc)} fetches models over {', '.join(schemes)}{note}")


@checks.check(
    id="k8s.kserve.ingress_authentication",
    title="InferenceServices exposed through the ingress gateway require authentication",
    severity="high",
    resource_types=[INFERENCE_SERVICE],
    rationale="An InferenceService is published on the ingress gateway unless it is labelled cluster-local; "
    "KServe itself does not authenticate callers, so without an auth proxy or an Istio policy that "
    "requires a validated token anyone who reaches the gateway can query (and probe) the model.",
    remediation="Label it networking.kserve.io/visibility=cluster-local, or put an authenticating proxy in "
    "front (the annotations in k8s.kserve_auth_annotations), or require request principals with a "
    "RequestAuthentication and an ALLOW AuthorizationPolicy naming requestPrincipals (or a DENY of "
    "notRequestPrincipals ['*'], or a CUSTOM external authorizer).",
    references=[f"{KSERVE}/admin/serverless/serverless/", AUTHZ_DOC],
    params=[
        P_ROOT_NAMESPACE,
        param(
            "k8s.kserve_auth_annotations",
            "string_list",
            ["security.opendatahub.io/enable-auth"],
            'InferenceService annotations that, set to "true", put an authenticating proxy in front of it.',
        ),
    ],
)
def ingress_authentication(isvc: Resource, ctx: CheckContext) -> Verdict:
    labels = need(isvc, "labels")
    if local := kserve.cluster_local(labels):
        return passed(f"{where(isvc)} is cluster-local ({local}): not on the ingress gateway")
    annotations = need(isvc, "annotations")
    for key in ctx.param("k8s.kserve_auth_annotations"):
        if str(annotations.get(key, "")).lower() == "true":
            return passed(f"{where(isvc)} is exposed behind an authenticating proxy ({key}=true)")
    if mesh_of(isvc, ctx) is None:
        return failed(
            f"{where(isvc)} is exposed on the ingress gateway with no authentication (no auth annotation, "
            "no Istio mesh policy)"
        )
    name, ns = str(isvc.attributes.get("name")), str(isvc.attributes.get("namespace"))
    pod = kserve.pod_labels(name, "predictor", labels)
    applying = [p for p in policies_for(ns, isvc, ctx) if istio.applies_to(p, pod)]
    why = istio.unauthenticated_access(applying)
    if why is None:
        shown = summarize(f"{p['namespace']}/{p['name']}" for p in applying)
        return passed(f"{where(isvc)} is exposed, but the mesh admits only authenticated requests ({shown})")
    return failed(f"{where(isvc)} is exposed on the ingress gateway without authentication: {why}")
