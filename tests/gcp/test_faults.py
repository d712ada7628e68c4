"""Faults end as `error` for exactly their scope and types; everything else is still judged."""

from __future__ import annotations

import pytest

from auditor.models import ErrorKind, Snapshot

from .util import Gcp, gcp_findings

pytestmark = pytest.mark.integration

PROJECTS = {"projects": ["pass-app", "fail-app", "pass-data"]}


def _by_account(snap: Snapshot) -> dict[str | None, set[tuple[str, str, str]]]:
    out: dict[str | None, set[tuple[str, str, str]]] = {}
    for f in gcp_findings(snap):
        out.setdefault(f.account, set()).add((f.check_id, f.resource_id, f.status.value))
    return out


@pytest.fixture
def baseline(gcp: Gcp) -> dict[str | None, set[tuple[str, str, str]]]:
    snap = gcp.scan(PROJECTS)
    assert snap.errors == []
    gcp.fake.clear_log()
    return _by_account(snap)


def _only(snap: Snapshot, kind: ErrorKind, account: str) -> None:
    assert snap.errors, "expected a collection error"
    assert {(e.kind, e.scope.account) for e in snap.errors} == {(kind, account)}


def _others_unchanged(
    snap: Snapshot, baseline: dict[str | None, set[tuple[str, str, str]]], broken: str
) -> None:
    now = _by_account(snap)
    for account in ("pass-app", "fail-app", "pass-data"):
        if account != broken:
            assert now[account] == baseline[account], account
    statuses = {status for _, _, status in now[broken]}
    assert statuses == {"error"} or "error" in statuses


def test_a_denied_project(gcp: Gcp, baseline: dict[str | None, set[tuple[str, str, str]]]) -> None:
    gcp.fake.deny("projects/fail-app")
    snap = gcp.scan(PROJECTS)
    _only(snap, ErrorKind.ACCESS_DENIED, "fail-app")
    assert {e.operation for e in snap.errors} == {"assets.list"}
    assert not [r for r in snap.resources if r.location.account == "fail-app"]
    _others_unchanged(snap, baseline, "fail-app")


def test_quota_is_retried_as_the_server_says(
    gcp: Gcp, baseline: dict[str | None, set[tuple[str, str, str]]]
) -> None:
    fault = gcp.fake.throttle_listing("projects/pass-data", "IAM_POLICY", retry_delay=0.05, times=2)
    snap = gcp.scan(PROJECTS)
    assert snap.errors == [] and fault.hits == 2
    assert gcp.fake.count(route="assets.list", status=429) == 2
    assert _by_account(snap) == baseline


def test_quota_exhausted_is_an_error_for_that_scope(
    gcp: Gcp, baseline: dict[str | None, set[tuple[str, str, str]]]
) -> None:
    gcp.fake.throttle_listing("projects/pass-data", "IAM_POLICY", retry_delay=0.01, times=None)
    snap = gcp.scan({**PROJECTS, "max_attempts": 3})
    _only(snap, ErrorKind.THROTTLED, "pass-data")
    assert snap.errors[0].resource_types == ("gcp.iam.policy",)
    assert gcp.fake.count(route="assets.list", status=429) == 3
    _others_unchanged(snap, baseline, "pass-data")
    # resources of pass-data were read; what needs its IAM policies is `error`, the rest judged
    mine = {(c, s) for c, _, s in _by_account(snap)["pass-data"]}
    assert ("gcp.iam.no_public_principals", "error") in mine and (
        "gcp.storage.bucket_not_public",
        "error",
    ) in mine
    assert ("gcp.storage.versioning", "pass") in mine


def test_a_timeout(gcp: Gcp, baseline: dict[str | None, set[tuple[str, str, str]]]) -> None:
    gcp.fake.hang(gcp.fake.listing("projects/pass-app", "RESOURCE"), 3.0, times=None)
    snap = gcp.scan({**PROJECTS, "timeout": 0.5})
    _only(snap, ErrorKind.TIMEOUT, "pass-app")
    _others_unchanged(snap, baseline, "pass-app")


def test_deadline_exceeded_and_unavailable_answers(gcp: Gcp) -> None:
    gcp.fake.fail(gcp.fake.listing("projects/pass-app", "ORG_POLICY"), 504, times=None)
    gcp.fake.fail(gcp.fake.listing("projects/fail-app", "ORG_POLICY"), 503, times=None)
    snap = gcp.scan(PROJECTS)
    got = {(e.kind, e.scope.account, e.resource_types) for e in snap.errors}
    assert got == {
        (ErrorKind.TIMEOUT, "pass-app", ("gcp.orgpolicy.policy",)),
        (ErrorKind.UNREACHABLE, "fail-app", ("gcp.orgpolicy.policy",)),
    }
    assert "DEADLINE_EXCEEDED" in " ".join(e.message for e in snap.errors)


def test_an_organization_denied_leaves_every_project_below_it_unknown(gcp: Gcp) -> None:
    gcp.fake.deny("organizations/111111111111", "IAM_POLICY")
    snap = gcp.scan()
    scopes = {e.scope.account for e in snap.errors}
    assert scopes == {"organizations/111111111111", "pass-app", "pass-data", "pass-logging"}
    assert {e.resource_types for e in snap.errors} == {("gcp.iam.policy",)}
    fail_org = [f for f in gcp_findings(snap) if (f.account or "").startswith(("fail-", "mixed-"))]
    assert fail_org and not [f for f in fail_org if f.status.value == "error"]
    bucket = [
        f
        for f in gcp_findings(snap)
        if f.check_id == "gcp.storage.bucket_not_public" and f.account == "pass-app"
    ]
    assert bucket and {f.status.value for f in bucket} == {"error"}


def test_rejected_credentials_are_one_error_for_the_whole_provider(gcp: Gcp) -> None:
    gcp.fake.keys.clear()  # the token endpoint no longer knows the key
    snap = gcp.scan({"organization": "111111111111"})
    assert [(e.operation, e.kind, e.scope.account) for e in snap.errors] == [
        ("auth.token", ErrorKind.ACCESS_DENIED, None)
    ]
    assert gcp.fake.count(route="assets.list") == 0
