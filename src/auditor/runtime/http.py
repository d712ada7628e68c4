"""HTTP facts every REST-speaking provider shares: status -> ErrorKind, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from auditor.models import ErrorKind


def kind_for_status(status: int) -> ErrorKind:
    """The ErrorKind of a non-2xx HTTP status (0: no response at all)."""
    if status == 0:
        return ErrorKind.UNREACHABLE
    if status in (401, 403):
        return ErrorKind.ACCESS_DENIED
    if status == 404:
        return ErrorKind.NOT_FOUND
    if status in (408, 504):
        return ErrorKind.TIMEOUT
    if status == 429:
        return ErrorKind.THROTTLED
    if status in (405, 501):
        return ErrorKind.UNSUPPORTED
    if status in (502, 503):
        return ErrorKind.UNREACHABLE
    return ErrorKind.ERROR


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent
    or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
