"""GCP test fixtures: the local Cloud Asset fake with the reference estate, a real service-account
key whose token_uri is the fake, and google-auth kept off the metadata server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.models import Snapshot

from .util import NO_METADATA_SERVER, Gcp, start_gcp


@pytest.fixture(scope="session", autouse=True)
def _no_metadata_server() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for k, v in NO_METADATA_SERVER.items():
            mp.setenv(k, v)
        mp.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        yield


@pytest.fixture
def gcp(tmp_path: Path) -> Iterator[Gcp]:
    g = start_gcp(tmp_path)
    try:
        yield g
    finally:
        g.fake.stop()


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Gcp, Snapshot]]:
    """One clean scan of both organizations, shared by the read-only tests of a module."""
    g = start_gcp(tmp_path_factory.mktemp("gcp-clean"))
    try:
        yield g, g.scan()
    finally:
        g.fake.stop()
