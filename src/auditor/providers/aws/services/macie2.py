"""Amazon Macie: whether it is enabled in a region (GetMacieSession).

AWS answers GetMacieSession in a region where Macie was never enabled with AccessDeniedException
"Macie is not enabled" (moto with ResourceNotFoundException): both mean "not enabled", recorded
as evidence; any other access denial is a collection error."""

from __future__ import annotations

from typing import Any

from auditor.models import ErrorKind
from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, region_id
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    try:
        got = c.call(acct, region, "macie2", "GetMacieSession", absent={"ResourceNotFoundException"})
        status: Any = (got.body or {}).get("status")
        ev = got.evidence
    except CallFailed as err:
        if err.kind is not ErrorKind.ACCESS_DENIED or "not enabled" not in err.message.lower():
            c.gap(err, acct, region, (T.MACIE_REGION,))
            return
        status = None
        ev = c.record(acct, region, "macie2.GetMacieSession", {"Error": {"Message": err.message}})
    c.add(
        T.MACIE_REGION,
        region_id(acct, region, "macie"),
        acct,
        region,
        {"status": status},
        [ev],
        name=f"Macie in {region}",
    )


SERVICE = Service(
    name="macie2",
    fanout="regional",
    operations=("GetMacieSession",),
    produces=(T.MACIE_REGION,),
    collect=collect,
)
