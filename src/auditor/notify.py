"""The drift webhook (`auditor diff --webhook URL`): one HTTPS POST of the drift summary as
JSON, with a timeout, retried on connection failures, timeouts, 429 and 5xx (honouring
Retry-After up to a cap); any other answer is final. Standard library only."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

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
        try:
            parts = urlsplit(self.url)
            parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
        except ValueError as exc:
            raise UsageError(f"--webhook {safe_url(self.url)}: not a URL: {exc}") from None
        if parts.scheme != "https" or not parts.netloc:
            raise UsageError(f"--webhook {safe_url(self.url)}: an https:// URL is required")
        self._context()  # a CA bundle that cannot be read is refused before anything is done

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise UsageError(f"--webhook-ca-file {self.ca_file}: not a readable CA bundle: {exc}") from None

    def post(self, payload: dict[str, Any]) -> int:
        """POST `payload`; returns the HTTP status of the accepted answer (2xx)."""
        data = json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8")
        context = self._context()
        target, credentials = split_credentials(self.url)  # parsed in __post_init__ already
        headers = {"Content-Type": "application/json", "User-Agent": f"auditor/{__version__}"}
        if credentials is not None:
            headers["Authorization"] = basic_auth(credentials)
        last = ""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            req = urllib.request.Request(target, data=data, method="POST", headers=headers)
            wait: float | None = None
            try:
                with urllib.request.urlopen(req, timeout=self.timeout, context=context) as resp:
                    return int(resp.status)
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code} {exc.reason}"
                if exc.code != 429 and exc.code < 500:
                    raise NotifyError(f"--webhook {safe_url(self.url)}: refused: {last}") from None
                wait = retry_after_seconds(exc.headers.get("Retry-After")) if exc.headers else None
            except (http.client.InvalidURL, ValueError) as exc:  # no attempt can succeed
                raise NotifyError(f"--webhook {safe_url(self.url)}: not a URL: {exc}") from None
            except (OSError, http.client.HTTPException) as exc:  # URLError and timeouts are OSErrors
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}"
            if attempt < self.attempts:
                self.sleep(min(self.max_delay, wait if wait is not None else delay))
                delay *= 2
        raise NotifyError(
            f"--webhook {safe_url(self.url)}: not delivered after {self.attempts} attempt(s): {last}"
        )


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without its `user:password@` part, and that part (percent-decoded) for HTTP basic
    authentication. urllib would otherwise take `user:password@host` for the host name and look
    it up in DNS. Raises ValueError on a URL that cannot be parsed."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), (unquote(user), unquote(password))


def basic_auth(credentials: tuple[str, str]) -> str:
    """The Authorization header value for HTTP basic authentication."""
    return "Basic " + base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")


def safe_url(url: str) -> str:
    """`url` as it may be printed: scheme and host only. Credentials, the query and the path go
    (a webhook's path is often its secret, as in Slack's and Teams' URLs; a Pushgateway's may
    carry basic-auth credentials in the user part). Never raises."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that cannot be parsed)"
    host = parts.netloc.rpartition("@")[2]
    rest = "/..." if parts.path.strip("/") or parts.query or parts.fragment else parts.path
    return f"{parts.scheme}://{host}{rest}" if parts.scheme else f"{host}{rest}"
