"""Vault secrets engine checks: lease TTLs, KV v2, PKI, transit."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, not_applicable, param, passed
from auditor.models import Resource
from auditor.providers.vault.common import (
    KV,
    MOUNT,
    PKI_ISSUER,
    PKI_ROLE,
    REFS,
    TRANSIT,
    human,
    parse_time,
    seconds,
)

checks = CheckSet("vault")

NO_LEASES = {
    "kv",
    "generic",
    "cubbyhole",
    "system",
    "identity",
    "transit",
    "ns_system",
    "ns_identity",
    "ns_cubbyhole",
}


@checks.check(
    id="vault.secrets.max_lease_ttl",
    title="Secrets engines that issue leases cap their lifetime",
    severity="medium",
    resource_types=[MOUNT],
    rationale="Dynamic credentials and certificates should be short-lived; the 768h system default keeps "
    "issued credentials valid for a month.",
    remediation="Tune the mount: `bao secrets tune -max-lease-ttl=24h <path>` (limit: vault.secrets.max_lease_ttl_hours).",
    references=[f"{REFS}/commands/secrets/tune"],
    params=[
        param(
            "vault.secrets.max_lease_ttl_hours",
            "number",
            720,
            "Longest max lease TTL, in hours, a secrets engine may allow.",
        )
    ],
)
def secrets_max_lease_ttl(mount: Resource, ctx: CheckContext) -> Verdict:
    mtype = need(mount, "type")
    if mtype in NO_LEASES:
        return not_applicable(f"{mtype} mounts issue no leases")
    limit = int(float(ctx.param("vault.secrets.max_lease_ttl_hours")) * 3600)
    ttl = seconds(need(mount, "max_lease_ttl"))
    if ttl == 0 or ttl > limit:
        return failed(f"{mtype} mount {mount.name} max lease TTL {human(ttl)}, above {human(limit)}")
    return passed(f"{mtype} mount {mount.name} max lease TTL {human(ttl)}")


@checks.check(
    id="vault.kv.version_limit",
    title="KV v2 engines bound the number of kept versions",
    severity="low",
    resource_types=[KV],
    rationale="Every kept version of a secret is a still-readable copy of an old credential; a bounded "
    "history keeps rollback possible without hoarding superseded secrets.",
    remediation="Set max_versions on the engine config (limit: vault.kv.max_versions, default 10).",
    references=[f"{REFS}/secrets/kv/kv-v2"],
    params=[param("vault.kv.max_versions", "integer", 10, "Most versions a KV v2 engine may keep per key.")],
)
def kv_version_limit(kv: Resource, ctx: CheckContext) -> Verdict:
    configured = int(need(kv, "max_versions") or 0)
    effective = configured or 10  # 0 means the engine default of 10
    limit = int(ctx.param("vault.kv.max_versions"))
    if effective > limit:
        return failed(f"KV v2 engine {kv.name} keeps {effective} versions per key, above {limit}")
    return passed(f"KV v2 engine {kv.name} keeps {effective} versions per key")


@checks.check(
    id="vault.kv.cas_required",
    title="KV v2 engines require check-and-set on writes",
    severity="low",
    resource_types=[KV],
    rationale="With cas_required every write must name the version it replaces, so concurrent or "
    "mistaken writes cannot silently overwrite the current secret.",
    remediation="Set cas_required=true on the engine config (or set vault.kv.require_cas=false if your "
    "process accepts blind writes).",
    references=[f"{REFS}/secrets/kv/kv-v2"],
    params=[param("vault.kv.require_cas", "boolean", True, "Require check-and-set on KV v2 engines.")],
)
def kv_cas_required(kv: Resource, ctx: CheckContext) -> Verdict:
    if not ctx.param("vault.kv.require_cas"):
        return not_applicable("check-and-set is not required here (vault.kv.require_cas=false)")
    if not need(kv, "cas_required"):
        return failed(f"KV v2 engine {kv.name} accepts writes without check-and-set (cas_required=false)")
    return passed(f"KV v2 engine {kv.name} requires check-and-set")


@checks.check(
    id="vault.pki.role_max_ttl",
    title="PKI roles cap certificate lifetime",
    severity="medium",
    resource_types=[PKI_ROLE],
    rationale="Long-lived leaf certificates stay trusted long after a key may have leaked; revocation is "
    "slow and often unchecked by clients.",
    remediation="Set max_ttl on the role (limit: vault.pki.role_max_ttl_days, default 397).",
    references=[f"{REFS}/secrets/pki/considerations"],
    params=[
        param(
            "vault.pki.role_max_ttl_days",
            "number",
            397,
            "Longest certificate TTL, in days, a PKI role may issue.",
        )
    ],
)
def pki_role_max_ttl(role: Resource, ctx: CheckContext) -> Verdict:
    limit = int(float(ctx.param("vault.pki.role_max_ttl_days")) * 86400)
    ttl = seconds(need(role, "max_ttl"))
    if ttl == 0:
        return failed(f"PKI role {role.name} sets no max_ttl (falls back to the mount's maximum)")
    if ttl > limit:
        return failed(
            f"PKI role {role.name} issues certificates for up to {human(ttl)}, above {human(limit)}"
        )
    return passed(f"PKI role {role.name} max_ttl {human(ttl)}")


@checks.check(
    id="vault.pki.role_no_allow_any_name",
    title="PKI roles restrict the names they certify",
    severity="high",
    resource_types=[PKI_ROLE],
    rationale="allow_any_name lets any holder of the role obtain a certificate for any host name, "
    "including other services'.",
    remediation="Set allow_any_name=false and list allowed_domains.",
    references=[f"{REFS}/secrets/pki"],
)
def pki_role_no_allow_any_name(role: Resource, ctx: CheckContext) -> Verdict:
    if need(role, "allow_any_name"):
        return failed(f"PKI role {role.name} allows any name (allow_any_name=true)")
    return passed(
        f"PKI role {role.name} restricts names to {role.attributes.get('allowed_domains') or 'none'}"
    )


@checks.check(
    id="vault.pki.issuer_expiry",
    title="PKI CA/issuer certificates are not near expiry",
    severity="high",
    resource_types=[PKI_ISSUER],
    rationale="An expired CA breaks every certificate it issued at once; renewal needs lead time.",
    remediation="Rotate the issuer (generate a new intermediate/root and set it as default) well before "
    "not_after (warning window: vault.pki.ca_expiry_days, default 90).",
    references=[f"{REFS}/secrets/pki/rotation-primitives"],
    params=[
        param("vault.pki.ca_expiry_days", "integer", 90, "Days before expiry from which a PKI issuer fails.")
    ],
)
def pki_issuer_expiry(issuer: Resource, ctx: CheckContext) -> Verdict:
    not_after = parse_time(need(issuer, "not_after"))
    days = int(ctx.param("vault.pki.ca_expiry_days"))
    left = (not_after - ctx.now).total_seconds() / 86400
    if left < 0:
        return failed(f"issuer {issuer.name} expired on {not_after.date()}")
    if left < days:
        return failed(f"issuer {issuer.name} expires on {not_after.date()} ({int(left)} days left, < {days})")
    return passed(f"issuer {issuer.name} valid until {not_after.date()} ({int(left)} days)")


@checks.check(
    id="vault.transit.not_exportable",
    title="Transit keys cannot be exported or backed up in plaintext",
    severity="high",
    resource_types=[TRANSIT],
    rationale="An exportable key (or one allowing plaintext backup) can leave Vault, defeating the point "
    "of encryption as a service.",
    remediation="Create keys with exportable=false and allow_plaintext_backup=false (these cannot be "
    "turned off on an existing key: rotate data to a new key).",
    references=[f"{REFS}/secrets/transit"],
)
def transit_not_exportable(key: Resource, ctx: CheckContext) -> Verdict:
    bad = [f for f in ("exportable", "allow_plaintext_backup") if need(key, f)]
    if bad:
        return failed(f"transit key {key.name} has {' and '.join(f + '=true' for f in bad)}")
    return passed(f"transit key {key.name} stays inside Vault")


@checks.check(
    id="vault.transit.deletion_protected",
    title="Transit keys are protected from deletion",
    severity="medium",
    resource_types=[TRANSIT],
    rationale="Deleting a transit key makes everything encrypted under it unrecoverable.",
    remediation="Set deletion_allowed=false on the key config.",
    references=[f"{REFS}/secrets/transit"],
)
def transit_deletion_protected(key: Resource, ctx: CheckContext) -> Verdict:
    if need(key, "deletion_allowed"):
        return failed(f"transit key {key.name} may be deleted (deletion_allowed=true)")
    return passed(f"transit key {key.name} cannot be deleted")


@checks.check(
    id="vault.transit.rotation",
    title="Transit keys rotate within the period",
    severity="medium",
    resource_types=[TRANSIT],
    rationale="Regular rotation limits how much data one key version protects and how long a leaked "
    "version is useful.",
    remediation="Set auto_rotate_period on the key (at most vault.transit.rotation_days, default 365).",
    references=[f"{REFS}/secrets/transit#key-rotation"],
    params=[
        param(
            "vault.transit.require_auto_rotate",
            "boolean",
            True,
            "Require an auto_rotate_period on transit keys (else a recent rotation is enough).",
        ),
        param(
            "vault.transit.rotation_days",
            "number",
            365,
            "Longest interval, in days, between transit key rotations.",
        ),
    ],
)
def transit_rotation(key: Resource, ctx: CheckContext) -> Verdict:
    period = int(float(ctx.param("vault.transit.rotation_days")) * 86400)
    auto = seconds(need(key, "auto_rotate_period"))
    if 0 < auto <= period:
        return passed(f"transit key {key.name} rotates automatically every {human(auto)}")
    if auto > period:
        return failed(f"transit key {key.name} rotates every {human(auto)}, above {human(period)}")
    created = need(key, "latest_version_created")
    age = (ctx.now - parse_time(created)).total_seconds() if created else None
    if age is not None and age > period:
        return failed(
            f"transit key {key.name} has no auto-rotation and was last rotated {int(age // 86400)} days ago"
        )
    if ctx.param("vault.transit.require_auto_rotate"):
        return failed(f"transit key {key.name} has no auto_rotate_period (last version created {created})")
    return passed(f"transit key {key.name} last rotated {created}, within {human(period)}")
