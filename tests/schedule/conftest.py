"""Servers and scans the scheduled-audit tests share: PostgreSQL 15, a Pushgateway, moto."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor_testkit.netguard import guarded_cli

ROOT = Path(__file__).resolve().parents[2]
DEMO_AWS = ROOT / "fixtures" / "demo" / "aws.json.gz"
AUDITOR = guarded_cli()  # the auditor CLI in a child Python behind the network guard


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    from auditor.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


@pytest.fixture(scope="session")
def demo_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """results.json (and evidence) of the recorded AWS demo estate, evaluated offline."""
    out = tmp_path_factory.mktemp("demo-results")
    r = cli("scan", "--from-snapshot", str(DEMO_AWS), "--out", str(out), "--format", "json", "-q")
    assert r.exit_code in (0, 3), r.output
    return out


def _serve(start: Callable[[], AbstractContextManager[Any]], what: str, skip_or_fail: Any) -> Iterator[Any]:
    """Enter a server harness for the session; one that cannot start skips (fails in CI)."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(start())
        except RuntimeError as exc:
            skip_or_fail(f"{what} could not start: {exc}")
        yield server


@pytest.fixture(scope="session")
def postgres(skip_or_fail: Any) -> Iterator[Any]:
    from auditor_testkit.postgres import run_postgres

    yield from _serve(run_postgres, "PostgreSQL 15", skip_or_fail)


@pytest.fixture(scope="session")
def pushgateway(skip_or_fail: Any) -> Iterator[Any]:
    from auditor_testkit.pushgateway import run_pushgateway

    yield from _serve(run_pushgateway, "Pushgateway", skip_or_fail)


@pytest.fixture(scope="session")
def moto_server(skip_or_fail: Any) -> Iterator[Any]:
    try:
        from auditor_testkit.aws.moto import MotoServer

        server = MotoServer()
    except Exception as exc:  # pragma: no cover - depends on the machine
        skip_or_fail(f"moto server could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from auditor_testkit.aws.moto import moto_env

    env = moto_env()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env
