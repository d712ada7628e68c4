"""Amazon Inspector (v2): the account's status and which scan types are enabled in a region."""

from __future__ import annotations

from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id


def collect(c: Collection, acct: Account, region: str) -> None:
    got = c.listing(
        acct,
        region,
        "inspector2",
        "BatchGetAccountStatus",
        {"accountIds": [acct.id]},
        types=(T.INSPECTOR_REGION,),
    )
    if got is None:
        return
    mine: dict[str, Any] = next(
        (a for a in got.body.get("accounts", []) if a.get("accountId") == acct.id), {}
    )
    c.add(
        T.INSPECTOR_REGION,
        region_id(acct, region, "inspector2"),
        acct,
        region,
        {
            "status": (mine.get("state") or {}).get("status"),
            "resource_state": {
                k: (v or {}).get("status") for k, v in (mine.get("resourceState") or {}).items()
            },
        },
        [got.evidence],
        name=f"Inspector in {region}",
    )


SERVICE = Service(
    name="inspector2",
    fanout="regional",
    operations=("BatchGetAccountStatus",),
    produces=(T.INSPECTOR_REGION,),
    collect=collect,
)
