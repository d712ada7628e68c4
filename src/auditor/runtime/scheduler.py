"""A bounded pool of collection tasks over scopes, where no task ever waits on another.

A list call that needs per-item detail calls fans them out with `gather()`; the last detail
call to finish runs the continuation. So the pool size is exactly the number of API calls in
flight, and a deep fan-out can never deadlock the pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from auditor.models import Location
from auditor.runtime.errors import CallFailed

CrashHandler = Callable[[BaseException, Location], None]


class Scheduler:
    def __init__(self, workers: int, on_crash: CrashHandler, name: str = "collect") -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name)
        self._cv = threading.Condition()
        self._pending = 0
        self._on_crash = on_crash

    def submit(self, fn: Callable[..., None], *args: Any, scope: Location | None = None) -> None:
        with self._cv:
            self._pending += 1
        self._pool.submit(self._run, fn, args, scope or Location())

    def _run(self, fn: Callable[..., None], args: tuple[Any, ...], scope: Location) -> None:
        try:
            fn(*args)
        except Exception as exc:  # a bug must become a recorded gap, never silence
            self._on_crash(exc, scope)
        finally:
            with self._cv:
                self._pending -= 1
                if self._pending == 0:
                    self._cv.notify_all()

    def gather(
        self,
        thunks: Mapping[str, Callable[[], Any]],
        then: Callable[[dict[str, Any]], None],
        scope: Location | None = None,
        *,
        failure: type[BaseException] = CallFailed,
    ) -> None:
        """Run each thunk as its own task; the last to finish calls `then(results)`, where a
        thunk that raised `failure` has that exception as its result."""
        if not thunks:
            self.submit(then, {}, scope=scope)
            return
        results: dict[str, Any] = {}
        lock = threading.Lock()
        remaining = [len(thunks)]

        def one(key: str, thunk: Callable[[], Any]) -> None:
            try:
                value = thunk()
            except failure as exc:
                value = exc
            with lock:
                results[key] = value
                remaining[0] -= 1
                last = remaining[0] == 0
            if last:
                then(results)

        for key, thunk in thunks.items():
            self.submit(one, key, thunk, scope=scope)

    def wait(self) -> None:
        with self._cv:
            while self._pending:
                self._cv.wait()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
