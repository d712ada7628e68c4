"""Redaction: nothing that may carry a secret value is stored, logged or rendered.

Four rules, applied to every evidence body and every resource attribute map (whatever the
shape of the data: a malformed input must not leak more than a well-formed one):
1. Keys whose *name* says they hold a secret (password, secret, token, private key, ...)
   have their value replaced, whatever the value is; so has the `value` of a name/value pair
   whose name says so (`{name: DB_PASSWORD, value: ...}`, `{Key: api_token, Value: ...}`).
2. Explicit paths (dotted, `*` for any key or list item) that a provider declares, for
   containers whose every value may be secret (Lambda `Environment.Variables.*`, EC2 `UserData`).
3. Positions whose every value may be secret, whatever their shape: everything under an `env`
   key (container environments) except variable names and `valueFrom` references, so
   `env: [[NAME, value]]`, `env: ["NAME=value"]`, a string `valueFrom` or a mistyped key are
   masked too; and the `data` / `stringData` of a Kubernetes Secret (a mapping whose `kind` is
   Secret), whether a mapping (its key names stay), a list or anything else.
4. Values that look like secrets wherever they are (`secret_value_kind`): AWS access key ids,
   PEM private keys, JSON Web Tokens, well-known vendor tokens (GitHub, GitLab, Slack, Stripe,
   Google API keys), bearer and basic credentials, and URLs or connection strings with an
   embedded password. (Checks also judge values by entropy, `shannon_entropy`;
   redaction does not, because digests, ids and certificates are high-entropy and not secret.)

Metadata that only *describes* a secret (its name, ARN, type, rotation settings, the
`has_*`/`*_set` flags collectors compute) is kept: keys in ALLOW are never redacted.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"

# Key names that carry secret values. Matched case-insensitively against the whole key
# after removing '-', '_' and spaces.
_SECRET_KEY = re.compile(
    r"^(.*(password|passwd|passphrase|secret(value|string|binary|key|data)?|privatekey|"
    r"clientsecret|apikey|accesskey(id)?secret|secretaccesskey|sessiontoken|authtoken|"
    r"bearertoken|refreshtoken|idtoken|accesstoken|token|credentials?|userdata|"
    r"connectionstring|sasToken|unsealkey|recoverykey|rootkey|secretid|wrappingtoken|"
    r"accountkey|accountaccesskey|sharedaccesskey|(primary|secondary)(readonly)?(master|access)?key)s?)$",
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


# ------------------------------------------------------------------------ secret-looking values

# A reference to a variable is not a literal secret: $(DB_PASSWORD) (Kubernetes), ${X}, $X, {{ x }}.
_REFERENCE = re.compile(r"^(?:\$\([^)]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|<[^>]*>|\*+)$")
_AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# the credential has a digit, a symbol or an inner capital, so prose ("Basic authentication") is not one
_AUTH_HEADER = re.compile(
    r"\b(?:Bearer|bearer|Basic|basic)\s+((?=\S*(?:[0-9._~+/=-]|[a-z][A-Z]))[A-Za-z0-9._~+/=-]{8,})"
)
_VENDOR_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35})"
)
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@")
_KV_PASSWORD = re.compile(
    r"(?:^|[;\s?&,])(?:password|passwd|pwd|pass|secret|token|apikey|api_key|sharedaccesskey|accountkey)"
    r"\s*=\s*([^;\s&,]+)",
    re.IGNORECASE,
)

SECRET_VALUE_KINDS = {
    "aws_access_key_id": "an AWS access key id",
    "private_key": "a PEM private key",
    "jwt": "a JSON Web Token",
    "vendor_token": "a GitHub, GitLab, Slack, Stripe or Google API token",
    "auth_header": "a bearer or basic credential",
    "url_password": "a URL with an embedded password",
    "connection_string_password": "a connection string with an embedded password",
}


def _literal(secret: str) -> bool:
    return not _REFERENCE.match(secret.strip())


def secret_value_kind(value: str) -> str | None:
    """Which kind of secret `value` looks like (a key of SECRET_VALUE_KINDS), or None.

    Only distinctive shapes, so this is safe to apply to every string; a reference to a
    variable (`postgres://app:$(DB_PASSWORD)@db`) is not a secret."""
    if len(value) < 8:
        return None
    if ("AKIA" in value or "ASIA" in value) and _AWS_KEY_ID.search(value):
        return "aws_access_key_id"
    if "PRIVATE KEY" in value and _PRIVATE_KEY.search(value):
        return "private_key"
    if "eyJ" in value and _JWT.search(value):
        return "jwt"
    if ("_" in value or "-" in value or "AIza" in value) and _VENDOR_TOKEN.search(value):
        return "vendor_token"
    if " " in value and (m := _AUTH_HEADER.search(value)) and _literal(m.group(1)):
        return "auth_header"
    if "@" in value and "://" in value and (m := _URL_PASSWORD.search(value)) and _literal(m.group(1)):
        return "url_password"
    if "=" in value and (m := _KV_PASSWORD.search(value)) and _literal(m.group(1)):
        return "connection_string_password"
    return None


def shannon_entropy(value: str) -> float:
    """Bits per character of `value` (0 for an empty string): random base64 is near 6, hex near 4,
    English words and paths lower."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# ------------------------------------------------------------------------------------ free text

_PRIVATE_KEY_BLOCK = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [^-]*-----|$)", re.DOTALL
)
# a credential header in a logged request or its repr: `'X-Amz-Security-Token': b'...'`, `Authorization: ...`
_CREDENTIAL_HEADER = re.compile(
    r"(?i)\b(?:x-amz-security-token|x-vault-token|authorization|proxy-authorization|cookie|set-cookie"
    r"|x-api-key|x-goog-api-key)['\"]?\s*[:=]\s*(b?'[^']*'|b?\"[^\"]*\"|[^\s,}]+)"
)
_WHOLE = (_PRIVATE_KEY_BLOCK, _AWS_KEY_ID, _JWT, _VENDOR_TOKEN)
_GROUP = (_CREDENTIAL_HEADER, _AUTH_HEADER, _URL_PASSWORD, _KV_PASSWORD)


def redact_text(text: str) -> str:
    """`text` (a log line, an error message) with every secret-shaped part masked: the values
    `secret_value_kind` knows, and credential headers of a logged request."""
    for rx in _WHOLE:
        text = rx.sub(REDACTED, text)

    def group(m: re.Match[str]) -> str:
        secret = m.group(1)
        if not _literal(secret.strip("b'\"")):
            return m.group(0)
        start, end = m.span(1)
        return m.group(0)[: start - m.start()] + REDACTED + m.group(0)[end - m.start() :]

    for rx in _GROUP:
        text = rx.sub(group, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter: every record leaves with its message (and traceback) through
    `redact_text`, whichever library logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: the handler reports it, as it would without this filter
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


# ------------------------------------------------------------------------------------ positions

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_PAIR_NAMES = ("name", "Name", "key", "Key")
_PAIR_VALUES = ("value", "Value")
SECRET_DATA_KEYS = ("data", "stringData")  # of a Kubernetes Secret


class Redactor:
    """Redacts by the four rules of the module docstring. Holds its configuration and a memo of
    which key names are secret (the same few hundred names recur millions of times)."""

    def __init__(self, secret_paths: Iterable[str] = ()) -> None:
        self._paths = tuple(tuple(p.split(".")) for p in secret_paths)
        self._secret_keys: dict[str, bool] = {}

    def _is_secret_key(self, key: str) -> bool:
        known = self._secret_keys.get(key)
        if known is None:
            known = self._secret_keys[key] = is_secret_key(key)
        return known

    def redact(self, value: Any, extra_paths: Iterable[str] = ()) -> tuple[Any, int]:
        """(`value` redacted, how many values were masked). Copies only what it changes: where
        nothing is redacted the result shares (or is) `value`, so treat it as read-only."""
        paths = self._paths + tuple(tuple(p.split(".")) for p in extra_paths)
        counter = [0]
        out = self._walk(value, paths, (), counter)
        return out, counter[0]

    def _walk(
        self, value: Any, paths: tuple[tuple[str, ...], ...], here: tuple[str, ...], counter: list[int]
    ) -> Any:
        if paths and _matches(here, paths):
            return _mask_all(value, counter)
        if isinstance(value, dict):
            is_secret_object = value.get("kind") == "Secret"
            secret_pair = _secret_pair(value)
            out: dict[str, Any] = {}
            same = True
            for k, v in value.items():
                key = k if isinstance(k, str) else str(k)
                secret = self._is_secret_key(key)
                if secret and not isinstance(v, dict | list):
                    new = _count(_mask(v), v, counter)
                elif secret or (secret_pair and key in _PAIR_VALUES):
                    new = _mask_all(v, counter)
                elif key == "env":
                    new = self._env(v, paths, (*here, key) if paths else here, counter)
                elif is_secret_object and key in SECRET_DATA_KEYS:
                    new = _mask_data(v, counter)
                else:
                    new = self._walk(v, paths, (*here, key) if paths else here, counter)
                out[key] = new
                same = same and new is v and key is k
            return value if same else out  # nothing redacted below: no copy
        if isinstance(value, list):
            sub = (*here, "*") if paths else here
            items = [self._walk(v, paths, sub, counter) for v in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, str) and secret_value_kind(value):
            counter[0] += 1
            return REDACTED
        return value

    def _env(
        self, env: Any, paths: tuple[tuple[str, ...], ...], here: tuple[str, ...], counter: list[int]
    ) -> Any:
        """A container environment, whatever its shape: names and `valueFrom` references stay."""
        out = self._env_masked(env, paths, here, counter)
        return env if out == env else out

    def _env_masked(
        self, env: Any, paths: tuple[tuple[str, ...], ...], here: tuple[str, ...], counter: list[int]
    ) -> Any:
        if isinstance(env, dict):  # NAME: value
            return {str(k): _mask_all(v, counter) for k, v in env.items()}
        if not isinstance(env, list):
            return _mask_all(env, counter)
        out: list[Any] = []
        for item in env:
            if isinstance(item, dict):
                entry: dict[str, Any] = {}
                for k, v in item.items():
                    key = str(k)
                    if key == "name" and isinstance(v, str) and _ENV_NAME.match(v):
                        entry[key] = v
                    elif key == "valueFrom" and isinstance(v, dict):
                        entry[key] = self._walk(v, paths, (*here, "*", key), counter)
                    else:
                        entry[key] = _mask_all(v, counter)
                out.append(entry)
            elif isinstance(item, str) and "=" in item:  # NAME=value
                name, _, rest = item.partition("=")
                if _ENV_NAME.match(name):
                    out.append(f"{name}={_count(_mask(rest), rest, counter)}")
                else:
                    out.append(_count(_mask(item), item, counter))
            else:
                out.append(_mask_all(item, counter))
        return out


def _secret_pair(value: dict[Any, Any]) -> bool:
    """`{name: DB_PASSWORD, value: ...}` (or Name/Key/Value): the value is a secret by its name."""
    for n in _PAIR_NAMES:
        name = value.get(n)
        if isinstance(name, str):
            return any(v in value for v in _PAIR_VALUES) and is_secret_key(name)
    return False


def _count(masked: Any, original: Any, counter: list[int]) -> Any:
    if masked is REDACTED and original != REDACTED:
        counter[0] += 1
    return masked


def _mask_data(value: Any, counter: list[int]) -> Any:
    """Secret data: a mapping keeps its key names (not secret) and loses every value; any other
    shape (a list, a string) is masked whole."""
    if isinstance(value, dict):
        return {str(k): _count(REDACTED, v, counter) if v not in (None, "") else v for k, v in value.items()}
    if value in (None, "", [], {}):
        return value
    return _count(REDACTED, value, counter)


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
    return _count(_mask(value), value, counter)
