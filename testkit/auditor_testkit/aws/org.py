"""A moto Organization of 12 accounts, each scanned in 3 regions, and the audit.yaml that scans
it: tests/schedule/test_sharding.py and bench/shard_bench.py build it the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import yaml

from auditor_testkit.aws.gaps import MotoGaps

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
ACCOUNTS = 12
ORG_ROLE = "OrganizationAccountAccessRole"


def build_organization(url: str, gaps: MotoGaps | None = None) -> list[str]:
    """The management account holds the reference estate; 11 members hold their account-wide
    settings and one bucket and security group each. Returns the 12 account ids. `url` is a
    `MotoGaps` in front of moto (`gaps`), so the operations moto lacks are seeded too."""
    from auditor_testkit.aws import seed

    accounts = seed.create_organization(url)
    org = boto3.client(
        "organizations",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for i in range(ACCOUNTS - len(accounts)):
        status = org.create_account(AccountName=f"member-{i}", Email=f"m{i}@example.com")[
            "CreateAccountStatus"
        ]
        accounts.append(status["AccountId"])
    seed.seed_estate(url, REGIONS, gaps=gaps)
    for n, acct in enumerate(accounts[1:]):
        creds = seed.assume_creds(url, acct)
        seed.seed_estate(url, REGIONS, creds, member=True, gaps=gaps)
        kw: dict[str, Any] = {"endpoint_url": url, **creds}
        s3 = boto3.client("s3", region_name="us-east-1", **kw)
        s3.create_bucket(Bucket=f"member-bucket-{acct}")
        for region in REGIONS[: 1 + n % len(REGIONS)]:
            ec2 = boto3.client("ec2", region_name=region, **kw)
            ec2.create_security_group(GroupName=f"member-sg-{n}", Description="member")
    return accounts


def write_config(path: Path, url: str, *, store: str | None = None, concurrency: int = 16) -> Path:
    cfg: dict[str, Any] = {
        "version": 1,
        "formats": ["json"],
        "targets": [
            {
                "provider": "aws",
                "name": "org",
                "options": {
                    "org_role": ORG_ROLE,
                    "regions": REGIONS,
                    "endpoint_url": url,
                    "max_attempts": 2,
                    "concurrency": concurrency,
                },
            }
        ],
    }
    if store:
        cfg["store"] = store
    path.write_text(yaml.safe_dump(cfg), "utf-8")
    return path
