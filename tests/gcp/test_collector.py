"""The GCP collector with the real google-cloud-asset REST client and the real google-auth path
(a generated service-account key whose token_uri is the local fake), against the fake estate."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from auditor.checks import load_registry
from auditor.contracts import load_contracts
from auditor.models import ErrorKind, Snapshot, Status
from auditor.providers import discover_providers
from auditor.providers.gcp import GcpOptions
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.collector import listing_plan
from auditor.scan import collect, evaluate_snapshot
from auditor_testkit.gcp_fake import SUPPORTED_ASSET_TYPES, bulk_estate

from .util import SCANNER, STRICT, Gcp, expected, gcp_findings, sides, start_gcp

pytestmark = pytest.mark.integration


def test_clean_scan_follows_the_estate_naming(clean: tuple[Gcp, Snapshot]) -> None:
    _, snap = clean
    assert snap.errors == []
    findings = gcp_findings(snap)
    wrong = [
        (f.check_id, f.resource_name, f.account, f.status.value, f.message)
        for f in findings
        if (e := expected(f)) is not None and f.status.value not in (e, "not_applicable")
    ]
    assert wrong == []
    assert not [f for f in findings if f.status == Status.ERROR]
    gcp_checks = {c.meta.id for c in load_registry() if c.meta.provider == "gcp"}
    missing = {c for c, s in sides(findings).items() if not {"pass", "fail"} <= s}
    assert missing == set() and set(sides(findings)) == gcp_checks
    assert len(gcp_checks) >= 45


def test_cases_outside_the_naming(clean: tuple[Gcp, Snapshot]) -> None:
    by = {(f.check_id, f.resource_name): f for f in gcp_findings(clean[1])}
    assert by[("gcp.iam.key_age", "recentkey")].status == Status.PASS
    assert (
        by[("gcp.iam.user_managed_keys", "deployer@mixed-ops.iam.gserviceaccount.com")].status == Status.FAIL
    )
    assert by[("gcp.dns.dnssec_no_rsasha1", "weak-zone")].status == Status.FAIL
    assert by[("gcp.dns.dnssec_enabled", "weak-zone")].status == Status.PASS
    msg = by[("gcp.compute.firewall_ssh_open", "fail-allow-all")].message
    assert "fail-allow-all" in msg and "0.0.0.0/0" in msg


def test_resources_match_their_contracts(clean: tuple[Gcp, Snapshot]) -> None:
    snap = clean[1]
    assert load_contracts().validate_snapshot(snap) == []
    produced = {r.type for r in snap.resources}
    collected = {t.name for t in T.TYPES if not t.derived}
    assert produced == collected, collected - produced


def test_one_read_time_maximum_pages_and_asset_types_from_the_checks(clean: tuple[Gcp, Snapshot]) -> None:
    g, snap = clean
    lists = [r for r in g.fake.requests if r.route == "assets.list"]
    by_target: dict[str, set[str | None]] = collections.defaultdict(set)
    for r in lists:
        by_target[r.params["parent"]].add(r.arg("readTime"))
    assert all(len(times) == 1 and None not in times for times in by_target.values())  # one per target
    assert {r.arg("pageSize") for r in lists} == {"1000"}
    assert {r.arg("contentType") for r in lists} == {"1", "2", "4"}  # enums by number
    plan = listing_plan()
    for r in lists:
        content = {"1": "RESOURCE", "2": "IAM_POLICY", "4": "ORG_POLICY"}[r.arg("contentType") or ""]
        assert r.query.get("assetTypes", []) == plan[content]
    assert len(lists) == 6  # two organizations x three content types, one page each
    assert g.fake.principals == collections.Counter({SCANNER: 6})
    assert {ev.operation for ev in snap.evidence} == {"assets.list"}
    target = snap.targets[0].options
    assert target["api_repeated_calls"] == 0 and target["read_time"] in {
        t.replace("Z", "+00:00") for t in g.fake.read_times
    }


def test_small_pages_give_the_same_resources(gcp: Gcp, clean: tuple[Gcp, Snapshot]) -> None:
    snap = gcp.scan(
        {"organization": "111111111111", "page_size": 7}, {"organization": "222222222222", "page_size": 7}
    )
    assert {(r.type, r.id) for r in snap.resources} == {(r.type, r.id) for r in clean[1].resources}
    assert gcp.fake.count(route="assets.list") > 12
    assert snap.errors == []


def test_inactive_project_is_skipped_with_its_state(clean: tuple[Gcp, Snapshot]) -> None:
    snap = clean[1]
    assert not [r for r in snap.resources if r.location.account == "deleted-legacy"]
    (x,) = [x for x in snap.skipped if x.scope.account == "deleted-legacy"]
    assert "DELETE_REQUESTED" in x.reason
    result = evaluate_snapshot(snap, params=STRICT)
    # out of scope, said so, and no control is marked not fully evaluated because of it
    assert [s.scope.account for s in result.skipped_scopes] == ["deleted-legacy"]
    assert not any(e.origin == "collection" for e in result.exclusions if e.provider == "gcp")


def test_projects_and_folders_in_any_mix(gcp: Gcp, clean: tuple[Gcp, Snapshot]) -> None:
    snap = gcp.scan({"folders": ["333333333331"], "projects": ["pass-data", "500000000001"]})
    assert snap.errors == []
    accounts = {r.location.account for r in snap.resources if r.location.account}
    assert accounts == {"pass-app", "pass-data", "fail-app"}
    # a project scanned without its organization: settings inherited from above are unknown
    by = {(f.check_id, f.account): f for f in gcp_findings(snap) if f.resource_type == T.PROJECT}
    assert by[("gcp.logging.project_sink", "pass-data")].status == Status.ERROR
    assert "organizations/111111111111" in by[("gcp.logging.project_sink", "pass-data")].message


def test_impersonation_through_iam_credentials(tmp_path: Path) -> None:
    target = "auditor@audit-project.iam.gserviceaccount.com"
    g = start_gcp(
        tmp_path,
        grants={SCANNER: {"iam.serviceAccounts.getAccessToken"}, target: set(_role_permissions())},
    )
    try:
        snap = g.scan(
            {
                "organization": "111111111111",
                "impersonate_service_account": target,
                "iam_credentials_endpoint": g.fake.url,
            }
        )
        assert snap.errors == []
        assert g.fake.count(route="iamcredentials.generateAccessToken") == 1
        assert set(g.fake.principals) == {target}
        assert snap.evidence[0].identity == target
    finally:
        g.fake.stop()


def _role_permissions() -> list[str]:
    from .test_permissions import role_permissions

    return role_permissions()


def test_unknown_asset_type_is_unsupported_for_exactly_that_type(tmp_path: Path) -> None:
    g = start_gcp(tmp_path, supported=SUPPORTED_ASSET_TYPES - {"aiplatform.googleapis.com/Model"})
    try:
        snap = g.scan()
    finally:
        g.fake.stop()
    assert {(e.kind, e.resource_types, e.scope.account) for e in snap.errors} >= {
        (ErrorKind.UNSUPPORTED, (T.VERTEX_MODEL,), "organizations/111111111111")
    }
    assert {e.resource_types for e in snap.errors} == {(T.VERTEX_MODEL,)}
    assert {e.kind for e in snap.errors} == {ErrorKind.UNSUPPORTED}
    assert any(r.type == T.VERTEX_DATASET for r in snap.resources)
    assert not any(r.type == T.VERTEX_MODEL for r in snap.resources)
    statuses = {f.status for f in gcp_findings(snap) if f.resource_type == T.VERTEX_MODEL}
    assert statuses == {Status.ERROR}


def test_requests_grow_with_pages_not_with_projects(tmp_path: Path) -> None:
    counts = {}
    for n in (20, 60):
        (tmp_path / str(n)).mkdir()
        g = start_gcp(tmp_path / str(n), estate=bulk_estate(n))
        try:
            snap = g.scan({"organization": "999999999999", "page_size": 500})
            assert snap.errors == [] and len(snap.resources) > n * 25
            counts[n] = g.fake.count(route="assets.list")
        finally:
            g.fake.stop()
    # 20 x 30 assets: 2 RESOURCE pages + 1 IAM_POLICY + 1 ORG_POLICY; 60 x 30: 4 + 1 + 1
    assert counts == {20: 4, 60: 6}


def test_an_injected_client_factory_is_used_as_it_is(gcp: Gcp) -> None:
    """run.clients: (credentials, api_endpoint) -> AssetServiceClient. A library caller hands in the
    real client built its own way (here: pointed at the fake), and nothing is patched."""
    from auditor.providers.gcp.client import default_client

    seen: list[tuple[object, str | None]] = []

    def factory(creds: object, endpoint: str | None) -> object:
        seen.append((creds, endpoint))
        return default_client(creds, gcp.fake.url)

    spec = discover_providers()["gcp"]
    opts = GcpOptions(organization="111111111111", credentials_file=str(gcp.key_file))
    snap = collect([(spec, "gcp", opts)], clients={"gcp": factory})
    assert snap.errors == [] and len(snap.resources) > 50
    assert len(seen) == 1 and seen[0][1] is None
    assert getattr(seen[0][0], "service_account_email", None) == SCANNER
