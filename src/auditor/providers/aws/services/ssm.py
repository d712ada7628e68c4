"""Systems Manager: the managed instances of a region with their patch compliance (one
ListResourceComplianceSummaries for the region), and the documents the account owns with
their sharing (one DescribeDocumentPermission each). Parameter values are never read."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, described, take
from auditor.runtime import CallFailed

_PATCH = {"Filters": [{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}]}


def collect(c: Collection, acct: Account, region: str) -> None:
    c.submit(acct, region, _documents, c, acct, region)
    c.gather(
        acct,
        region,
        {
            "instances": lambda: c.call(acct, region, "ssm", "DescribeInstanceInformation"),
            "compliance": lambda: c.call(acct, region, "ssm", "ListResourceComplianceSummaries", _PATCH),
        },
        lambda res: _instances(c, acct, region, res),
    )


def _instances(c: Collection, acct: Account, region: str, res: Results) -> None:
    listed = res["instances"]
    if isinstance(listed, CallFailed):
        c.gap(listed, acct, region, (T.SSM_MANAGED_INSTANCE,))
        return
    gaps: dict[str, str] = {}
    evs = [listed.evidence]
    compliance = take(res, "compliance", gaps, ("patch_status",), evs)
    patch = {
        s.get("ResourceId"): s.get("Status")
        for s in (compliance or {}).get("ResourceComplianceSummaryItems", [])
        if s.get("ComplianceType") == "Patch"
    }
    for i in listed.body.get("InstanceInformationList", []):
        iid = i["InstanceId"]
        attrs: dict[str, Any] = {
            "instance_id": iid,
            "ping_status": i.get("PingStatus"),
            "platform": i.get("PlatformType"),
        }
        if compliance is not None:
            attrs["patch_status"] = patch.get(iid)
        c.add(
            T.SSM_MANAGED_INSTANCE,
            f"arn:aws:ssm:{region}:{acct.id}:managed-instance/{iid}",
            acct,
            region,
            attrs,
            evs,
            name=i.get("ComputerName") or iid,
            gaps=dict(gaps),
        )


def _documents(c: Collection, acct: Account, region: str) -> None:
    listed = c.listing(
        acct,
        region,
        "ssm",
        "ListDocuments",
        {"Filters": [{"Key": "Owner", "Values": ["Self"]}]},
        types=(T.SSM_DOCUMENT,),
    )
    if listed is None:
        return
    for doc in listed.body.get("DocumentIdentifiers", []):
        c.submit(acct, region, _document, c, acct, region, doc, listed.evidence)


def _document(c: Collection, acct: Account, region: str, doc: dict[str, Any], list_ev: str) -> None:
    name = doc["Name"]

    def build(body: Any) -> dict[str, Any]:
        ids = list(body.get("AccountIds") or [])
        return {
            "document_type": doc.get("DocumentType"),
            "public": "all" in ids,
            "shared_with": sorted(i for i in ids if i != "all"),
        }

    described(
        c,
        acct,
        region,
        T.SSM_DOCUMENT,
        f"arn:aws:ssm:{region}:{acct.id}:document/{name}",
        list_ev,
        lambda: c.call(
            acct, region, "ssm", "DescribeDocumentPermission", {"Name": name, "PermissionType": "Share"}
        ),
        build,
        name=name,
    )


SERVICE = Service(
    name="ssm",
    fanout="regional",
    operations=(
        "DescribeInstanceInformation",
        "ListResourceComplianceSummaries",
        "ListDocuments",
        "DescribeDocumentPermission",
    ),
    produces=(T.SSM_MANAGED_INSTANCE, T.SSM_DOCUMENT),
    collect=collect,
)
