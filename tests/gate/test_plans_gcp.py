"""The google plan adapter (auditor.providers.gcp.terraform) on the hand-written plans of
fixtures/terraform/google/: the GCP checks judge planned resources as they judge collected ones,
what is known only after apply is `error`, findings point at the .tf blocks, and the resources
carry what the Cloud Asset collector gives for the same configuration, so the checks give a plan
and the live estate the same verdicts (the last test compares them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.checks import load_registry
from auditor.contracts import load_contracts
from auditor.models import Finding, Resource, Snapshot
from auditor.providers import discover_providers
from auditor.providers.gcp import GcpOptions
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.terraform import MAPPED_TYPES, PRODUCES, adapt
from auditor.scan import collect, evaluate_snapshot
from auditor.terraform import plan_snapshot, read_plan
from auditor_testkit.gcp_fake import export_records, reference_estate

from .conftest import FIXTURES
from .plans import gate_both, judged, label, points_at, verdicts

INSECURE = FIXTURES / "google" / "insecure" / "plan.json"
CLEAN = FIXTURES / "google" / "clean" / "plan.json"
PARAMS = {"gcp.iam.allowed_domains": ["example.com"]}

# check -> status -> resources, as `<fixture>:<address>`: every verdict of the two plans but
# not_applicable ones (which the second table explains)
IN_FOR_EACH = ('i:google_storage_bucket.data["curated"]', 'i:google_storage_bucket.data["raw"]')
INSECURE_POLICIES = {"i:google_storage_bucket.logs", "i:google_storage_bucket.archive", *IN_FOR_EACH}
INSECURE_SQL = {
    "i:module.db.google_sql_database_instance.this",
    "i:google_sql_database_instance.reporting",
    "i:google_sql_database_instance.mssql",
}
CLEAN_SQL = {f"c:google_sql_database_instance.{n}" for n in ("pg", "mysql", "mssql")}
CLEAN_BUCKETS = {"c:google_storage_bucket.data", "c:google_storage_bucket.audit"}
CLEAN_FIREWALLS = {"c:google_compute_firewall.https", "c:google_compute_firewall.ssh_from_iap"}
RDP = {"i:google_compute_firewall.rdp[0]", "i:google_compute_firewall.rdp[1]"}
VERDICTS: dict[str, dict[str, set[str]]] = {
    "gcp.storage.uniform_access": {
        "pass": {*CLEAN_BUCKETS, "i:google_storage_bucket.archive"},
        "fail": set(IN_FOR_EACH),
        "error": {"i:google_storage_bucket.logs"},  # left to the organization policy
    },
    "gcp.storage.bucket_not_public": {"pass": CLEAN_BUCKETS, "fail": INSECURE_POLICIES},
    "gcp.storage.versioning": {"pass": CLEAN_BUCKETS, "fail": INSECURE_POLICIES},
    "gcp.storage.log_bucket_retention_lock": {
        "pass": {"c:google_storage_bucket.audit"},
        "fail": {"i:google_storage_bucket.archive"},
        "error": {"i:google_storage_bucket.logs"},  # its name, which sinks name, is not known yet
    },
    "gcp.iam.no_public_principals": {"pass": {"c:google_storage_bucket.data"}, "fail": INSECURE_POLICIES},
    "gcp.iam.allowed_member_domains": {"pass": {"c:google_storage_bucket.data"}, "fail": INSECURE_POLICIES},
    "gcp.compute.default_network": {
        "pass": {"c:google_compute_network.vpc"},
        "fail": {"i:google_compute_network.vpc"},
    },
    "gcp.compute.legacy_network": {"pass": {"c:google_compute_network.vpc", "i:google_compute_network.vpc"}},
    "gcp.compute.firewall_ssh_open": {
        "pass": {*CLEAN_FIREWALLS, *RDP},
        "fail": {"i:google_compute_firewall.ssh", "i:google_compute_firewall.all"},
    },
    "gcp.compute.firewall_rdp_open": {
        "pass": {*CLEAN_FIREWALLS, "i:google_compute_firewall.ssh"},
        "fail": {*RDP, "i:google_compute_firewall.all"},
    },
    "gcp.compute.firewall_all_ports_open": {
        "pass": {*CLEAN_FIREWALLS, *RDP, "i:google_compute_firewall.ssh"},
        "fail": {"i:google_compute_firewall.all"},
    },
    "gcp.sql.open_to_world": {
        "pass": {*CLEAN_SQL, "i:google_sql_database_instance.mssql"},
        "fail": {"i:module.db.google_sql_database_instance.this"},
        "error": {"i:google_sql_database_instance.reporting"},  # an address created by the plan
    },
    "gcp.sql.no_public_ip": {"pass": CLEAN_SQL, "fail": INSECURE_SQL},
    "gcp.sql.require_ssl": {"pass": CLEAN_SQL, "fail": INSECURE_SQL},
    "gcp.sql.automated_backups": {"pass": CLEAN_SQL, "fail": INSECURE_SQL},
    "gcp.sql.point_in_time_recovery": {"pass": CLEAN_SQL, "fail": INSECURE_SQL},
    "gcp.sql.postgres_flags": {
        "pass": {"c:google_sql_database_instance.pg"},
        "fail": {"i:module.db.google_sql_database_instance.this"},
    },
    "gcp.sql.mysql_flags": {
        "pass": {"c:google_sql_database_instance.mysql"},
        "fail": {"i:google_sql_database_instance.reporting"},
    },
    "gcp.sql.sqlserver_flags": {
        "pass": {"c:google_sql_database_instance.mssql"},
        "fail": {"i:google_sql_database_instance.mssql"},
    },
}
# checks that never fail a plan, and why
NEVER_FAIL = {"gcp.compute.legacy_network": "the google provider creates VPC networks only"}
# checks over a type plans yield that never pass or fail on one, and why
NOT_APPLICABLE = dict.fromkeys(
    (
        "gcp.iam.basic_roles_to_humans",
        "gcp.iam.kms_separation_of_duties",
        "gcp.iam.service_account_admin_roles",
        "gcp.iam.service_account_separation_of_duties",
        "gcp.iam.service_account_user_at_project",
    ),
    "judges organization, folder and project policies; a plan's bucket policies are resource-level",
)


@pytest.fixture(scope="module")
def findings() -> Iterator[list[Finding]]:
    with judged([INSECURE, CLEAN], PARAMS, "gcp") as found:
        yield found


def _by_address(fixture: Path) -> dict[str, Resource]:
    return {f"{r.type} {r.id}": r for r in adapt(read_plan(fixture))}


def test_every_check_over_a_planned_type_is_accounted_for() -> None:
    judging = {c.id for c in load_registry() if set(c.meta.resource_types) & set(PRODUCES)}
    assert judging == set(VERDICTS) | set(NOT_APPLICABLE)


@pytest.mark.parametrize("check_id", sorted(VERDICTS))
def test_each_check_passes_and_fails_the_planned_resources_it_should(
    findings: list[Finding], check_id: str
) -> None:
    assert verdicts(findings, check_id) == VERDICTS[check_id]
    assert VERDICTS[check_id]["pass"] and (VERDICTS[check_id].get("fail") or check_id in NEVER_FAIL)


@pytest.mark.parametrize("check_id", sorted(NOT_APPLICABLE))
def test_hierarchy_checks_are_not_applicable_to_bucket_policies(
    findings: list[Finding], check_id: str
) -> None:
    mine = [f for f in findings if f.check_id == check_id]
    assert mine and {f.status.value for f in mine} == {"not_applicable"}


def test_every_terraform_type_the_adapter_reads_is_in_a_fixture() -> None:
    planned = {r.type for f in (INSECURE, CLEAN) for r in read_plan(f).resources}
    assert set(MAPPED_TYPES) <= planned


def test_every_adapted_resource_keeps_the_gcp_contract() -> None:
    contracts = load_contracts()
    for fixture in (INSECURE, CLEAN):
        resources = list(adapt(read_plan(fixture)))
        assert {r.type for r in resources} == set(PRODUCES)
        assert [p for r in resources for p in contracts.validate(r)] == []


def test_values_known_only_after_apply_are_gaps_never_defaults(findings: list[Finding]) -> None:
    got = _by_address(INSECURE)
    logs = got[f"{T.BUCKET} google_storage_bucket.logs"]
    assert set(logs.gaps) == {"bucket_name", "uniform_access"}
    assert "known only after apply" in logs.gaps["bucket_name"]
    assert logs.attributes["public_access_prevention"] == "inherited"  # the API's fixed default
    reporting = got[f"{T.SQL_INSTANCE} google_sql_database_instance.reporting"]
    assert set(reporting.gaps) == {"authorized_networks"}
    assert reporting.attributes["ipv4_enabled"] is True
    errors = [f for f in findings if f.status.value == "error"]
    assert errors and all("known only after apply" in f.message for f in errors)


def test_iam_resources_join_their_bucket_by_name_or_reference() -> None:
    got = _by_address(INSECURE)
    policy = lambda address: got[f"{T.IAM_POLICY} {address}"].attributes  # noqa: E731
    # the bucket's name is unknown: the member joins through `google_storage_bucket.logs.name`
    assert policy("google_storage_bucket.logs")["bindings"] == [
        {"role": "roles/storage.objectViewer", "members": ["allUsers"]}
    ]
    assert policy("google_storage_bucket.logs")["resource"] == "google_storage_bucket.logs"
    for key in ("raw", "curated"):  # for_each bindings, each joined to its own bucket
        assert policy(f'google_storage_bucket.data["{key}"]')["bindings"][0]["members"] == [
            "allAuthenticatedUsers",
            "user:contractor@gmail.com",
        ]
    # an authoritative policy from a google_iam_policy data source
    assert policy("google_storage_bucket.archive")["bindings"] == [
        {"role": "roles/storage.objectAdmin", "members": ["allUsers"]}
    ]
    clean = _by_address(CLEAN)
    # a service account of the same plan: its email is not known yet, and it is not public
    members = clean[f"{T.IAM_POLICY} google_storage_bucket.data"].attributes["bindings"][0]["members"]
    assert members == ["google_service_account.reader.email (known after apply)"]
    assert f"{T.IAM_POLICY} google_storage_bucket.audit" not in clean  # no IAM resource touches it


def test_an_iam_member_of_no_telling_bucket_makes_every_bucket_policy_a_gap(tmp_path: Path) -> None:
    doc = json.loads(INSECURE.read_text())
    for r in doc["configuration"]["root_module"]["resources"]:
        if r["address"] == "google_storage_bucket_iam_member.logs_public":
            r["expressions"]["bucket"] = {"references": ["local.bucket_name"]}
    edited = tmp_path / "plan.json"
    edited.write_text(json.dumps(doc))
    snap = plan_snapshot([edited], discover_providers())
    verdicts = {
        f.resource_id: f.status.value
        for f in evaluate_snapshot(snap).findings
        if f.check_id == "gcp.storage.bucket_not_public"
    }
    assert set(verdicts.values()) == {"error"} and len(verdicts) == 4  # fail closed, on every bucket


def test_sinks_name_the_bucket_they_export_to_at_every_level() -> None:
    sinks = sorted(
        (r.id, r.attributes["parent"], r.attributes["destination_bucket"], r.attributes["project_id"])
        for f in (INSECURE, CLEAN)
        for r in adapt(read_plan(f))
        if r.type == T.LOG_SINK
    )
    assert sinks == [
        ("google_logging_folder_sink.all", "folders/123456789012", "insecure-audit-archive", None),
        ("google_logging_organization_sink.audit", "organizations/123456789012", "clean-audit-archive", None),
        ("google_logging_project_sink.audit", "projects/acme-clean", "clean-audit-archive", "acme-clean"),
        (
            "google_logging_project_sink.audit",
            "projects/acme-insecure",
            "insecure-audit-archive",
            "acme-insecure",
        ),
    ]


def test_firewall_defaults_and_networks_follow_the_api() -> None:
    got = _by_address(INSECURE)
    rdp = got[f"{T.FIREWALL} google_compute_firewall.rdp[1]"].attributes
    assert rdp["source_ranges"] == ["0.0.0.0/0"]  # no source given: every address
    assert rdp["direction"] == "INGRESS"
    assert rdp["network"] == "default"  # `network = google_compute_network.vpc.id`, unknown


def test_findings_point_at_the_tf_block_of_their_resource(findings: list[Finding]) -> None:
    points_at(
        findings,
        {
            ("gcp.sql.open_to_world", "i:module.db.google_sql_database_instance.this"): (
                "fixtures/terraform/google/insecure/modules/sql/main.tf",
                'resource "google_sql_database_instance" "this" {',
            ),
            ("gcp.storage.versioning", 'i:google_storage_bucket.data["raw"]'): (
                "",
                'resource "google_storage_bucket" "data" {',
            ),
            # a bucket's public grant points at the IAM resource that grants it
            ("gcp.iam.no_public_principals", "i:google_storage_bucket.logs"): (
                "",
                'resource "google_storage_bucket_iam_member" "logs_public" {',
            ),
            ("gcp.compute.firewall_rdp_open", "i:google_compute_firewall.rdp[0]"): (
                "",
                'resource "google_compute_firewall" "rdp" {',
            ),
        },
    )


def test_the_gate_fails_the_insecure_plan_and_passes_the_clean_one(tmp_path: Path, in_repo: Path) -> None:
    gate_both(tmp_path, INSECURE, CLEAN, "gcp.compute.firewall_ssh_open")


# ----------------------------------------------------------------------------- parity with live


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The testkit's reference estate as the collector reads it (Cloud Asset exports, offline)."""
    assets = reference_estate()
    out = tmp_path_factory.mktemp("gcp-assets")
    files = []
    for content in ("RESOURCE", "IAM_POLICY", "ORG_POLICY"):
        path = out / f"{content.lower()}.json"
        path.write_text(json.dumps(export_records(assets, content, "camel")))
        files.append(str(path))
    return collect([(discover_providers()["gcp"], "gcp", GcpOptions(asset_export=files))])


@pytest.fixture(scope="module")
def collected(live: Snapshot) -> dict[tuple[str, str], Resource]:
    return {(r.type, r.id): r for r in live.resources}


NAMES = (
    "bucket_name",
    "network",
    "network_name",
    "project_id",
    "resource",
)  # what names the resource, not its configuration
PAIRS = [
    (T.BUCKET, "//storage.googleapis.com/pass-pass-app-data", CLEAN, "google_storage_bucket.data"),
    (T.BUCKET, "//storage.googleapis.com/pass-log-archive", CLEAN, "google_storage_bucket.audit"),
    (T.BUCKET, "//storage.googleapis.com/fail-fail-app-data", INSECURE, 'google_storage_bucket.data["raw"]'),
    (T.IAM_POLICY, "//storage.googleapis.com/fail-fail-app-data", INSECURE, "google_storage_bucket.logs"),
    (
        T.NETWORK,
        "//compute.googleapis.com/projects/pass-app/global/networks/pass-vpc",
        CLEAN,
        "google_compute_network.vpc",
    ),
    (
        T.FIREWALL,
        "//compute.googleapis.com/projects/pass-app/global/firewalls/pass-ssh-from-iap",
        CLEAN,
        "google_compute_firewall.ssh_from_iap",
    ),
    (
        T.FIREWALL,
        "//compute.googleapis.com/projects/fail-app/global/firewalls/fail-allow-all",
        INSECURE,
        "google_compute_firewall.all",
    ),
    (
        T.SQL_INSTANCE,
        "//cloudsql.googleapis.com/projects/pass-app/instances/pass-pg",
        CLEAN,
        "google_sql_database_instance.pg",
    ),
    (
        T.SQL_INSTANCE,
        "//cloudsql.googleapis.com/projects/fail-app/instances/fail-pg",
        INSECURE,
        "module.db.google_sql_database_instance.this",
    ),
]


# checks of a pair that look at other resources, which the two estates do not share
OTHER_SURROUNDINGS = {
    # the live bucket receives a log sink's export (retention must be locked), the planned one none
    'google_storage_bucket.data["raw"]': ("gcp.storage.log_bucket_retention_lock",),
}


@pytest.mark.parametrize(("type_", "live_id", "fixture", "address"), PAIRS, ids=[p[3] for p in PAIRS])
def test_a_planned_resource_carries_what_the_collector_reads_for_the_same_configuration(
    collected: dict[tuple[str, str], Resource], type_: str, live_id: str, fixture: Path, address: str
) -> None:
    def config(r: Resource) -> dict[str, Any]:
        return {k: v for k, v in r.attributes.items() if k not in NAMES}

    planned = _by_address(fixture)[f"{type_} {address}"]
    live = collected[(type_, live_id)]
    assert not planned.gaps
    assert config(planned) == config(live)


def test_a_plan_and_the_live_estate_of_the_same_configuration_get_the_same_verdicts(
    live: Snapshot, findings: list[Finding]
) -> None:
    """Every check over each pair's type: one verdict for the planned resource and the live one."""
    live_found = evaluate_snapshot(live, params=PARAMS).findings
    judged = 0
    for type_, live_id, fixture, address in PAIRS:
        checks = {c.id for c in load_registry() if type_ in c.meta.resource_types}
        want = f"{'c' if fixture == CLEAN else 'i'}:{address}"
        planned = {f.check_id: f.status.value for f in findings if f.check_id in checks and label(f) == want}
        got = {
            f.check_id: f.status.value
            for f in live_found
            if f.check_id in checks and f.resource_id == live_id
        }
        for check_id in OTHER_SURROUNDINGS.get(address, ()):
            planned.pop(check_id), got.pop(check_id)
        assert planned and planned == got, address
        judged += sum(v in ("pass", "fail") for v in planned.values())
    assert judged >= 20
