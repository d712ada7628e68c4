"""The collector against the reference estate: every check gives `pass-*` resources a pass and
`fail-*` resources a fail, contracts hold, and collection is what the design says (projection from
the contracts, paging, bounded reads, disabled subscriptions excluded, nothing read twice)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from azure_fixtures import *  # noqa: F403  (the fixtures fake, scan, reference)

from auditor.checks import load_registry
from auditor.contracts import load_contracts
from auditor.models import Snapshot, Status
from auditor.providers.azure import resources as T
from auditor.providers.azure.graph import query_text
from auditor.providers.azure.sources import GRAPH, column
from auditor.results import ScanResult
from auditor_testkit.azure_estate import DEV, DISABLED, PROD
from auditor_testkit.azure_fake import FakeAzure

Reference = tuple[FakeAzure, Snapshot, ScanResult]
AZURE_CHECKS = sorted(c.id for c in load_registry() if c.meta.provider == "azure")


def test_at_least_45_checks_named_by_service() -> None:
    assert len(AZURE_CHECKS) >= 45
    assert all(len(cid.split(".")) == 3 for cid in AZURE_CHECKS)


@pytest.mark.parametrize("check_id", AZURE_CHECKS)
def test_pass_resources_pass_and_fail_resources_fail(reference: Reference, check_id: str) -> None:
    _, _, result = reference
    seen: dict[str, list[str]] = {"pass": [], "fail": []}
    for f in result.findings:
        if f.check_id != check_id:
            continue
        name = f.resource_name or ""
        side = name.split("-", 1)[0] if "-" in name else name[:4]
        if side not in seen:
            continue
        wanted = Status.PASS if side == "pass" else Status.FAIL
        assert f.status in (wanted, Status.NOT_APPLICABLE), f"{name}: {f.status.value}: {f.message}"
        if f.status == wanted:
            seen[side].append(name)
    assert seen["pass"], f"{check_id}: no pass-* resource passed"
    assert seen["fail"], f"{check_id}: no fail-* resource failed"


def test_every_finding_message_names_what_to_change(reference: Reference) -> None:
    _, _, result = reference
    failing = [f for f in result.findings if f.provider == "azure" and f.status == Status.FAIL]
    assert failing and all(":" in f.message or " set " in f.message for f in failing)


def test_no_collection_error_and_every_resource_keeps_its_contract(reference: Reference) -> None:
    _, snap, result = reference
    assert snap.errors == [] and result.errors == []
    assert load_contracts().validate_snapshot(snap) == []
    assert not [f for f in result.findings if f.status == Status.ERROR]


def test_the_projection_is_written_from_the_contracts(reference: Reference) -> None:
    fake, _, _ = reference
    sent = {str(r.json()["query"]) for r in fake.requests if r.route == "graph"}
    assert sent == {query_text(t, T.SOURCES) for t in T.SOURCES.tables}
    declared = {f.path for s in T.SOURCES for f in s.fields.values() if f.read == GRAPH}
    projected = {line for q in sent for line in q.split("| project ", 1)[1].split("\n", 1)[0].split(", ")}
    assert {f"{column(p)} = {p}" for p in declared} <= projected
    # only the base columns and declared paths: nothing such as a whole `properties` bag
    assert all(
        " = " in c or c in ("id", "name", "type", "location", "resourceGroup", "subscriptionId", "tags")
        for c in projected
    )


def test_rows_carry_only_what_was_projected(reference: Reference) -> None:
    _, snap, _ = reference
    pages = [e for e in snap.evidence if e.operation == "Microsoft.ResourceGraph/resources/read"]
    assert pages
    for ev in pages:
        for row in ev.body["data"]:
            assert "properties" not in row and "siteConfig" not in str(row)


def test_paging_follows_skip_tokens_and_next_links(reference: Reference) -> None:
    fake, snap, _ = reference
    graph_pages = [r for r in fake.requests if r.route == "graph"]
    assert any((r.json().get("options") or {}).get("$skipToken") for r in graph_pages)
    assert fake.count(route="subscriptions.list") >= 2  # 3 subscriptions, 2 per page
    assert any("$skipToken" in r.query for r in fake.requests if r.route == "arm")  # configuration lists
    pg = next(r for r in snap.resources if r.name == "pass-pg")
    assert pg.attributes["parameters"]["logfiles.retention_days"] == "7"  # on the last page


def test_disabled_subscription_is_skipped_with_its_reason_and_never_read(reference: Reference) -> None:
    fake, snap, result = reference
    (skipped,) = snap.skipped
    assert skipped.scope.account == DISABLED and "Disabled" in skipped.reason
    assert not [r for r in snap.resources if r.location.account == DISABLED]
    assert not [r for r in fake.requests if DISABLED in r.target or DISABLED in r.body.decode()]
    assert [s.scope.account for s in result.skipped_scopes] == [DISABLED]
    assert not [x for x in result.exclusions if x.provider == "azure"]


def test_subscriptions_come_from_the_management_group_tree(reference: Reference) -> None:
    fake, snap, _ = reference
    assert fake.count(route="managementgroups.descendants") == 3  # 5 descendants, 2 per page
    subs = {r.location.account: r for r in snap.resources if r.type == T.SUBSCRIPTION}
    assert set(subs) == {PROD, DEV}
    assert subs[PROD].attributes["management_groups"] == ["mg-prod", "mg-root"]
    assert subs[PROD].name == "pass-prod" and subs[PROD].attributes["state"] == "Enabled"


def test_no_call_is_repeated_and_requests_are_counted(reference: Reference) -> None:
    fake, snap, _ = reference
    (target,) = snap.targets
    assert target.options["api_repeated_calls"] == 0
    assert target.options["api_requests"] == len(fake.requests)
    assert target.label.startswith("azure tenant ")


def test_reads_are_skipped_where_they_cannot_apply(reference: Reference) -> None:
    fake, snap, result = reference
    files = next(r for r in snap.resources if r.name == "filesonly")
    assert files.attributes["blob_delete_retention"] is None and not files.gaps
    assert not [r for r in fake.requests if "filesonly/blobservices" in r.path.lower()]
    assert {
        f.status for f in result.findings if f.resource_name == "filesonly" and "soft_delete" in f.check_id
    } == {Status.NOT_APPLICABLE}
    assert not [r for r in snap.resources if r.type == T.SQL_DATABASE and r.name == "master"]


def test_children_are_read_from_their_parent(reference: Reference) -> None:
    _, snap, _ = reference
    by_type: Counter[str] = Counter(r.type for r in snap.resources)
    assert by_type[T.KEYVAULT_KEY] == 4 and by_type[T.KEYVAULT_SECRET] == 2
    assert by_type[T.FLOW_LOG] == 2 and by_type[T.ML_COMPUTE] == 2 and by_type[T.ACTIVITY_LOG_ALERT] == 7
    key = next(r for r in snap.resources if r.name == "pass-key")
    assert key.attributes["parent_id"].endswith("/vaults/pass-kv") and key.location.region == "westeurope"
    assert key.attributes["rotation_policy"] == {"auto_rotate": True, "expiry_time": "P1Y"}


def test_derived_views_cover_each_subscription(reference: Reference) -> None:
    _, _, result = reference
    coverage = {f.account: f for f in result.findings if f.check_id == "azure.network.watcher_all_regions"}
    assert coverage[PROD].status == Status.PASS
    assert coverage[DEV].status == Status.FAIL and "eastus" in coverage[DEV].message


def test_evidence_names_the_resource_it_was_read_for(reference: Reference) -> None:
    _, snap, _ = reference
    by_id = {e.id: e for e in snap.evidence}
    storage = next(r for r in snap.resources if r.name == "passstorage")
    ops = {by_id[e].operation for e in storage.evidence}
    assert ops == {
        "Microsoft.ResourceGraph/resources/read",
        "Microsoft.Storage/storageAccounts/blobServices/read",
    }
    blob = next(by_id[e] for e in storage.evidence if "blobServices" in by_id[e].operation)
    assert blob.parameters == {"id": storage.id, "api-version": "2023-05-01"} and blob.scope.account == PROD


def test_requests_are_bounded_by_the_concurrency(fake: FakeAzure, scan: Any) -> None:
    fake.latency = 0.05
    import threading

    inflight = [0, 0]
    lock = threading.Lock()
    real = fake._answer

    def counting(request: Any, route: Any, matched: bool) -> Any:
        with lock:
            inflight[0] += 1
            inflight[1] = max(inflight[1], inflight[0])
        try:
            return real(request, route, matched)
        finally:
            with lock:
                inflight[0] -= 1

    fake._answer = counting  # type: ignore[method-assign]
    snap = scan(concurrency=3)
    assert not snap.errors and 1 < inflight[1] <= 3
