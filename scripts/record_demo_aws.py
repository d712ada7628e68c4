"""Record the AWS demo snapshot (fixtures/demo/aws.json.gz) with the real collector.

Starts moto in server mode on 127.0.0.1 behind the local fake for the operations moto lacks
(auditor_testkit.aws.gaps.MotoGaps), seeds a small organization (a management account with a
mix of good and bad resources in two regions, among them CloudWatch alarm chains, detection
services, databases, an edge, a SageMaker and Bedrock ML platform, ECR and EKS; a member account
with the opposite account-wide settings), scans it through Organizations with the AWS collector
and saves the snapshot. IAM Access Analyzer is not implemented by moto: its collection errors
stay in the snapshot, as they would for an account where that API is denied.

Run: .venv/bin/python scripts/record_demo_aws.py
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from auditor.evidence import SnapshotBuilder
from auditor.providers.aws import AwsOptions
from auditor.providers.aws.collector import collect
from auditor.runtime import CollectRun
from auditor.snapshot import save_snapshot
from auditor.version import __version__
from auditor_testkit.aws import seed
from auditor_testkit.aws.gaps import MotoGaps
from auditor_testkit.aws.moto import MotoServer, moto_env

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "aws.json.gz"
REGIONS = ["us-east-1", "eu-west-1"]


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    saved = dict(os.environ)
    server = MotoServer()
    aws = MotoGaps(server.url)
    os.environ.update(moto_env())  # fake credentials for the collector (restored below)
    try:
        accounts = seed.create_organization(aws.url)
        seed.seed_estate(aws.url, REGIONS, gaps=aws)
        seed.seed_estate(aws.url, REGIONS, seed.assume_creds(aws.url, accounts[1]), member=True, gaps=aws)
        builder = SnapshotBuilder(tool_version=__version__)
        options = AwsOptions(
            org_role="OrganizationAccountAccessRole", regions=REGIONS, endpoint_url=aws.url, max_attempts=2
        )
        collect(options, CollectRun(sink=builder))
        snapshot = builder.build()
        # the local endpoint means nothing to a reader of the demo
        for t in snapshot.targets:
            t.options.pop("endpoint_url", None)
        save_snapshot(snapshot, OUT)
    finally:
        aws.stop()
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
    print(f"{OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
