"""Every failed read leaves a trace: a gap the scanner could not fill is judged `error`, never a
silent `fail`, `pass` or `not_applicable`. Crafted resources, no network."""

from __future__ import annotations

from typing import Any

from auditor.checks import CheckContext
from auditor.derive import run_derivers
from auditor.engine import run_check
from auditor.models import Resource, Snapshot, Status
from auditor.providers.aws import resources as T
from auditor.providers.aws.derive import DERIVERS

from .test_checks_unit import NOW, REG, res, verdict

SELECTORS_DENIED = "cloudtrail.GetEventSelectors: access_denied"


def _trail(gaps: dict[str, str] | None = None, **attrs: Any) -> Resource:
    base: dict[str, Any] = {
        "arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/org",
        "home_region": "us-east-1",
        "is_multi_region": True,
        "is_organization_trail": False,
        "log_file_validation": True,
        "kms_key_id": None,
        "cloudwatch_logs_log_group_arn": None,
        "s3_bucket": "trail-logs",
        "is_logging": True,
    }
    base.update(attrs)
    return res(T.CLOUDTRAIL_TRAIL, "org", gaps=gaps, **base)


def _multi_region(trail: Resource) -> Status:
    """`aws.cloudtrail.multi_region_logging` on the account view derived from `trail`."""
    acct = res(T.IAM_ACCOUNT, AccountMFAEnabled=1, AccountAccessKeysPresent=0)
    snap = Snapshot(created_at=NOW, resources=[acct, trail])
    _, derived = run_derivers(snap, DERIVERS)
    [view] = [r for r in derived if r.type == T.CLOUDTRAIL_ACCOUNT]
    ctx = CheckContext(snap, derived=derived, replaced=frozenset({T.CLOUDTRAIL_ACCOUNT}))
    check = REG.get("aws.cloudtrail.multi_region_logging")
    assert check is not None
    return run_check(check, view, ctx).status


def test_multi_region_trail_with_unreadable_event_selectors_is_error() -> None:
    # today's code read the missing selectors as "not logging everything" and failed the account
    unreadable = _trail(gaps={"management_events": SELECTORS_DENIED})
    assert _multi_region(unreadable) == Status.ERROR
    assert _multi_region(_trail(management_events="All")) == Status.PASS
    assert _multi_region(_trail(management_events="ReadOnly")) == Status.FAIL


def test_unreadable_object_lock_is_error_on_a_bucket_that_needs_no_immutability() -> None:
    # a failed GetObjectLockConfiguration used to vanish behind "not a log or record bucket"
    gap = {"object_lock": "s3.GetObjectLockConfiguration: access_denied"}
    bucket = res(T.S3_BUCKET, "app-assets", mfa_delete="Disabled", gaps=gap)
    assert verdict("aws.s3.bucket_mfa_delete_or_object_lock", bucket) == Status.ERROR
    readable = res(T.S3_BUCKET, "app-assets", mfa_delete="Disabled", object_lock=None)
    assert verdict("aws.s3.bucket_mfa_delete_or_object_lock", readable) == Status.NOT_APPLICABLE
