"""The shared collection runtime: calls, retries, classification, evidence, gaps, scheduling."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from auditor.evidence import SnapshotBuilder
from auditor.models import ErrorKind, Location, Resource
from auditor.runtime import (
    CallFailed,
    CollectRun,
    RetryPolicy,
    Session,
    kind_for_status,
    retry_after_seconds,
)

SCOPE = Location(account="acct", region="r1")


class Throttled(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("slow down")
        self.retry_after = retry_after


def classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    if isinstance(exc, Throttled):
        return ErrorKind.THROTTLED, "slow down"
    if isinstance(exc, PermissionError):
        return ErrorKind.ACCESS_DENIED, str(exc)
    return None


def session(**kw: Any) -> tuple[Session, SnapshotBuilder]:
    sink = SnapshotBuilder()
    return Session("t", CollectRun(sink=sink), classify=classify, **kw), sink


def test_a_call_is_recorded_as_redacted_evidence_and_counted() -> None:
    s, sink = session()
    got = s.call("svc.Get", lambda: {"name": "a", "password": "hunter2"}, scope=SCOPE, params={"id": 1})
    assert got.body["name"] == "a"
    (ev,) = sink.build().evidence
    assert ev.id == got.evidence and ev.operation == "svc.Get" and ev.scope == SCOPE
    assert "hunter2" not in ev.model_dump_json()
    assert s.stats.calls["svc.Get"] == 1
    s.call("svc.Get", lambda: {}, scope=SCOPE, params={"id": 1})
    assert s.stats.summary()["api_repeated_calls"] == 1
    s.close()


def test_failures_are_classified_into_one_vocabulary() -> None:
    s, _ = session()

    def denied() -> None:
        raise PermissionError("no")

    with pytest.raises(CallFailed) as info:
        s.call("svc.List", denied, scope=SCOPE)
    assert info.value.kind == ErrorKind.ACCESS_DENIED and info.value.operation == "svc.List"
    with pytest.raises(CallFailed) as info:
        s.call("svc.List", lambda: (_ for _ in ()).throw(TimeoutError("slow")), scope=SCOPE)
    assert info.value.kind == ErrorKind.TIMEOUT
    with pytest.raises(CallFailed) as info:
        s.call("svc.List", lambda: (_ for _ in ()).throw(ConnectionRefusedError("x")), scope=SCOPE)
    assert info.value.kind == ErrorKind.UNREACHABLE
    with pytest.raises(CallFailed) as info:
        s.call("svc.List", lambda: {}["k"], scope=SCOPE)
    assert info.value.kind == ErrorKind.ERROR and "KeyError" in info.value.message
    s.close()


def test_throttling_is_retried_as_the_server_says_then_given_up() -> None:
    waits: list[float] = []
    s, _ = session(retry=RetryPolicy(attempts=3, base_delay=1.0, sleep=waits.append))
    calls = [0]

    def flaky() -> str:
        calls[0] += 1
        if calls[0] < 3:
            raise Throttled(retry_after=7 if calls[0] == 1 else None)
        return "ok"

    assert s.call("svc.Get", flaky, scope=SCOPE, record=False).body == "ok"
    assert waits == [7.0, 2.0]  # Retry-After first, then exponential backoff
    waits.clear()
    calls[0] = -10
    with pytest.raises(CallFailed) as info:
        s.call("svc.Get2", flaky, scope=SCOPE, record=False)
    assert info.value.kind == ErrorKind.THROTTLED and len(waits) == 2  # 3 attempts in all
    s.close()


def test_absent_means_not_configured_and_is_evidence() -> None:
    s, sink = session()

    class NoSuchPolicy(Exception):
        pass

    def read() -> None:
        raise NoSuchPolicy()

    got = s.call(
        "svc.GetPolicy",
        read,
        scope=SCOPE,
        absent=lambda e: {"Error": "NoSuchPolicy"} if isinstance(e, NoSuchPolicy) else None,
    )
    assert got.body is None and got.evidence
    assert sink.build().evidence[0].body == {"Error": "NoSuchPolicy"}
    s.close()


def test_gaps_errors_and_exclusions_land_in_the_snapshot_for_their_scope() -> None:
    s, sink = session()
    err = CallFailed("svc.Describe", ErrorKind.ACCESS_DENIED, "denied")
    s.gap(err, scope=SCOPE, types=["t.box"])
    s.exclude(["t.secret"], scope=SCOPE, reason="not read by design")
    gaps: dict[str, str] = {}
    evidence: list[str] = []
    assert Session.take({"detail": err}, "detail", gaps, ["size", "color"], evidence) is None
    assert gaps == {"size": "svc.Describe failed (access_denied): denied", "color": gaps["size"]}
    s.add(Resource(provider="t", type="t.box", id="b", attributes={}, gaps=gaps))
    snap = sink.build()
    assert [(e.kind, e.scope, e.resource_types) for e in snap.errors] == [
        (ErrorKind.ACCESS_DENIED, SCOPE, ("t.box",))
    ]
    assert snap.exclusions[0].resource_types == ("t.secret",) and snap.exclusions[0].reason
    s.close()


def test_the_scheduler_fans_out_without_deadlock_and_records_crashes() -> None:
    s, sink = session(concurrency=2)
    done: list[dict[str, Any]] = []
    lock = threading.Lock()

    def parent(i: int) -> None:
        # each parent fans out detail calls on the same 2-thread pool: must not deadlock
        thunks = {f"d{j}": (lambda j=j: s.call(f"svc.D{i}.{j}", lambda: j, scope=SCOPE)) for j in range(5)}

        def then(results: dict[str, Any]) -> None:
            with lock:
                done.append(results)

        s.gather(thunks, then, SCOPE)

    for i in range(10):
        s.submit(parent, i, scope=SCOPE)

    def crash() -> None:
        raise RuntimeError("bug in a task")

    s.submit(crash, scope=SCOPE)
    s.close()
    assert len(done) == 10 and all(len(r) == 5 for r in done)
    (err,) = sink.build().errors
    assert err.kind == ErrorKind.ERROR and "bug in a task" in err.message and err.scope == SCOPE


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (0, ErrorKind.UNREACHABLE),
        (401, ErrorKind.ACCESS_DENIED),
        (403, ErrorKind.ACCESS_DENIED),
        (404, ErrorKind.NOT_FOUND),
        (408, ErrorKind.TIMEOUT),
        (429, ErrorKind.THROTTLED),
        (501, ErrorKind.UNSUPPORTED),
        (503, ErrorKind.UNREACHABLE),
        (504, ErrorKind.TIMEOUT),
        (500, ErrorKind.ERROR),
        (418, ErrorKind.ERROR),
    ],
)
def test_http_status_kinds(status: int, kind: ErrorKind) -> None:
    assert kind_for_status(status) == kind


def test_retry_after_parses_seconds_and_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
