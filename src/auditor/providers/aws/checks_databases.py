"""Databases and caches: Aurora and Multi-AZ RDS clusters and their snapshots, Neptune, DocumentDB,
Redshift, ElastiCache, OpenSearch and Elasticsearch domains."""

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
from auditor.providers.aws import resources as T
from auditor.providers.aws.verdicts import at_least, forbidden, required

checks = CheckSet("aws")

_ENCRYPT = "Storage, automated backups, replicas and snapshots of an unencrypted cluster expose data at rest."
_BACKUPS = "Automated backups allow point-in-time recovery within the retention window."
_DELETE = "Deletion protection stops an accidental or malicious delete of the whole cluster."
_RETENTION = param(
    "aws.rds.min_backup_retention_days",
    "integer",
    7,
    "Fewest days of automated backups an RDS instance, or an Aurora, Neptune or DocumentDB cluster, must keep.",
)


def _backups(db: Resource, days: int) -> Verdict:
    return at_least(
        db,
        "backup_retention_period",
        days,
        "day(s) of automated backups",
        "ModifyDBCluster BackupRetentionPeriod",
    )


# ----------------------------------------------------------------------------- Aurora and Multi-AZ DB clusters


@checks.check(
    id="aws.rds.cluster_storage_encrypted",
    title="RDS DB clusters encrypt storage",
    severity="high",
    resource_types=[T.RDS_CLUSTER],
    rationale=_ENCRYPT,
    remediation="Restore the cluster from an encrypted copy of a snapshot (encryption cannot be turned on in place).",
)
def cluster_encrypted(db: Resource, ctx: CheckContext) -> Verdict:
    return required(
        db,
        "storage_encrypted",
        "storage is encrypted",
        "DB cluster {name} is not encrypted: restore it encrypted",
    )


@checks.check(
    id="aws.rds.cluster_backup_retention",
    title="RDS DB clusters keep automated backups at least 7 days",
    severity="medium",
    resource_types=[T.RDS_CLUSTER],
    rationale=_BACKUPS,
    remediation="ModifyDBCluster with BackupRetentionPeriod >= 7 (parameter aws.rds.min_backup_retention_days).",
    params=[_RETENTION],
)
def cluster_backups(db: Resource, ctx: CheckContext) -> Verdict:
    return _backups(db, int(ctx.param("aws.rds.min_backup_retention_days")))


@checks.check(
    id="aws.rds.cluster_deletion_protection",
    title="RDS DB clusters have deletion protection",
    severity="medium",
    resource_types=[T.RDS_CLUSTER],
    rationale=_DELETE,
    remediation="ModifyDBCluster with DeletionProtection=true.",
)
def cluster_deletion(db: Resource, ctx: CheckContext) -> Verdict:
    return required(
        db,
        "deletion_protection",
        "deletion protection is on",
        "DB cluster {name} has no deletion protection: ModifyDBCluster DeletionProtection=true",
    )


@checks.check(
    id="aws.rds.cluster_iam_auth",
    title="RDS DB clusters use IAM database authentication",
    severity="medium",
    resource_types=[T.RDS_CLUSTER],
    rationale="IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM.",
    remediation="ModifyDBCluster with EnableIAMDatabaseAuthentication=true.",
)
def cluster_iam_auth(db: Resource, ctx: CheckContext) -> Verdict:
    return required(
        db,
        "iam_auth",
        "IAM database authentication is on",
        "DB cluster {name} has IAM database authentication off: ModifyDBCluster EnableIAMDatabaseAuthentication",
    )


def _members(db: Resource, ctx: CheckContext) -> list[Resource]:
    """The cluster's instances in the snapshot (Aurora sets public access and upgrades per instance)."""
    names = set(need(db, "members"))
    return [
        i
        for i in ctx.lookup(T.RDS_INSTANCE, "cluster_id", db.name, within="region", of=db)
        if not names or i.name in names
    ]  # fmt: skip


@checks.check(
    id="aws.rds.cluster_not_public",
    title="RDS DB clusters are not publicly accessible",
    severity="critical",
    resource_types=[T.RDS_CLUSTER],
    rationale="A publicly accessible cluster or cluster instance gets a public DNS name and address.",
    remediation="ModifyDBCluster (Multi-AZ DB clusters) or ModifyDBInstance on each Aurora instance with "
    "PubliclyAccessible=false.",
)
def cluster_public(db: Resource, ctx: CheckContext) -> Verdict:
    own = need(db, "publicly_accessible")
    if own:
        return failed(
            f"DB cluster {db.name} is publicly accessible: ModifyDBCluster PubliclyAccessible=false"
        )
    public = [str(i.name) for i in _members(db, ctx) if need(i, "publicly_accessible")]
    if public:
        return failed(
            f"DB cluster {db.name} has publicly accessible instance(s) {summarize(public)}: "
            "ModifyDBInstance PubliclyAccessible=false"
        )
    return passed("not publicly accessible")


@checks.check(
    id="aws.rds.cluster_minor_version_upgrade",
    title="RDS DB clusters take minor version upgrades automatically",
    severity="low",
    resource_types=[T.RDS_CLUSTER],
    rationale="Minor versions carry security fixes.",
    remediation="ModifyDBCluster (Multi-AZ DB clusters) or ModifyDBInstance on each Aurora instance with "
    "AutoMinorVersionUpgrade=true.",
)
def cluster_minor(db: Resource, ctx: CheckContext) -> Verdict:
    own = need(db, "auto_minor_version_upgrade")
    if own is False:
        return failed(f"DB cluster {db.name} does not upgrade minor versions: AutoMinorVersionUpgrade=true")
    members = _members(db, ctx)
    manual = [str(i.name) for i in members if not need(i, "auto_minor_version_upgrade")]
    if manual:
        return failed(
            f"instance(s) {summarize(manual)} of DB cluster {db.name} do not upgrade minor versions: "
            "ModifyDBInstance AutoMinorVersionUpgrade=true"
        )
    if own is None and not members:
        return not_applicable("an Aurora cluster without instances")
    return passed("automatic minor version upgrades are on")


@checks.check(
    id="aws.rds.cluster_snapshot_not_public",
    title="RDS DB cluster snapshots are not public",
    severity="critical",
    resource_types=[T.RDS_CLUSTER_SNAPSHOT],
    rationale="A public cluster snapshot can be restored by any AWS account.",
    remediation="ModifyDBClusterSnapshotAttribute to remove 'all' from the restore attribute.",
)
def cluster_snapshot_public(snap: Resource, ctx: CheckContext) -> Verdict:
    return forbidden(
        snap,
        "public",
        "snapshot is not public",
        "DB cluster snapshot {name} can be restored by anyone: remove 'all' from its restore attribute",
    )


@checks.check(
    id="aws.rds.cluster_snapshot_encrypted",
    title="RDS DB cluster snapshots are encrypted",
    severity="medium",
    resource_types=[T.RDS_CLUSTER_SNAPSHOT],
    rationale="Cluster snapshots are full copies of the database.",
    remediation="CopyDBClusterSnapshot with a KMS key and delete the unencrypted snapshot.",
)
def cluster_snapshot_encrypted(snap: Resource, ctx: CheckContext) -> Verdict:
    return required(
        snap,
        "encrypted",
        "snapshot is encrypted",
        "DB cluster snapshot {name} is not encrypted: copy it with a KMS key and delete it",
    )


# ----------------------------------------------------------------------------- Neptune and DocumentDB

_AUDIT = "Audit logs record who connected and what they ran."
_AUDIT_FIX = (
    "Enable auditing in the cluster parameter group and ModifyDBCluster CloudwatchLogsExportConfiguration "
    "EnableLogTypes=[audit]."
)


def _engine_checks(type_: str, engine: str, label: str) -> None:
    """The four checks Neptune and DocumentDB clusters share (the same DescribeDBClusters, the
    same attributes): encryption, backups, deletion protection, audit logs."""

    @checks.check(
        id=f"aws.{engine}.cluster_encrypted",
        title=f"{label} clusters encrypt storage",
        severity="high",
        resource_types=[type_],
        rationale=_ENCRYPT,
        remediation=f"Restore the {label} cluster from a snapshot copied with a KMS key.",
    )
    def encrypted(db: Resource, ctx: CheckContext) -> Verdict:
        return required(
            db,
            "storage_encrypted",
            "storage is encrypted",
            f"{label} cluster {{name}} is not encrypted: restore it encrypted",
        )

    @checks.check(
        id=f"aws.{engine}.backup_retention",
        title=f"{label} clusters keep automated backups at least 7 days",
        severity="medium",
        resource_types=[type_],
        rationale=_BACKUPS,
        remediation="ModifyDBCluster with BackupRetentionPeriod >= 7 (parameter aws.rds.min_backup_retention_days).",
        params=[_RETENTION],
    )
    def backups(db: Resource, ctx: CheckContext) -> Verdict:
        return _backups(db, int(ctx.param("aws.rds.min_backup_retention_days")))

    @checks.check(
        id=f"aws.{engine}.deletion_protection",
        title=f"{label} clusters have deletion protection",
        severity="medium",
        resource_types=[type_],
        rationale=_DELETE,
        remediation="ModifyDBCluster with DeletionProtection=true.",
    )
    def deletion(db: Resource, ctx: CheckContext) -> Verdict:
        return required(
            db,
            "deletion_protection",
            "deletion protection is on",
            f"{label} cluster {{name}} has no deletion protection: ModifyDBCluster DeletionProtection=true",
        )

    @checks.check(
        id=f"aws.{engine}.audit_logs",
        title=f"{label} clusters export audit logs",
        severity="medium",
        resource_types=[type_],
        rationale=_AUDIT,
        remediation=_AUDIT_FIX,
    )
    def audit(db: Resource, ctx: CheckContext) -> Verdict:
        if "audit" in need(db, "log_exports"):
            return passed("audit logs go to CloudWatch Logs")
        return failed(
            f"{label} cluster {db.name} does not export audit logs: enable auditing and the audit log export"
        )


_engine_checks(T.NEPTUNE_CLUSTER, "neptune", "Neptune")
_engine_checks(T.DOCDB_CLUSTER, "docdb", "DocumentDB")


# ----------------------------------------------------------------------------- Redshift


@checks.check(
    id="aws.redshift.encrypted",
    title="Redshift clusters are encrypted",
    severity="high",
    resource_types=[T.REDSHIFT_CLUSTER],
    rationale="A data warehouse holds copies of most of the organisation's data.",
    remediation="ModifyCluster with Encrypted=true and a KMS key.",
)
def redshift_encrypted(cl: Resource, ctx: CheckContext) -> Verdict:
    return required(
        cl,
        "encrypted",
        "encrypted at rest",
        "Redshift cluster {name} is not encrypted: ModifyCluster Encrypted=true",
    )


@checks.check(
    id="aws.redshift.not_public",
    title="Redshift clusters are not publicly accessible",
    severity="critical",
    resource_types=[T.REDSHIFT_CLUSTER],
    rationale="A publicly accessible cluster has an address reachable from the internet.",
    remediation="ModifyCluster with PubliclyAccessible=false.",
)
def redshift_public(cl: Resource, ctx: CheckContext) -> Verdict:
    return forbidden(
        cl,
        "publicly_accessible",
        "not publicly accessible",
        "Redshift cluster {name} is publicly accessible: ModifyCluster PubliclyAccessible=false",
    )


@checks.check(
    id="aws.redshift.audit_logging",
    title="Redshift clusters have audit logging on",
    severity="medium",
    resource_types=[T.REDSHIFT_CLUSTER],
    rationale="Connection, user and user-activity logs show who queried what.",
    remediation="EnableLogging to S3 or CloudWatch Logs (and enable_user_activity_logging in the parameter group).",
)
def redshift_logging(cl: Resource, ctx: CheckContext) -> Verdict:
    return required(
        cl,
        "logging_enabled",
        "audit logging is on",
        "Redshift cluster {name} has audit logging off: EnableLogging",
    )


@checks.check(
    id="aws.redshift.require_ssl",
    title="Redshift clusters require TLS connections",
    severity="medium",
    resource_types=[T.REDSHIFT_CLUSTER],
    rationale="Without require_ssl clients may connect in clear text.",
    remediation="Set require_ssl=true in the cluster's parameter group (ModifyClusterParameterGroup) and reboot.",
)
def redshift_ssl(cl: Resource, ctx: CheckContext) -> Verdict:
    if need(cl, "require_ssl"):
        return passed("require_ssl is true")
    groups = summarize(need(cl, "parameter_groups"))
    return failed(
        f"Redshift cluster {cl.name} accepts clear-text connections: set require_ssl=true in {groups}"
    )


@checks.check(
    id="aws.redshift.enhanced_vpc_routing",
    title="Redshift clusters use enhanced VPC routing",
    severity="low",
    resource_types=[T.REDSHIFT_CLUSTER],
    rationale="Enhanced VPC routing keeps COPY and UNLOAD traffic inside the VPC, under its endpoints and flow logs.",
    remediation="ModifyCluster with EnhancedVpcRouting=true.",
)
def redshift_vpc_routing(cl: Resource, ctx: CheckContext) -> Verdict:
    return required(
        cl,
        "enhanced_vpc_routing",
        "enhanced VPC routing is on",
        "Redshift cluster {name} routes COPY/UNLOAD over the internet: ModifyCluster EnhancedVpcRouting=true",
    )


# ----------------------------------------------------------------------------- ElastiCache


def _redis(c: Resource) -> bool:
    return str(need(c, "engine") or "redis") in ("redis", "valkey")


@checks.check(
    id="aws.elasticache.encryption_at_rest",
    title="ElastiCache clusters are encrypted at rest",
    severity="medium",
    resource_types=[T.ELASTICACHE_CLUSTER],
    rationale="Cache nodes, swap and backups may hold session and personal data.",
    remediation="Create a new replication group with AtRestEncryptionEnabled=true and migrate (it cannot be changed in place).",
)
def cache_at_rest(c: Resource, ctx: CheckContext) -> Verdict:
    return required(
        c,
        "at_rest_encryption",
        "encrypted at rest",
        "ElastiCache {name} is not encrypted at rest: recreate it with AtRestEncryptionEnabled",
    )


@checks.check(
    id="aws.elasticache.encryption_in_transit",
    title="ElastiCache clusters encrypt traffic in transit",
    severity="medium",
    resource_types=[T.ELASTICACHE_CLUSTER],
    rationale="Without TLS, cache traffic and AUTH tokens cross the network in clear text.",
    remediation="ModifyReplicationGroup with TransitEncryptionEnabled=true (TransitEncryptionMode preferred, then required).",
)
def cache_in_transit(c: Resource, ctx: CheckContext) -> Verdict:
    return required(
        c,
        "transit_encryption",
        "TLS in transit",
        "ElastiCache {name} does not encrypt traffic: enable TransitEncryptionEnabled",
    )


@checks.check(
    id="aws.elasticache.auth",
    title="ElastiCache Redis requires AUTH or RBAC",
    severity="high",
    resource_types=[T.ELASTICACHE_CLUSTER],
    rationale="Without AUTH or RBAC anyone who reaches the port reads and writes every key.",
    remediation="Set an AUTH token (ModifyReplicationGroup AuthToken, with TLS) or attach an RBAC user group.",
)
def cache_auth(c: Resource, ctx: CheckContext) -> Verdict:
    if not _redis(c):
        return not_applicable("Memcached has no AUTH or RBAC")
    if need(c, "user_group_ids"):
        return passed(f"RBAC user groups {summarize(need(c, 'user_group_ids'))}")
    return required(
        c,
        "auth_token_enabled",
        "AUTH token required",
        "ElastiCache {name} accepts unauthenticated clients: set an AUTH token or an RBAC user group",
    )


@checks.check(
    id="aws.elasticache.redis_backups",
    title="ElastiCache Redis takes automatic backups",
    severity="medium",
    resource_types=[T.ELASTICACHE_CLUSTER],
    rationale="Automatic snapshots let a Redis data set be restored after loss or corruption.",
    remediation="ModifyReplicationGroup with SnapshotRetentionLimit >= 1 (parameter aws.elasticache.min_snapshot_retention_days).",
    params=[
        param(
            "aws.elasticache.min_snapshot_retention_days",
            "integer",
            1,
            "Fewest days a Redis replication group must keep automatic backups.",
        )
    ],
)
def cache_backups(c: Resource, ctx: CheckContext) -> Verdict:
    if not _redis(c):
        return not_applicable("Memcached keeps no backups")
    return at_least(
        c,
        "snapshot_retention_limit",
        int(ctx.param("aws.elasticache.min_snapshot_retention_days")),
        "day(s) of automatic backups",
        "ModifyReplicationGroup SnapshotRetentionLimit",
    )


# ----------------------------------------------------------------------------- OpenSearch

_TLS12 = [
    "Policy-Min-TLS-1-2-2019-07",
    "Policy-Min-TLS-1-2-PFS-2023-10",
    "Policy-Min-TLS-1-2-RFC9151-FIPS-2023-04",
]


@checks.check(
    id="aws.opensearch.encryption_at_rest",
    title="OpenSearch domains are encrypted at rest",
    severity="medium",
    resource_types=[T.OPENSEARCH_DOMAIN],
    rationale="Indexes, logs and snapshots of a search domain often hold personal data.",
    remediation="UpdateDomainConfig with EncryptionAtRestOptions Enabled=true.",
)
def search_at_rest(d: Resource, ctx: CheckContext) -> Verdict:
    return required(
        d,
        "encryption_at_rest",
        "encrypted at rest",
        "domain {name} is not encrypted at rest: enable EncryptionAtRestOptions",
    )


@checks.check(
    id="aws.opensearch.node_to_node_encryption",
    title="OpenSearch domains encrypt traffic between nodes",
    severity="medium",
    resource_types=[T.OPENSEARCH_DOMAIN],
    rationale="Without node-to-node encryption, replication and queries cross the network in clear text.",
    remediation="UpdateDomainConfig with NodeToNodeEncryptionOptions Enabled=true.",
)
def search_node_to_node(d: Resource, ctx: CheckContext) -> Verdict:
    return required(
        d,
        "node_to_node_encryption",
        "node-to-node traffic is encrypted",
        "domain {name} sends node-to-node traffic in clear text: enable NodeToNodeEncryptionOptions",
    )


@checks.check(
    id="aws.opensearch.https_tls",
    title="OpenSearch domains require HTTPS with TLS 1.2+",
    severity="medium",
    resource_types=[T.OPENSEARCH_DOMAIN],
    rationale="Plain HTTP or TLS 1.0/1.1 expose queries and credentials.",
    remediation="UpdateDomainConfig DomainEndpointOptions EnforceHTTPS=true with TLSSecurityPolicy "
    "Policy-Min-TLS-1-2-PFS-2023-10 (parameter aws.opensearch.tls_policies).",
    params=[
        param(
            "aws.opensearch.tls_policies",
            "string_list",
            _TLS12,
            "OpenSearch TLS security policies that count as TLS 1.2 or newer.",
        )
    ],
)
def search_https(d: Resource, ctx: CheckContext) -> Verdict:
    if not need(d, "enforce_https"):
        return failed(f"domain {d.name} accepts plain HTTP: set EnforceHTTPS=true")
    policy = need(d, "tls_policy")
    if policy not in set(ctx.param("aws.opensearch.tls_policies")):
        return failed(
            f"domain {d.name} allows TLS below 1.2 ({policy}): set TLSSecurityPolicy Policy-Min-TLS-1-2-PFS-2023-10"
        )
    return passed(f"HTTPS only, {policy}")


@checks.check(
    id="aws.opensearch.in_vpc",
    title="OpenSearch domains are placed in a VPC",
    severity="high",
    resource_types=[T.OPENSEARCH_DOMAIN],
    rationale="A domain outside a VPC has a public endpoint guarded only by its access policy.",
    remediation="Create the domain with VPCOptions (subnets and security groups) and migrate.",
)
def search_vpc(d: Resource, ctx: CheckContext) -> Verdict:
    return required(
        d,
        "in_vpc",
        "the domain is in a VPC",
        "domain {name} has a public endpoint: recreate it with VPCOptions",
    )


@checks.check(
    id="aws.opensearch.fine_grained_access",
    title="OpenSearch domains use fine-grained access control",
    severity="medium",
    resource_types=[T.OPENSEARCH_DOMAIN],
    rationale="Fine-grained access control limits users to indexes, documents and fields.",
    remediation="UpdateDomainConfig with AdvancedSecurityOptions Enabled=true and a master user or IAM ARN.",
)
def search_fgac(d: Resource, ctx: CheckContext) -> Verdict:
    return required(
        d,
        "fine_grained_access",
        "fine-grained access control is on",
        "domain {name} has fine-grained access control off: enable AdvancedSecurityOptions",
    )


@checks.check(
    id="aws.opensearch.audit_logs",
    title="OpenSearch domains publish audit logs",
    severity="low",
    resource_types=[T.OPENSEARCH_DOMAIN],
    rationale="Audit logs record authentication and index access on the domain.",
    remediation="Publish AUDIT_LOGS to a CloudWatch Logs group (LogPublishingOptions) and enable auditing in "
    "the security plugin.",
)
def search_audit(d: Resource, ctx: CheckContext) -> Verdict:
    return required(
        d,
        "audit_logs",
        "audit logs are published",
        "domain {name} publishes no audit logs: enable AUDIT_LOGS publishing",
    )
