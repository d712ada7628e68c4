"""The derived account view of CloudTrail (auditor.providers.aws.derive), from snapshots alone."""

from __future__ import annotations

from typing import Any

from auditor.contracts import load_contracts
from auditor.derive import run_derivers
from auditor.models import CollectionError, ErrorKind, Location, Resource, Snapshot, Target
from auditor.providers.aws import PROVIDER
from auditor.providers.aws import resources as T
from auditor.providers.aws.derive import DERIVERS
from auditor.providers.aws.services import REGIONAL_TYPES

ACCT, OTHER = "111122223333", "444455556666"


def _trail(name: str, region: str = "us-east-1", acct: str = ACCT, **attrs: Any) -> Resource:
    base: dict[str, Any] = {
        "arn": f"arn:aws:cloudtrail:{region}:{acct}:trail/{name}",
        "home_region": region,
        "is_multi_region": True,
        "is_organization_trail": False,
        "log_file_validation": True,
        "kms_key_id": None,
        "cloudwatch_logs_log_group_arn": None,
        "s3_bucket": "logs",
        "is_logging": True,
        "management_events": "All",
    }
    base.update(attrs)
    return Resource(
        provider="aws",
        type=T.CLOUDTRAIL_TRAIL,
        id=base["arn"],
        name=name,
        location=Location(account=acct, region=region),
        attributes=base,
        evidence=(f"ev-{name}",),
    )


def _iam(acct: str = ACCT) -> Resource:
    return Resource(provider="aws", type=T.IAM_ACCOUNT, id=acct, location=Location(account=acct))


def _derive(
    *resources: Resource, errors: tuple[CollectionError, ...] = (), targets: tuple[Target, ...] = ()
) -> dict[str, Resource]:
    produced, out = run_derivers(
        Snapshot(resources=list(resources), errors=list(errors), targets=list(targets)), DERIVERS
    )
    assert produced == {T.CLOUDTRAIL_ACCOUNT}
    for r in out:
        assert load_contracts().validate(r) == []
    return {r.id: r for r in out}


def _err(
    region: str | None,
    op: str = "cloudtrail.DescribeTrails",
    kind: ErrorKind = ErrorKind.THROTTLED,
    acct: str | None = ACCT,
    types: tuple[str, ...] = (T.CLOUDTRAIL_TRAIL,),
) -> CollectionError:
    return CollectionError(
        provider="aws",
        operation=op,
        scope=Location(account=acct, region=region),
        resource_types=types,
        kind=kind,
        message="x",
    )


def test_the_provider_names_the_deriver_and_the_type_is_derived() -> None:
    assert PROVIDER.load_derivers() == DERIVERS
    declared = T.TYPES.get(T.CLOUDTRAIL_ACCOUNT)
    assert declared is not None and declared.derived


def test_one_view_per_account_over_every_region() -> None:
    views = _derive(
        _iam(), _iam(OTHER), _trail("b", "eu-west-1"), _trail("a"), _trail("x", acct=OTHER, is_logging=False)
    )
    mine = views[ACCT]
    assert [t["arn"].rsplit("/", 1)[-1] for t in mine.attributes["trails"]] == [
        "b",
        "a",
    ]  # by region, then id
    assert mine.attributes["trails_complete"] is True and not mine.gaps
    assert mine.evidence == ("ev-b", "ev-a") and mine.location == Location(account=ACCT)
    assert views[OTHER].attributes["trails"][0]["logging"] is False


def test_no_account_in_the_input_derives_nothing() -> None:
    assert _derive(_trail("a")) == {}
    assert _derive() == {}


def test_accounts_named_by_the_target_count_too() -> None:
    target = Target(provider="aws", label="aws", options={"scanned_accounts": [ACCT]})
    views = _derive(
        targets=(target, Target(provider="k8s", label="k", options={"scanned_accounts": [OTHER]}))
    )
    assert list(views) == [ACCT] and views[ACCT].attributes["trails"] == []


def test_unread_regions_are_a_gap_on_trails_complete() -> None:
    views = _derive(
        _iam(),
        _iam(OTHER),
        _trail("a"),
        errors=(
            _err("eu-west-1"),
            _err("ap-southeast-2", kind=ErrorKind.UNREACHABLE),
            _err("us-east-1", acct=OTHER, types=()),
        ),
    )
    mine = views[ACCT]
    assert "trails_complete" not in mine.attributes
    assert "eu-west-1 (cloudtrail.DescribeTrails: throttled)" in mine.gaps["trails_complete"]
    assert "ap-southeast-2" in mine.gaps["trails_complete"]
    assert mine.attributes["trails"]  # what was read stays: a trail found elsewhere can still pass
    assert "us-east-1" in views[OTHER].gaps["trails_complete"]  # a whole-scope error leaves trails unread too


def test_errors_that_do_not_leave_trails_unread() -> None:
    views = _derive(
        _iam(),
        errors=(
            _err("eu-west-1", op="kms.ListKeys", types=(T.KMS_KEY,)),
            _err("ap-east-1", op="ec2.DescribeRegions", kind=ErrorKind.NOT_COLLECTED, types=REGIONAL_TYPES),
            CollectionError(provider="k8s", operation="list", kind=ErrorKind.ERROR, message="x"),
        ),
    )
    assert views[ACCT].attributes["trails_complete"] is True


def test_an_account_wide_error_leaves_every_region_unread() -> None:
    views = _derive(
        _iam(),
        errors=(_err(None, op="ec2.DescribeRegions", kind=ErrorKind.ACCESS_DENIED, types=REGIONAL_TYPES),),
    )
    assert "every region (ec2.DescribeRegions: access_denied)" in views[ACCT].gaps["trails_complete"]
    unscoped = _derive(_iam(), _iam(OTHER), errors=(_err(None, acct=None, types=()),))
    assert all("trails_complete" in v.gaps for v in unscoped.values())


def test_a_stored_view_from_an_older_version_is_replaced() -> None:
    from auditor.checks import CheckContext

    old = Resource(
        provider="aws", type=T.CLOUDTRAIL_ACCOUNT, id=ACCT, attributes={"trails": [], "unread_regions": {}}
    )
    snap = Snapshot(resources=[old, _iam(), _trail("a")])
    produced, derived = run_derivers(snap, DERIVERS)
    ctx = CheckContext(snap, derived=derived, replaced=produced)
    (view,) = ctx.resources(T.CLOUDTRAIL_ACCOUNT)
    assert view.attributes["trails_complete"] is True and len(view.attributes["trails"]) == 1
