"""Who the Kubernetes client authenticates as, from its own credentials, for the chain of custody.

- a client certificate: its subject's common name (the user) and organisations (the groups),
  as the API server reads them;
- a bearer token that is a JWT (service-account tokens, OIDC id tokens): its `sub` claim
  (`system:serviceaccount:<namespace>:<name>` for a service account), read without verifying it.

Anything else (static tokens, exec plugins that hand out opaque tokens, basic auth) names no one
the client can see, and the identity stays the kubeconfig user. Nothing here is sent anywhere or
kept but the name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.jwt_claims import unverified_claims


def _certificate_subject(pem: bytes) -> str | None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        return None
    cn = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    groups = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    if not cn:
        return None
    return cn[0] + (f" (groups {', '.join(groups)})" if groups else "")


def _bearer_subject(configuration: Any) -> str | None:
    keys = getattr(configuration, "api_key", None) or {}
    token = str(keys.get("authorization") or keys.get("BearerToken") or "")
    if token.lower().startswith("bearer "):
        token = token[7:]
    claims = unverified_claims(token) if token else None
    sub = claims.get("sub") if claims else None
    return sub if isinstance(sub, str) and sub else None


def authenticated_as(api_client: Any) -> str | None:
    """The user a `kubernetes.client.ApiClient` presents itself as, where its credentials say."""
    configuration = getattr(api_client, "configuration", None)
    if configuration is None:
        return None
    cert_file = getattr(configuration, "cert_file", None)
    if cert_file:
        try:
            found = _certificate_subject(Path(cert_file).read_bytes())
        except OSError:
            found = None
        if found:
            return found
    return _bearer_subject(configuration)
