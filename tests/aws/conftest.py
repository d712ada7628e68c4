"""A moto server (server mode, 127.0.0.1) behind the local fake for what moto lacks
(auditor_testkit.aws.gaps.MotoGaps), seeded once per session, scanned once per scenario."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

REGIONS = ["us-east-1", "eu-west-1"]
ORG_ROLE = "OrganizationAccountAccessRole"
# The scans' check parameters: require Bedrock guardrails everywhere, so that check has both sides.
PARAMS = "aws.bedrock.guardrail_regions: ['*']\n"


@dataclass
class Scan:
    exit_code: int
    output: str
    out: Path
    results: dict[str, Any]
    throttled_responses: int = 0

    def findings(self, **match: Any) -> list[dict[str, Any]]:
        return [f for f in self.results["findings"] if all(f.get(k) == v for k, v in match.items())]

    @property
    def options(self) -> dict[str, Any]:
        opts: dict[str, Any] = self.results["scan"]["targets"][0]["options"]
        return opts


def run_cli(args: list[str], out: Path) -> Scan:
    from auditor.cli import main

    result = CliRunner().invoke(main, ["scan", "aws", *args, "--out", str(out), "-q"], catch_exceptions=False)
    results = json.loads((out / "results.json").read_text("utf-8"))
    return Scan(result.exit_code, result.output, out, results)


@pytest.fixture(scope="session")
def moto(skip_or_fail: Any) -> Iterator[Any]:
    saved = dict(os.environ)
    try:
        from auditor_testkit.aws.moto import MotoServer, moto_env

        server = MotoServer()
        os.environ.update(moto_env())  # fake credentials for the scanner's standard chain; restored below
    except Exception as exc:  # pragma: no cover - depends on the machine
        skip_or_fail(f"moto server could not start: {exc}")
    yield server
    server.stop()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def aws(moto: Any) -> Iterator[Any]:
    """The endpoint the tests seed and scan: moto, plus the operations it lacks (MotoGaps)."""
    from auditor_testkit.aws.gaps import MotoGaps

    gaps = MotoGaps(moto.url)
    yield gaps
    gaps.stop()


@pytest.fixture(scope="session")
def params_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("aws-params") / "params.yaml"
    path.write_text(PARAMS, "utf-8")
    return path


@pytest.fixture(scope="session")
def estate(aws: Any) -> list[str]:
    """Organization with two accounts: the management account holds the reference estate in two
    regions; the member account flips the account-wide settings. Returns [management, member]."""
    from auditor_testkit.aws import seed

    accounts = seed.create_organization(aws.url)
    seed.seed_estate(aws.url, REGIONS, gaps=aws)
    seed.seed_estate(aws.url, REGIONS, seed.assume_creds(aws.url, accounts[1]), member=True, gaps=aws)
    return accounts


@pytest.fixture(scope="session")
def clean_scan(
    aws: Any, estate: list[str], params_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Scan:
    out = tmp_path_factory.mktemp("aws-clean")
    return run_cli(
        [
            "--org-role",
            ORG_ROLE,
            "--regions",
            ",".join(REGIONS),
            "--endpoint-url",
            aws.url,
            "--params",
            str(params_file),
            "--max-attempts",
            "2",
            "--format",
            "html,json,csv",
            "--save-snapshot",
            str(out / "snapshot.json.gz"),
        ],
        out,
    )


@pytest.fixture(scope="session")
def fault_scan(
    aws: Any, estate: list[str], clean_scan: Scan, params_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scan]:
    """The management account through a proxy that denies KMS, throttles eu-west-1, plus a
    region whose endpoint refuses connections."""
    from auditor_testkit.aws.moto import FaultProxy, ProxyRules
    from auditor_testkit.local import closed_port_url

    proxy = FaultProxy(aws.url, ProxyRules(throttle_regions={"eu-west-1"}, deny_services={"kms"}))
    out = tmp_path_factory.mktemp("aws-fault")
    try:
        scan = run_cli(
            [
                "--regions",
                "us-east-1,eu-west-1,ap-southeast-2",
                "--endpoint-url",
                proxy.url,
                "--endpoint-overrides",
                f"ap-southeast-2={closed_port_url()}",
                "--max-attempts",
                "2",
                "--retry-mode",
                "standard",  # adaptive mode's client-side rate limiting would only slow the test
                "--connect-timeout",
                "2",
                "--read-timeout",
                "10",
                "--format",
                "json",
                "--params",
                str(params_file),
                "--save-snapshot",
                str(out / "snapshot.json.gz"),
            ],
            out,
        )
        scan.throttled_responses = proxy.rules.throttled
        yield scan
    finally:
        proxy.stop()
