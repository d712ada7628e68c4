"""SQS: queues, with encryption and queue policy."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, policy_doc
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(acct, region, "sqs", "ListQueues", types=(T.SQS_QUEUE,))
    if listed is None:
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


SERVICE = Service(
    name="sqs",
    fanout="regional",
    operations=("ListQueues", "GetQueueAttributes"),
    produces=(T.SQS_QUEUE,),
    collect=collect,
)
