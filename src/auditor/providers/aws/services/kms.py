"""KMS: every key's metadata; rotation and key policy of customer-managed keys. AWS-managed keys
are told apart by ListAliases (an alias/aws/... alias targets them) and cost no DescribeKey each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, iso, policy_doc, take
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    c.gather(
        acct,
        region,
        {
            "keys": lambda: c.call(acct, region, "kms", "ListKeys"),
            "aliases": lambda: c.call(acct, region, "kms", "ListAliases"),
        },
        lambda res: _keys(c, acct, region, res),
    )


def _keys(c: Collection, acct: Account, region: str, res: Results) -> None:
    listed = res["keys"]
    if isinstance(listed, CallFailed):
        c.gap(listed, acct, region, (T.KMS_KEY,))
        return
    aliases = res["aliases"]  # when it failed, every key is described (AWS-managed ones too)
    aws_managed: dict[str, str] = {}
    if not isinstance(aliases, CallFailed):
        for a in aliases.body.get("Aliases", []):
            if str(a.get("AliasName", "")).startswith("alias/aws/") and a.get("TargetKeyId"):
                aws_managed[a["TargetKeyId"]] = a["AliasName"]
    for k in listed.body.get("Keys", []):
        alias = aws_managed.get(k["KeyId"])
        if alias is not None:
            c.add(
                T.KMS_KEY,
                k.get("KeyArn") or k["KeyId"],
                acct,
                region,
                {"manager": "AWS"},
                [listed.evidence, aliases.evidence],
                name=alias,
            )
            continue
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
    operations=("ListKeys", "ListAliases", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy"),
    produces=(T.KMS_KEY,),
    collect=collect,
)
