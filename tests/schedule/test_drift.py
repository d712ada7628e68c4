"""Two scans of a changed moto estate into a SQLite store and into a real PostgreSQL 15:
`auditor history` and `auditor diff` show the change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from .conftest import cli

pytestmark = pytest.mark.integration
REGION = "us-east-1"
CHECKS = "aws.s3.*,aws.ec2.*"


def _clients(url: str) -> tuple[Any, Any]:
    kw: dict[str, Any] = {
        "region_name": REGION,
        "endpoint_url": url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("s3", **kw), boto3.client("ec2", **kw)


def _before(url: str) -> None:
    s3, ec2 = _clients(url)
    s3.create_bucket(Bucket="drift-kept")  # unversioned: fails bucket_versioning
    sg = ec2.create_security_group(GroupName="drift-open-ssh", Description="open")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )


def _change(url: str) -> None:
    """Fix the bucket's versioning, delete the open security group, add a new bucket."""
    s3, ec2 = _clients(url)
    s3.put_bucket_versioning(Bucket="drift-kept", VersioningConfiguration={"Status": "Enabled"})
    [sg] = ec2.describe_security_groups(GroupNames=["drift-open-ssh"])["SecurityGroups"]
    ec2.delete_security_group(GroupId=sg["GroupId"])
    s3.create_bucket(Bucket="drift-new")


def _scan(url: str, out: Path, store: str) -> None:
    r = cli(
        "scan", "aws", "--regions", REGION, "--endpoint-url", url, "--max-attempts", "2", "--checks", CHECKS,
        "--format", "json", "--out", str(out), "-q", "--store", store,
    )  # fmt: skip
    assert r.exit_code in (0, 3), r.output


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    pg = request.getfixturevalue("postgres")
    return str(pg.create_database(f"drift_{tmp_path.name.lower().replace('-', '_')[-40:]}"))


def test_two_scans_of_a_changed_estate_show_the_change(
    moto_server: Any, aws_env: dict[str, str], store_url: str, tmp_path: Path
) -> None:
    moto_server.reset()
    _before(moto_server.url)
    _scan(moto_server.url, tmp_path / "a", store_url)
    _change(moto_server.url)
    _scan(moto_server.url, tmp_path / "b", store_url)

    r = cli("history", "--store", store_url, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert len(rows) == 2 and rows[0]["started_at"] > rows[1]["started_at"]
    assert rows[0]["findings"] != rows[1]["findings"]
    r = cli("history", "--store", store_url, "--target", "aws")
    assert r.exit_code == 0 and r.output.count("aws") >= 2

    r = cli("diff", "previous", "latest", "--store", store_url, "--format", "json")
    assert r.exit_code == 0, r.output
    drift = json.loads(r.output)
    new = {(f["check_id"], f["resource_id"]) for f in drift["new_failures"]}
    resolved = {(f["check_id"], f["resource_id"], f["after"]) for f in drift["resolved"]}
    assert ("aws.s3.bucket_versioning", "arn:aws:s3:::drift-new") in new
    assert ("aws.s3.bucket_versioning", "arn:aws:s3:::drift-kept", "pass") in resolved
    assert ("aws.ec2.sg_ssh_open", "absent") in {(c, after) for c, _r, after in resolved}
    added = {(x["type"], x["id"]) for x in drift["resources_added"]}
    removed = {x["type"] for x in drift["resources_removed"]}
    assert ("aws.s3.bucket", "arn:aws:s3:::drift-new") in added and "aws.ec2.security_group" in removed
    assert drift["counts"]["still_failing"] > 0

    # the same drift from the two results directories
    r = cli("diff", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json")
    assert r.exit_code == 0
    again = json.loads(r.output)
    assert again["counts"] == drift["counts"]

    # the nightly alert: exit 1 when a new failure reaches the threshold
    severities = {f["severity"] for f in drift["new_failures"]}
    worst = max(severities, key=["info", "low", "medium", "high", "critical"].index)
    assert cli("diff", "previous", "latest", "--store", store_url, "--fail-on-new", worst).exit_code == 1
    assert cli("diff", "previous", "latest", "--store", store_url, "--fail-on-new", "critical").exit_code == (
        1 if worst == "critical" else 0
    )
    md = cli("diff", "previous", "latest", "--store", store_url, "--format", "markdown").output
    assert "### New failures" in md and "drift-new" in md
    html_out = tmp_path / "drift.html"
    r = cli("diff", "previous", "latest", "--store", store_url, "--format", "html", "-o", str(html_out))
    assert r.exit_code == 0 and "new failure" in r.output
    page = html_out.read_text()
    assert "drift-new" in page and "<script" not in page


def test_a_directory_named_latest_is_not_silently_taken_for_the_stored_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "latest").mkdir()
    monkeypatch.chdir(tmp_path)
    r = cli("diff", "latest", "latest~1", "--store", str(tmp_path / "history.db"))
    assert r.exit_code == 2 and "names both a stored scan and the directory ./latest" in r.output
    r = cli("diff", "./latest", "latest~1")  # a path, and no store: what it says
    assert r.exit_code == 2 and "names both" not in r.output
