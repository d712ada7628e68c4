"""The drift webhook (`auditor diff --webhook URL`): one HTTPS POST of the drift summary as
JSON, with a timeout, retried on connection failures, timeouts, 429 and 5xx (honouring
Retry-After up to a cap); any other answer is final. Standard library only."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.errors import AuditorError, UsageError
from auditor.runtime import retry_after_seconds
from auditor.version import __version__


class NotifyError(AuditorError):
    """The webhook could not be delivered after every attempt (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Webhook:
    url: str
    timeout: float = 10.0
    attempts: int = 4
    backoff: float = 1.0  # seconds before the second attempt, doubled after each
    max_delay: float = 30.0
    ca_file: Path | None = None  # trust this CA bundle instead of the system's
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme != "https" or not parts.netloc:
            raise UsageError(f"--webhook {self.url!r}: an https:// URL is required")

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def post(self, payload: dict[str, Any]) -> int:
        """POST `payload`; returns the HTTP status of the accepted answer (2xx)."""
        data = json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8")
        context = self._context()
        last = ""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            req = urllib.request.Request(
                self.url,
                data=data,
                method="POST",
                headers={"Content-Type": "application/json", "User-Agent": f"auditor/{__version__}"},
            )
            wait: float | None = None
            try:
                with urllib.request.urlopen(req, timeout=self.timeout, context=context) as resp:
                    return int(resp.status)
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code} {exc.reason}"
                if exc.code != 429 and exc.code < 500:
                    raise NotifyError(f"--webhook {_safe(self.url)}: refused: {last}") from None
                wait = retry_after_seconds(exc.headers.get("Retry-After")) if exc.headers else None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}"
            if attempt < self.attempts:
                self.sleep(min(self.max_delay, wait if wait is not None else delay))
                delay *= 2
        raise NotifyError(
            f"--webhook {_safe(self.url)}: not delivered after {self.attempts} attempt(s): {last}"
        )


def _safe(url: str) -> str:
    """The URL without its query or credentials (webhook URLs often carry a token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"
