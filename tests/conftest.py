"""Shared test fixtures. No test may open a network connection beyond loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from auditor_testkit.netguard import loopback_only


@pytest.fixture(scope="session", autouse=True)
def _no_external_network() -> Iterator[None]:
    """Session-wide, so session fixtures (servers, scans) are guarded too, not only test bodies."""
    with loopback_only():
        yield


def _skip_or_fail(reason: str) -> None:
    """In CI (.ci/run sets AUDITOR_REQUIRE_SERVERS=1) a server that cannot start is a failure, not a skip."""
    if os.environ.get("AUDITOR_REQUIRE_SERVERS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def skip_or_fail() -> Any:
    """Call with a reason when a local server this test needs cannot be started."""
    return _skip_or_fail
