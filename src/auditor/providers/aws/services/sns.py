"""SNS: topics, with encryption, topic policy and how many confirmed subscriptions they have."""

from __future__ import annotations

from collections import Counter
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, policy_doc, take
from auditor.runtime import CallFailed

_UNCONFIRMED = ("PendingConfirmation", "Deleted")


def collect(c: Collection, acct: Account, region: str) -> None:
    c.gather(
        acct,
        region,
        {
            "topics": lambda: c.call(acct, region, "sns", "ListTopics"),
            "subscriptions": lambda: c.call(acct, region, "sns", "ListSubscriptions"),
        },
        lambda res: _topics(c, acct, region, res),
    )


def _topics(c: Collection, acct: Account, region: str, res: Results) -> None:
    listed = res["topics"]
    if isinstance(listed, CallFailed):
        c.gap(listed, acct, region, (T.SNS_TOPIC,))
        return
    gaps: dict[str, str] = {}
    evs = [listed.evidence]
    subs = take(res, "subscriptions", gaps, ("confirmed_subscriptions",), evs)
    confirmed: Counter[str] | None = None
    if subs is not None:
        confirmed = Counter(
            s.get("TopicArn", "")
            for s in subs.get("Subscriptions", [])
            if s.get("SubscriptionArn") not in _UNCONFIRMED
        )
    for t in listed.body.get("Topics", []):
        c.submit(acct, region, _sns_topic, c, acct, region, t["TopicArn"], evs, confirmed, gaps)


def _sns_topic(
    c: Collection,
    acct: Account,
    region: str,
    arn: str,
    list_evs: list[str],
    confirmed: Counter[str] | None,
    list_gaps: dict[str, str],
) -> None:
    attrs: dict[str, Any] = {}
    gaps = dict(list_gaps)
    evs = list(list_evs)
    if confirmed is not None:
        attrs["confirmed_subscriptions"] = confirmed.get(arn, 0)
    try:
        got = c.call(acct, region, "sns", "GetTopicAttributes", {"TopicArn": arn})
        evs.append(got.evidence)
        a = got.body.get("Attributes", {})
        attrs["kms_master_key_id"] = a.get("KmsMasterKeyId")
        attrs["policy"] = policy_doc(a.get("Policy")) if a.get("Policy") else None
    except CallFailed as err:
        gaps.update(dict.fromkeys(("kms_master_key_id", "policy"), err.reason))
    c.add(T.SNS_TOPIC, arn, acct, region, attrs, evs, name=arn.rsplit(":", 1)[-1], gaps=gaps)


SERVICE = Service(
    name="sns",
    fanout="regional",
    operations=("ListTopics", "ListSubscriptions", "GetTopicAttributes"),
    produces=(T.SNS_TOPIC,),
    collect=collect,
)
