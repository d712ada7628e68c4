"""KMS: every key's metadata; rotation and key policy of customer-managed keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, iso, policy_doc, take
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "kms", "ListKeys", types=(T.KMS_KEY,))
    if listed is None:
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


SERVICE = Service(
    name="kms",
    fanout="regional",
    operations=("ListKeys", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy"),
    produces=(T.KMS_KEY,),
    collect=collect,
)
