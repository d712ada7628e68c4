"""One provider target's collection: calls, evidence, gaps and tasks, through one object."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.evidence import SnapshotBuilder
from auditor.models import (
    JSON,
    CollectionError,
    CollectionExclusion,
    ErrorKind,
    Location,
    Resource,
    SkippedScope,
    Target,
)
from auditor.runtime.errors import CallFailed, Classifier, classify_exception, gap_reason
from auditor.runtime.http import retry_after_seconds
from auditor.runtime.progress import LockedProgress, NullProgress, Progress
from auditor.runtime.scheduler import Scheduler
from auditor.sharding import Shard, unit_key

__all__ = [
    "CallFailed",
    "CallStats",
    "Called",
    "Classifier",
    "CollectRun",
    "RetryPolicy",
    "Session",
    "classify_exception",
    "gap_reason",
]


@dataclass(frozen=True)
class CollectRun:
    """What `auditor.scan.collect` hands each provider's collector.

    `clients` is the provider's client factory when a test or a library caller injects one
    (each provider documents its shape); None means build real SDK clients.

    `shard` and `target` (the audit.yaml target's name) decide which units this process
    collects (`owns`); the default shard owns everything (see `auditor.sharding`)."""

    sink: SnapshotBuilder
    progress: Progress = field(default_factory=NullProgress)
    clients: Any = None
    shard: Shard = field(default_factory=Shard)
    target: str = ""

    def unit(self, scope: Location) -> str:
        return unit_key(self.target, scope.account, scope.region)

    def owns(self, scope: Location) -> bool:
        """Whether this shard collects the unit `scope` (account / project / cluster / server,
        and region or None) of this target. A shard records each unit it owns in the snapshot
        (`Snapshot.shard_units`), for `auditor merge` to check the others' exclusions against."""
        key = self.unit(scope)
        if not self.shard.owns(key):
            return False
        if not self.shard.whole:
            self.sink.add_unit(key)
        return True


@dataclass(frozen=True)
class RetryPolicy:
    """Retries done by the runtime (on top of whatever the SDK does): exponential backoff, or
    exactly what the server asked for (Retry-After), up to `attempts` calls in all."""

    attempts: int = 1
    base_delay: float = 0.5
    max_delay: float = 30.0
    retry_on: frozenset[ErrorKind] = frozenset({ErrorKind.THROTTLED})
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, err: CallFailed) -> float:
        if err.retry_after is not None:
            return min(self.max_delay, float(err.retry_after))
        return min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))


class CallStats:
    """Counters shared by a session's threads: HTTP requests sent (retries included, as the
    provider reports them), operations called, and calls repeated with the same parameters in
    the same scope (a collector should make none)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.calls: Counter[str] = Counter()
        self._seen: set[str] = set()
        self.repeated: list[str] = []

    def request(self, n: int = 1) -> None:
        with self._lock:
            self.requests += n

    def on_call(
        self, operation: str, scope: Location, params: Mapping[str, Any] | None, allow_repeat: bool = False
    ) -> None:
        try:
            args = json.dumps(params or {}, sort_keys=True, default=str)
        except (TypeError, ValueError):
            args = repr(params)
        key = f"{scope.account}|{scope.region}|{operation}|{args}"
        with self._lock:
            self.calls[operation] += 1
            if allow_repeat:
                return
            if key in self._seen:
                self.repeated.append(f"{scope.account}/{scope.region} {operation}")
            self._seen.add(key)

    @property
    def operations(self) -> set[str]:
        with self._lock:
            return set(self.calls)

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {
                "api_requests": self.requests,
                "api_operations": sum(self.calls.values()),
                "api_repeated_calls": len(self.repeated),
                "api_repeated_examples": sorted(set(self.repeated))[:10],
                "api_operations_called": sorted(self.calls),
            }


@dataclass(frozen=True)
class Called:
    body: Any
    evidence: str


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status an SDK exception carries, under whichever name the SDK uses."""
    for name in ("status", "status_code", "code"):
        value = getattr(exc, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
            return value
    return None


def _retry_after_of(exc: BaseException) -> float | None:
    """How long the server asked to wait: an attribute, or the Retry-After header of the response."""
    value = getattr(exc, "retry_after", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is not None and hasattr(headers, "get"):
        return retry_after_seconds(headers.get("Retry-After"))
    return None


class Session:
    """One provider's collection of one target (or of several, sharing one pool)."""

    def __init__(
        self,
        provider: str,
        run: CollectRun,
        *,
        classify: Classifier | None = None,
        concurrency: int = 8,
        identity: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.provider = provider
        self.run = run
        self.sink = run.sink
        self.progress: Progress = LockedProgress(run.progress)
        self.clients = run.clients
        self.identity = identity
        self.stats = CallStats()
        self.retry = retry or RetryPolicy()
        self._classify = classify
        self.scheduler = Scheduler(concurrency, self._crashed, name=provider)
        self.started = time.monotonic()

    # ------------------------------------------------------------------ calls

    def classify(self, exc: BaseException) -> tuple[ErrorKind, str]:
        if self._classify is not None and not isinstance(exc, CallFailed):
            found = self._classify(exc)
            if found is not None:
                return found
        return classify_exception(exc)

    def failure(self, operation: str, exc: BaseException) -> CallFailed:
        """The CallFailed for an exception an SDK raised (already classified ones pass through)."""
        if isinstance(exc, CallFailed):
            return exc
        kind, message = self.classify(exc)
        return CallFailed(operation, kind, message, status=_status_of(exc), retry_after=_retry_after_of(exc))

    def call(
        self,
        operation: str,
        fn: Callable[[], Any],
        *,
        scope: Location,
        params: Mapping[str, Any] | None = None,
        record: bool = True,
        secret_paths: Iterable[str] = (),
        absent: Callable[[BaseException], JSON | None] | None = None,
        allow_repeat: bool = False,
        identity: str | None = None,
    ) -> Called:
        """Run one API call (`fn`, which does all its pages) and store its answer as evidence.

        `absent(exc)` returns the body to record when an error means "not configured" (AWS's
        NoSuchBucketPolicy, say): the call then returns `Called(None, evidence)`. Every other
        failure is retried as `self.retry` says and then raised as `CallFailed`."""
        self.stats.on_call(operation, scope, params, allow_repeat)
        attempt = 0
        while True:
            attempt += 1
            try:
                body = fn()
                break
            except Exception as exc:
                if absent is not None:
                    marker = absent(exc)
                    if marker is not None:
                        ev = self.record(operation, marker, scope=scope, params=params, identity=identity)
                        return Called(None, ev)
                err = self.failure(operation, exc)
                if err.kind in self.retry.retry_on and attempt < self.retry.attempts:
                    self.retry.sleep(self.retry.delay(attempt, err))
                    continue
                raise err from None
        ev = ""
        if record:
            ev = self.record(
                operation, body, scope=scope, params=params, secret_paths=secret_paths, identity=identity
            )
        return Called(body, ev)

    def record(
        self,
        operation: str,
        body: Any,
        *,
        scope: Location,
        params: Mapping[str, Any] | None = None,
        secret_paths: Iterable[str] = (),
        identity: str | None = None,
    ) -> str:
        return self.sink.record(
            self.provider,
            operation,
            body,
            parameters=dict(params or {}),
            scope=scope,
            identity=identity or self.identity,
            extra_secret_paths=secret_paths,
        )

    # ------------------------------------------------------------------ what was (not) read

    def add(self, resource: Resource) -> None:
        self.sink.add_resource(resource)

    def error(
        self,
        operation: str,
        kind: ErrorKind,
        message: str,
        *,
        scope: Location,
        types: Iterable[str] = (),
    ) -> None:
        self.sink.add_error(
            CollectionError(
                provider=self.provider,
                operation=operation,
                scope=scope,
                resource_types=tuple(types),
                kind=kind,
                message=message,
            )
        )

    def gap(self, err: CallFailed, *, scope: Location, types: Iterable[str] = ()) -> None:
        """A list call failed: nothing of `types` was read in `scope` (empty: the whole scope)."""
        self.error(err.operation, err.kind, err.message, scope=scope, types=types)

    def exclude(self, types: Iterable[str], *, scope: Location, reason: str) -> None:
        """Deliberately not read (by configuration or by design): checks report `excluded`."""
        self.sink.add_exclusion(
            CollectionExclusion(
                provider=self.provider, scope=scope, resource_types=tuple(types), reason=reason
            )
        )

    def skip_scope(self, scope: Location, reason: str) -> None:
        """A scope seen and deliberately not scanned (inactive, disabled, outside the asked
        scope): no check or control is affected; results and the report list it."""
        self.sink.add_skipped(SkippedScope(provider=self.provider, scope=scope, reason=reason))

    def owns(self, scope: Location, types: Iterable[str] = ()) -> bool:
        """Whether this shard collects the unit `scope`. When another shard does, the unit's
        `types` (empty: everything in the scope) are recorded as excluded by design, so no
        check reads their absence here as an error; `auditor merge` drops those records."""
        if self.run.owns(scope):
            return True
        self.exclude(types, scope=scope, reason=self.run.shard.exclusion_reason(self.run.unit(scope)))
        return False

    @staticmethod
    def gaps(err: CallFailed, attrs: Iterable[str]) -> dict[str, str]:
        """A detail call failed: each attribute it would have filled is a gap on the resource."""
        return dict.fromkeys(attrs, gap_reason(err))

    @staticmethod
    def take(
        results: Mapping[str, Any],
        key: str,
        gaps: dict[str, str],
        attrs: Iterable[str],
        evidence: list[str],
    ) -> Any:
        """The body of one gathered call, or None with a gap on each attribute it would fill."""
        value = results.get(key)
        if isinstance(value, CallFailed):
            gaps.update(Session.gaps(value, attrs))
            return None
        if isinstance(value, Called):
            if value.evidence:
                evidence.append(value.evidence)
            return value.body
        return value

    def add_target(self, label: str, options: Mapping[str, Any], *, with_stats: bool = True) -> None:
        opts = dict(options)
        if with_stats:
            opts.update(self.stats.summary())
            opts["collect_seconds"] = round(time.monotonic() - self.started, 2)
        self.sink.add_target(Target(provider=self.provider, label=label, options=opts))

    # ------------------------------------------------------------------ tasks

    def submit(self, fn: Callable[..., None], *args: Any, scope: Location | None = None) -> None:
        self.scheduler.submit(fn, *args, scope=scope)

    def gather(
        self,
        thunks: Mapping[str, Callable[[], Any]],
        then: Callable[[dict[str, Any]], None],
        scope: Location | None = None,
    ) -> None:
        self.scheduler.gather(thunks, then, scope)

    def wait(self) -> None:
        self.scheduler.wait()

    def close(self) -> None:
        self.scheduler.wait()
        self.scheduler.shutdown()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _crashed(self, exc: BaseException, scope: Location) -> None:
        self.error(
            "collect",
            ErrorKind.ERROR,
            f"collector task crashed: {type(exc).__name__}: {exc}",
            scope=scope,
        )
