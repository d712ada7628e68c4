"""The Vault provider's resource contracts: every type the collector writes, every attribute,
its JSON type and meaning, and whether it is always present. No SDK here.

"Always present" means: present, or named in the resource's `gaps` when the read that fills it
failed (a check reading it with `need()` then reports `error`). TTLs and periods are seconds, as
the API returns them; 0 means "not set" (the mount or system default applies).
"""

from __future__ import annotations

from typing import Any

from auditor.contracts import TypeSet, attr
from auditor.providers.vault import common as t  # the type names, shared with the checks

TYPES = TypeSet("vault")

TYPES.declare(
    t.SERVER,
    "Vault / OpenBao server",
    {
        "initialized": attr(bool, "The server is initialised (sys/health)."),
        "sealed": attr(bool, "The server is sealed (sys/seal-status; sys/health if that is unreadable)."),
        "standby": attr(bool, "The node that answered is a standby (sys/health)."),
        "version": attr(str, "Server version (sys/health), e.g. 2.7.2 or 1.17.2+ent."),
        "cluster_name": attr(str | None, "Cluster name (sys/health); null while sealed or uninitialised."),
        "product": attr(str, "openbao (version 2 or later) or vault: which release line `version` is on."),
        "seal_type": attr(str, "Seal type (sys/seal-status): shamir, awskms, gcpckms, pkcs11, transit..."),
        "recovery_seal": attr(bool, "The seal uses recovery keys (auto-unseal) (sys/seal-status)."),
        "storage_type": attr(str | None, "Storage backend (sys/seal-status); null if not reported."),
        "ha_enabled": attr(bool, "High availability is enabled (sys/leader)."),
        "raft_committed_index": attr(int | None, "Raft committed index (sys/leader); null without raft."),
        "ha_nodes": attr(
            list, "Cluster nodes (sys/ha-status): objects with hostname, api_address, active_node, version."
        ),
        "listeners": attr(
            list,
            "Listeners from the sanitized config (sys/config/state/sanitized): objects with type, "
            "address, tls_disable (boolean) and tls_min_version (null: the default, tls12).",
        ),
        "config_seals": attr(list, "Seal stanzas of the sanitized config: objects with type and disabled."),
        "raw_storage_endpoint": attr(bool, "raw_storage_endpoint is enabled (sys/raw reachable)."),
        "config_storage_type": attr(str | None, "Storage type named in the sanitized config."),
        "raft": attr(
            dict | None,
            "Raft autopilot state (sys/storage/raft/autopilot/state): healthy, failure_tolerance, "
            "voters (list of node ids), servers (node id -> {status, healthy}); null when the storage "
            "is not raft. A gap when the storage type itself could not be read.",
        ),
        "version_history": attr(list, "Versions this server has run (LIST sys/version-history)."),
        "license": attr(
            str, "present, or not_applicable when sys/license/status answers 404 (not Vault Enterprise)."
        ),
        "replication": attr(
            str, "present, or not_applicable when sys/replication/status answers 404 (not Enterprise)."
        ),
        "audit_devices": attr(list, "Enabled audit devices (sys/audit), as 'path/(type)' strings."),
    },
    scope="server",
    description="One per scanned server (root-namespace targets only: a namespace has no server state).",
)

TYPES.declare(
    t.AUDIT,
    "Audit device",
    {
        "path": attr(str, "Mount path of the device, with trailing slash."),
        "type": attr(str, "Device type: file, syslog or socket."),
        "local": attr(bool, "The device is local to this cluster (not replicated)."),
        "log_raw": attr(bool, "log_raw is on: secrets and tokens reach the log unhashed."),
        "hmac_accessor": attr(bool, "Token accessors are HMACed in the log (the default; false: in clear)."),
        "options": attr(
            dict,
            "Non-secret device options (file_path, format, prefix, mode, address, socket_type, "
            "facility, tag, log_raw, hmac_accessor, elide_list_responses) as Vault returns them.",
        ),
    },
    scope="server",
)

_TUNE = {
    "default_lease_ttl": attr(int, "Effective default lease TTL in seconds (the mount's tune endpoint)."),
    "max_lease_ttl": attr(int, "Effective max lease TTL in seconds (the mount's tune endpoint)."),
}

TYPES.declare(
    t.AUTH,
    "Auth method",
    {
        "path": attr(str, "Mount path, with trailing slash (e.g. userpass/)."),
        "type": attr(str, "Method type: token, userpass, approle, ldap, kubernetes, oidc..."),
        "accessor": attr(str, "Mount accessor (what login MFA enforcements name)."),
        "local": attr(bool, "The mount is local to this cluster (not replicated)."),
        **_TUNE,
        "listing_visibility": attr(
            str, "unauth (listed on the unauthenticated login page) or hidden (the default)."
        ),
        "token_type": attr(str, "Type of tokens the method issues (default-service, batch, service...)."),
        "mfa_enforcements": attr(
            list, "Names of the login MFA enforcements that name this mount's accessor or type."
        ),
    },
    scope="namespace",
)

TYPES.declare(
    t.MOUNT,
    "Secrets engine",
    {
        "path": attr(str, "Mount path, with trailing slash (e.g. pki/)."),
        "type": attr(str, "Engine type: kv, pki, transit, database, cubbyhole, system, identity..."),
        "version": attr(str | None, "KV version ('1' or '2') for kv/generic mounts; null for other types."),
        "seal_wrap": attr(bool, "Seal wrapping is on for the mount."),
        "local": attr(bool, "The mount is local to this cluster (not replicated)."),
        **_TUNE,
    },
    scope="namespace",
)

TYPES.declare(
    t.KV,
    "KV version 2 engine configuration",
    {
        "mount": attr(str, "Mount path of the engine, with trailing slash."),
        "max_versions": attr(int, "Versions kept per key (<mount>/config); 0 means the engine default, 10."),
        "cas_required": attr(bool, "Every write must name the version it replaces (check-and-set)."),
        "delete_version_after": attr(
            str, "How long a version is kept before deletion (Go duration; 0s: kept)."
        ),
    },
    scope="namespace",
)

TYPES.declare(
    t.PKI_ROLE,
    "PKI role",
    {
        "mount": attr(str, "Mount path of the PKI engine, with trailing slash."),
        "role": attr(str, "Role name."),
        "max_ttl": attr(int, "Longest certificate TTL, seconds (0: the mount's maximum applies)."),
        "ttl": attr(int, "Default certificate TTL, seconds."),
        "allow_any_name": attr(bool, "Certificates may be issued for any common name."),
        "allowed_domains": attr(list, "Domains the role may issue for."),
        "allow_subdomains": attr(bool, "Subdomains of allowed_domains are allowed."),
        "allow_glob_domains": attr(bool, "allowed_domains may contain globs."),
        "allow_wildcard_certificates": attr(bool, "Wildcard certificates may be issued."),
        "key_type": attr(str, "Key type of issued certificates (rsa, ec, ed25519, any)."),
        "key_bits": attr(int, "Key size of issued certificates."),
        "enforce_hostnames": attr(bool, "Common names must be valid host names."),
        "allow_ip_sans": attr(bool, "IP subject alternative names are allowed."),
    },
    scope="namespace",
)

TYPES.declare(
    t.PKI_ISSUER,
    "PKI issuer (CA certificate)",
    {
        "mount": attr(str, "Mount path of the PKI engine, with trailing slash."),
        "issuer_id": attr(str, "Issuer id."),
        "issuer_name": attr(str, "Issuer name (empty when unnamed)."),
        "subject": attr(str, "Subject of the issuer certificate (RFC 4514)."),
        "not_before": attr(str, "Start of validity of the issuer certificate (RFC 3339)."),
        "not_after": attr(str, "End of validity of the issuer certificate (RFC 3339)."),
    },
    scope="namespace",
)

TYPES.declare(
    t.TRANSIT,
    "Transit key (configuration, never key material)",
    {
        "mount": attr(str, "Mount path of the transit engine, with trailing slash."),
        "key": attr(str, "Key name."),
        "type": attr(str, "Key type (aes256-gcm96, rsa-4096, ecdsa-p256...)."),
        "exportable": attr(bool, "The key may be exported."),
        "allow_plaintext_backup": attr(bool, "The key may be backed up in plaintext."),
        "deletion_allowed": attr(bool, "The key may be deleted."),
        "auto_rotate_period": attr(int, "Automatic rotation period, seconds (0: no automatic rotation)."),
        "latest_version": attr(int, "Latest key version."),
        "min_decryption_version": attr(int, "Oldest key version still allowed to decrypt."),
        "latest_version_created": attr(
            str | None, "Creation time of the newest key version (RFC 3339); null if not reported."
        ),
    },
    scope="namespace",
)

# What every role of a login method (AppRole, Kubernetes, JWT/OIDC) says about the tokens it
# issues: Vault's shared token fields, as the role read returns them.
_ROLE_TOKEN = {
    "mount_accessor": attr(str, "Accessor of the auth mount the role belongs to (its vault.auth_method)."),
    "token_ttl": attr(int, "Issued token TTL, seconds (0: the mount's default)."),
    "token_max_ttl": attr(int, "Issued token max TTL, seconds (0: the mount's max lease TTL)."),
    "token_explicit_max_ttl": attr(
        int, "Hard cap on the issued tokens' life, renewals and periods included, seconds (0: none)."
    ),
    "token_period": attr(int, "Period of the issued tokens, seconds (0: not periodic)."),
    "token_policies": attr(list, "Policies of the issued tokens."),
    "token_type": attr(str, "Type of the issued tokens."),
    "token_num_uses": attr(int, "Uses per issued token (0: unlimited)."),
    "token_bound_cidrs": attr(list | None, "CIDRs the issued tokens may be used from (null or empty: any)."),
}

TYPES.declare(
    t.APPROLE,
    "AppRole role (configuration, never role-id or secret-id)",
    {
        "mount": attr(str, "Mount path of the AppRole method, with trailing slash."),
        "role": attr(str, "Role name."),
        "bind_secret_id": attr(bool, "Login needs a secret id."),
        "secret_id_ttl": attr(int, "Secret id lifetime, seconds (0: never expires)."),
        "secret_id_num_uses": attr(int, "Uses per secret id (0: unlimited)."),
        "secret_id_bound_cidrs": attr(
            list | None, "CIDRs a secret id may be used from (null or empty: any)."
        ),
        **_ROLE_TOKEN,
    },
    scope="namespace",
)

TYPES.declare(
    t.K8S_ROLE,
    "Kubernetes auth role (which service accounts may log in, and the tokens they get)",
    {
        "mount": attr(str, "Mount path of the Kubernetes auth method, with trailing slash."),
        "role": attr(str, "Role name."),
        "bound_service_account_names": attr(
            list, "Service-account names that may log in (`*`: any; entries may be globs)."
        ),
        "bound_service_account_namespaces": attr(
            list | None,
            "Namespaces those service accounts may live in (`*`: any; entries may be globs; null: only "
            "the selector's).",
        ),
        "bound_service_account_namespace_selector": attr(
            str,
            "Label selector (JSON or YAML) admitting further namespaces by their labels; empty: none. "
            "Absent on servers whose plugin predates it.",
            optional=True,
        ),
        "audience": attr(str, "Audience the service-account JWT must carry (empty: any).", optional=True),
        "alias_name_source": attr(str, "What names the identity alias: serviceaccount_uid or _name."),
        **_ROLE_TOKEN,
    },
    scope="namespace",
)

TYPES.declare(
    t.JWT_ROLE,
    "JWT/OIDC auth role (which tokens may log in, and the tokens they get)",
    {
        "mount": attr(str, "Mount path of the JWT or OIDC auth method, with trailing slash."),
        "role": attr(str, "Role name."),
        "role_type": attr(str, "jwt (a presented JWT) or oidc (a browser login at the provider)."),
        "bound_audiences": attr(
            list | None, "Audiences (aud) the JWT must name, matched exactly (null or empty: any)."
        ),
        "bound_subject": attr(str, "Subject (sub) the JWT must carry (empty: any)."),
        "bound_claims": attr(
            dict | None,
            "Claims the JWT must carry: claim -> value or list of values (null or empty: none).",
        ),
        "bound_claims_type": attr(str, "How bound_claims values match: string (exactly) or glob."),
        "user_claim": attr(str, "Claim that names the identity alias."),
        **_ROLE_TOKEN,
    },
    scope="namespace",
)

TYPES.declare(
    t.POLICY,
    "ACL policy",
    {
        "name": attr(str, "Policy name."),
        "text_sha256": attr(str, "SHA-256 of the policy text (to notice changes without storing it twice)."),
        "rules": attr(
            list,
            "Parsed path rules: objects with path and capabilities (list; the legacy `policy = ...` "
            "form is expanded to capabilities). The built-in root policy has none.",
        ),
    },
    scope="namespace",
)

# Token lookup fields kept (auth/token/lookup-accessor); `id` (the token itself) and `meta` never are.
_TOKEN_ATTRS: dict[str, Any] = {
    "creation_time": attr(int, "Creation time, unix seconds."),
    "creation_ttl": attr(int, "TTL at creation, seconds (0: no TTL)."),
    "display_name": attr(str, "Display name (auth method prefix plus name, e.g. token-ci)."),
    "entity_id": attr(str, "Identity entity id (empty for tokens without an entity)."),
    "expire_time": attr(str | None, "Expiry time (RFC 3339); null when the token never expires."),
    "explicit_max_ttl": attr(int, "Explicit max TTL, seconds (0: none)."),
    "issue_time": attr(str, "Issue time (RFC 3339)."),
    "num_uses": attr(int, "Remaining uses (0: unlimited)."),
    "orphan": attr(bool, "The token has no parent."),
    "path": attr(
        str, "Path it was created at (auth/token/create, auth/userpass/login/..., auth/token/root)."
    ),
    "policies": attr(list, "Policies the token carries."),
    "renewable": attr(bool, "The token can be renewed."),
    "ttl": attr(int, "Remaining TTL, seconds (0: never expires)."),
    "type": attr(str, "Token type (service)."),
    "period": attr(int, "Renewal period of a periodic token, seconds.", optional=True),
}

TYPES.declare(
    t.TOKEN,
    "Token (metadata looked up by accessor; never the token)",
    {"accessor": attr(str, "Token accessor."), **_TOKEN_ATTRS},
    scope="namespace",
)

# The lookup fields the collector copies, in the contract's order.
TOKEN_FIELDS = tuple(_TOKEN_ATTRS)
