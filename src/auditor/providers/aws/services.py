"""What the AWS collector reads, service by service.

Each function is one task on the collection's scheduler; per-resource detail calls are fanned
out with `gather`, so they run in parallel and the last one builds the resource. A list call
that fails records a CollectionError for exactly its (account, region, resource types); a
detail call that fails leaves a `gap` on that one resource. Secret values are never requested
(no GetSecretValue, no user data, no SecureString parameters); the one response that carries
them anyway (Lambda ListFunctions: environment variables) is masked before storage and only
the variable names reach the resource.

Every function takes (collection, account, region): for a global service (IAM, S3, CloudFront)
`region` is the home region, where its API is called; its resources have no region.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import (
    Account,
    Collection,
    Results,
    iso,
    policy_doc,
    region_id,
    tags,
    take,
)
from auditor.runtime import Called, CallFailed

# ============================================================================ IAM (global)


def _credential_report(c: Collection, acct: Account, region: str) -> Called:
    for attempt in range(40):
        state = c.call(acct, region, "iam", "GenerateCredentialReport", record=False, allow_repeat=True).body
        if state.get("State") == "COMPLETE":
            break
        time.sleep(min(2.0, 0.1 * (attempt + 1)))
    body = c.call(acct, region, "iam", "GetCredentialReport", record=False).body
    content = body.get("Content", b"")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    rows = list(csv.DictReader(io.StringIO(text)))
    ev = c.record(
        acct,
        region,
        "iam.GetCredentialReport",
        {"GeneratedTime": iso(body.get("GeneratedTime")), "rows": rows},
    )
    return Called(rows, ev)


def _partition(acct: Account) -> str:
    ident = acct.identity or ""
    return ident.split(":")[1] if ident.startswith("arn:") else "aws"


def collect_iam(c: Collection, acct: Account, region: str) -> None:
    support_arn = f"arn:{_partition(acct)}:iam::aws:policy/AWSSupportAccess"
    thunks: dict[str, Callable[[], Any]] = {
        "summary": lambda: c.call(acct, region, "iam", "GetAccountSummary"),
        "password_policy": lambda: c.call(
            acct, region, "iam", "GetAccountPasswordPolicy", absent={"NoSuchEntity"}
        ),
        "support": lambda: c.call(
            acct,
            region,
            "iam",
            "ListEntitiesForPolicy",
            {"PolicyArn": support_arn},
            absent={"NoSuchEntity"},
        ),
        "report": lambda: _credential_report(c, acct, region),
        "details": lambda: c.call(
            acct,
            region,
            "iam",
            "GetAccountAuthorizationDetails",
            {"Filter": ["User", "Role", "Group", "LocalManagedPolicy"]},
        ),
    }
    c.gather(acct, None, thunks, lambda res: _build_iam(c, acct, res))


def _bool(v: Any) -> bool:
    return str(v).lower() == "true"


def _date(v: Any) -> str | None:
    v = str(v or "")
    return None if v in ("", "N/A", "no_information", "not_supported") else v


_CRED_ATTRS = (
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "mfa_active",
    "user_creation_time",
    "access_keys",
)


def _cred_row(row: dict[str, str]) -> dict[str, Any]:
    keys = []
    for n in ("1", "2"):
        keys.append(
            {
                "key": n,
                "active": _bool(row.get(f"access_key_{n}_active")),
                "last_rotated": _date(row.get(f"access_key_{n}_last_rotated")),
                "last_used": _date(row.get(f"access_key_{n}_last_used_date")),
            }
        )
    return {
        "password_enabled": _bool(row.get("password_enabled")),
        "password_last_used": _date(row.get("password_last_used")),
        "password_last_changed": _date(row.get("password_last_changed")),
        "mfa_active": _bool(row.get("mfa_active")),
        "user_creation_time": _date(row.get("user_creation_time")),
        "access_keys": keys,
    }


def _inline(items: Any) -> list[dict[str, Any]]:
    return [{"name": p["PolicyName"], "document": policy_doc(p.get("PolicyDocument"))} for p in items or ()]


def _attached(items: Any) -> list[Any]:
    return [p.get("PolicyArn") for p in items or ()]


def _build_iam(c: Collection, acct: Account, res: Results) -> None:
    gaps: dict[str, str] = {}
    ev: list[str] = []
    summary = take(res, "summary", gaps, ("AccountMFAEnabled", "AccountAccessKeysPresent"), ev)
    policy = take(res, "password_policy", gaps, ("password_policy",), ev)
    support = take(res, "support", gaps, ("support_role_entities",), ev)
    report_gaps: dict[str, str] = {}
    report_ev: list[str] = []
    rows = take(res, "report", report_gaps, ("credential_report",), report_ev)
    attrs: dict[str, Any] = {}
    if summary is not None:
        sm = summary.get("SummaryMap", {})
        attrs["AccountMFAEnabled"] = sm.get("AccountMFAEnabled")
        attrs["AccountAccessKeysPresent"] = sm.get("AccountAccessKeysPresent")
    if "password_policy" not in gaps:
        attrs["password_policy"] = (policy or {}).get("PasswordPolicy")
    if support is not None or "support_role_entities" not in gaps:
        s = support or {}
        attrs["support_role_entities"] = [
            *(f"role/{x['RoleName']}" for x in s.get("PolicyRoles", [])),
            *(f"group/{x['GroupName']}" for x in s.get("PolicyGroups", [])),
            *(f"user/{x['UserName']}" for x in s.get("PolicyUsers", [])),
        ]
    by_user: dict[str, dict[str, Any]] = {}
    if rows is not None:
        for row in rows:
            by_user[row.get("user", "")] = _cred_row(row)
        attrs["root_credentials"] = by_user.get("<root_account>")
    else:
        gaps["root_credentials"] = report_gaps["credential_report"]
    c.add(T.IAM_ACCOUNT, acct.id, acct, None, attrs, ev + report_ev, name=acct.name or acct.id, gaps=gaps)

    details: Any = res.get("details")
    if isinstance(details, CallFailed):
        c.gap(details, acct, None, (T.IAM_USER, T.IAM_ROLE, T.IAM_GROUP, T.IAM_POLICY))
        return
    body, det_ev = details.body, details.evidence
    for u in body.get("UserDetailList", []):
        u_gaps: dict[str, str] = {}
        u_attrs: dict[str, Any] = {
            "arn": u["Arn"],
            "attached_policies": _attached(u.get("AttachedManagedPolicies")),
            "inline_policies": _inline(u.get("UserPolicyList")),
            "groups": list(u.get("GroupList", [])),
            "create_date": iso(u.get("CreateDate")),
        }
        cred = by_user.get(u["UserName"]) if rows is not None else None
        if cred is not None:
            u_attrs.update(cred)
        else:
            why = report_gaps.get("credential_report", "user missing from the credential report")
            u_gaps.update(dict.fromkeys(_CRED_ATTRS, why))
        c.add(
            T.IAM_USER,
            u["Arn"],
            acct,
            None,
            u_attrs,
            [det_ev, *report_ev],
            name=u["UserName"],
            gaps=u_gaps,
            tags=tags(u.get("Tags")),
        )
    for g in body.get("GroupDetailList", []):
        c.add(
            T.IAM_GROUP,
            g["Arn"],
            acct,
            None,
            {
                "arn": g["Arn"],
                "attached_policies": _attached(g.get("AttachedManagedPolicies")),
                "inline_policies": _inline(g.get("GroupPolicyList")),
            },
            [det_ev],
            name=g["GroupName"],
        )
    for ro in body.get("RoleDetailList", []):
        c.add(
            T.IAM_ROLE,
            ro["Arn"],
            acct,
            None,
            {
                "arn": ro["Arn"],
                "path": ro.get("Path", "/"),
                "trust_policy": policy_doc(ro.get("AssumeRolePolicyDocument")),
                "attached_policies": _attached(ro.get("AttachedManagedPolicies")),
                "inline_policies": _inline(ro.get("RolePolicyList")),
            },
            [det_ev],
            name=ro["RoleName"],
            tags=tags(ro.get("Tags")),
        )
    for p in body.get("Policies", []):
        default = next((v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        c.add(
            T.IAM_POLICY,
            p["Arn"],
            acct,
            None,
            {
                "arn": p["Arn"],
                "attachment_count": p.get("AttachmentCount", 0),
                "document": policy_doc(default.get("Document")) if default else None,
            },
            [det_ev],
            name=p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1],
        )


# ============================================================================ S3 (global list)

_S3_ABSENT = {
    "encryption": {"ServerSideEncryptionConfigurationNotFoundError"},
    "public_access_block": {"NoSuchPublicAccessBlockConfiguration"},
    "policy": {"NoSuchBucketPolicy"},
    "object_lock": {"ObjectLockConfigurationNotFoundError"},
}


def collect_s3control(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(
            acct,
            region,
            "s3control",
            "GetPublicAccessBlock",
            {"AccountId": acct.id},
            absent={"NoSuchPublicAccessBlockConfiguration"},
        )
    except CallFailed as err:
        c.gap(err, acct, None, (T.S3_ACCOUNT,))
        return
    c.add(
        T.S3_ACCOUNT,
        acct.id,
        acct,
        None,
        {"public_access_block": (got.body or {}).get("PublicAccessBlockConfiguration")},
        [got.evidence],
        name=f"S3 settings of {acct.id}",
    )


def collect_s3(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "s3", "ListBuckets")
    except CallFailed as err:
        c.gap(err, acct, None, (T.S3_BUCKET,))
        return
    for b in listed.body.get("Buckets", []):
        name = b["Name"]
        if b.get("BucketRegion"):
            _s3_details(c, acct, name, b["BucketRegion"], [listed.evidence])
        else:
            c.submit(acct, None, _s3_locate, c, acct, region, name, listed.evidence)


_S3_ATTRS = (
    "encryption_rules",
    "public_access_block",
    "policy",
    "acl_grants",
    "versioning",
    "mfa_delete",
    "logging",
    "object_lock",
)


def _s3_locate(c: Collection, acct: Account, home: str, name: str, list_ev: str) -> None:
    try:
        got = c.call(acct, home, "s3", "GetBucketLocation", {"Bucket": name})
    except CallFailed as err:
        c.add(
            T.S3_BUCKET,
            f"arn:aws:s3:::{name}",
            acct,
            None,
            {"name": name},
            [list_ev],
            name=name,
            gaps=dict.fromkeys(_S3_ATTRS, err.reason),
        )
        return
    region = got.body.get("LocationConstraint") or "us-east-1"
    if region == "EU":
        region = "eu-west-1"
    _s3_details(c, acct, name, region, [list_ev, got.evidence])


def _s3_details(c: Collection, acct: Account, name: str, region: str, ev0: list[str]) -> None:
    def call(op: str, key: str | None = None) -> Callable[[], Any]:
        return lambda: c.call(acct, region, "s3", op, {"Bucket": name}, absent=_S3_ABSENT.get(key or "", ()))

    thunks = {
        "encryption": call("GetBucketEncryption", "encryption"),
        "public_access_block": call("GetPublicAccessBlock", "public_access_block"),
        "policy": call("GetBucketPolicy", "policy"),
        "acl": call("GetBucketAcl"),
        "versioning": call("GetBucketVersioning"),
        "logging": call("GetBucketLogging"),
        "object_lock": call("GetObjectLockConfiguration", "object_lock"),
    }

    def build(res: Results) -> None:
        gaps: dict[str, str] = {}
        ev = list(ev0)
        attrs: dict[str, Any] = {"name": name}
        enc = take(res, "encryption", gaps, ("encryption_rules",), ev)
        if "encryption_rules" not in gaps:
            attrs["encryption_rules"] = ((enc or {}).get("ServerSideEncryptionConfiguration") or {}).get(
                "Rules", []
            )
        pab = take(res, "public_access_block", gaps, ("public_access_block",), ev)
        if "public_access_block" not in gaps:
            attrs["public_access_block"] = (pab or {}).get("PublicAccessBlockConfiguration")
        pol = take(res, "policy", gaps, ("policy",), ev)
        if "policy" not in gaps:
            attrs["policy"] = policy_doc(pol["Policy"]) if pol and pol.get("Policy") else None
        acl = take(res, "acl", gaps, ("acl_grants",), ev)
        if acl is not None:
            attrs["acl_grants"] = [
                {
                    "grantee_uri": g.get("Grantee", {}).get("URI"),
                    "grantee_type": g.get("Grantee", {}).get("Type"),
                    "permission": g.get("Permission"),
                }
                for g in acl.get("Grants", [])
            ]
        ver = take(res, "versioning", gaps, ("versioning", "mfa_delete"), ev)
        if ver is not None:
            attrs["versioning"] = ver.get("Status") or "Disabled"
            attrs["mfa_delete"] = ver.get("MFADelete") or "Disabled"
        log = take(res, "logging", gaps, ("logging",), ev)
        if log is not None:
            attrs["logging"] = log.get("LoggingEnabled")
        lock = take(res, "object_lock", gaps, ("object_lock",), ev)
        if "object_lock" not in gaps:
            attrs["object_lock"] = (lock or {}).get("ObjectLockConfiguration")
        c.add(T.S3_BUCKET, f"arn:aws:s3:::{name}", acct, region, attrs, ev, name=name, gaps=gaps)

    c.gather(acct, region, thunks, build)


# ============================================================================ CloudFront (global)


def collect_cloudfront(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "cloudfront", "ListDistributions")
    except CallFailed as err:
        c.gap(err, acct, None, (T.CLOUDFRONT_DISTRIBUTION,))
        return
    for d in (got.body.get("DistributionList") or {}).get("Items", []) or []:
        behaviors = [d.get("DefaultCacheBehavior", {}), *((d.get("CacheBehaviors") or {}).get("Items") or [])]
        cert = d.get("ViewerCertificate") or {}
        c.add(
            T.CLOUDFRONT_DISTRIBUTION,
            d["ARN"],
            acct,
            None,
            {
                "domain_name": d.get("DomainName"),
                "viewer_protocol_policies": [b.get("ViewerProtocolPolicy") for b in behaviors],
                "default_certificate": bool(cert.get("CloudFrontDefaultCertificate")),
                "minimum_protocol_version": cert.get("MinimumProtocolVersion"),
                "aliases": (d.get("Aliases") or {}).get("Items") or [],
            },
            [got.evidence],
            name=d.get("Id"),
        )


# ============================================================================ CloudTrail


def collect_cloudtrail(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "cloudtrail", "DescribeTrails", {"includeShadowTrails": False})
    except CallFailed as err:
        c.gap(err, acct, region, (T.CLOUDTRAIL_TRAIL,))
        return
    for t in listed.body.get("trailList", []):
        arn = t["TrailARN"]
        thunks = {
            "status": partial(c.call, acct, region, "cloudtrail", "GetTrailStatus", {"Name": arn}),
            "selectors": partial(c.call, acct, region, "cloudtrail", "GetEventSelectors", {"TrailName": arn}),
        }
        c.gather(acct, region, thunks, partial(_build_trail, c, acct, region, t, listed.evidence))


def _management_events(sel: dict[str, Any]) -> str | None:
    """The ReadWriteType of management events the trail records (None: none)."""
    kinds = set()
    for s in sel.get("EventSelectors") or []:
        if s.get("IncludeManagementEvents", True):
            kinds.add(s.get("ReadWriteType", "All"))
    for a in sel.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in a.get("FieldSelectors", [])}
        cat = fields.get("eventCategory", {}).get("Equals") or []
        if "Management" in cat:
            ro = fields.get("readOnly", {}).get("Equals")
            kinds.add("All" if not ro else ("ReadOnly" if ro == ["true"] else "WriteOnly"))
    if not sel.get("EventSelectors") and not sel.get("AdvancedEventSelectors"):
        return "All"  # no selectors configured: the trail's default records all management events
    if "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds:
        return "All"
    return next(iter(kinds), None)


def _build_trail(
    c: Collection, acct: Account, region: str, t: dict[str, Any], list_ev: str, res: Results
) -> None:
    gaps: dict[str, str] = {}
    ev = [list_ev]
    status = take(res, "status", gaps, ("is_logging",), ev)
    sel = take(res, "selectors", gaps, ("management_events",), ev)
    attrs: dict[str, Any] = {
        "arn": t["TrailARN"],
        "home_region": t.get("HomeRegion", region),
        "is_multi_region": bool(t.get("IsMultiRegionTrail")),
        "is_organization_trail": bool(t.get("IsOrganizationTrail")),
        "log_file_validation": bool(t.get("LogFileValidationEnabled")),
        "kms_key_id": t.get("KmsKeyId"),
        "cloudwatch_logs_log_group_arn": t.get("CloudWatchLogsLogGroupArn"),
        "s3_bucket": t.get("S3BucketName"),
    }
    if status is not None:
        attrs["is_logging"] = bool(status.get("IsLogging"))
    if sel is not None:
        attrs["management_events"] = _management_events(sel)
    c.add(T.CLOUDTRAIL_TRAIL, t["TrailARN"], acct, region, attrs, ev, name=t.get("Name"), gaps=gaps)


# ============================================================================ detection services


def collect_config(c: Collection, acct: Account, region: str) -> None:
    def build(res: Results) -> None:
        for v in res.values():
            if isinstance(v, CallFailed):
                c.gap(v, acct, region, (T.CONFIG_REGION,))
                return
        recs, stats = res["recorders"], res["status"]
        status = {s["name"]: s for s in stats.body.get("ConfigurationRecordersStatus", [])}
        recorders = []
        for rec in recs.body.get("ConfigurationRecorders", []):
            group = rec.get("recordingGroup") or {}
            st = status.get(rec["name"], {})
            recorders.append(
                {
                    "name": rec["name"],
                    "all_supported": bool(group.get("allSupported")),
                    "include_global_resource_types": bool(group.get("includeGlobalResourceTypes")),
                    "recording": bool(st.get("recording")),
                    "last_status": st.get("lastStatus"),
                }
            )
        c.add(
            T.CONFIG_REGION,
            region_id(acct, region, "config"),
            acct,
            region,
            {"recorders": recorders},
            [recs.evidence, stats.evidence],
            name=f"AWS Config in {region}",
        )

    c.gather(
        acct,
        region,
        {
            "recorders": lambda: c.call(acct, region, "config", "DescribeConfigurationRecorders"),
            "status": lambda: c.call(acct, region, "config", "DescribeConfigurationRecorderStatus"),
        },
        build,
    )


def collect_guardduty(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "guardduty", "ListDetectors")
    except CallFailed as err:
        c.gap(err, acct, region, (T.GUARDDUTY_REGION,))
        return
    ids = listed.body.get("DetectorIds", [])

    def build(res: Results) -> None:
        detectors: list[dict[str, Any]] = []
        gaps: dict[str, str] = {}
        evs = [listed.evidence]
        for det_id in ids:
            d = take(res, det_id, gaps, ("detectors",), evs)
            if d is not None:
                detectors.append({"id": det_id, "status": d.get("Status")})
        c.add(
            T.GUARDDUTY_REGION,
            region_id(acct, region, "guardduty"),
            acct,
            region,
            {"detectors": detectors},
            evs,
            name=f"GuardDuty in {region}",
            gaps=gaps,
        )

    c.gather(
        acct,
        region,
        {d: partial(c.call, acct, region, "guardduty", "GetDetector", {"DetectorId": d}) for d in ids},
        build,
    )


def collect_securityhub(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(
            acct,
            region,
            "securityhub",
            "DescribeHub",
            absent={"InvalidAccessException", "ResourceNotFoundException"},
        )
    except CallFailed as err:
        c.gap(err, acct, region, (T.SECURITYHUB_REGION,))
        return
    c.add(
        T.SECURITYHUB_REGION,
        region_id(acct, region, "securityhub"),
        acct,
        region,
        {"hub_arn": (got.body or {}).get("HubArn"), "enabled": got.body is not None},
        [got.evidence],
        name=f"Security Hub in {region}",
    )


def collect_accessanalyzer(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "accessanalyzer", "ListAnalyzers")
    except CallFailed as err:
        c.gap(err, acct, region, (T.ACCESSANALYZER_REGION,))
        return
    c.add(
        T.ACCESSANALYZER_REGION,
        region_id(acct, region, "accessanalyzer"),
        acct,
        region,
        {
            "analyzers": [
                {"name": a.get("name"), "type": a.get("type"), "status": a.get("status")}
                for a in got.body.get("analyzers", [])
            ]
        },
        [got.evidence],
        name=f"IAM Access Analyzer in {region}",
    )


# ============================================================================ KMS


def collect_kms(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "kms", "ListKeys")
    except CallFailed as err:
        c.gap(err, acct, region, (T.KMS_KEY,))
        return
    for k in listed.body.get("Keys", []):
        c.submit(acct, region, _kms_key, c, acct, region, k, listed.evidence)


_KMS_DESCRIBED = ("manager", "state", "key_spec", "key_usage", "origin", "deletion_date")


def _kms_key(c: Collection, acct: Account, region: str, k: dict[str, Any], list_ev: str) -> None:
    key_id, arn = k["KeyId"], k.get("KeyArn") or k["KeyId"]
    try:
        desc = c.call(acct, region, "kms", "DescribeKey", {"KeyId": key_id})
    except CallFailed as err:
        c.add(
            T.KMS_KEY,
            arn,
            acct,
            region,
            {},
            [list_ev],
            name=key_id,
            gaps=dict.fromkeys((*_KMS_DESCRIBED, "rotation_enabled", "policy"), err.reason),
        )
        return
    meta = desc.body.get("KeyMetadata", {})
    attrs = {
        "manager": meta.get("KeyManager"),
        "state": meta.get("KeyState"),
        "key_spec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
        "key_usage": meta.get("KeyUsage"),
        "origin": meta.get("Origin"),
        "deletion_date": iso(meta.get("DeletionDate")),
    }
    name = meta.get("Description") or key_id
    if attrs["manager"] != "CUSTOMER" or attrs["state"] not in ("Enabled", "Disabled"):
        c.add(T.KMS_KEY, arn, acct, region, attrs, [list_ev, desc.evidence], name=name)
        return

    def build(res: Results) -> None:
        gaps: dict[str, str] = {}
        evs = [list_ev, desc.evidence]
        rot = take(res, "rotation", gaps, ("rotation_enabled",), evs)
        if rot is not None:
            attrs["rotation_enabled"] = bool(rot.get("KeyRotationEnabled"))
        pol = take(res, "policy", gaps, ("policy",), evs)
        if pol is not None:
            attrs["policy"] = policy_doc(pol.get("Policy"))
        c.add(T.KMS_KEY, arn, acct, region, attrs, evs, name=name, gaps=gaps)

    thunks: dict[str, Callable[[], Any]] = {
        "policy": lambda: c.call(
            acct, region, "kms", "GetKeyPolicy", {"KeyId": key_id, "PolicyName": "default"}
        )
    }
    if attrs["key_spec"] == "SYMMETRIC_DEFAULT" and attrs["origin"] != "EXTERNAL":
        thunks["rotation"] = lambda: c.call(acct, region, "kms", "GetKeyRotationStatus", {"KeyId": key_id})
    c.gather(acct, region, thunks, build)


# ============================================================================ EC2 and VPC


def collect_ec2(c: Collection, acct: Account, region: str) -> None:
    for task in (
        _ec2_region,
        _ec2_security_groups,
        _ec2_instances,
        _ec2_volumes,
        _ec2_snapshots,
        _ec2_images,
    ):
        c.submit(acct, region, task, c, acct, region)
    c.gather(
        acct,
        region,
        {
            "vpcs": lambda: c.call(acct, region, "ec2", "DescribeVpcs"),
            "flow_logs": lambda: c.call(acct, region, "ec2", "DescribeFlowLogs"),
        },
        lambda res: _build_vpcs(c, acct, region, res),
    )


def _ec2_region(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "ec2", "GetEbsEncryptionByDefault")
    except CallFailed as err:
        c.gap(err, acct, region, (T.EC2_REGION,))
        return
    c.add(
        T.EC2_REGION,
        region_id(acct, region, "ec2"),
        acct,
        region,
        {"ebs_encryption_by_default": bool(got.body.get("EbsEncryptionByDefault"))},
        [got.evidence],
        name=f"EC2 settings in {region}",
    )


def _ec2_security_groups(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "ec2", "DescribeSecurityGroups")
    except CallFailed as err:
        c.gap(err, acct, region, (T.EC2_SECURITY_GROUP,))
        return
    for g in got.body.get("SecurityGroups", []):
        c.add(
            T.EC2_SECURITY_GROUP,
            f"arn:aws:ec2:{region}:{acct.id}:security-group/{g['GroupId']}",
            acct,
            region,
            {
                "group_id": g["GroupId"],
                "group_name": g.get("GroupName"),
                "vpc_id": g.get("VpcId"),
                "is_default": g.get("GroupName") == "default",
                "ingress": g.get("IpPermissions", []),
                "egress": g.get("IpPermissionsEgress", []),
            },
            [got.evidence],
            name=tags(g.get("Tags")).get("Name") or g.get("GroupName"),
            tags=tags(g.get("Tags")),
        )


def _ec2_instances(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "ec2", "DescribeInstances")
    except CallFailed as err:
        c.gap(err, acct, region, (T.EC2_INSTANCE,))
        return
    for resv in got.body.get("Reservations", []):
        for i in resv.get("Instances", []):
            i_tags = tags(i.get("Tags"))
            c.add(
                T.EC2_INSTANCE,
                f"arn:aws:ec2:{region}:{acct.id}:instance/{i['InstanceId']}",
                acct,
                region,
                {
                    "instance_id": i["InstanceId"],
                    "state": (i.get("State") or {}).get("Name"),
                    "imds_mode": (i.get("MetadataOptions") or {}).get("HttpTokens"),
                    "http_endpoint": (i.get("MetadataOptions") or {}).get("HttpEndpoint", "enabled"),
                    "public_ip": i.get("PublicIpAddress"),
                    "subnet_id": i.get("SubnetId"),
                    "security_groups": [g.get("GroupId") for g in i.get("SecurityGroups", [])],
                },
                [got.evidence],
                name=i_tags.get("Name") or i["InstanceId"],
                tags=i_tags,
            )


def _ec2_volumes(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "ec2", "DescribeVolumes")
    except CallFailed as err:
        c.gap(err, acct, region, (T.EC2_VOLUME,))
        return
    for v in got.body.get("Volumes", []):
        v_tags = tags(v.get("Tags"))
        c.add(
            T.EC2_VOLUME,
            f"arn:aws:ec2:{region}:{acct.id}:volume/{v['VolumeId']}",
            acct,
            region,
            {"volume_id": v["VolumeId"], "encrypted": bool(v.get("Encrypted")), "state": v.get("State")},
            [got.evidence],
            name=v_tags.get("Name") or v["VolumeId"],
            tags=v_tags,
        )


def _ec2_snapshots(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "ec2", "DescribeSnapshots", {"OwnerIds": ["self"]})
    except CallFailed as err:
        c.gap(err, acct, region, (T.EC2_SNAPSHOT,))
        return
    for snap in got.body.get("Snapshots", []):
        c.submit(acct, region, _ec2_snapshot, c, acct, region, snap, got.evidence)


def _ec2_snapshot(c: Collection, acct: Account, region: str, snap: dict[str, Any], list_ev: str) -> None:
    sid = snap["SnapshotId"]
    attrs: dict[str, Any] = {"snapshot_id": sid, "encrypted": bool(snap.get("Encrypted"))}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        perm = c.call(
            acct,
            region,
            "ec2",
            "DescribeSnapshotAttribute",
            {"SnapshotId": sid, "Attribute": "createVolumePermission"},
        )
        evs.append(perm.evidence)
        perms = perm.body.get("CreateVolumePermissions", [])
        attrs["public"] = any(p.get("Group") == "all" for p in perms)
        attrs["shared_with"] = sorted(p["UserId"] for p in perms if p.get("UserId"))
    except CallFailed as err:
        gaps.update(dict.fromkeys(("public", "shared_with"), err.reason))
    s_tags = tags(snap.get("Tags"))
    c.add(
        T.EC2_SNAPSHOT,
        f"arn:aws:ec2:{region}:{acct.id}:snapshot/{sid}",
        acct,
        region,
        attrs,
        evs,
        name=s_tags.get("Name") or sid,
        gaps=gaps,
        tags=s_tags,
    )


def _ec2_images(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "ec2", "DescribeImages", {"Owners": ["self"]})
    except CallFailed as err:
        c.gap(err, acct, region, (T.EC2_IMAGE,))
        return
    for img in got.body.get("Images", []):
        c.add(
            T.EC2_IMAGE,
            f"arn:aws:ec2:{region}:{acct.id}:image/{img['ImageId']}",
            acct,
            region,
            {"image_id": img["ImageId"], "public": bool(img.get("Public"))},
            [got.evidence],
            name=img.get("Name") or img["ImageId"],
            tags=tags(img.get("Tags")),
        )


def _build_vpcs(c: Collection, acct: Account, region: str, res: Results) -> None:
    vpcs = res["vpcs"]
    if isinstance(vpcs, CallFailed):
        c.gap(vpcs, acct, region, (T.EC2_VPC,))
        return
    gaps: dict[str, str] = {}
    evs = [vpcs.evidence]
    logs = take(res, "flow_logs", gaps, ("flow_logs",), evs)
    by_vpc: dict[str, list[dict[str, Any]]] = {}
    for fl in (logs or {}).get("FlowLogs", []):
        by_vpc.setdefault(fl.get("ResourceId", ""), []).append(
            {
                "id": fl.get("FlowLogId"),
                "status": fl.get("FlowLogStatus"),
                "traffic_type": fl.get("TrafficType"),
                "destination_type": fl.get("LogDestinationType"),
            }
        )
    for v in vpcs.body.get("Vpcs", []):
        attrs: dict[str, Any] = {"vpc_id": v["VpcId"], "is_default": bool(v.get("IsDefault"))}
        if logs is not None:
            attrs["flow_logs"] = by_vpc.get(v["VpcId"], [])
        v_tags = tags(v.get("Tags"))
        c.add(
            T.EC2_VPC,
            f"arn:aws:ec2:{region}:{acct.id}:vpc/{v['VpcId']}",
            acct,
            region,
            attrs,
            evs,
            name=v_tags.get("Name") or v["VpcId"],
            gaps=dict(gaps),
            tags=v_tags,
        )


# ============================================================================ RDS


def collect_rds(c: Collection, acct: Account, region: str) -> None:
    c.submit(acct, region, _rds_instances, c, acct, region)
    try:
        listed = c.call(acct, region, "rds", "DescribeDBSnapshots", {"SnapshotType": "manual"})
    except CallFailed as err:
        c.gap(err, acct, region, (T.RDS_SNAPSHOT,))
        return
    for snap in listed.body.get("DBSnapshots", []):
        c.submit(acct, region, _rds_snapshot, c, acct, region, snap, listed.evidence)


def _rds_instances(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "rds", "DescribeDBInstances")
    except CallFailed as err:
        c.gap(err, acct, region, (T.RDS_INSTANCE,))
        return
    for db in got.body.get("DBInstances", []):
        c.add(
            T.RDS_INSTANCE,
            db["DBInstanceArn"],
            acct,
            region,
            {
                "engine": db.get("Engine"),
                "engine_version": db.get("EngineVersion"),
                "storage_encrypted": bool(db.get("StorageEncrypted")),
                "kms_key_id": db.get("KmsKeyId"),
                "publicly_accessible": bool(db.get("PubliclyAccessible")),
                "backup_retention_period": db.get("BackupRetentionPeriod", 0),
                "multi_az": bool(db.get("MultiAZ")),
                "deletion_protection": bool(db.get("DeletionProtection")),
                "auto_minor_version_upgrade": bool(db.get("AutoMinorVersionUpgrade")),
                "cluster_id": db.get("DBClusterIdentifier"),
            },
            [got.evidence],
            name=db["DBInstanceIdentifier"],
            tags=tags(db.get("TagList")),
        )


def _rds_snapshot(c: Collection, acct: Account, region: str, snap: dict[str, Any], list_ev: str) -> None:
    sid = snap["DBSnapshotIdentifier"]
    attrs: dict[str, Any] = {
        "encrypted": bool(snap.get("Encrypted")),
        "db_instance": snap.get("DBInstanceIdentifier"),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(acct, region, "rds", "DescribeDBSnapshotAttributes", {"DBSnapshotIdentifier": sid})
        evs.append(got.evidence)
        values = [
            v
            for a in (got.body.get("DBSnapshotAttributesResult") or {}).get("DBSnapshotAttributes", [])
            if a.get("AttributeName") == "restore"
            for v in a.get("AttributeValues", [])
        ]
        attrs["public"] = "all" in values
        attrs["shared_with"] = sorted(v for v in values if v != "all")
    except CallFailed as err:
        gaps.update(dict.fromkeys(("public", "shared_with"), err.reason))
    c.add(
        T.RDS_SNAPSHOT,
        snap.get("DBSnapshotArn") or f"arn:aws:rds:{region}:{acct.id}:snapshot:{sid}",
        acct,
        region,
        attrs,
        evs,
        name=sid,
        gaps=gaps,
    )


# ============================================================================ DynamoDB


def collect_dynamodb(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "dynamodb", "ListTables")
    except CallFailed as err:
        c.gap(err, acct, region, (T.DYNAMODB_TABLE,))
        return
    for name in listed.body.get("TableNames", []):
        c.gather(
            acct,
            region,
            {
                "table": partial(c.call, acct, region, "dynamodb", "DescribeTable", {"TableName": name}),
                "backups": partial(
                    c.call, acct, region, "dynamodb", "DescribeContinuousBackups", {"TableName": name}
                ),
            },
            partial(_build_table, c, acct, region, name, listed.evidence),
        )


def _build_table(c: Collection, acct: Account, region: str, name: str, list_ev: str, res: Results) -> None:
    gaps: dict[str, str] = {}
    evs = [list_ev]
    desc = take(res, "table", gaps, ("sse_type", "kms_key_arn"), evs)
    cb = take(res, "backups", gaps, ("pitr_status",), evs)
    attrs: dict[str, Any] = {"table_name": name}
    arn = f"arn:aws:dynamodb:{region}:{acct.id}:table/{name}"
    if desc is not None:
        t = desc.get("Table", {})
        arn = t.get("TableArn", arn)
        sse = t.get("SSEDescription") or {}
        attrs["sse_type"] = sse.get("SSEType") if sse.get("Status") in ("ENABLED", "UPDATING") else None
        attrs["kms_key_arn"] = sse.get("KMSMasterKeyArn")
    if cb is not None:
        pitr = (cb.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {}
        attrs["pitr_status"] = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
    c.add(T.DYNAMODB_TABLE, arn, acct, region, attrs, evs, name=name, gaps=gaps)


# ============================================================================ ELBv2


def collect_elbv2(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "elbv2", "DescribeLoadBalancers")
    except CallFailed as err:
        c.gap(err, acct, region, (T.ELB_LOAD_BALANCER,))
        return
    for lb in listed.body.get("LoadBalancers", []):
        arn = lb["LoadBalancerArn"]
        c.gather(
            acct,
            region,
            {
                "listeners": partial(
                    c.call, acct, region, "elbv2", "DescribeListeners", {"LoadBalancerArn": arn}
                ),
                "attributes": partial(
                    c.call, acct, region, "elbv2", "DescribeLoadBalancerAttributes", {"LoadBalancerArn": arn}
                ),
            },
            partial(_build_load_balancer, c, acct, region, lb, listed.evidence),
        )


def _build_load_balancer(
    c: Collection, acct: Account, region: str, lb: dict[str, Any], list_ev: str, res: Results
) -> None:
    gaps: dict[str, str] = {}
    evs = [list_ev]
    listeners = take(res, "listeners", gaps, ("listeners",), evs)
    lb_attrs = take(res, "attributes", gaps, ("access_logs_enabled", "deletion_protection"), evs)
    attrs: dict[str, Any] = {
        "type": lb.get("Type", "application"),
        "scheme": lb.get("Scheme"),
        "dns_name": lb.get("DNSName"),
    }
    if listeners is not None:
        attrs["listeners"] = [
            {
                "port": li.get("Port"),
                "protocol": li.get("Protocol"),
                "ssl_policy": li.get("SslPolicy"),
                "redirects_to_https": any(
                    a.get("Type") == "redirect" and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
                    for a in li.get("DefaultActions", [])
                ),
            }
            for li in listeners.get("Listeners", [])
        ]
    if lb_attrs is not None:
        kv = {a["Key"]: a.get("Value") for a in lb_attrs.get("Attributes", [])}
        attrs["access_logs_enabled"] = kv.get("access_logs.s3.enabled") == "true"
        attrs["deletion_protection"] = kv.get("deletion_protection.enabled") == "true"
    c.add(
        T.ELB_LOAD_BALANCER,
        lb["LoadBalancerArn"],
        acct,
        region,
        attrs,
        evs,
        name=lb.get("LoadBalancerName"),
        gaps=gaps,
    )


# ============================================================================ the rest: one list call each (plus detail where needed)

_ACM_KEY_TYPES = [
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
]


def collect_acm(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "acm", "ListCertificates", {"Includes": {"keyTypes": _ACM_KEY_TYPES}})
    except CallFailed as err:
        c.gap(err, acct, region, (T.ACM_CERTIFICATE,))
        return
    for cert in listed.body.get("CertificateSummaryList", []):
        if cert.get("NotAfter") is not None or cert.get("Status") not in ("ISSUED", None):
            _acm_resource(c, acct, region, cert, [listed.evidence])
        else:
            c.submit(acct, region, _acm_describe, c, acct, region, cert, listed.evidence)


def _acm_describe(c: Collection, acct: Account, region: str, cert: dict[str, Any], list_ev: str) -> None:
    try:
        got = c.call(acct, region, "acm", "DescribeCertificate", {"CertificateArn": cert["CertificateArn"]})
    except CallFailed as err:
        _acm_resource(c, acct, region, cert, [list_ev], gap=err.reason)
        return
    _acm_resource(c, acct, region, {**cert, **got.body.get("Certificate", {})}, [list_ev, got.evidence])


def _acm_resource(
    c: Collection, acct: Account, region: str, cert: dict[str, Any], evs: list[str], gap: str | None = None
) -> None:
    c.add(
        T.ACM_CERTIFICATE,
        cert["CertificateArn"],
        acct,
        region,
        {
            "domain_name": cert.get("DomainName"),
            "status": cert.get("Status"),
            "not_after": iso(cert.get("NotAfter")),
            "in_use": cert.get("InUse"),
            "type": cert.get("Type"),
        },
        evs,
        name=cert.get("DomainName"),
        gaps={"not_after": gap} if gap else None,
    )


def collect_logs(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "logs", "DescribeLogGroups")
    except CallFailed as err:
        c.gap(err, acct, region, (T.LOGS_GROUP,))
        return
    for g in got.body.get("logGroups", []):
        arn = (
            g.get("arn", "").removesuffix(":*")
            or f"arn:aws:logs:{region}:{acct.id}:log-group:{g['logGroupName']}"
        )
        c.add(
            T.LOGS_GROUP,
            arn,
            acct,
            region,
            {"retention_in_days": g.get("retentionInDays"), "kms_key_id": g.get("kmsKeyId")},
            [got.evidence],
            name=g["logGroupName"],
        )


def collect_sns(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "sns", "ListTopics")
    except CallFailed as err:
        c.gap(err, acct, region, (T.SNS_TOPIC,))
        return
    for t in listed.body.get("Topics", []):
        c.submit(acct, region, _sns_topic, c, acct, region, t["TopicArn"], listed.evidence)


def _sns_topic(c: Collection, acct: Account, region: str, arn: str, list_ev: str) -> None:
    attrs: dict[str, Any] = {}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(acct, region, "sns", "GetTopicAttributes", {"TopicArn": arn})
        evs.append(got.evidence)
        a = got.body.get("Attributes", {})
        attrs = {
            "kms_master_key_id": a.get("KmsMasterKeyId"),
            "policy": policy_doc(a.get("Policy")) if a.get("Policy") else None,
        }
    except CallFailed as err:
        gaps = dict.fromkeys(("kms_master_key_id", "policy"), err.reason)
    c.add(T.SNS_TOPIC, arn, acct, region, attrs, evs, name=arn.rsplit(":", 1)[-1], gaps=gaps)


def collect_sqs(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(acct, region, "sqs", "ListQueues")
    except CallFailed as err:
        c.gap(err, acct, region, (T.SQS_QUEUE,))
        return
    for url in listed.body.get("QueueUrls", []):
        c.submit(acct, region, _sqs_queue, c, acct, region, url, listed.evidence)


def _sqs_queue(c: Collection, acct: Account, region: str, url: str, list_ev: str) -> None:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    arn = f"arn:aws:sqs:{region}:{acct.id}:{name}"
    attrs: dict[str, Any] = {"url": url}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(acct, region, "sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
        evs.append(got.evidence)
        a = got.body.get("Attributes", {})
        arn = a.get("QueueArn", arn)
        attrs.update(
            kms_master_key_id=a.get("KmsMasterKeyId"),
            sqs_managed_sse=a.get("SqsManagedSseEnabled") == "true",
            policy=policy_doc(a.get("Policy")) if a.get("Policy") else None,
        )
    except CallFailed as err:
        gaps = dict.fromkeys(("kms_master_key_id", "sqs_managed_sse", "policy"), err.reason)
    c.add(T.SQS_QUEUE, arn, acct, region, attrs, evs, name=name, gaps=gaps)


def collect_secretsmanager(c: Collection, acct: Account, region: str) -> None:
    # ListSecrets returns metadata only; GetSecretValue is never called.
    try:
        got = c.call(acct, region, "secretsmanager", "ListSecrets")
    except CallFailed as err:
        c.gap(err, acct, region, (T.SECRET,))
        return
    for s in got.body.get("SecretList", []):
        c.add(
            T.SECRET,
            s["ARN"],
            acct,
            region,
            {
                "rotation_enabled": bool(s.get("RotationEnabled")),
                "rotation_days": (s.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
                "last_rotated": iso(s.get("LastRotatedDate")),
                "last_accessed": iso(s.get("LastAccessedDate")),
            },
            [got.evidence],
            name=s.get("Name"),
            tags=tags(s.get("Tags")),
        )


def collect_lambda(c: Collection, acct: Account, region: str) -> None:
    try:
        listed = c.call(
            acct, region, "lambda", "ListFunctions", secret_paths=("Functions.*.Environment.Variables.*",)
        )
    except CallFailed as err:
        c.gap(err, acct, region, (T.LAMBDA_FUNCTION,))
        return
    for fn in listed.body.get("Functions", []):
        c.submit(acct, region, _lambda_function, c, acct, region, fn, listed.evidence)


def _lambda_function(c: Collection, acct: Account, region: str, fn: dict[str, Any], list_ev: str) -> None:
    arn = fn["FunctionArn"]
    attrs: dict[str, Any] = {
        "runtime": fn.get("Runtime"),
        "package_type": fn.get("PackageType", "Zip"),
        # the names only: values may be secrets and never leave this function
        "environment_variable_names": sorted(((fn.get("Environment") or {}).get("Variables") or {}).keys()),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        got = c.call(
            acct, region, "lambda", "GetPolicy", {"FunctionName": arn}, absent={"ResourceNotFoundException"}
        )
        evs.append(got.evidence)
        attrs["policy"] = policy_doc(got.body["Policy"]) if got.body and got.body.get("Policy") else None
    except CallFailed as err:
        gaps["policy"] = err.reason
    c.add(T.LAMBDA_FUNCTION, arn, acct, region, attrs, evs, name=fn.get("FunctionName"), gaps=gaps)


def collect_backup(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "backup", "ListBackupPlans")
    except CallFailed as err:
        c.gap(err, acct, region, (T.BACKUP_REGION,))
        return
    c.add(
        T.BACKUP_REGION,
        region_id(acct, region, "backup"),
        acct,
        region,
        {
            "plans": [
                {
                    "name": p.get("BackupPlanName"),
                    "id": p.get("BackupPlanId"),
                    "deleted": bool(p.get("DeletionDate")),
                }
                for p in got.body.get("BackupPlansList", [])
            ]
        },
        [got.evidence],
        name=f"AWS Backup in {region}",
    )


def collect_efs(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "efs", "DescribeFileSystems")
    except CallFailed as err:
        c.gap(err, acct, region, (T.EFS_FILE_SYSTEM,))
        return
    for fs in got.body.get("FileSystems", []):
        c.add(
            T.EFS_FILE_SYSTEM,
            fs.get("FileSystemArn")
            or f"arn:aws:elasticfilesystem:{region}:{acct.id}:file-system/{fs['FileSystemId']}",
            acct,
            region,
            {"encrypted": bool(fs.get("Encrypted")), "kms_key_id": fs.get("KmsKeyId")},
            [got.evidence],
            name=fs.get("Name") or fs["FileSystemId"],
            tags=tags(fs.get("Tags")),
        )


GLOBAL = (collect_iam, collect_s3control, collect_s3, collect_cloudfront)
REGIONAL = (
    collect_cloudtrail,
    collect_config,
    collect_guardduty,
    collect_securityhub,
    collect_accessanalyzer,
    collect_kms,
    collect_ec2,
    collect_rds,
    collect_dynamodb,
    collect_elbv2,
    collect_acm,
    collect_logs,
    collect_sns,
    collect_sqs,
    collect_secretsmanager,
    collect_lambda,
    collect_backup,
    collect_efs,
)
