"""A failed call, classified: what every provider's collector raises and records."""

from __future__ import annotations

import socket
from collections.abc import Callable

from auditor.models import ErrorKind


class CallFailed(Exception):
    """A call that failed for good (after any retries). `kind` says why, in one vocabulary."""

    def __init__(
        self,
        operation: str,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{operation}: {kind.value}: {message}")
        self.operation = operation
        self.kind = ErrorKind(kind)
        self.message = message
        self.status = status
        self.retry_after = retry_after

    @property
    def reason(self) -> str:
        return gap_reason(self)


def gap_reason(err: CallFailed) -> str:
    """The text recorded on a resource attribute that this failure left unread."""
    return f"{err.operation} failed ({err.kind.value}): {err.message}"


Classification = tuple[ErrorKind, str]
# Maps an SDK's exception to (kind, message), or None when it does not know it.
Classifier = Callable[[BaseException], Classification | None]


def classify_exception(exc: BaseException) -> Classification:
    """The kind of the exceptions every SDK can raise underneath (sockets, timeouts)."""
    if isinstance(exc, CallFailed):
        return exc.kind, exc.message
    if isinstance(exc, TimeoutError | socket.timeout):
        return ErrorKind.TIMEOUT, f"timed out: {exc}"
    if isinstance(exc, ConnectionError | socket.gaierror):
        return ErrorKind.UNREACHABLE, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError):
        return ErrorKind.UNREACHABLE, f"{type(exc).__name__}: {exc}"
    return ErrorKind.ERROR, f"{type(exc).__name__}: {exc}"
