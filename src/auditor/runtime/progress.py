"""What a collector reports while it works."""

from __future__ import annotations

import threading
from typing import Protocol


class Progress(Protocol):
    """Progress sink for collectors. Implementations must be thread-safe."""

    def step(self, message: str, advance: int = 1) -> None: ...


class NullProgress:
    def step(self, message: str, advance: int = 1) -> None:
        return None


class LockedProgress:
    """Makes any Progress safe to call from the scheduler's threads, and counts steps."""

    def __init__(self, inner: Progress) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.steps = 0

    def step(self, message: str, advance: int = 1) -> None:
        with self._lock:
            self.steps += advance
            self._inner.step(message, advance)
