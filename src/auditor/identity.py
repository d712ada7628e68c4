"""Finding identity: a key that survives re-runs, other machines and harmless reorderings.

Baselines, waivers, history and diffs all match findings by `Finding.key`, so it is built
only from what names the judged thing, never from when or in which order it was read:

- a live resource: check, provider, scope (AWS account, GCP project, Azure subscription,
  Kubernetes cluster, Vault address), region or namespace, resource type and resource id;
- a resource read from a file (a manifest, a plan): check, provider, the path relative to the
  scan root and the object's address in it (a Terraform address, or Kind/namespace/name).
  The line is left out on purpose: editing a file above a resource must not make it "new".

The key reads `<check id>/<24 hex digits>`: the check stays visible, the rest is a SHA-256
over the parts, so ids with any characters in them cannot collide through a separator.
"""

from __future__ import annotations

import hashlib

_SEP = "\x1f"  # ASCII unit separator: cannot appear in the JSON text of an id


def finding_key(
    check_id: str,
    provider: str,
    resource_type: str,
    resource_id: str,
    account: str | None,
    region: str | None,
    file: str | None = None,
    address: str | None = None,
) -> str:
    parts: tuple[str, ...]
    if file is not None:
        parts = (check_id, provider, "file", file, address or resource_id)
    else:
        parts = (check_id, provider, "live", account or "", region or "", resource_type, resource_id)
    digest = hashlib.sha256(_SEP.join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{check_id}/{digest[:24]}"
