"""What each Cloud Asset type's `resource.data` becomes: the attributes its resource type declares.

`resource.data` is the service's own JSON (camelCase, as its REST API answers), the same in a live
listing and in an export file; numbers arrive as floats from the protobuf Struct and are made
integers again by `inventory`. Each adapter reads only configuration and metadata: VM metadata
values are kept only for known configuration keys (`metadata_flags`), never for anything else
(startup scripts carry secrets).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.providers.gcp import resources as T

Data = Mapping[str, Any]
Adapter = Callable[[Data], dict[str, Any]]

# Metadata keys whose values are configuration switches a check reads; every other value is dropped
# (and masked in evidence): startup-script, user-data, ssh-keys and anything custom may hold secrets.
METADATA_FLAGS = frozenset(
    {
        "enable-oslogin",
        "enable-oslogin-2fa",
        "block-project-ssh-keys",
        "serial-port-enable",
        "serial-port-logging-enable",
        "notebook-disable-root",
        "proxy-mode",
    }
)
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def _d(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _l(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _b(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _s(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _i(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(str(value).rstrip("s")))
    except ValueError:
        return None


def _leaf(url: Any) -> str | None:
    text = _s(url)
    return text.rstrip("/").rsplit("/", 1)[-1] if text else None


def metadata_items(metadata: Any) -> list[Mapping[str, Any]]:
    """Compute metadata as [{key, value}] (`items` of the API), or a plain mapping (Workbench)."""
    if isinstance(metadata, Mapping) and isinstance(metadata.get("items"), list):
        return [i for i in metadata["items"] if isinstance(i, Mapping)]
    if isinstance(metadata, Mapping):
        return [{"key": k, "value": v} for k, v in metadata.items() if k != "fingerprint"]
    return []


def metadata_attrs(metadata: Any) -> dict[str, Any]:
    items = metadata_items(metadata)
    keys = sorted({str(i.get("key")) for i in items if i.get("key")})
    flags = {
        str(i["key"]): str(i.get("value", "")).strip().lower()
        for i in items
        if str(i.get("key")) in METADATA_FLAGS
    }
    return {"metadata_flags": flags, "metadata_keys": keys}


def organization(d: Data) -> dict[str, Any]:
    return {
        "org_name": str(d.get("name", "")),
        "display_name": _s(d.get("displayName")),
        "lifecycle_state": _s(d.get("lifecycleState") or d.get("state")),
        "directory_customer_id": _s(
            _d(d.get("owner")).get("directoryCustomerId") or d.get("directoryCustomerId")
        ),
    }


def folder(d: Data) -> dict[str, Any]:
    return {
        "folder_name": str(d.get("name", "")),
        "display_name": _s(d.get("displayName")),
        "parent": _s(d.get("parent")),
        "lifecycle_state": _s(d.get("lifecycleState") or d.get("state")),
    }


def project(d: Data) -> dict[str, Any]:
    labels = _d(d.get("labels"))
    return {
        "project_number": str(d.get("projectNumber", "")),
        "display_name": _s(d.get("name") or d.get("displayName")),
        "lifecycle_state": _s(d.get("lifecycleState") or d.get("state")),
        "labels": {str(k): str(v) for k, v in labels.items()},
        "ancestors": [],  # filled from the asset's ancestry by inventory
    }


def service_account(d: Data) -> dict[str, Any]:
    return {"email": str(d.get("email", "")), "disabled": _b(d.get("disabled"))}


def service_account_key(d: Data) -> dict[str, Any]:
    name = str(d.get("name", ""))
    parts = name.split("/")
    email = parts[parts.index("serviceAccounts") + 1] if "serviceAccounts" in parts[:-1] else ""
    return {
        "service_account": email,
        "key_type": _s(d.get("keyType")),
        "valid_after": _s(d.get("validAfterTime")),
        "disabled": _b(d.get("disabled")),
    }


def log_sink(d: Data) -> dict[str, Any]:
    dest = str(d.get("destination", ""))
    bucket = (
        dest.split("storage.googleapis.com/", 1)[1].strip("/") if "storage.googleapis.com/" in dest else None
    )
    return {
        "parent": "",  # filled from the asset's ancestry by inventory
        "destination": dest,
        "filter": str(d.get("filter") or ""),
        "include_children": _b(d.get("includeChildren")),
        "disabled": _b(d.get("disabled")),
        "destination_bucket": bucket or None,
    }


def log_bucket(d: Data) -> dict[str, Any]:
    return {
        "bucket_id": _leaf(d.get("name")) or "",
        "retention_days": _i(d.get("retentionDays")),
        "locked": _b(d.get("locked")),
    }


def network(d: Data) -> dict[str, Any]:
    auto = d.get("autoCreateSubnetworks")
    legacy = bool(d.get("IPv4Range") or d.get("ipv4Range")) and auto is None
    return {
        "network_name": str(d.get("name", "")),
        "auto_create_subnetworks": None if auto is None else _b(auto),
        "legacy": legacy,
    }


def firewall(d: Data) -> dict[str, Any]:
    allowed = [
        {
            "protocol": str(a.get("IPProtocol") or a.get("ipProtocol") or ""),
            "ports": [str(p) for p in _l(a.get("ports"))],
        }
        for a in _l(d.get("allowed"))
        if isinstance(a, Mapping)
    ]
    return {
        "network": _leaf(d.get("network")),
        "direction": str(d.get("direction") or "INGRESS"),
        "disabled": _b(d.get("disabled")),
        "source_ranges": [str(r) for r in _l(d.get("sourceRanges"))],
        "allowed": allowed,
    }


def subnetwork(d: Data) -> dict[str, Any]:
    log = _d(d.get("logConfig"))
    return {
        "flow_logs": _b(log.get("enable")) or _b(d.get("enableFlowLogs")),
        "private_google_access": _b(d.get("privateIpGoogleAccess")),
        "purpose": _s(d.get("purpose")),
    }


def dns_zone(d: Data) -> dict[str, Any]:
    dnssec = _d(d.get("dnssecConfig"))
    specs = [
        {"key_type": str(s.get("keyType", "")), "algorithm": str(s.get("algorithm", "")).lower()}
        for s in _l(dnssec.get("defaultKeySpecs"))
        if isinstance(s, Mapping)
    ]
    return {
        "dns_name": _s(d.get("dnsName")),
        "visibility": str(d.get("visibility") or "public").lower(),
        "dnssec_state": _s(dnssec.get("state")),
        "key_algorithms": specs,
    }


def instance(d: Data) -> dict[str, Any]:
    ips = [
        str(ac.get("natIP") or "ephemeral")
        for ni in _l(d.get("networkInterfaces"))
        if isinstance(ni, Mapping)
        for ac in _l(ni.get("accessConfigs"))
        if isinstance(ac, Mapping)
    ]
    shielded = _d(d.get("shieldedInstanceConfig"))
    labels = _d(d.get("labels"))
    return {
        "status": _s(d.get("status")),
        "can_ip_forward": _b(d.get("canIpForward")),
        "external_ips": ips,
        "service_accounts": [
            {"email": str(sa.get("email", "")), "scopes": [str(s) for s in _l(sa.get("scopes"))]}
            for sa in _l(d.get("serviceAccounts"))
            if isinstance(sa, Mapping)
        ],
        "shielded_vm": {
            "secure_boot": _b(shielded.get("enableSecureBoot")),
            "vtpm": _b(shielded.get("enableVtpm")),
            "integrity_monitoring": _b(shielded.get("enableIntegrityMonitoring")),
        },
        "gke_node": "goog-gke-node" in labels,
        **metadata_attrs(d.get("metadata")),
    }


def compute_project(d: Data) -> dict[str, Any]:
    return {
        "default_service_account": _s(d.get("defaultServiceAccount")),
        **metadata_attrs(d.get("commonInstanceMetadata")),
    }


def disk(d: Data) -> dict[str, Any]:
    return {"kms_key": _s(_d(d.get("diskEncryptionKey")).get("kmsKeyName"))}


def bucket(d: Data) -> dict[str, Any]:
    iam = _d(d.get("iamConfiguration"))
    retention = _d(d.get("retentionPolicy"))
    return {
        "bucket_name": str(d.get("name") or d.get("id") or ""),
        "uniform_access": _b(_d(iam.get("uniformBucketLevelAccess")).get("enabled"))
        or _b(_d(iam.get("bucketPolicyOnly")).get("enabled")),
        "public_access_prevention": _s(iam.get("publicAccessPrevention")),
        "versioning": _b(_d(d.get("versioning")).get("enabled")),
        "retention_seconds": _i(retention.get("retentionPeriod")),
        "retention_locked": _b(retention.get("isLocked")),
        "kms_key": _s(_d(d.get("encryption")).get("defaultKmsKeyName")),
    }


def _engine(version: str | None) -> str | None:
    v = (version or "").upper()
    for prefix, engine in (("POSTGRES", "postgres"), ("MYSQL", "mysql"), ("SQLSERVER", "sqlserver")):
        if v.startswith(prefix):
            return engine
    return None


def sql_instance(d: Data) -> dict[str, Any]:
    settings = _d(d.get("settings"))
    ip = _d(settings.get("ipConfiguration"))
    backup = _d(settings.get("backupConfiguration"))
    version = _s(d.get("databaseVersion"))
    engine = _engine(version)
    ssl_mode = _s(ip.get("sslMode"))
    pitr = (
        _b(backup.get("binaryLogEnabled"))
        if engine == "mysql"
        else _b(backup.get("pointInTimeRecoveryEnabled"))
    )
    return {
        "database_version": version,
        "engine": engine,
        "instance_type": _s(d.get("instanceType")),
        "ipv4_enabled": _b(ip.get("ipv4Enabled")),
        "authorized_networks": [
            str(n.get("value", "")) for n in _l(ip.get("authorizedNetworks")) if isinstance(n, Mapping)
        ],
        "require_ssl": _b(ip.get("requireSsl"))
        or ssl_mode in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"),
        "ssl_mode": ssl_mode,
        "backups_enabled": _b(backup.get("enabled")),
        "pitr_enabled": pitr,
        "database_flags": {
            str(f.get("name")): str(f.get("value", ""))
            for f in _l(settings.get("databaseFlags"))
            if isinstance(f, Mapping)
        },
    }


_BQ_SPECIAL = {"allAuthenticatedUsers": "allAuthenticatedUsers", "allUsers": "allUsers"}


def _bq_member(entry: Mapping[str, Any]) -> str:
    if entry.get("specialGroup"):
        group = str(entry["specialGroup"])
        return _BQ_SPECIAL.get(group, f"specialGroup:{group}")
    for key, prefix in (("userByEmail", "user:"), ("groupByEmail", "group:"), ("domain", "domain:")):
        if entry.get(key):
            return prefix + str(entry[key])
    if entry.get("iamMember"):
        return str(entry["iamMember"])
    if entry.get("view") or entry.get("dataset") or entry.get("routine"):
        return "authorized:view"
    return "unknown"


def bq_dataset(d: Data) -> dict[str, Any]:
    return {
        "dataset_id": _s(_d(d.get("datasetReference")).get("datasetId")),
        "access": [
            {"role": str(e.get("role", "")), "member": _bq_member(e)}
            for e in _l(d.get("access"))
            if isinstance(e, Mapping)
        ],
        "kms_key": _s(_d(d.get("defaultEncryptionConfiguration")).get("kmsKeyName")),
    }


def kms_key(d: Data) -> dict[str, Any]:
    return {"purpose": _s(d.get("purpose")), "rotation_period_seconds": _i(d.get("rotationPeriod"))}


def gke_cluster(d: Data) -> dict[str, Any]:
    private = _d(d.get("privateClusterConfig"))
    auth = _d(d.get("masterAuth"))
    binauthz = _d(d.get("binaryAuthorization"))
    mode = str(binauthz.get("evaluationMode") or "")
    channel = _s(_d(d.get("releaseChannel")).get("channel"))
    return {
        "private_endpoint": _b(private.get("enablePrivateEndpoint")),
        "master_authorized_networks": _b(_d(d.get("masterAuthorizedNetworksConfig")).get("enabled")),
        "workload_identity_pool": _s(_d(d.get("workloadIdentityConfig")).get("workloadPool")),
        "legacy_abac": _b(_d(d.get("legacyAbac")).get("enabled")),
        "network_policy": _b(_d(d.get("networkPolicy")).get("enabled")),
        "dataplane_v2": str(_d(d.get("networkConfig")).get("datapathProvider") or "") == "ADVANCED_DATAPATH",
        "shielded_nodes": _b(_d(d.get("shieldedNodes")).get("enabled")),
        "release_channel": None if channel in (None, "UNSPECIFIED") else channel,
        "node_pools_auto_upgrade": {
            str(p.get("name")): _b(_d(p.get("management")).get("autoUpgrade"))
            for p in _l(d.get("nodePools"))
            if isinstance(p, Mapping)
        },
        "binary_authorization": mode.endswith("ENFORCE") or (not mode and _b(binauthz.get("enabled"))),
        "client_certificate": _b(_d(auth.get("clientCertificateConfig")).get("issueClientCertificate")),
        "basic_auth": bool(auth.get("username")),
    }


def workbench_instance(d: Data) -> dict[str, Any]:
    gce = _d(d.get("gceSetup"))
    if gce:  # Workbench instances (notebooks v2)
        flags = metadata_attrs(gce.get("metadata"))["metadata_flags"]
        disk_ = _d(gce.get("bootDisk"))
        return {
            "public_ip": not _b(gce.get("disablePublicIp")),
            "root_access": flags.get("notebook-disable-root") != "true",
            "kms_key": _s(disk_.get("kmsKey")) if str(disk_.get("diskEncryption")) == "CMEK" else None,
        }
    flags = metadata_attrs(d.get("metadata"))["metadata_flags"]  # user-managed notebooks (v1)
    return {
        "public_ip": not _b(d.get("noPublicIp")),
        "root_access": flags.get("notebook-disable-root") != "true",
        "kms_key": _s(d.get("kmsKey")) if str(d.get("diskEncryption")) == "CMEK" else None,
    }


def vertex_resource(d: Data) -> dict[str, Any]:
    return {"kms_key": _s(_d(d.get("encryptionSpec")).get("kmsKeyName"))}


ADAPTERS: dict[str, Adapter] = {
    T.ORGANIZATION: organization,
    T.FOLDER: folder,
    T.PROJECT: project,
    T.SERVICE_ACCOUNT: service_account,
    T.SERVICE_ACCOUNT_KEY: service_account_key,
    T.LOG_SINK: log_sink,
    T.LOG_BUCKET: log_bucket,
    T.NETWORK: network,
    T.FIREWALL: firewall,
    T.SUBNETWORK: subnetwork,
    T.DNS_ZONE: dns_zone,
    T.INSTANCE: instance,
    T.COMPUTE_PROJECT: compute_project,
    T.DISK: disk,
    T.BUCKET: bucket,
    T.SQL_INSTANCE: sql_instance,
    T.BQ_DATASET: bq_dataset,
    T.KMS_KEY: kms_key,
    T.GKE_CLUSTER: gke_cluster,
    T.WORKBENCH_INSTANCE: workbench_instance,
    T.VERTEX_DATASET: vertex_resource,
    T.VERTEX_ENDPOINT: vertex_resource,
    T.VERTEX_MODEL: vertex_resource,
}


def display_name(resource_type: str, data: Data, asset_name: str) -> str:
    if resource_type == T.PROJECT:
        return str(data.get("projectId") or asset_name.rsplit("/", 1)[-1])
    if resource_type in (T.ORGANIZATION, T.FOLDER):
        return str(data.get("displayName") or asset_name.rsplit("/", 2)[-2:][-1])
    if resource_type == T.SERVICE_ACCOUNT and data.get("email"):
        return str(data["email"])
    if resource_type == T.BQ_DATASET:
        ref = _d(data.get("datasetReference"))
        if ref.get("datasetId"):
            return str(ref["datasetId"])
    name = data.get("displayName") or data.get("name")
    return _leaf(name) or asset_name.rsplit("/", 1)[-1]
