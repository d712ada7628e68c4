"""Fixtures of the Azure tests: the real azure-mgmt clients against the local HTTPS fake.

Test modules take them with `from azure_fixtures import *`. They are not in a conftest.py: this
directory has no __init__.py (a package named `azure` would shadow the SDK), and a second
top-level `conftest` module would shadow tests/conftest.py for the tests that import it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure_helpers import Scanner, evaluate, scanner

from auditor.models import Snapshot
from auditor.results import ScanResult
from auditor_testkit.azure_estate import reference_estate
from auditor_testkit.azure_fake import FakeAzure

__all__ = ["fake", "reference", "scan"]


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeAzure]:
    with FakeAzure(reference_estate(), list_page_size=3).start(tmp_path) as server:
        yield server


@pytest.fixture
def scan(fake: FakeAzure) -> Scanner:
    return scanner(fake)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeAzure, Snapshot, ScanResult]]:
    """The reference estate collected once (with the management group scope) and evaluated."""
    with FakeAzure(reference_estate(), list_page_size=3).start(tmp_path_factory.mktemp("azure")) as server:
        snap = scanner(server)(management_groups=["mg-root"])
        yield server, snap, evaluate(snap)
