"""IAM (global, once per account): the account summary, password policy, AWSSupportAccess
attachments, the credential report, and every user, group, role and customer-managed policy
(with documents) from one GetAccountAuthorizationDetails; the server certificates from
ListServerCertificates."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, iso, policy_doc, tags, take
from auditor.runtime import Called, CallFailed


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


def collect(c: Collection, acct: Account, region: str) -> None:
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
    c.submit(acct, None, _server_certificates, c, acct, region)


def _server_certificates(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(
        acct, region, "iam", "ListServerCertificates", types=(T.IAM_SERVER_CERTIFICATE,), account_wide=True
    )
    if got is None:
        return
    for cert in got.body.get("ServerCertificateMetadataList", []):
        c.add(
            T.IAM_SERVER_CERTIFICATE,
            cert["Arn"],
            acct,
            None,
            {"expiration": iso(cert.get("Expiration")), "upload_date": iso(cert.get("UploadDate"))},
            [got.evidence],
            name=cert.get("ServerCertificateName"),
        )


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


SERVICE = Service(
    name="iam",
    fanout="global",
    operations=(
        "GetAccountSummary",
        "GetAccountPasswordPolicy",
        "ListEntitiesForPolicy",
        "GenerateCredentialReport",
        "GetCredentialReport",
        "GetAccountAuthorizationDetails",
        "ListServerCertificates",
    ),
    produces=(
        T.IAM_ACCOUNT,
        T.IAM_USER,
        T.IAM_ROLE,
        T.IAM_GROUP,
        T.IAM_POLICY,
        T.IAM_SERVER_CERTIFICATE,
    ),
    collect=collect,
)
