"""SNS: topics, with encryption and topic policy."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, policy_doc
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "sns", "ListTopics", types=(T.SNS_TOPIC,))
    if listed is None:
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


SERVICE = Service(
    name="sns",
    fanout="regional",
    operations=("ListTopics", "GetTopicAttributes"),
    produces=(T.SNS_TOPIC,),
    collect=collect,
)
