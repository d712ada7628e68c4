"""Shared by the GCP tests: the fake with a scanner key, scans through the library, expectations."""

from __future__ import annotations

import collections
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.models import Finding, Snapshot
from auditor.providers import discover_providers
from auditor.providers.gcp import GcpOptions
from auditor.scan import collect, evaluate_snapshot
from auditor_testkit.gcp_fake import (
    FAIL_ORG,
    NO_METADATA_SERVER,
    PASS_ORG,
    FakeCloudAsset,
    reference_estate,
    service_account_key_file,
)

SCANNER = "scanner@scanner-project.iam.gserviceaccount.com"
ORGS = (PASS_ORG, FAIL_ORG)
STRICT: dict[str, Any] = {
    "gcp.iam.allowed_domains": ["example.com"],
    "gcp.compute.require_cmek": True,
    "gcp.bigquery.require_cmek": True,
    "gcp.vertex.require_cmek": True,
}


@dataclass
class Gcp:
    fake: FakeCloudAsset
    key_file: Path
    workdir: Path

    def options(self, **kw: Any) -> GcpOptions:
        base: dict[str, Any] = {"credentials_file": str(self.key_file), "api_endpoint": self.fake.url}
        return GcpOptions(**{**base, **kw})

    def scan(self, *option_sets: dict[str, Any], clients: Any = None) -> Snapshot:
        spec = discover_providers()["gcp"]
        sets = option_sets or tuple({"organization": o} for o in ORGS)
        targets = [(spec, f"gcp-{i}", self.options(**o)) for i, o in enumerate(sets)]
        return collect(targets, clients={"gcp": clients} if clients else None)

    def cli_env(self) -> dict[str, str]:
        return {**os.environ, **NO_METADATA_SERVER}


def start_gcp(workdir: Path, estate: list[dict[str, Any]] | None = None, **fake_kw: Any) -> Gcp:
    fake = FakeCloudAsset(reference_estate() if estate is None else estate, **fake_kw).start()
    key = workdir / "scanner-key.json"
    fake.add_service_account(SCANNER, service_account_key_file(key, SCANNER, fake.token_uri))
    return Gcp(fake, key, workdir)


def gcp_findings(snap: Snapshot, params: dict[str, Any] | None = None) -> list[Finding]:
    result = evaluate_snapshot(snap, params=params if params is not None else STRICT)
    return [f for f in result.findings if f.provider == "gcp"]


def expected(f: Finding) -> str | None:
    """pass-* / fail-* by the resource's name, else by its project; None: not constrained."""
    for label in (f.resource_name or "", f.account or ""):
        if label.startswith(("pass-", "fail-")):
            return label.split("-", 1)[0]
    return None


def sides(findings: Iterable[Finding]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = collections.defaultdict(set)
    for f in findings:
        out[f.check_id].add(f.status.value)
    return out
