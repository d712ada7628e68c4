"""Signing the evidence manifest with Ed25519: a key file, or Vault's transit engine.

Both sign the same bytes (the canonical JSON of the manifest without its `signature` block)
with an Ed25519 key, so a package is verified the same way whoever signed it: with the public
key the manifest carries, checked against the one the auditor trusts (`--public-key`).

- `KeyFileSigner`: a PEM (PKCS#8) Ed25519 private key, as `openssl genpkey -algorithm ed25519` writes.
- `VaultTransitSigner`: `transit/keys/NAME` on Vault or OpenBao (an `ed25519` key); the key
  version that signed is recorded, and the public key is read from the key's own endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from auditor.errors import AuditorError, ConfigError
from auditor.inputs import read_bytes

ALGORITHM = "ed25519"
T = TypeVar("T")


class SigningError(AuditorError):
    """The manifest could not be signed (the key or the signing service is unusable)."""


@dataclass(frozen=True)
class Signature:
    """What a signer returns: the signature and everything a verifier needs to know about the key."""

    value: str  # base64 of the 64-byte Ed25519 signature
    public_key: str  # base64 of the 32-byte raw public key
    key_source: dict[str, Any]  # where the key lives and how to get its public half

    @property
    def fingerprint(self) -> str:
        return fingerprint(base64.b64decode(self.public_key))


class Signer(Protocol):
    def check(self) -> None:
        """Fail early (before a scan) when the key cannot be used."""

    def sign(self, data: bytes) -> Signature: ...


def fingerprint(raw_public_key: bytes) -> str:
    """`SHA256:<hex>` of the raw 32-byte public key (what `auditor verify` prints)."""
    return "SHA256:" + hashlib.sha256(raw_public_key).hexdigest()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    data = read_bytes(path, "signing key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ConfigError(path, "the key is encrypted; give an unencrypted PEM Ed25519 key") from None
    except ValueError:
        raise ConfigError(
            path, "not a PEM private key (make one with `openssl genpkey -algorithm ed25519`)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            path, f"an {type(key).__name__.removesuffix('PrivateKey')} key; auditor signs with Ed25519"
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM public key (`openssl pkey -pubout`), or the base64 raw key Vault's transit engine shows."""
    data = read_bytes(path, "public key")
    text = data.decode("ascii", "replace").strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError:
            raise ConfigError(path, "not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigError(path, "not an Ed25519 public key")
        return key
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        raise ConfigError(path, "neither a PEM public key nor a base64 Ed25519 public key") from None


def public_key_from_b64(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(value, validate=True))


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return _raw(key)


def signature_valid(public: Ed25519PublicKey, signature_b64: str, data: bytes) -> bool:
    try:
        public.verify(base64.b64decode(signature_b64, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class KeyFileSigner:
    path: Path

    def check(self) -> None:
        load_private_key(self.path)

    def sign(self, data: bytes) -> Signature:
        key = load_private_key(self.path)
        return Signature(
            value=base64.b64encode(key.sign(data)).decode("ascii"),
            public_key=base64.b64encode(_raw(key.public_key())).decode("ascii"),
            key_source={
                "type": "key-file",
                "note": "the signer's Ed25519 key; ask the signer for its public key (PEM) and pass it "
                "to `auditor verify --public-key`",
            },
        )


def parse_transit_path(spec: str) -> tuple[str, str]:
    """`transit/keys/NAME` (any mount path before `/keys/`) -> (mount, name)."""
    mount, sep, name = spec.strip("/").rpartition("/keys/")
    if not sep or not mount or not name or "/" in name:
        raise AuditorError(
            f"--sign-with-vault {spec!r}: expected MOUNT/keys/NAME, such as transit/keys/audit"
        )
    return mount, name


def _vault_token(env: Mapping[str, str]) -> str | None:
    token = env.get("VAULT_TOKEN")
    if token:
        return token
    home = env.get("HOME")
    path = Path(home) / ".vault-token" if home else None
    if path is not None and path.is_file():
        return path.read_text("utf-8").strip() or None
    return None


@dataclass(frozen=True)
class VaultTransitSigner:
    """Signs through `MOUNT/sign/NAME` with the server and token of `VAULT_ADDR` / `VAULT_TOKEN`
    (and `VAULT_CACERT`, `VAULT_NAMESPACE`, `VAULT_SKIP_VERIFY`) from `env`."""

    spec: str
    env: Mapping[str, str] | None = None

    def _client(self) -> Any:
        try:
            import hvac
        except ImportError:
            raise SigningError(
                "--sign-with-vault needs the hvac package: pip install 'auditor[vault]'"
            ) from None
        env = self.env if self.env is not None else os.environ
        addr = env.get("VAULT_ADDR")
        if not addr:
            raise SigningError("--sign-with-vault: set VAULT_ADDR to the Vault (or OpenBao) server")
        verify: bool | str = env.get("VAULT_CACERT") or True
        if env.get("VAULT_SKIP_VERIFY", "").lower() in ("1", "true", "yes"):
            verify = False
        return hvac.Client(
            url=addr, token=_vault_token(env), namespace=env.get("VAULT_NAMESPACE") or None, verify=verify
        )

    def _key(self, client: Any, mount: str, name: str) -> tuple[int, str]:
        """(latest version, its base64 public key) of an ed25519 transit key."""
        key = client.secrets.transit.read_key(name=name, mount_point=mount)["data"]
        if key.get("type") != ALGORITHM:
            raise SigningError(
                f"transit key {mount}/keys/{name} is {key.get('type')!r}; create it with type=ed25519"
            )
        version = int(key["latest_version"])
        return version, str(key["keys"][str(version)]["public_key"])

    def _call(self, what: str, fn: Callable[[Any, str, str], T]) -> T:
        """Run `fn(client, mount, name)`; any failure of Vault or of its reply is a SigningError."""
        mount, name = parse_transit_path(self.spec)
        try:
            return fn(self._client(), mount, name)
        except SigningError:
            raise
        except (
            Exception
        ) as exc:  # hvac (Forbidden, InvalidPath), requests (connection), a reply we cannot read
            raise SigningError(
                f"Vault transit key {mount}/keys/{name} {what}: {type(exc).__name__}: {exc}"
            ) from None

    def check(self) -> None:
        self._call("is not usable", self._key)

    def sign(self, data: bytes) -> Signature:
        def signed(client: Any, mount: str, name: str) -> tuple[Any, str, int, str, str, str]:
            version, public = self._key(client, mount, name)
            reply = client.secrets.transit.sign_data(
                name=name,
                hash_input=base64.b64encode(data).decode("ascii"),
                key_version=version,
                mount_point=mount,
            )
            return client, str(reply["data"]["signature"]), version, public, mount, name

        client, signature, version, public, mount, name = self._call("could not sign", signed)
        prefix, _, sig = signature.rpartition(":")
        return Signature(
            value=sig,
            public_key=public,
            key_source={
                "type": "vault-transit",
                "address": client.url,
                "mount": mount,
                "key": name,
                "key_version": version,
                "signature_prefix": prefix,
                "note": f"the public key is served by GET /v1/{mount}/keys/{name} (keys.{version}.public_key)",
            },
        )
