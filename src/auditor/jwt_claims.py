"""The claims of a JWT, read without verifying it: who a credential names, for the chain of custody.

Collectors use this to say which principal they read with (an Azure object id, a Kubernetes
service account) from the bearer token their SDK already holds. Nothing is trusted on the strength
of it, and the token itself is never kept: only the claims a caller picks.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The payload of a compact JWT (`header.payload.signature`), or None for anything else."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[1]:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def bearer_claims(authorization: str) -> dict[str, Any] | None:
    """The claims of the token in an `Authorization: Bearer <jwt>` header value."""
    scheme, _, token = authorization.strip().partition(" ")
    return unverified_claims(token) if scheme.lower() == "bearer" else None
