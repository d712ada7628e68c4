"""Resource types of the GCP provider, each declared once with the Cloud Asset type it comes from.

`TYPES` is the contract (attributes, JSON types, meanings). `SOURCES` says where each collected
type comes from: a Cloud Asset type and content type. The collector builds its asset-type filters
from these declarations and the checks that read the types (`needed_sources`), never from a list
kept by hand. No SDK here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditor.contracts import Attr, TypeSet, attr

TYPES = TypeSet("gcp")

RESOURCE = "RESOURCE"
IAM_POLICY_CONTENT = "IAM_POLICY"
ORG_POLICY_CONTENT = "ORG_POLICY"
CONTENT_TYPES = (RESOURCE, IAM_POLICY_CONTENT, ORG_POLICY_CONTENT)
ANY_ASSET = "*"  # a content type read for every asset type (IAM policies)


@dataclass(frozen=True)
class Source:
    content: str
    asset_types: tuple[str, ...]


SOURCES: dict[str, Source] = {}

_PROJECT_ATTRS: dict[str, Attr] = {
    "project_id": attr(str | None, "Project ID the resource belongs to (null above projects)."),
}


def _asset(
    name: str,
    title: str,
    asset_type: str,
    attributes: Mapping[str, Attr],
    *,
    scope: str = "project",
    per_scope: bool = False,
    content: str = RESOURCE,
) -> str:
    declared = TYPES.declare(
        name,
        title,
        {**attributes, **_PROJECT_ATTRS},
        scope=scope,
        per_scope=per_scope,
        description=f"Cloud Asset type {asset_type} ({content}).",
    )
    SOURCES[declared] = Source(content, (asset_type,))
    return declared


# ------------------------------------------------------------------ resource hierarchy
ORG_ASSET = "cloudresourcemanager.googleapis.com/Organization"
FOLDER_ASSET = "cloudresourcemanager.googleapis.com/Folder"
PROJECT_ASSET = "cloudresourcemanager.googleapis.com/Project"
HIERARCHY_ASSETS = (ORG_ASSET, FOLDER_ASSET, PROJECT_ASSET)

ORGANIZATION = _asset(
    "gcp.resourcemanager.organization",
    "Organization",
    ORG_ASSET,
    {
        "org_name": attr(str, "organizations/NUMBER."),
        "display_name": attr(str | None, "The organization's domain or display name."),
        "lifecycle_state": attr(str | None, "ACTIVE, DELETE_REQUESTED..."),
        "directory_customer_id": attr(str | None, "Google Workspace / Cloud Identity customer ID."),
    },
    scope="organization",
)
FOLDER = _asset(
    "gcp.resourcemanager.folder",
    "Folder",
    FOLDER_ASSET,
    {
        "folder_name": attr(str, "folders/NUMBER."),
        "display_name": attr(str | None, "Folder display name."),
        "parent": attr(str | None, "organizations/N or folders/N above it."),
        "lifecycle_state": attr(str | None, "ACTIVE, DELETE_REQUESTED..."),
    },
    scope="folder",
)
PROJECT = _asset(
    "gcp.resourcemanager.project",
    "Project",
    PROJECT_ASSET,
    {
        "project_number": attr(str, "Project number (projects/NUMBER is its ancestor name)."),
        "display_name": attr(str | None, "Project name."),
        "lifecycle_state": attr(str | None, "ACTIVE, DELETE_REQUESTED..."),
        "labels": attr(dict, "Project labels."),
        "ancestors": attr(list, "Ancestry, nearest first: projects/N, folders/N..., organizations/N."),
    },
    per_scope=True,
)

# ------------------------------------------------------------------ IAM
SERVICE_ACCOUNT = _asset(
    "gcp.iam.service_account",
    "Service account",
    "iam.googleapis.com/ServiceAccount",
    {
        "email": attr(str, "Service account email."),
        "disabled": attr(bool, "Whether the account is disabled."),
    },
)
SERVICE_ACCOUNT_KEY = _asset(
    "gcp.iam.service_account_key",
    "Service account key",
    "iam.googleapis.com/ServiceAccountKey",
    {
        "service_account": attr(str, "Email of the service account the key belongs to."),
        "key_type": attr(str | None, "USER_MANAGED or SYSTEM_MANAGED."),
        "valid_after": attr(str | None, "RFC 3339 time the key became valid (its creation)."),
        "disabled": attr(bool, "Whether the key is disabled."),
    },
)
IAM_POLICY = TYPES.declare(
    "gcp.iam.policy",
    "IAM policy",
    {
        "resource": attr(str, "Full name of the resource the policy is attached to."),
        "asset_type": attr(str, "Cloud Asset type of that resource."),
        "level": attr(str, "organization, folder, project, or resource."),
        "bindings": attr(
            list, "[{role, members, condition}], members as user:/group:/serviceAccount:/domain:/allUsers."
        ),
        "audit_configs": attr(list, "[{service, audit_log_configs: [{log_type, exempted_members}]}]."),
        **_PROJECT_ATTRS,
    },
    scope="resource",
    description="Cloud Asset IAM_POLICY content, every asset type.",
)
SOURCES[IAM_POLICY] = Source(IAM_POLICY_CONTENT, (ANY_ASSET,))

# ------------------------------------------------------------------ organization policies
ORG_POLICY = TYPES.declare(
    "gcp.orgpolicy.policy",
    "Organization policy (one constraint on one node)",
    {
        "resource": attr(str, "Full name of the organization, folder or project it is set on."),
        "level": attr(str, "organization, folder or project."),
        "constraint": attr(str, "Constraint name without the constraints/ prefix."),
        "enforced": attr(bool | None, "Boolean constraints: enforced; null for list constraints."),
        "allowed_values": attr(list, "List constraints: allowed values."),
        "denied_values": attr(list, "List constraints: denied values."),
        "all_values": attr(str | None, "List constraints: ALLOW or DENY for every value, else null."),
        "inherit_from_parent": attr(bool, "Whether the parent's values are merged in."),
        "restore_default": attr(bool, "Whether the policy restores the constraint's default."),
        **_PROJECT_ATTRS,
    },
    scope="node",
    description="Cloud Asset ORG_POLICY content of organizations, folders and projects.",
)
SOURCES[ORG_POLICY] = Source(ORG_POLICY_CONTENT, HIERARCHY_ASSETS)
ORG_POLICY_SUMMARY = TYPES.declare(
    "gcp.orgpolicy.organization",
    "Organization policies set at the organization node",
    {
        "organization": attr(str, "organizations/NUMBER."),
        "constraints": attr(dict, "Constraint -> {enforced, allowed_values, denied_values, all_values}."),
    },
    scope="organization",
    derived=True,
    description="Derived from gcp.orgpolicy.policy: what is enforced for the whole organization.",
)

# ------------------------------------------------------------------ logging
LOG_SINK = _asset(
    "gcp.logging.sink",
    "Log sink",
    "logging.googleapis.com/LogSink",
    {
        "parent": attr(str, "Where the sink is defined: projects/N, folders/N or organizations/N."),
        "destination": attr(str, "Destination (storage.googleapis.com/BUCKET, logging/bigquery/pubsub)."),
        "filter": attr(str, "Log filter; empty exports every entry."),
        "include_children": attr(bool, "Aggregated sink: also exports the entries of every child."),
        "disabled": attr(bool, "Whether the sink is disabled."),
        "destination_bucket": attr(str | None, "Cloud Storage bucket name when the destination is one."),
    },
    scope="node",
)
LOG_BUCKET = _asset(
    "gcp.logging.bucket",
    "Log bucket",
    "logging.googleapis.com/LogBucket",
    {
        "bucket_id": attr(str, "_Default, _Required or a user bucket id."),
        "retention_days": attr(int | None, "Retention in days."),
        "locked": attr(bool, "Whether the retention is locked."),
    },
)

# ------------------------------------------------------------------ network
NETWORK = _asset(
    "gcp.compute.network",
    "VPC network",
    "compute.googleapis.com/Network",
    {
        "network_name": attr(str, "Network name."),
        "auto_create_subnetworks": attr(bool | None, "Auto mode network; null for a legacy network."),
        "legacy": attr(bool, "A legacy (non-VPC) network with one global IPv4 range."),
    },
)
FIREWALL = _asset(
    "gcp.compute.firewall",
    "VPC firewall rule",
    "compute.googleapis.com/Firewall",
    {
        "network": attr(str | None, "Network name."),
        "direction": attr(str, "INGRESS or EGRESS."),
        "disabled": attr(bool, "Whether the rule is disabled."),
        "source_ranges": attr(list, "Source CIDR ranges."),
        "allowed": attr(list, '[{protocol, ports: ["22", "1000-2000"]}]; no ports: every port.'),
    },
)
SUBNETWORK = _asset(
    "gcp.compute.subnetwork",
    "VPC subnetwork",
    "compute.googleapis.com/Subnetwork",
    {
        "flow_logs": attr(bool, "VPC Flow Logs enabled."),
        "private_google_access": attr(bool, "Private Google Access enabled."),
        "purpose": attr(str | None, "PRIVATE, or a proxy-only purpose (no flow logs there)."),
    },
)
DNS_ZONE = _asset(
    "gcp.dns.managed_zone",
    "Cloud DNS managed zone",
    "dns.googleapis.com/ManagedZone",
    {
        "dns_name": attr(str | None, "DNS name of the zone."),
        "visibility": attr(str, "public or private."),
        "dnssec_state": attr(str | None, "on, off or transfer."),
        "key_algorithms": attr(list, "[{key_type, algorithm}] of the DNSSEC default key specs."),
    },
)

# ------------------------------------------------------------------ compute
METADATA_ATTRS: dict[str, Attr] = {
    "metadata_flags": attr(
        dict, "Known configuration keys of the metadata (lower-cased values); never other values."
    ),
    "metadata_keys": attr(list, "Every metadata key present (values of unknown keys are never kept)."),
}
INSTANCE = _asset(
    "gcp.compute.instance",
    "Compute Engine VM instance",
    "compute.googleapis.com/Instance",
    {
        "status": attr(str | None, "RUNNING, TERMINATED..."),
        "can_ip_forward": attr(bool, "IP forwarding enabled."),
        "external_ips": attr(list, "External (NAT) addresses of its interfaces."),
        "service_accounts": attr(list, "[{email, scopes}] attached to the VM."),
        "shielded_vm": attr(dict, "{secure_boot, vtpm, integrity_monitoring}."),
        "gke_node": attr(bool, "Created by GKE for a node pool."),
        **METADATA_ATTRS,
    },
)
COMPUTE_PROJECT = _asset(
    "gcp.compute.project",
    "Compute Engine project metadata",
    "compute.googleapis.com/Project",
    {"default_service_account": attr(str | None, "The default compute service account."), **METADATA_ATTRS},
)
DISK = _asset(
    "gcp.compute.disk",
    "Persistent disk",
    "compute.googleapis.com/Disk",
    {"kms_key": attr(str | None, "Customer-managed key (CMEK), or null for Google-managed encryption.")},
)

# ------------------------------------------------------------------ storage, data
BUCKET = _asset(
    "gcp.storage.bucket",
    "Cloud Storage bucket",
    "storage.googleapis.com/Bucket",
    {
        "bucket_name": attr(str, "Bucket name."),
        "uniform_access": attr(bool, "Uniform bucket-level access enabled."),
        "public_access_prevention": attr(str | None, "enforced or inherited."),
        "versioning": attr(bool, "Object versioning enabled."),
        "retention_seconds": attr(int | None, "Retention policy period in seconds, or null."),
        "retention_locked": attr(bool, "Retention policy locked."),
        "kms_key": attr(str | None, "Default CMEK, or null."),
    },
)
SQL_INSTANCE = _asset(
    "gcp.sql.instance",
    "Cloud SQL instance",
    "sqladmin.googleapis.com/Instance",
    {
        "database_version": attr(str | None, "POSTGRES_15, MYSQL_8_0, SQLSERVER_2019_STANDARD..."),
        "engine": attr(str | None, "postgres, mysql or sqlserver."),
        "instance_type": attr(str | None, "CLOUD_SQL_INSTANCE, READ_REPLICA_INSTANCE..."),
        "ipv4_enabled": attr(bool, "Has a public IPv4 address."),
        "authorized_networks": attr(list, "CIDR ranges allowed to connect to the public address."),
        "require_ssl": attr(bool, "Only encrypted connections are accepted (requireSsl or sslMode)."),
        "ssl_mode": attr(str | None, "sslMode as set."),
        "backups_enabled": attr(bool, "Automated backups enabled."),
        "pitr_enabled": attr(bool, "Point-in-time recovery (binary logs on MySQL) enabled."),
        "database_flags": attr(dict, "Database flags as set, name -> value."),
    },
)
BQ_DATASET = _asset(
    "gcp.bigquery.dataset",
    "BigQuery dataset",
    "bigquery.googleapis.com/Dataset",
    {
        "dataset_id": attr(str | None, "Dataset ID."),
        "access": attr(
            list, "[{role, member}], member as allUsers/allAuthenticatedUsers/user:/group:/domain:..."
        ),
        "kms_key": attr(str | None, "Default CMEK, or null."),
    },
)
KMS_KEY = _asset(
    "gcp.kms.crypto_key",
    "Cloud KMS key",
    "cloudkms.googleapis.com/CryptoKey",
    {
        "purpose": attr(str | None, "ENCRYPT_DECRYPT, ASYMMETRIC_SIGN..."),
        "rotation_period_seconds": attr(int | None, "Automatic rotation period, or null when not set."),
    },
)

# ------------------------------------------------------------------ GKE
GKE_CLUSTER = _asset(
    "gcp.gke.cluster",
    "GKE cluster",
    "container.googleapis.com/Cluster",
    {
        "private_endpoint": attr(bool, "The control plane has only a private endpoint."),
        "master_authorized_networks": attr(bool, "Control plane access limited to authorized networks."),
        "workload_identity_pool": attr(str | None, "Workload Identity pool, or null."),
        "legacy_abac": attr(bool, "Legacy ABAC authorization enabled."),
        "network_policy": attr(bool, "NetworkPolicy enforcement (Calico) enabled."),
        "dataplane_v2": attr(bool, "Dataplane V2 (ADVANCED_DATAPATH), which enforces NetworkPolicy."),
        "shielded_nodes": attr(bool, "Shielded GKE nodes."),
        "release_channel": attr(str | None, "RAPID, REGULAR, STABLE, EXTENDED, or null."),
        "node_pools_auto_upgrade": attr(dict, "Node pool name -> auto-upgrade enabled."),
        "binary_authorization": attr(bool, "Binary Authorization enforced."),
        "client_certificate": attr(bool, "A legacy client certificate is issued."),
        "basic_auth": attr(bool, "Basic authentication (a username) is configured."),
    },
)

# ------------------------------------------------------------------ Vertex AI / Workbench
WORKBENCH_INSTANCE = _asset(
    "gcp.vertex.workbench_instance",
    "Vertex AI Workbench instance",
    "notebooks.googleapis.com/Instance",
    {
        "public_ip": attr(bool, "The instance VM has an external IP."),
        "root_access": attr(bool, "Users may become root (notebook-disable-root not true)."),
        "kms_key": attr(str | None, "CMEK of the boot/data disks, or null."),
    },
)
_VERTEX_CMEK = {"kms_key": attr(str | None, "encryptionSpec.kmsKeyName, or null.")}
VERTEX_DATASET = _asset(
    "gcp.vertex.dataset", "Vertex AI dataset", "aiplatform.googleapis.com/Dataset", _VERTEX_CMEK
)
VERTEX_ENDPOINT = _asset(
    "gcp.vertex.endpoint", "Vertex AI endpoint", "aiplatform.googleapis.com/Endpoint", _VERTEX_CMEK
)
VERTEX_MODEL = _asset("gcp.vertex.model", "Vertex AI model", "aiplatform.googleapis.com/Model", _VERTEX_CMEK)

BY_ASSET_TYPE: dict[str, str] = {
    src.asset_types[0]: name for name, src in SOURCES.items() if src.content == RESOURCE
}
HIERARCHY_TYPES = (ORGANIZATION, FOLDER, PROJECT)


def needed_sources(
    read_types: Iterable[str], derived_reads: Mapping[str, Iterable[str]]
) -> dict[str, list[str]]:
    """Content type -> asset types to list, for the types the checks read (derived types through
    what their derivers read), plus the resource hierarchy, which scoping always needs."""
    wanted: set[str] = set(HIERARCHY_TYPES)
    for t in read_types:
        wanted.update(derived_reads.get(t, (t,)))
    out: dict[str, list[str]] = {}
    for t in sorted(wanted):
        src = SOURCES.get(t)
        if src is None:
            continue
        bucket = out.setdefault(src.content, [])
        bucket.extend(a for a in src.asset_types if a not in bucket)
    return {c: (sorted(v) if ANY_ASSET not in v else []) for c, v in out.items()}
