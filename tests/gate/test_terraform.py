"""The plan reader (auditor.terraform) and the AWS plan adapter, on real plans made offline by
terraform 1.11 with the hashicorp/aws 5.100 provider (scripts/make_plan_fixtures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.contracts import load_contracts
from auditor.errors import ConfigError
from auditor.models import Resource, Status
from auditor.providers import discover_providers
from auditor.providers.aws import resources as T
from auditor.providers.aws.terraform import PUBLIC_IP_AT_APPLY, adapt
from auditor.scan import evaluate_snapshot
from auditor.terraform import config_module, plan_snapshot, read_plan, split_module

from .conftest import CLEAN, FIXTURES, INSECURE


def _by_id(resources: list[Resource]) -> dict[str, Resource]:
    return {r.id: r for r in resources}


def test_addresses_split_into_module_instances_and_configuration_paths() -> None:
    calls, rest = split_module('module.a["x.y"].module.b[0].aws_s3_bucket.this[1]')
    assert calls == [("a", '["x.y"]'), ("b", "[0]")]
    assert rest == "aws_s3_bucket.this[1]"
    assert config_module('module.a["x.y"].module.b[0]') == "module.a.module.b"
    assert config_module("") == ""


def test_modules_count_and_for_each_instances_with_their_tf_lines(in_repo: Path) -> None:
    plan = read_plan(INSECURE)
    addresses = {r.address for r in plan.resources}
    assert {"module.web[0].aws_security_group.this", "module.web[1].aws_security_group.this"} <= addresses
    assert {'aws_s3_bucket.data["raw"]', 'aws_s3_bucket.data["curated"]'} <= addresses
    web = next(r for r in plan.resources if r.address == "module.web[1].aws_security_group.this")
    assert web.source is not None
    assert web.source.file == "fixtures/terraform/insecure/modules/web/main.tf"
    lines = (FIXTURES / "insecure/modules/web/main.tf").read_text().splitlines()
    assert lines[web.source.start_line - 1].startswith('resource "aws_security_group" "this"')
    assert lines[web.source.end_line - 1] == "}"
    bucket = next(r for r in plan.resources if r.address == 'aws_s3_bucket.data["raw"]')
    main_lines = (FIXTURES / "insecure/main.tf").read_text().splitlines()
    assert main_lines[bucket.source.start_line - 1].startswith('resource "aws_s3_bucket" "data"')
    assert plan.data[0].address == "data.aws_iam_policy_document.admin"


def test_a_plan_without_its_sources_points_at_the_plan_file(tmp_path: Path, in_repo: Path) -> None:
    alone = tmp_path / "plan.json"
    alone.write_bytes(INSECURE.read_bytes())
    plan = read_plan(alone)
    assert all(r.source is not None and r.source.file == alone.as_posix() for r in plan.resources)
    assert all(r.source.address == r.address for r in plan.resources if r.source)


def test_every_adapted_resource_keeps_the_aws_contract() -> None:
    contracts = load_contracts()
    for fixture in (INSECURE, CLEAN):
        resources = list(adapt(read_plan(fixture)))
        assert resources
        problems = [p for r in resources for p in contracts.validate(r)]
        assert problems == []


def test_unknown_values_are_gaps_never_defaults() -> None:
    got = _by_id(list(adapt(read_plan(INSECURE))))
    logs = got["aws_s3_bucket.logs"]  # bucket_prefix: the name is known only after apply
    assert "name" in logs.gaps and "name" not in logs.attributes
    vol = got["aws_ebs_volume.data"]  # encryption left to the account's default
    assert "encrypted" in vol.gaps
    db = got["aws_db_instance.db"]
    assert "backup_retention_period" in db.gaps
    assert db.attributes["storage_encrypted"] is False  # null in the plan: AWS's fixed default


def test_split_s3_resources_join_their_bucket_even_when_its_name_is_unknown() -> None:
    got = _by_id(list(adapt(read_plan(INSECURE))))
    logs = got["aws_s3_bucket.logs"].attributes
    assert {
        "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers",
        "grantee_type": "Group",
        "permission": "READ",
    } in logs["acl_grants"]
    assert logs["policy"]["Statement"][0]["Principal"] == "*"
    assert logs["public_access_block"] == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), False
    )
    for key in ("raw", "curated"):  # for_each buckets, versioning joined through each.value
        assert got[f'aws_s3_bucket.data["{key}"]'].attributes["versioning"] == "Suspended"
    clean = _by_id(list(adapt(read_plan(CLEAN))))["aws_s3_bucket.data"].attributes
    assert clean["versioning"] == "Enabled"
    assert clean["encryption_rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert clean["logging"] == {"TargetBucket": "clean-access-logs", "TargetPrefix": "data/"}


def test_security_groups_carry_inline_and_standalone_rules() -> None:
    got = _by_id(list(adapt(read_plan(INSECURE))))
    rdp = got["aws_security_group.rdp"].attributes["ingress"]
    ports = sorted((p["IpProtocol"], p.get("FromPort"), p["IpRanges"][0]["CidrIp"]) for p in rdp)
    assert ports == [("tcp", 3389, "0.0.0.0/0"), ("tcp", 5432, "0.0.0.0/0")]
    ssh = got["aws_security_group.ssh"].attributes["ingress"]
    assert ssh[0]["FromPort"] == 22 and ssh[0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]


def test_iam_policies_from_policy_documents_and_literal_json() -> None:
    got = _by_id(list(adapt(read_plan(INSECURE))))
    for address in ("aws_iam_policy.admin", "aws_iam_policy.literal"):
        doc = got[address].attributes["document"]
        assert doc["Statement"][0]["Action"] == "*"
    assert got["aws_iam_role.public"].attributes["trust_policy"]["Statement"][0]["Principal"] == {"AWS": "*"}


def test_instances_inherit_public_ips_from_their_subnet() -> None:
    insecure = _by_id(list(adapt(read_plan(INSECURE))))["aws_instance.bastion"]
    assert insecure.attributes["public_ip"] == PUBLIC_IP_AT_APPLY
    clean = _by_id(list(adapt(read_plan(CLEAN))))["aws_instance.app"]
    assert clean.attributes["public_ip"] is None
    assert clean.attributes["imds_mode"] == "required"


def test_account_wide_checks_are_not_applicable_to_a_plan(in_repo: Path) -> None:
    snap = plan_snapshot([INSECURE], discover_providers())
    result = evaluate_snapshot(snap)
    assert not result.errors  # no per-scope type is missing: plan resources are file resources
    account_types = {T.IAM_ACCOUNT, T.S3_ACCOUNT, T.GUARDDUTY_REGION, T.CONFIG_REGION, T.CLOUDTRAIL_ACCOUNT}
    assert not [f for f in result.findings if f.resource_type in account_types]
    for cid in ("aws.iam.root_mfa", "aws.guardduty.enabled", "aws.iam.password_min_length"):
        assert not [f for f in result.findings if f.check_id == cid]
    summary = next(s for c in result.controls for s in c.checks if s.check_id == "aws.iam.root_mfa")
    assert summary.status is None and summary.counts == {}


def test_resources_no_adapter_reads_are_counted_and_listed_never_dropped(in_repo: Path) -> None:
    google = FIXTURES / "google" / "insecure" / "plan.json"
    snap = plan_snapshot([INSECURE, google], discover_providers())
    unread = {(x.provider, x.resource_types): x.reason for x in snap.exclusions}
    assert set(unread) == {
        ("gcp", ("terraform.unread/google_compute_address",)),
        ("terraform", ("terraform.unread/random_id",)),
        ("terraform", ("terraform.unread/random_password",)),
    }  # every aws_ resource of the AWS plan is read
    assert unread[("gcp", ("terraform.unread/google_compute_address",))] == (
        "1 google_compute_address resource in fixtures/terraform/google/insecure/plan.json "
        "(google_compute_address.nat): no plan adapter reads this Terraform resource type: no check judges it"
    )
    options = {(t.provider, str(t.options["plan"])): t.options["unread_types"] for t in snap.targets}
    assert options[("gcp", "fixtures/terraform/google/insecure/plan.json")] == {"google_compute_address": 1}
    assert options[("aws", "fixtures/terraform/insecure/plan.json")] == {}
    result = evaluate_snapshot(snap)
    listed = sorted((x.provider, x.reason.split(" resource", 1)[0]) for x in result.exclusions)
    assert all(x.check_id == "*" and x.origin == "collection" for x in result.exclusions)
    assert listed == [
        ("gcp", "1 google_compute_address"),
        ("terraform", "1 random_id"),
        ("terraform", "1 random_password"),
    ]
    assert result.summary.excluded_checks == 0  # no check was left out: these types have none


def test_plan_findings_point_at_tf_lines_and_keys_include_the_path(in_repo: Path) -> None:
    snap = plan_snapshot(
        [FIXTURES / "teams/a/plan.json", FIXTURES / "teams/b/plan.json"], discover_providers()
    )
    result = evaluate_snapshot(snap)
    ssh = [f for f in result.findings if f.check_id == "aws.ec2.sg_ssh_open"]
    assert {f.status for f in ssh} == {Status.FAIL}
    assert {f.location.file for f in ssh if f.location} == {
        "fixtures/terraform/teams/a/main.tf",
        "fixtures/terraform/teams/b/main.tf",
    }
    assert all(f.location and f.location.start_line == 2 for f in ssh)
    assert len({f.key for f in ssh}) == 2  # same address, different folders


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "not a Terraform plan"),
        (json.dumps({"format_version": "1.0", "values": {}}).encode(), "state file"),
        (json.dumps({"format_version": "1.2", "planned_values": {}, "errored": True}).encode(), "errored"),
        (json.dumps({"format_version": "1.2", "planned_values": []}).encode(), "planned_values"),
    ],
)
def test_a_malformed_plan_is_a_config_error_naming_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    bad = tmp_path / "bad-plan.json"
    bad.write_bytes(content)
    with pytest.raises(ConfigError) as err:
        read_plan(bad)
    assert "bad-plan.json" in str(err.value) and problem in str(err.value)


TRICKY_HCL = r"""
# resource "aws_s3_bucket" "commented" {
/* resource "aws_s3_bucket" "block_comment" { } */
resource "aws_s3_bucket" "a" {
  bucket = "brace-in-string-{"   // and a } in a comment
  tags = { Name = "x}", Other = "${var.prefix}-${lookup({ a = "}" }, "a", "")}" }
}

data "aws_iam_policy_document" "b" {
  statement {
    actions = ["s3:*"]
    resources = ["arn:aws:s3:::$${literal}"]
  }
}

resource "aws_iam_policy" "c" {
  policy = <<-JSON
    { "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] }
    }}} unbalanced inside a heredoc
  JSON
}

locals {
  nested = { resource = "aws_s3_bucket" }
}

resource "aws_instance" "d" {
  user_data = <<EOT
#!/bin/sh
echo "{"
EOT
  ami = "ami-1"
}
"""


def test_the_block_scanner_agrees_with_python_hcl2_on_tricky_hcl() -> None:
    from auditor.terraform import hcl2_blocks, scan_blocks

    scanned = scan_blocks(TRICKY_HCL)
    assert scanned == hcl2_blocks(TRICKY_HCL)
    assert scanned is not None and set(scanned) == {
        ("resource", "aws_s3_bucket", "a"),
        ("data", "aws_iam_policy_document", "b"),
        ("resource", "aws_iam_policy", "c"),
        ("resource", "aws_instance", "d"),
    }
    assert scanned[("resource", "aws_iam_policy", "c")] == (16, 21)


def test_the_block_scanner_agrees_with_python_hcl2_on_every_fixture() -> None:
    from auditor.terraform import hcl2_blocks, scan_blocks

    files = sorted(FIXTURES.glob("**/*.tf"))
    assert len(files) >= 6
    for f in files:
        assert scan_blocks(f.read_text()) == hcl2_blocks(f.read_text()), f


def test_a_file_the_scanner_cannot_follow_goes_to_python_hcl2(tmp_path: Path) -> None:
    from auditor.terraform import scan_blocks, tf_blocks

    odd = tmp_path / "odd.tf"
    odd.write_text('resource "aws_s3_bucket" "x" {\n  bucket = "a"\n}\n}\n')  # one brace too many
    assert scan_blocks(odd.read_text()) is None
    assert tf_blocks(odd) == {}  # python-hcl2 cannot parse it either: no line, the plan file instead
