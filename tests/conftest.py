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


# ------------------------------------------------------------------ verdict coverage
# Every registered check must show at least one passing and one failing case somewhere in the
# suite. This counts the verdicts the tests actually produce: every finding made in this
# process (through auditor.engine.run_check) plus every results.json a test wrote (scans run in
# a subprocess), and fails a full run of the suite when a check lacks either side.


def missing_cases(check_ids: list[str], observed: set[tuple[str, str]]) -> list[str]:
    """One line per check with no passing or no failing finding among `observed`."""
    out = []
    for cid in sorted(check_ids):
        sides = [word for s, word in (("pass", "passing"), ("fail", "failing")) if (cid, s) not in observed]
        if sides:
            out.append(f"{cid}: no {' and no '.join(sides)} case")
    return out


_OBSERVED: set[tuple[str, str]] = set()


def pytest_configure(config: pytest.Config) -> None:
    import auditor.engine as engine

    real_run, real_evaluate = engine.run_check, engine.evaluate

    def run_check(check: Any, resource: Any, ctx: Any) -> Any:
        finding = real_run(check, resource, ctx)
        _OBSERVED.add((finding.check_id, finding.status.value))
        return finding

    def evaluate(*args: Any, **kwargs: Any) -> Any:
        findings = real_evaluate(*args, **kwargs)
        _OBSERVED.update((f.check_id, f.status.value) for f in findings)
        return findings

    engine.run_check = run_check  # type: ignore[assignment]
    engine.evaluate = evaluate  # type: ignore[assignment]


def _full_run(session: pytest.Session) -> bool:
    opt = session.config.option
    if getattr(opt, "keyword", "") or getattr(opt, "markexpr", "") or getattr(opt, "lf", False):
        return False
    args = [a for a in session.config.args if not a.startswith("-")]
    root = str(session.config.rootpath)
    return all(a.rstrip("/") in ("tests", f"{root}/tests", root) for a in args) and not session.shouldstop


def _harvest(session: pytest.Session) -> None:
    import json

    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        base = factory.getbasetemp()
    except Exception:
        return
    for path in base.rglob("results.json"):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError, RecursionError):  # the fuzz tests write broken ones on purpose
            continue
        for f in data.get("findings", []) if isinstance(data, dict) else []:
            if isinstance(f, dict):
                _OBSERVED.add((str(f.get("check_id")), str(f.get("status"))))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus != 0 or not _full_run(session):
        return
    from auditor.checks import load_registry

    _harvest(session)
    missing = missing_cases(load_registry().ids(), _OBSERVED)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["checks without a passing and a failing case in the suite:", *missing]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One line saying how many tests were skipped and why (the reasons, counted)."""
    from collections import Counter

    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: Counter[str] = Counter()
    for rep in skipped:
        longrepr = getattr(rep, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    text = "; ".join(f"{n} x {why}" for why, n in reasons.most_common())
    terminalreporter.write_line(f"skipped {len(skipped)} test(s): {text}", yellow=True)
