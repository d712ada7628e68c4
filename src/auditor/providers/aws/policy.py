"""Pure predicates over IAM-style policy documents (identity, bucket, key, topic, queue, function)."""

from __future__ import annotations

from typing import Any

# Condition keys that pin a statement to known callers: with one of these a `*` principal is not public.
_LIMITING_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "kms:viaservice",
    "lambda:functionurlauthtype",
    "sts:externalid",
}


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def statements(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, dict)]


def allows_admin_star(doc: Any) -> bool:
    """An Allow of every action on every resource (`*` / `*:*`)."""
    for s in statements(doc):
        if s.get("Effect") != "Allow" or "NotAction" in s or "NotResource" in s:
            continue
        actions = {str(a) for a in as_list(s.get("Action"))}
        if actions & {"*", "*:*"} and "*" in {str(r) for r in as_list(s.get("Resource"))}:
            return True
    return False


def _principal_is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in {str(v) for v in as_list(principal.get(k))} for k in ("AWS", "CanonicalUser"))
    return False


def _condition_keys(cond: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(cond, dict):
        for block in cond.values():
            if isinstance(block, dict):
                keys.update(str(k).lower() for k in block)
    return keys


def public_statements(doc: Any) -> list[str]:
    """Allow statements open to everyone (principal `*`) without a condition that limits callers.
    Returns a short description of each (Sid or actions)."""
    out = []
    for i, s in enumerate(statements(doc)):
        if s.get("Effect") != "Allow" or not _principal_is_everyone(s.get("Principal")):
            continue
        if _condition_keys(s.get("Condition")) & _LIMITING_KEYS:
            continue
        label = s.get("Sid") or f"statement {i + 1}"
        out.append(f"{label} ({', '.join(str(a) for a in as_list(s.get('Action'))) or 'any action'})")
    return out


def denies_insecure_transport(doc: Any) -> bool:
    """A Deny for everyone when aws:SecureTransport is false (the TLS-only bucket policy)."""
    for s in statements(doc):
        if s.get("Effect") != "Deny" or not _principal_is_everyone(s.get("Principal")):
            continue
        cond = s.get("Condition") or {}
        for op in ("Bool", "BoolIfExists"):
            block = cond.get(op) or {}
            for key, value in block.items():
                if key.lower() == "aws:securetransport" and "false" in {
                    str(v).lower() for v in as_list(value)
                }:
                    actions = {str(a) for a in as_list(s.get("Action"))}
                    if actions & {"*", "s3:*", "s3:GetObject"}:
                        return True
    return False
