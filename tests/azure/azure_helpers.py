"""Helpers of the Azure tests: the fake's static credential handed in through `CollectRun.clients` (nothing
is patched, nothing leaves loopback), a scanner bound to a fake, evaluation with the test parameters.

(This directory has no __init__.py on purpose: a package named `azure` would shadow the SDK.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.models import Snapshot, Status
from auditor.providers.azure import PROVIDER, AzureOptions
from auditor.providers.azure.clients import AzureClients
from auditor.results import ScanResult
from auditor.scan import collect, evaluate_snapshot
from auditor_testkit.azure_fake import TEST_TOKEN, FakeAzure, StaticToken

ROOT = Path(__file__).resolve().parents[2]
# parameters that give every parameterised check both verdicts on the reference estate
PARAMS = {"azure.storage.require_cmk": True}


Scanner = Callable[..., Snapshot]


def scanner(fake: FakeAzure) -> Scanner:
    def scan(*, sleeps: list[float] | None = None, token: str = TEST_TOKEN, **options: Any) -> Snapshot:
        opts = AzureOptions(arm_endpoint=fake.url, page_size=5, **options)
        clients = AzureClients(
            StaticToken(token), str(fake.ca_file), sleep=sleeps.append if sleeps is not None else time.sleep
        )
        return collect([(PROVIDER, "azure", opts)], clients={"azure": clients})

    return scan


def evaluate(snapshot: Snapshot, params: dict[str, Any] | None = None) -> ScanResult:
    return evaluate_snapshot(snapshot, params={**PARAMS, **(params or {})})


def verdicts(result: ScanResult, check_id: str) -> dict[str, Status]:
    """resource name -> status of one check."""
    return {str(f.resource_name): f.status for f in result.findings if f.check_id == check_id}
