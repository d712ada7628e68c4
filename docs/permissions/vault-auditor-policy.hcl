# auditor: least-privilege ACL policy for the Vault / OpenBao scanner.
#
# Read-only: GET/LIST on sys/* configuration and engine metadata, plus `update` on
# auth/token/lookup-accessor (a read of token metadata by accessor; it cannot reveal the token).
# `sudo` is needed, on exact paths only, where Vault protects the endpoint as root-level:
# sys/audit, sys/config/state/sanitized, sys/auth/<mount>/tune and auth/token/accessors.
# Nothing here reads a secret value: no KV data/metadata, no role-id or secret-id, no transit
# export or backup, no PKI private keys.
#
# Engine metadata paths use `+` for a one-segment mount name (pki/, transit/, secret/...).
# For mounts nested deeper (team/pki/) add the same lines with that prefix. On a KV *version 1*
# mount, `+/config`, `+/roles/+` and `+/keys/+` would match secret names: if you have KV v1
# mounts, replace `+` below with your PKI, transit and KV v2 mount names.

# Server state
path "sys/health"                    { capabilities = ["read"] }
path "sys/seal-status"               { capabilities = ["read"] }
path "sys/leader"                    { capabilities = ["read"] }
path "sys/ha-status"                 { capabilities = ["read"] }
path "sys/version-history/"          { capabilities = ["list"] }
path "sys/config/state/sanitized"    { capabilities = ["read", "sudo"] }
path "sys/storage/raft/autopilot/state" { capabilities = ["read"] }
path "sys/license/status"            { capabilities = ["read"] }
path "sys/replication/status"        { capabilities = ["read"] }

# Audit devices
path "sys/audit"                     { capabilities = ["read", "sudo"] }

# Auth methods, their tuning, login MFA, AppRole role config (not role-id / secret-id)
path "sys/auth"                      { capabilities = ["read"] }
path "sys/auth/+/tune"               { capabilities = ["read", "sudo"] }   # Vault requires sudo here
path "identity/mfa/login-enforcement/"  { capabilities = ["list"] }
path "identity/mfa/login-enforcement/+" { capabilities = ["read"] }
path "auth/+/role/"                  { capabilities = ["list"] }
path "auth/+/role/+"                 { capabilities = ["read"] }

# Secrets engines, their tuning and configuration metadata
path "sys/mounts"                    { capabilities = ["read"] }
path "sys/mounts/+/tune"             { capabilities = ["read"] }
path "+/config"                      { capabilities = ["read"] }   # KV v2 engine config
path "+/roles/"                      { capabilities = ["list"] }   # PKI roles
path "+/roles/+"                     { capabilities = ["read"] }
path "+/issuers/"                    { capabilities = ["list"] }   # PKI issuers (public certificates)
path "+/issuer/+"                    { capabilities = ["read"] }
path "+/keys/"                       { capabilities = ["list"] }   # transit keys (config, no key material)
path "+/keys/+"                      { capabilities = ["read"] }

# ACL policies
path "sys/policies/acl/"             { capabilities = ["list"] }
path "sys/policies/acl/+"            { capabilities = ["read"] }

# Tokens: accessors and lookups by accessor (the token id is never returned or stored)
path "auth/token/accessors/"         { capabilities = ["list", "sudo"] }
path "auth/token/lookup-accessor"    { capabilities = ["update"] }
# The scanner's own token metadata (accessor, display name: the chain-of-custody identity). The
# `default` policy grants it too; the collector drops the token id before anything is recorded.
path "auth/token/lookup-self"        { capabilities = ["read"] }
