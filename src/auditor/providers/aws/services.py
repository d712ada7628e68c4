"""What the AWS collector reads, service by service.

Each function is one task on the collector's pool; per-resource detail calls are fanned out
with `gather`, so they run in parallel and the last one builds the resource. A list call that
fails records a CollectionError for exactly its (account, region, resource types); a detail
call that fails leaves a `gap` on that one resource. Secret values are never requested
(no GetSecretValue, no user data, no SecureString parameters); the one response that carries
them anyway (Lambda ListFunctions: environment variables) is masked before storage and only
the variable names reach the resource.
"""

from __future__ import annotations

import csv
import io
import json
import time
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from auditor.models import Location, Resource
from auditor.providers.aws import resources as T
from auditor.providers.aws.collector import PROVIDER, Account, ApiError, Collector

if TYPE_CHECKING:
    from collections.abc import Callable

Results = dict[str, Any]


def _loc(acct: Account, region: str | None) -> Location:
    return Location(account=acct.id, region=region)


def _tags(items: Any) -> dict[str, str]:
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    out: dict[str, str] = {}
    for t in items or ():
        key = t.get("Key", t.get("key"))
        if key is not None:
            out[str(key)] = str(t.get("Value", t.get("value", "")))
    return out


def _doc(value: Any) -> Any:
    """A policy document as a dict whatever the API returned (dict, JSON, URL-encoded JSON)."""
    if isinstance(value, str):
        text = value if value.lstrip().startswith("{") else unquote(value)
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return {"unparsed": text[:2000]}
    return value


def _resource(
    c: Collector,
    type_: str,
    id_: str,
    acct: Account,
    region: str | None,
    attrs: dict[str, Any],
    evidence: list[str],
    *,
    name: str | None = None,
    gaps: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    c.add(
        Resource(
            provider=PROVIDER,
            type=type_,
            id=id_,
            name=name,
            location=_loc(acct, region),
            tags=tags or {},
            attributes=attrs,
            gaps=gaps or {},
            evidence=tuple(e for e in dict.fromkeys(evidence) if e),
        )
    )


def _take(results: Results, key: str, gaps: dict[str, str], attrs: tuple[str, ...], ev: list[str]) -> Any:
    """The body of one gathered call, or None with a gap on each attribute it would have filled."""
    value: Any = results.get(key)
    if isinstance(value, ApiError):
        for a in attrs:
            gaps[a] = f"{value.operation} failed ({value.kind}): {value.message}"
        return None
    body, ev_id = value
    ev.append(ev_id)
    return body


def _iso(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


# ============================================================================ IAM (global)


def _credential_report(c: Collector, acct: Account) -> tuple[Any, str]:
    region = c.opts.home_region
    for attempt in range(40):
        state, _ = c.call(acct, region, "iam", "generate_credential_report", record=False)
        if state.get("State") == "COMPLETE":
            break
        time.sleep(min(2.0, 0.1 * (attempt + 1)))
    body, _ = c.call(acct, region, "iam", "get_credential_report", record=False)
    content = body.get("Content", b"")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    rows = list(csv.DictReader(io.StringIO(text)))
    ev = c.sink.record(
        PROVIDER,
        "iam.GetCredentialReport",
        {"GeneratedTime": _iso(body.get("GeneratedTime")), "rows": rows},
        scope=_loc(acct, region),
        identity=acct.identity,
    )
    return rows, ev


def _partition(acct: Account) -> str:
    ident = acct.identity or ""
    return ident.split(":")[1] if ident.startswith("arn:") else "aws"


def collect_iam(c: Collector, acct: Account) -> None:
    r = c.opts.home_region
    support_arn = f"arn:{_partition(acct)}:iam::aws:policy/AWSSupportAccess"
    thunks: dict[str, Callable[[], Any]] = {
        "summary": lambda: c.call(acct, r, "iam", "get_account_summary"),
        "password_policy": lambda: c.call(
            acct, r, "iam", "get_account_password_policy", absent={"NoSuchEntity"}
        ),
        "support": lambda: c.call(
            acct, r, "iam", "list_entities_for_policy", {"PolicyArn": support_arn}, absent={"NoSuchEntity"}
        ),
        "report": lambda: _credential_report(c, acct),
        "details": lambda: c.call(
            acct,
            r,
            "iam",
            "get_account_authorization_details",
            {"Filter": ["User", "Role", "Group", "LocalManagedPolicy"]},
        ),
    }
    c.sched.gather(thunks, lambda res: _build_iam(c, acct, res), scope=(acct.id, None))


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


def _build_iam(c: Collector, acct: Account, res: Results) -> None:
    gaps: dict[str, str] = {}
    ev: list[str] = []
    summary = _take(res, "summary", gaps, ("AccountMFAEnabled", "AccountAccessKeysPresent"), ev)
    policy = _take(res, "password_policy", gaps, ("password_policy",), ev)
    support = _take(res, "support", gaps, ("support_role_entities",), ev)
    report_gaps: dict[str, str] = {}
    report_ev: list[str] = []
    rows = _take(res, "report", report_gaps, ("credential_report",), report_ev)
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
    _resource(
        c,
        T.IAM_ACCOUNT,
        acct.id,
        acct,
        None,
        attrs,
        ev + report_ev,
        name=acct.name or acct.id,
        gaps=gaps,
    )

    details: Any = res.get("details")
    if isinstance(details, ApiError):
        c.gap(details, acct.id, None, (T.IAM_USER, T.IAM_ROLE, T.IAM_GROUP, T.IAM_POLICY))
        return
    body, det_ev = details
    for u in body.get("UserDetailList", []):
        u_gaps: dict[str, str] = {}
        u_attrs: dict[str, Any] = {
            "arn": u["Arn"],
            "attached_policies": [p.get("PolicyArn") for p in u.get("AttachedManagedPolicies", [])],
            "inline_policies": [
                {"name": p["PolicyName"], "document": _doc(p.get("PolicyDocument"))}
                for p in u.get("UserPolicyList", [])
            ],
            "groups": list(u.get("GroupList", [])),
            "create_date": _iso(u.get("CreateDate")),
        }
        cred = by_user.get(u["UserName"]) if rows is not None else None
        if cred is not None:
            u_attrs.update(cred)
        else:
            why = report_gaps.get("credential_report", "user missing from the credential report")
            u_gaps.update(dict.fromkeys(_CRED_ATTRS, why))
        _resource(
            c,
            T.IAM_USER,
            u["Arn"],
            acct,
            None,
            u_attrs,
            [det_ev, *report_ev],
            name=u["UserName"],
            gaps=u_gaps,
            tags=_tags(u.get("Tags")),
        )
    for g in body.get("GroupDetailList", []):
        _resource(
            c,
            T.IAM_GROUP,
            g["Arn"],
            acct,
            None,
            {
                "arn": g["Arn"],
                "attached_policies": [p.get("PolicyArn") for p in g.get("AttachedManagedPolicies", [])],
                "inline_policies": [
                    {"name": p["PolicyName"], "document": _doc(p.get("PolicyDocument"))}
                    for p in g.get("GroupPolicyList", [])
                ],
            },
            [det_ev],
            name=g["GroupName"],
        )
    for ro in body.get("RoleDetailList", []):
        _resource(
            c,
            T.IAM_ROLE,
            ro["Arn"],
            acct,
            None,
            {
                "arn": ro["Arn"],
                "path": ro.get("Path", "/"),
                "trust_policy": _doc(ro.get("AssumeRolePolicyDocument")),
                "attached_policies": [p.get("PolicyArn") for p in ro.get("AttachedManagedPolicies", [])],
                "inline_policies": [
                    {"name": p["PolicyName"], "document": _doc(p.get("PolicyDocument"))}
                    for p in ro.get("RolePolicyList", [])
                ],
            },
            [det_ev],
            name=ro["RoleName"],
            tags=_tags(ro.get("Tags")),
        )
    for p in body.get("Policies", []):
        default = next((v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        _resource(
            c,
            T.IAM_POLICY,
            p["Arn"],
            acct,
            None,
            {
                "arn": p["Arn"],
                "attachment_count": p.get("AttachmentCount", 0),
                "document": _doc(default.get("Document")) if default else None,
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


def collect_s3(c: Collector, acct: Account) -> None:
    r = c.opts.home_region

    def account_pab() -> None:
        try:
            body, ev = c.call(
                acct,
                r,
                "s3control",
                "get_public_access_block",
                {"AccountId": acct.id},
                absent={"NoSuchPublicAccessBlockConfiguration"},
            )
        except ApiError as err:
            c.gap(err, acct.id, None, (T.S3_ACCOUNT,))
            return
        _resource(
            c,
            T.S3_ACCOUNT,
            acct.id,
            acct,
            None,
            {"public_access_block": (body or {}).get("PublicAccessBlockConfiguration")},
            [ev],
            name=f"S3 settings of {acct.id}",
        )

    c.sched.submit(account_pab, scope=(acct.id, None))
    try:
        body, list_ev = c.call(acct, r, "s3", "list_buckets")
    except ApiError as err:
        c.gap(err, acct.id, None, (T.S3_BUCKET,))
        return
    for b in body.get("Buckets", []):
        name = b["Name"]
        if b.get("BucketRegion"):
            _s3_details(c, acct, name, b["BucketRegion"], [list_ev])
        else:
            c.sched.submit(_s3_locate, c, acct, name, list_ev, scope=(acct.id, None))


def _s3_locate(c: Collector, acct: Account, name: str, list_ev: str) -> None:
    try:
        loc, ev = c.call(acct, c.opts.home_region, "s3", "get_bucket_location", {"Bucket": name})
    except ApiError as err:
        _resource(
            c,
            T.S3_BUCKET,
            f"arn:aws:s3:::{name}",
            acct,
            None,
            {"name": name},
            [list_ev],
            name=name,
            gaps=dict.fromkeys(_S3_ATTRS, f"{err.operation} failed ({err.kind}): {err.message}"),
        )
        return
    region = loc.get("LocationConstraint") or "us-east-1"
    if region == "EU":
        region = "eu-west-1"
    _s3_details(c, acct, name, region, [list_ev, ev])


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


def _s3_details(c: Collector, acct: Account, name: str, region: str, ev0: list[str]) -> None:
    def call(op: str, key: str | None = None) -> Callable[[], Any]:
        return lambda: c.call(acct, region, "s3", op, {"Bucket": name}, absent=_S3_ABSENT.get(key or "", ()))

    thunks = {
        "encryption": call("get_bucket_encryption", "encryption"),
        "public_access_block": call("get_public_access_block", "public_access_block"),
        "policy": call("get_bucket_policy", "policy"),
        "acl": call("get_bucket_acl"),
        "versioning": call("get_bucket_versioning"),
        "logging": call("get_bucket_logging"),
        "object_lock": call("get_object_lock_configuration", "object_lock"),
    }

    def build(res: Results) -> None:
        gaps: dict[str, str] = {}
        ev = list(ev0)
        attrs: dict[str, Any] = {"name": name}
        enc = _take(res, "encryption", gaps, ("encryption_rules",), ev)
        if "encryption_rules" not in gaps:
            attrs["encryption_rules"] = ((enc or {}).get("ServerSideEncryptionConfiguration") or {}).get(
                "Rules", []
            )
        pab = _take(res, "public_access_block", gaps, ("public_access_block",), ev)
        if "public_access_block" not in gaps:
            attrs["public_access_block"] = (pab or {}).get("PublicAccessBlockConfiguration")
        pol = _take(res, "policy", gaps, ("policy",), ev)
        if "policy" not in gaps:
            attrs["policy"] = _doc(pol["Policy"]) if pol and pol.get("Policy") else None
        acl = _take(res, "acl", gaps, ("acl_grants",), ev)
        if acl is not None:
            attrs["acl_grants"] = [
                {
                    "grantee_uri": g.get("Grantee", {}).get("URI"),
                    "grantee_type": g.get("Grantee", {}).get("Type"),
                    "permission": g.get("Permission"),
                }
                for g in acl.get("Grants", [])
            ]
        ver = _take(res, "versioning", gaps, ("versioning", "mfa_delete"), ev)
        if ver is not None:
            attrs["versioning"] = ver.get("Status") or "Disabled"
            attrs["mfa_delete"] = ver.get("MFADelete") or "Disabled"
        log = _take(res, "logging", gaps, ("logging",), ev)
        if log is not None:
            attrs["logging"] = log.get("LoggingEnabled")
        lock = _take(res, "object_lock", gaps, ("object_lock",), ev)
        if "object_lock" not in gaps:
            attrs["object_lock"] = (lock or {}).get("ObjectLockConfiguration")
        _resource(c, T.S3_BUCKET, f"arn:aws:s3:::{name}", acct, region, attrs, ev, name=name, gaps=gaps)

    c.sched.gather(thunks, build, scope=(acct.id, region))


# ============================================================================ CloudFront (global)


def collect_cloudfront(c: Collector, acct: Account) -> None:
    try:
        body, ev = c.call(acct, c.opts.home_region, "cloudfront", "list_distributions")
    except ApiError as err:
        c.gap(err, acct.id, None, (T.CLOUDFRONT_DISTRIBUTION,))
        return
    for d in (body.get("DistributionList") or {}).get("Items", []) or []:
        behaviors = [d.get("DefaultCacheBehavior", {}), *((d.get("CacheBehaviors") or {}).get("Items") or [])]
        cert = d.get("ViewerCertificate") or {}
        _resource(
            c,
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
            [ev],
            name=d.get("Id"),
        )


# ============================================================================ CloudTrail


def collect_cloudtrail(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "cloudtrail", "describe_trails", {"includeShadowTrails": False})
    except ApiError as err:
        c.gap(err, acct.id, region, (T.CLOUDTRAIL_TRAIL,))
        return
    for t in body.get("trailList", []):
        arn = t["TrailARN"]
        thunks = {
            "status": partial(c.call, acct, region, "cloudtrail", "get_trail_status", {"Name": arn}),
            "selectors": partial(
                c.call, acct, region, "cloudtrail", "get_event_selectors", {"TrailName": arn}
            ),
        }
        c.sched.gather(thunks, partial(_build_trail, c, acct, region, t, ev), scope=(acct.id, region))


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
    c: Collector, acct: Account, region: str, t: dict[str, Any], list_ev: str, res: Results
) -> None:
    gaps: dict[str, str] = {}
    ev = [list_ev]
    status = _take(res, "status", gaps, ("is_logging",), ev)
    sel = _take(res, "selectors", gaps, ("management_events",), ev)
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
    _resource(c, T.CLOUDTRAIL_TRAIL, t["TrailARN"], acct, region, attrs, ev, name=t.get("Name"), gaps=gaps)


# ============================================================================ detection services


def _region_id(acct: Account, region: str, what: str) -> str:
    return f"{acct.id}/{region}/{what}"


def collect_config(c: Collector, acct: Account, region: str) -> None:
    def build(res: Results) -> None:
        for v in res.values():
            if isinstance(v, ApiError):
                c.gap(v, acct.id, region, (T.CONFIG_REGION,))
                return
        (recs, ev1), (stats, ev2) = res["recorders"], res["status"]
        status = {s["name"]: s for s in stats.get("ConfigurationRecordersStatus", [])}
        recorders = []
        for rec in recs.get("ConfigurationRecorders", []):
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
        _resource(
            c,
            T.CONFIG_REGION,
            _region_id(acct, region, "config"),
            acct,
            region,
            {"recorders": recorders},
            [ev1, ev2],
            name=f"AWS Config in {region}",
        )

    c.sched.gather(
        {
            "recorders": lambda: c.call(acct, region, "config", "describe_configuration_recorders"),
            "status": lambda: c.call(acct, region, "config", "describe_configuration_recorder_status"),
        },
        build,
        scope=(acct.id, region),
    )


def collect_guardduty(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "guardduty", "list_detectors")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.GUARDDUTY_REGION,))
        return
    ids = body.get("DetectorIds", [])

    def build(res: Results) -> None:
        detectors: list[dict[str, Any]] = []
        gaps: dict[str, str] = {}
        evs = [ev]
        for det_id in ids:
            d = _take(res, det_id, gaps, ("detectors",), evs)
            if d is not None:
                detectors.append({"id": det_id, "status": d.get("Status")})
        _resource(
            c,
            T.GUARDDUTY_REGION,
            _region_id(acct, region, "guardduty"),
            acct,
            region,
            {"detectors": detectors},
            evs,
            name=f"GuardDuty in {region}",
            gaps=gaps,
        )

    c.sched.gather(
        {d: (partial(c.call, acct, region, "guardduty", "get_detector", {"DetectorId": d})) for d in ids},
        build,
        scope=(acct.id, region),
    )


def collect_securityhub(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(
            acct,
            region,
            "securityhub",
            "describe_hub",
            absent={"InvalidAccessException", "ResourceNotFoundException"},
        )
    except ApiError as err:
        c.gap(err, acct.id, region, (T.SECURITYHUB_REGION,))
        return
    _resource(
        c,
        T.SECURITYHUB_REGION,
        _region_id(acct, region, "securityhub"),
        acct,
        region,
        {"hub_arn": (body or {}).get("HubArn"), "enabled": body is not None},
        [ev],
        name=f"Security Hub in {region}",
    )


def collect_accessanalyzer(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "accessanalyzer", "list_analyzers")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.ACCESSANALYZER_REGION,))
        return
    _resource(
        c,
        T.ACCESSANALYZER_REGION,
        _region_id(acct, region, "accessanalyzer"),
        acct,
        region,
        {
            "analyzers": [
                {"name": a.get("name"), "type": a.get("type"), "status": a.get("status")}
                for a in body.get("analyzers", [])
            ]
        },
        [ev],
        name=f"IAM Access Analyzer in {region}",
    )


# ============================================================================ KMS


def collect_kms(c: Collector, acct: Account, region: str) -> None:
    try:
        body, list_ev = c.call(acct, region, "kms", "list_keys")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.KMS_KEY,))
        return
    for k in body.get("Keys", []):
        c.sched.submit(_kms_key, c, acct, region, k, list_ev, scope=(acct.id, region))


_KMS_DESCRIBED = ("manager", "state", "key_spec", "key_usage", "origin", "deletion_date")


def _kms_key(c: Collector, acct: Account, region: str, k: dict[str, Any], list_ev: str) -> None:
    key_id, arn = k["KeyId"], k.get("KeyArn") or k["KeyId"]
    try:
        desc, ev = c.call(acct, region, "kms", "describe_key", {"KeyId": key_id})
    except ApiError as err:
        why = f"{err.operation} failed ({err.kind}): {err.message}"
        _resource(
            c,
            T.KMS_KEY,
            arn,
            acct,
            region,
            {},
            [list_ev],
            name=key_id,
            gaps=dict.fromkeys((*_KMS_DESCRIBED, "rotation_enabled", "policy"), why),
        )
        return
    meta = desc.get("KeyMetadata", {})
    attrs = {
        "manager": meta.get("KeyManager"),
        "state": meta.get("KeyState"),
        "key_spec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
        "key_usage": meta.get("KeyUsage"),
        "origin": meta.get("Origin"),
        "deletion_date": _iso(meta.get("DeletionDate")),
    }
    name = meta.get("Description") or key_id
    if attrs["manager"] != "CUSTOMER" or attrs["state"] not in ("Enabled", "Disabled"):
        _resource(c, T.KMS_KEY, arn, acct, region, attrs, [list_ev, ev], name=name)
        return

    def build(res: Results) -> None:
        gaps: dict[str, str] = {}
        evs = [list_ev, ev]
        rot = _take(res, "rotation", gaps, ("rotation_enabled",), evs)
        if rot is not None:
            attrs["rotation_enabled"] = bool(rot.get("KeyRotationEnabled"))
        pol = _take(res, "policy", gaps, ("policy",), evs)
        if pol is not None:
            attrs["policy"] = _doc(pol.get("Policy"))
        _resource(c, T.KMS_KEY, arn, acct, region, attrs, evs, name=name, gaps=gaps)

    thunks: dict[str, Callable[[], Any]] = {
        "policy": lambda: c.call(
            acct, region, "kms", "get_key_policy", {"KeyId": key_id, "PolicyName": "default"}
        )
    }
    if attrs["key_spec"] == "SYMMETRIC_DEFAULT" and attrs["origin"] != "EXTERNAL":
        thunks["rotation"] = lambda: c.call(acct, region, "kms", "get_key_rotation_status", {"KeyId": key_id})
    c.sched.gather(thunks, build, scope=(acct.id, region))


# ============================================================================ EC2 and VPC


def collect_ec2(c: Collector, acct: Account, region: str) -> None:
    s = c.sched
    scope = (acct.id, region)
    s.submit(_ec2_region, c, acct, region, scope=scope)
    s.submit(_ec2_security_groups, c, acct, region, scope=scope)
    s.submit(_ec2_instances, c, acct, region, scope=scope)
    s.submit(_ec2_volumes, c, acct, region, scope=scope)
    s.submit(_ec2_snapshots, c, acct, region, scope=scope)
    s.submit(_ec2_images, c, acct, region, scope=scope)
    s.gather(
        {
            "vpcs": lambda: c.call(acct, region, "ec2", "describe_vpcs"),
            "flow_logs": lambda: c.call(acct, region, "ec2", "describe_flow_logs"),
        },
        lambda res: _build_vpcs(c, acct, region, res),
        scope=scope,
    )


def _ec2_region(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "ec2", "get_ebs_encryption_by_default")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EC2_REGION,))
        return
    _resource(
        c,
        T.EC2_REGION,
        _region_id(acct, region, "ec2"),
        acct,
        region,
        {"ebs_encryption_by_default": bool(body.get("EbsEncryptionByDefault"))},
        [ev],
        name=f"EC2 settings in {region}",
    )


def _ec2_security_groups(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "ec2", "describe_security_groups")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EC2_SECURITY_GROUP,))
        return
    for g in body.get("SecurityGroups", []):
        _resource(
            c,
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
            [ev],
            name=_tags(g.get("Tags")).get("Name") or g.get("GroupName"),
            tags=_tags(g.get("Tags")),
        )


def _ec2_instances(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "ec2", "describe_instances")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EC2_INSTANCE,))
        return
    for resv in body.get("Reservations", []):
        for i in resv.get("Instances", []):
            tags = _tags(i.get("Tags"))
            _resource(
                c,
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
                [ev],
                name=tags.get("Name") or i["InstanceId"],
                tags=tags,
            )


def _ec2_volumes(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "ec2", "describe_volumes")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EC2_VOLUME,))
        return
    for v in body.get("Volumes", []):
        tags = _tags(v.get("Tags"))
        _resource(
            c,
            T.EC2_VOLUME,
            f"arn:aws:ec2:{region}:{acct.id}:volume/{v['VolumeId']}",
            acct,
            region,
            {"volume_id": v["VolumeId"], "encrypted": bool(v.get("Encrypted")), "state": v.get("State")},
            [ev],
            name=tags.get("Name") or v["VolumeId"],
            tags=tags,
        )


def _ec2_snapshots(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "ec2", "describe_snapshots", {"OwnerIds": ["self"]})
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EC2_SNAPSHOT,))
        return
    for snap in body.get("Snapshots", []):
        c.sched.submit(_ec2_snapshot, c, acct, region, snap, ev, scope=(acct.id, region))


def _ec2_snapshot(c: Collector, acct: Account, region: str, snap: dict[str, Any], list_ev: str) -> None:
    sid = snap["SnapshotId"]
    attrs: dict[str, Any] = {"snapshot_id": sid, "encrypted": bool(snap.get("Encrypted"))}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        perm, ev = c.call(
            acct,
            region,
            "ec2",
            "describe_snapshot_attribute",
            {"SnapshotId": sid, "Attribute": "createVolumePermission"},
        )
        evs.append(ev)
        perms = perm.get("CreateVolumePermissions", [])
        attrs["public"] = any(p.get("Group") == "all" for p in perms)
        attrs["shared_with"] = sorted(p["UserId"] for p in perms if p.get("UserId"))
    except ApiError as err:
        gaps.update(
            dict.fromkeys(("public", "shared_with"), f"{err.operation} failed ({err.kind}): {err.message}")
        )
    tags = _tags(snap.get("Tags"))
    _resource(
        c,
        T.EC2_SNAPSHOT,
        f"arn:aws:ec2:{region}:{acct.id}:snapshot/{sid}",
        acct,
        region,
        attrs,
        evs,
        name=tags.get("Name") or sid,
        gaps=gaps,
        tags=tags,
    )


def _ec2_images(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "ec2", "describe_images", {"Owners": ["self"]})
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EC2_IMAGE,))
        return
    for img in body.get("Images", []):
        _resource(
            c,
            T.EC2_IMAGE,
            f"arn:aws:ec2:{region}:{acct.id}:image/{img['ImageId']}",
            acct,
            region,
            {"image_id": img["ImageId"], "public": bool(img.get("Public"))},
            [ev],
            name=img.get("Name") or img["ImageId"],
            tags=_tags(img.get("Tags")),
        )


def _build_vpcs(c: Collector, acct: Account, region: str, res: Results) -> None:
    vpcs = res["vpcs"]
    if isinstance(vpcs, ApiError):
        c.gap(vpcs, acct.id, region, (T.EC2_VPC,))
        return
    body, ev = vpcs
    gaps: dict[str, str] = {}
    evs = [ev]
    logs = _take(res, "flow_logs", gaps, ("flow_logs",), evs)
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
    for v in body.get("Vpcs", []):
        attrs: dict[str, Any] = {"vpc_id": v["VpcId"], "is_default": bool(v.get("IsDefault"))}
        if logs is not None:
            attrs["flow_logs"] = by_vpc.get(v["VpcId"], [])
        tags = _tags(v.get("Tags"))
        _resource(
            c,
            T.EC2_VPC,
            f"arn:aws:ec2:{region}:{acct.id}:vpc/{v['VpcId']}",
            acct,
            region,
            attrs,
            evs,
            name=tags.get("Name") or v["VpcId"],
            gaps=dict(gaps),
            tags=tags,
        )


# ============================================================================ RDS


def collect_rds(c: Collector, acct: Account, region: str) -> None:
    c.sched.submit(_rds_instances, c, acct, region, scope=(acct.id, region))
    try:
        body, ev = c.call(acct, region, "rds", "describe_db_snapshots", {"SnapshotType": "manual"})
    except ApiError as err:
        c.gap(err, acct.id, region, (T.RDS_SNAPSHOT,))
        return
    for snap in body.get("DBSnapshots", []):
        c.sched.submit(_rds_snapshot, c, acct, region, snap, ev, scope=(acct.id, region))


def _rds_instances(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "rds", "describe_db_instances")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.RDS_INSTANCE,))
        return
    for db in body.get("DBInstances", []):
        _resource(
            c,
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
            [ev],
            name=db["DBInstanceIdentifier"],
            tags=_tags(db.get("TagList")),
        )


def _rds_snapshot(c: Collector, acct: Account, region: str, snap: dict[str, Any], list_ev: str) -> None:
    sid = snap["DBSnapshotIdentifier"]
    attrs: dict[str, Any] = {
        "encrypted": bool(snap.get("Encrypted")),
        "db_instance": snap.get("DBInstanceIdentifier"),
    }
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        body, ev = c.call(
            acct, region, "rds", "describe_db_snapshot_attributes", {"DBSnapshotIdentifier": sid}
        )
        evs.append(ev)
        values = [
            v
            for a in (body.get("DBSnapshotAttributesResult") or {}).get("DBSnapshotAttributes", [])
            if a.get("AttributeName") == "restore"
            for v in a.get("AttributeValues", [])
        ]
        attrs["public"] = "all" in values
        attrs["shared_with"] = sorted(v for v in values if v != "all")
    except ApiError as err:
        gaps.update(
            dict.fromkeys(("public", "shared_with"), f"{err.operation} failed ({err.kind}): {err.message}")
        )
    _resource(
        c,
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


def collect_dynamodb(c: Collector, acct: Account, region: str) -> None:
    try:
        body, list_ev = c.call(acct, region, "dynamodb", "list_tables")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.DYNAMODB_TABLE,))
        return
    for name in body.get("TableNames", []):

        def build(res: Results, name: str = name) -> None:
            gaps: dict[str, str] = {}
            evs = [list_ev]
            desc = _take(res, "table", gaps, ("sse_type", "kms_key_arn"), evs)
            cb = _take(res, "backups", gaps, ("pitr_status",), evs)
            attrs: dict[str, Any] = {"table_name": name}
            arn = f"arn:aws:dynamodb:{region}:{acct.id}:table/{name}"
            if desc is not None:
                t = desc.get("Table", {})
                arn = t.get("TableArn", arn)
                sse = t.get("SSEDescription") or {}
                attrs["sse_type"] = (
                    sse.get("SSEType") if sse.get("Status") in ("ENABLED", "UPDATING") else None
                )
                attrs["kms_key_arn"] = sse.get("KMSMasterKeyArn")
            if cb is not None:
                pitr = (cb.get("ContinuousBackupsDescription") or {}).get(
                    "PointInTimeRecoveryDescription"
                ) or {}
                attrs["pitr_status"] = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
            _resource(c, T.DYNAMODB_TABLE, arn, acct, region, attrs, evs, name=name, gaps=gaps)

        c.sched.gather(
            {
                "table": partial(c.call, acct, region, "dynamodb", "describe_table", {"TableName": name}),
                "backups": partial(
                    c.call, acct, region, "dynamodb", "describe_continuous_backups", {"TableName": name}
                ),
            },
            build,
            scope=(acct.id, region),
        )


# ============================================================================ ELBv2


def collect_elbv2(c: Collector, acct: Account, region: str) -> None:
    try:
        body, list_ev = c.call(acct, region, "elbv2", "describe_load_balancers")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.ELB_LOAD_BALANCER,))
        return
    for lb in body.get("LoadBalancers", []):
        arn = lb["LoadBalancerArn"]

        def build(res: Results, lb: dict[str, Any] = lb) -> None:
            gaps: dict[str, str] = {}
            evs = [list_ev]
            listeners = _take(res, "listeners", gaps, ("listeners",), evs)
            lb_attrs = _take(res, "attributes", gaps, ("access_logs_enabled", "deletion_protection"), evs)
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
                            a.get("Type") == "redirect"
                            and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
                            for a in li.get("DefaultActions", [])
                        ),
                    }
                    for li in listeners.get("Listeners", [])
                ]
            if lb_attrs is not None:
                kv = {a["Key"]: a.get("Value") for a in lb_attrs.get("Attributes", [])}
                attrs["access_logs_enabled"] = kv.get("access_logs.s3.enabled") == "true"
                attrs["deletion_protection"] = kv.get("deletion_protection.enabled") == "true"
            _resource(
                c,
                T.ELB_LOAD_BALANCER,
                lb["LoadBalancerArn"],
                acct,
                region,
                attrs,
                evs,
                name=lb.get("LoadBalancerName"),
                gaps=gaps,
            )

        c.sched.gather(
            {
                "listeners": partial(
                    c.call, acct, region, "elbv2", "describe_listeners", {"LoadBalancerArn": arn}
                ),
                "attributes": partial(
                    c.call,
                    acct,
                    region,
                    "elbv2",
                    "describe_load_balancer_attributes",
                    {"LoadBalancerArn": arn},
                ),
            },
            build,
            scope=(acct.id, region),
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


def collect_acm(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(
            acct, region, "acm", "list_certificates", {"Includes": {"keyTypes": _ACM_KEY_TYPES}}
        )
    except ApiError as err:
        c.gap(err, acct.id, region, (T.ACM_CERTIFICATE,))
        return
    for cert in body.get("CertificateSummaryList", []):
        if cert.get("NotAfter") is not None or cert.get("Status") not in ("ISSUED", None):
            _acm_resource(c, acct, region, cert, [ev])
        else:
            c.sched.submit(_acm_describe, c, acct, region, cert, ev, scope=(acct.id, region))


def _acm_describe(c: Collector, acct: Account, region: str, cert: dict[str, Any], list_ev: str) -> None:
    try:
        body, ev = c.call(
            acct, region, "acm", "describe_certificate", {"CertificateArn": cert["CertificateArn"]}
        )
    except ApiError as err:
        _acm_resource(
            c, acct, region, cert, [list_ev], gap=f"{err.operation} failed ({err.kind}): {err.message}"
        )
        return
    _acm_resource(c, acct, region, {**cert, **body.get("Certificate", {})}, [list_ev, ev])


def _acm_resource(
    c: Collector, acct: Account, region: str, cert: dict[str, Any], evs: list[str], gap: str | None = None
) -> None:
    _resource(
        c,
        T.ACM_CERTIFICATE,
        cert["CertificateArn"],
        acct,
        region,
        {
            "domain_name": cert.get("DomainName"),
            "status": cert.get("Status"),
            "not_after": _iso(cert.get("NotAfter")),
            "in_use": cert.get("InUse"),
            "type": cert.get("Type"),
        },
        evs,
        name=cert.get("DomainName"),
        gaps={"not_after": gap} if gap else None,
    )


def collect_logs(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "logs", "describe_log_groups")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.LOGS_GROUP,))
        return
    for g in body.get("logGroups", []):
        arn = (
            g.get("arn", "").removesuffix(":*")
            or f"arn:aws:logs:{region}:{acct.id}:log-group:{g['logGroupName']}"
        )
        _resource(
            c,
            T.LOGS_GROUP,
            arn,
            acct,
            region,
            {"retention_in_days": g.get("retentionInDays"), "kms_key_id": g.get("kmsKeyId")},
            [ev],
            name=g["logGroupName"],
        )


def collect_sns(c: Collector, acct: Account, region: str) -> None:
    try:
        body, list_ev = c.call(acct, region, "sns", "list_topics")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.SNS_TOPIC,))
        return
    for t in body.get("Topics", []):
        c.sched.submit(_sns_topic, c, acct, region, t["TopicArn"], list_ev, scope=(acct.id, region))


def _sns_topic(c: Collector, acct: Account, region: str, arn: str, list_ev: str) -> None:
    attrs: dict[str, Any] = {}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        body, ev = c.call(acct, region, "sns", "get_topic_attributes", {"TopicArn": arn})
        evs.append(ev)
        a = body.get("Attributes", {})
        attrs = {
            "kms_master_key_id": a.get("KmsMasterKeyId"),
            "policy": _doc(a.get("Policy")) if a.get("Policy") else None,
        }
    except ApiError as err:
        why = f"{err.operation} failed ({err.kind}): {err.message}"
        gaps = {"kms_master_key_id": why, "policy": why}
    _resource(c, T.SNS_TOPIC, arn, acct, region, attrs, evs, name=arn.rsplit(":", 1)[-1], gaps=gaps)


def collect_sqs(c: Collector, acct: Account, region: str) -> None:
    try:
        body, list_ev = c.call(acct, region, "sqs", "list_queues")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.SQS_QUEUE,))
        return
    for url in body.get("QueueUrls", []):
        c.sched.submit(_sqs_queue, c, acct, region, url, list_ev, scope=(acct.id, region))


def _sqs_queue(c: Collector, acct: Account, region: str, url: str, list_ev: str) -> None:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    arn = f"arn:aws:sqs:{region}:{acct.id}:{name}"
    attrs: dict[str, Any] = {"url": url}
    gaps: dict[str, str] = {}
    evs = [list_ev]
    try:
        body, ev = c.call(
            acct, region, "sqs", "get_queue_attributes", {"QueueUrl": url, "AttributeNames": ["All"]}
        )
        evs.append(ev)
        a = body.get("Attributes", {})
        arn = a.get("QueueArn", arn)
        attrs.update(
            kms_master_key_id=a.get("KmsMasterKeyId"),
            sqs_managed_sse=a.get("SqsManagedSseEnabled") == "true",
            policy=_doc(a.get("Policy")) if a.get("Policy") else None,
        )
    except ApiError as err:
        why = f"{err.operation} failed ({err.kind}): {err.message}"
        gaps = {"kms_master_key_id": why, "sqs_managed_sse": why, "policy": why}
    _resource(c, T.SQS_QUEUE, arn, acct, region, attrs, evs, name=name, gaps=gaps)


def collect_secretsmanager(c: Collector, acct: Account, region: str) -> None:
    # ListSecrets returns metadata only; GetSecretValue is never called.
    try:
        body, ev = c.call(acct, region, "secretsmanager", "list_secrets")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.SECRET,))
        return
    for s in body.get("SecretList", []):
        _resource(
            c,
            T.SECRET,
            s["ARN"],
            acct,
            region,
            {
                "rotation_enabled": bool(s.get("RotationEnabled")),
                "rotation_days": (s.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
                "last_rotated": _iso(s.get("LastRotatedDate")),
                "last_accessed": _iso(s.get("LastAccessedDate")),
            },
            [ev],
            name=s.get("Name"),
            tags=_tags(s.get("Tags")),
        )


def collect_lambda(c: Collector, acct: Account, region: str) -> None:
    try:
        body, list_ev = c.call(
            acct,
            region,
            "lambda",
            "list_functions",
            secret_paths=("Functions.*.Environment.Variables.*",),
        )
    except ApiError as err:
        c.gap(err, acct.id, region, (T.LAMBDA_FUNCTION,))
        return
    for fn in body.get("Functions", []):
        c.sched.submit(_lambda_function, c, acct, region, fn, list_ev, scope=(acct.id, region))


def _lambda_function(c: Collector, acct: Account, region: str, fn: dict[str, Any], list_ev: str) -> None:
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
        body, ev = c.call(
            acct, region, "lambda", "get_policy", {"FunctionName": arn}, absent={"ResourceNotFoundException"}
        )
        evs.append(ev)
        attrs["policy"] = _doc(body["Policy"]) if body and body.get("Policy") else None
    except ApiError as err:
        gaps["policy"] = f"{err.operation} failed ({err.kind}): {err.message}"
    _resource(c, T.LAMBDA_FUNCTION, arn, acct, region, attrs, evs, name=fn.get("FunctionName"), gaps=gaps)


def collect_backup(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "backup", "list_backup_plans")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.BACKUP_REGION,))
        return
    _resource(
        c,
        T.BACKUP_REGION,
        _region_id(acct, region, "backup"),
        acct,
        region,
        {
            "plans": [
                {
                    "name": p.get("BackupPlanName"),
                    "id": p.get("BackupPlanId"),
                    "deleted": bool(p.get("DeletionDate")),
                }
                for p in body.get("BackupPlansList", [])
            ]
        },
        [ev],
        name=f"AWS Backup in {region}",
    )


def collect_efs(c: Collector, acct: Account, region: str) -> None:
    try:
        body, ev = c.call(acct, region, "efs", "describe_file_systems")
    except ApiError as err:
        c.gap(err, acct.id, region, (T.EFS_FILE_SYSTEM,))
        return
    for fs in body.get("FileSystems", []):
        _resource(
            c,
            T.EFS_FILE_SYSTEM,
            fs.get("FileSystemArn")
            or f"arn:aws:elasticfilesystem:{region}:{acct.id}:file-system/{fs['FileSystemId']}",
            acct,
            region,
            {"encrypted": bool(fs.get("Encrypted")), "kms_key_id": fs.get("KmsKeyId")},
            [ev],
            name=fs.get("Name") or fs["FileSystemId"],
            tags=_tags(fs.get("Tags")),
        )


GLOBAL = (collect_iam, collect_s3, collect_cloudfront)
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
