"""AWS views that no single API call answers, derived from the snapshot (see auditor.derive).

`aws.cloudtrail.account`: one per account the snapshot holds (its `aws.iam.account`, or the
accounts the scan's target says it scanned), over the trails of every region of that account.
Whether an account has a multi-region trail logging everything can only be answered with every
region's trails at hand: a region whose trails could not be read (a collection error that left
`aws.cloudtrail.trail` unread there) makes the list incomplete, recorded as a gap on
`trails_complete`, so a check that needs a complete list reports `error`, never `fail` or `pass`.
Where the input names no account, nothing is derived (the checks are `not_applicable`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from auditor.checks import summarize
from auditor.derive import DeriveInput, Deriver
from auditor.models import CollectionError, ErrorKind, Location, Resource
from auditor.providers.aws import resources as T

PROVIDER = "aws"
EVERY_REGION = "every region"
# the trail attributes the account view carries: a gap on one is named in the entry's `unread`
_TRAIL_READS = ("is_multi_region", "is_logging", "management_events", "cloudwatch_logs_log_group_arn")


def _accounts(inp: DeriveInput) -> set[str]:
    found = {r.location.account for r in inp.resources(T.IAM_ACCOUNT) if r.location.account}
    for target in inp.targets:
        scanned = target.options.get("scanned_accounts") if target.provider == PROVIDER else None
        if isinstance(scanned, list):
            found.update(str(a) for a in scanned)
    return found


def _leaves_trails_unread(err: CollectionError) -> bool:
    """A region that is not enabled for the account (a requested opt-in region) holds no trails:
    that record does not make the list incomplete. Every other error for trails does."""
    if err.provider != PROVIDER:
        return False
    not_enabled = err.operation == "ec2.DescribeRegions" and err.scope.region is not None
    return not (not_enabled and err.kind == ErrorKind.NOT_COLLECTED)


def _unread(errors: Iterable[CollectionError], accounts: set[str]) -> dict[str, dict[str, str]]:
    """account -> region (or EVERY_REGION) -> what failed there."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for err in errors:
        if not _leaves_trails_unread(err):
            continue
        for acct in [err.scope.account] if err.scope.account else sorted(accounts):
            out[acct].setdefault(err.scope.region or EVERY_REGION, f"{err.operation}: {err.kind.value}")
    return out


def cloudtrail_accounts(inp: DeriveInput) -> list[Resource]:
    accounts = _accounts(inp)
    trails: dict[str, list[Resource]] = defaultdict(list)
    for t in inp.resources(T.CLOUDTRAIL_TRAIL):
        if t.location.account:
            trails[t.location.account].append(t)
    unread = _unread(inp.errors_for(T.CLOUDTRAIL_TRAIL), accounts)
    out = []
    for acct in sorted(accounts):
        mine = sorted(trails.get(acct, []), key=lambda r: (r.location.region or "", r.id))
        gaps = {}
        missed = unread.get(acct)
        if missed:
            where = [f"{region} ({what})" for region, what in sorted(missed.items())]
            gaps["trails_complete"] = f"the trails of {summarize(where)} could not be read"
        out.append(
            Resource(
                provider=PROVIDER,
                type=T.CLOUDTRAIL_ACCOUNT,
                id=acct,
                name=f"CloudTrail of {acct}",
                location=Location(account=acct),
                attributes={
                    "trails": [
                        {
                            "arn": t.attributes.get("arn", t.id),
                            "multi_region": t.attributes.get("is_multi_region"),
                            "logging": t.attributes.get("is_logging"),
                            "management_events": t.attributes.get("management_events"),
                            "log_group_arn": t.attributes.get("cloudwatch_logs_log_group_arn"),
                            "unread": sorted(k for k in _TRAIL_READS if k in t.gaps),
                        }
                        for t in mine
                    ],
                    **({} if missed else {"trails_complete": True}),
                },
                gaps=gaps,
                evidence=tuple(dict.fromkeys(e for t in mine for e in t.evidence)),
            )
        )
    return out


DERIVERS = (
    Deriver(
        name="aws.cloudtrail.account",
        produces=(T.CLOUDTRAIL_ACCOUNT,),
        reads=(T.CLOUDTRAIL_TRAIL, T.IAM_ACCOUNT),
        func=cloudtrail_accounts,
    ),
)
