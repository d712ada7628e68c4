"""The collection runtime shared by every provider.

A provider's collector gets a `CollectRun` (where to put what it reads, progress, and the
client factory a test or a library caller injected) and opens a `Session` on it:

- `Session.call()` wraps one API call: it counts it, retries throttling as the server says,
  classifies any failure into one `ErrorKind`, and stores the answer as redacted evidence;
- `Session.submit()` / `Session.gather()` run tasks on a bounded `Scheduler` over scopes
  (account / project / subscription / cluster x region x service);
- `Session.gap()`, `Session.gaps()` and `Session.take()` record what could not be read,
  for exactly its scope and resource types, so a check over it reports `error`.

Provider code keeps only what is its own: how to build a client, how to page, and how its
SDK's exceptions map to an `ErrorKind` (a `Classifier`).
"""

from auditor.models import ErrorKind
from auditor.runtime.http import kind_for_status, retry_after_seconds
from auditor.runtime.progress import LockedProgress, NullProgress, Progress
from auditor.runtime.scheduler import Scheduler
from auditor.runtime.session import (
    Called,
    CallFailed,
    CallStats,
    Classifier,
    CollectRun,
    RetryPolicy,
    Session,
    classify_exception,
    gap_reason,
)

__all__ = [
    "CallFailed",
    "CallStats",
    "Called",
    "Classifier",
    "CollectRun",
    "ErrorKind",
    "LockedProgress",
    "NullProgress",
    "Progress",
    "RetryPolicy",
    "Scheduler",
    "Session",
    "classify_exception",
    "gap_reason",
    "kind_for_status",
    "retry_after_seconds",
]
