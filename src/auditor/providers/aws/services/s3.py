"""S3: the bucket list (global), then seven settings calls per bucket in the bucket's region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, policy_doc, take
from auditor.runtime import CallFailed

_S3_ABSENT = {
    "encryption": {"ServerSideEncryptionConfigurationNotFoundError"},
    "public_access_block": {"NoSuchPublicAccessBlockConfiguration"},
    "policy": {"NoSuchBucketPolicy"},
    "object_lock": {"ObjectLockConfigurationNotFoundError"},
}


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "s3", "ListBuckets", types=(T.S3_BUCKET,), account_wide=True)
    if listed is None:
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


SERVICE = Service(
    name="s3",
    fanout="global",
    operations=(
        "ListBuckets",
        "GetBucketLocation",
        "GetBucketEncryption",
        "GetPublicAccessBlock",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetBucketVersioning",
        "GetBucketLogging",
        "GetObjectLockConfiguration",
    ),
    produces=(T.S3_BUCKET,),
    conditional={
        "GetBucketLocation": "only for buckets ListBuckets returns without BucketRegion",
    },
    collect=collect,
)
