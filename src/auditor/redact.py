"""Redaction: nothing that may carry a secret value is stored, logged or rendered.

Two rules, applied to every evidence body and every resource attribute map:
1. Keys whose *name* says they hold a secret (password, secret, token, private key, ...)
   have their value replaced, whatever the value is.
2. Explicit paths (dotted, `*` for any key or list item) that a provider declares, for
   containers whose every value may be secret (Lambda `Environment.Variables.*`,
   Kubernetes Secret `data.*`, EC2 `UserData`).

Metadata that only *describes* a secret (its name, ARN, type, rotation settings, the
`has_*`/`*_set` flags collectors compute) is kept: keys in ALLOW are never redacted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"

# Key names that carry secret values. Matched case-insensitively against the whole key
# after removing '-', '_' and spaces.
_SECRET_KEY = re.compile(
    r"^(.*(password|passwd|passphrase|secret(value|string|binary|key|data)?|privatekey|"
    r"clientsecret|apikey|accesskey(id)?secret|secretaccesskey|sessiontoken|authtoken|"
    r"bearertoken|refreshtoken|idtoken|accesstoken|token|credentials?|userdata|"
    r"connectionstring|sasToken|unsealkey|recoverykey|rootkey|secretid|wrappingtoken)s?)$",
    re.IGNORECASE,
)

# Keys that look secret-ish by name but hold metadata only.
ALLOW = frozenset(
    k.lower()
    for k in (
        "secretArn",
        "secretName",
        "secretId_accessor",
        "secret_id_accessor",
        "secret_id_ttl",
        "secret_id_num_uses",
        "secret_id_bound_cidrs",
        "bind_secret_id",
        "token_ttl",
        "token_max_ttl",
        "token_policies",
        "token_type",
        "token_num_uses",
        "token_bound_cidrs",
        "token_period",
        "token_explicit_max_ttl",
        "token_no_default_policy",
        "tokenTTL",
        "accessor",
        "password_policy",
        "PasswordPolicy",
        "password_enabled",
        "password_last_used",
        "password_last_changed",
        "password_next_rotation",
        "PasswordLastUsed",
        "MinimumPasswordLength",
        "PasswordReusePrevention",
        "RequireSymbols",
        "RequireNumbers",
        "RequireUppercaseCharacters",
        "RequireLowercaseCharacters",
        "AllowUsersToChangePassword",
        "ExpirePasswords",
        "MaxPasswordAge",
        "HardExpiry",
        "secret_type",
        "secretType",
        "token_reviewer_jwt_set",
        "automountServiceAccountToken",
        "secrets",
        "secretRef",
        "secretKeyRef",
        "secretName",
        "KmsKeyId",
        "ManageMasterUserPassword",
        "MasterUserSecret",
        "RotationEnabled",
        "RotationRules",
        "LastRotatedDate",
        "credential_report",
        "has_secret_values",
        "PasswordResetRequired",
        "access_key_1_active",
        "access_key_2_active",
        "UserDataSet",
        "SecretList",
        "secret_names",
        "credentialsMode",
        "token_reviewer_jwt",
        "HttpTokens",  # EC2 instance metadata options: "required"/"optional", not a token
    )
)


def _norm(key: str) -> str:
    return key.replace("-", "").replace("_", "").replace(" ", "")


def is_secret_key(key: str) -> bool:
    if key.lower() in ALLOW:
        return False
    return bool(_SECRET_KEY.match(_norm(key)))


def _mask(value: Any) -> Any:
    if value is None or value == "" or isinstance(value, bool):
        return value  # absence or a flag is not a secret, and saying it was empty is useful
    return REDACTED


class Redactor:
    """Redacts by key name and by declared paths. Stateless apart from its configuration."""

    def __init__(self, secret_paths: Iterable[str] = ()) -> None:
        self._paths = tuple(tuple(p.split(".")) for p in secret_paths)

    def redact(self, value: Any, extra_paths: Iterable[str] = ()) -> tuple[Any, int]:
        paths = self._paths + tuple(tuple(p.split(".")) for p in extra_paths)
        counter = [0]
        out = self._walk(value, paths, (), counter)
        return out, counter[0]

    def _walk(
        self, value: Any, paths: tuple[tuple[str, ...], ...], here: tuple[str, ...], counter: list[int]
    ) -> Any:
        if paths and _matches(here, paths):
            masked = _mask_all(value, counter)
            return masked
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                key = str(k)
                if is_secret_key(key) and not isinstance(v, dict | list):
                    masked = _mask(v)
                    if masked is REDACTED:
                        counter[0] += 1
                    out[key] = masked
                elif is_secret_key(key):
                    out[key] = _mask_all(v, counter)
                else:
                    out[key] = self._walk(v, paths, (*here, key), counter)
            return out
        if isinstance(value, list):
            return [self._walk(v, paths, (*here, "*"), counter) for v in value]
        return value


def _matches(here: tuple[str, ...], paths: tuple[tuple[str, ...], ...]) -> bool:
    for p in paths:
        if len(p) == len(here) and all(a == "*" or a == b for a, b in zip(p, here, strict=True)):
            return True
    return False


def _mask_all(value: Any, counter: list[int]) -> Any:
    """Mask every leaf but keep the keys: auditors may see *which* variables exist."""
    if isinstance(value, dict):
        return {str(k): _mask_all(v, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(v, counter) for v in value]
    masked = _mask(value)
    if masked is REDACTED:
        counter[0] += 1
    return masked
