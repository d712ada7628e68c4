"""Vault server checks: audit devices, seal, listeners, version, HA."""

from __future__ import annotations

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.vault.common import AUDIT, REFS, SERVER, version_tuple

checks = CheckSet("vault")


@checks.check(
    id="vault.audit.device_enabled",
    title="At least one audit device is enabled",
    severity="critical",
    resource_types=[SERVER],
    rationale="Without an audit device Vault keeps no record of who read or changed which secret, "
    "so access to the most sensitive data cannot be reviewed or investigated.",
    remediation="Enable a file, syslog or socket audit device (declared in the server config on OpenBao) "
    "and ship its output to central log storage.",
    references=[f"{REFS}/audit"],
)
def audit_device_enabled(server: Resource, ctx: CheckContext) -> Verdict:
    devices = need(server, "audit_devices")
    if not devices:
        return failed("no audit device is enabled: requests are not audited")
    return passed(f"audit devices: {summarize(devices)}")


@checks.check(
    id="vault.audit.device_redundancy",
    title="More than one audit device is enabled",
    severity="medium",
    resource_types=[SERVER],
    rationale="Vault refuses requests when no enabled audit device can write; a second device keeps "
    "the service available and the trail complete when one log target fails.",
    remediation="Enable a second audit device on an independent target (e.g. file plus syslog/socket).",
    references=[f"{REFS}/audit#blocked-audit-devices"],
    params=[
        param(
            "vault.audit.min_devices",
            "integer",
            2,
            "Fewest enabled audit devices (Vault blocks requests when no device can log).",
        )
    ],
)
def audit_device_redundancy(server: Resource, ctx: CheckContext) -> Verdict:
    devices = need(server, "audit_devices")
    want = int(ctx.param("vault.audit.min_devices"))
    if len(devices) < want:
        return failed(
            f"{len(devices)} audit device(s) enabled, at least {want} wanted: {summarize(devices) or 'none'}"
        )
    return passed(f"{len(devices)} audit devices: {summarize(devices)}")


@checks.check(
    id="vault.audit.no_log_raw",
    title="Audit devices hash sensitive values (no log_raw)",
    severity="high",
    resource_types=[AUDIT],
    rationale="With log_raw the audit log holds secrets and tokens in clear text, turning the log itself "
    "into a store of secrets; with hmac_accessor=false token accessors are logged in clear.",
    remediation="Re-create the audit device without log_raw=true (and without hmac_accessor=false).",
    references=[f"{REFS}/audit#sensitive-information"],
)
def audit_no_log_raw(device: Resource, ctx: CheckContext) -> Verdict:
    if need(device, "log_raw"):
        return failed(
            f"audit device {device.name} logs raw values (log_raw=true): secrets reach the log in clear"
        )
    if not need(device, "hmac_accessor"):
        return failed(f"audit device {device.name} logs token accessors unhashed (hmac_accessor=false)")
    return passed(f"audit device {device.name} HMACs sensitive values")


@checks.check(
    id="vault.seal.unsealed",
    title="The server is initialised and unsealed",
    severity="high",
    resource_types=[SERVER],
    rationale="A sealed or uninitialised server serves no requests: the secrets it guards are unavailable "
    "to the systems that depend on them.",
    remediation="Unseal the server (or fix the auto-unseal key access) and find out why it sealed.",
    references=[f"{REFS}/concepts/seal"],
)
def seal_unsealed(server: Resource, ctx: CheckContext) -> Verdict:
    if not need(server, "initialized"):
        return failed("the server is not initialised")
    if need(server, "sealed"):
        return failed("the server is sealed")
    return passed("initialised and unsealed")


@checks.check(
    id="vault.seal.auto_unseal",
    title="The seal uses a KMS or HSM (auto-unseal), not Shamir key shares",
    severity="medium",
    resource_types=[SERVER],
    rationale="An auto-unseal seal protects the root key with a KMS or HSM under its own access control and "
    "audit, and removes the need for people to handle unseal key shares after every restart.",
    remediation="Migrate the seal to a cloud KMS, HSM (pkcs11) or transit seal; where Shamir is a deliberate "
    "choice, document key-share custody and set vault.seal.allow_shamir.",
    references=[f"{REFS}/configuration/seal"],
    params=[
        param(
            "vault.seal.allow_shamir",
            "boolean",
            False,
            "Accept a Shamir seal (manual unseal) instead of a KMS/HSM auto-unseal.",
        )
    ],
)
def seal_auto_unseal(server: Resource, ctx: CheckContext) -> Verdict:
    seal = str(need(server, "seal_type") or "")
    if seal == "shamir":
        if ctx.param("vault.seal.allow_shamir"):
            return passed("Shamir seal, accepted by vault.seal.allow_shamir")
        return failed("the seal is Shamir (manual unseal key shares), not a KMS/HSM auto-unseal")
    if not seal:
        return failed("the seal type is not reported")
    return passed(f"seal type {seal}")


@checks.check(
    id="vault.listener.tls",
    title="Every TCP listener serves TLS 1.2 or newer",
    severity="high",
    resource_types=[SERVER],
    rationale="Tokens and secrets cross the listener; without TLS they travel in clear text.",
    remediation="Remove tls_disable from every tcp listener, configure tls_cert_file/tls_key_file and keep "
    "tls_min_version at tls12 or tls13.",
    references=[f"{REFS}/configuration/listener/tcp"],
)
def listener_tls(server: Resource, ctx: CheckContext) -> Verdict:
    listeners = need(server, "listeners")
    tcp = [li for li in listeners if li.get("type") == "tcp"]
    if not tcp:
        return not_applicable("no tcp listener in the server config")
    bad = []
    for li in tcp:
        addr = li.get("address") or "?"
        if li.get("tls_disable"):
            bad.append(f"{addr} (tls_disable)")
        elif str(li.get("tls_min_version") or "tls12").lower() in ("tls10", "tls11"):
            bad.append(f"{addr} (tls_min_version={li.get('tls_min_version')})")
    if bad:
        return failed(f"listeners without TLS 1.2+: {summarize(bad)}")
    return passed(f"TLS on {len(tcp)} tcp listener(s): {summarize(li.get('address') or '?' for li in tcp)}")


@checks.check(
    id="vault.server.raw_storage_disabled",
    title="The raw storage endpoint is disabled",
    severity="high",
    resource_types=[SERVER],
    rationale="sys/raw reads and writes the storage backend below the ACL and audit layers of Vault.",
    remediation="Remove raw_storage_endpoint = true from the server config.",
    references=[f"{REFS}/configuration#raw_storage_endpoint"],
)
def raw_storage_disabled(server: Resource, ctx: CheckContext) -> Verdict:
    if need(server, "raw_storage_endpoint"):
        return failed("raw_storage_endpoint is enabled: sys/raw bypasses ACLs")
    return passed("raw_storage_endpoint is disabled")


@checks.check(
    id="vault.server.version_supported",
    title="The server runs a supported version",
    severity="medium",
    resource_types=[SERVER],
    rationale="Releases out of support get no security fixes; Vault and OpenBao both publish fixes for "
    "vulnerabilities in their supported lines only.",
    remediation="Upgrade to a supported release (set vault.min_version / vault.openbao_min_version to the "
    "oldest release your vendor still supports).",
    references=[
        "https://developer.hashicorp.com/vault/docs/enterprise/lts",
        "https://openbao.org/docs/policies/",
    ],
    params=[
        param("vault.min_version", "string", "1.16.0", "Oldest supported HashiCorp Vault version."),
        param("vault.openbao_min_version", "string", "2.2.0", "Oldest supported OpenBao version."),
    ],
)
def version_supported(server: Resource, ctx: CheckContext) -> Verdict:
    version = str(need(server, "version") or "")
    product = need(server, "product")
    key = "vault.openbao_min_version" if product == "openbao" else "vault.min_version"
    minimum = str(
        ctx.param("vault.openbao_min_version") if product == "openbao" else ctx.param("vault.min_version")
    )
    if not version:
        return failed("the server does not report its version")
    if version_tuple(version) < version_tuple(minimum):
        return failed(f"{product} {version} is older than the oldest supported release {minimum} ({key})")
    return passed(f"{product} {version} (>= {minimum})")


@checks.check(
    id="vault.ha.healthy",
    title="The cluster is highly available and its raft peers are healthy",
    severity="medium",
    resource_types=[SERVER],
    rationale="A single node or an unhealthy raft quorum makes every dependent system lose its secrets on "
    "one failure; autopilot reports whether the cluster can tolerate a node loss.",
    remediation="Run at least three raft voters (or an HA storage backend) and fix unhealthy peers.",
    references=[f"{REFS}/concepts/integrated-storage/autopilot"],
    params=[param("vault.ha.min_voters", "integer", 3, "Fewest raft voters for a highly available cluster.")],
)
def ha_healthy(server: Resource, ctx: CheckContext) -> Verdict:
    want = int(ctx.param("vault.ha.min_voters"))
    raft = need(server, "raft")
    if raft is None:
        if not need(server, "ha_enabled"):
            return failed(f"standalone server (storage {server.attributes.get('storage_type')}): no HA")
        nodes = need(server, "ha_nodes")
        if len(nodes) < want:
            return failed(f"HA enabled but {len(nodes)} node(s) known, {want} wanted")
        return passed(f"HA with {len(nodes)} nodes")
    voters = raft.get("voters") or []
    if not raft.get("healthy"):
        sick = [k for k, v in (raft.get("servers") or {}).items() if not v.get("healthy")]
        return failed(
            f"raft autopilot reports the cluster unhealthy (unhealthy: {summarize(sick) or 'unknown'})"
        )
    if len(voters) < want:
        return failed(
            f"raft has {len(voters)} voter(s), {want} wanted (failure tolerance {raft.get('failure_tolerance')})"
        )
    return passed(
        f"raft healthy with {len(voters)} voters (failure tolerance {raft.get('failure_tolerance')})"
    )
