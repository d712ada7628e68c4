"""Collects widgets over HTTP (the stdlib is this provider's "SDK") through the shared runtime:
paged list calls, evidence, ErrorKind classification, gaps for exactly their scope."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from auditor.models import ErrorKind, Location, Resource
from auditor.runtime import CallFailed, CollectRun, Session, kind_for_status
from toy_provider import ToyOptions
from toy_provider.resources import WIDGET

Opener = Callable[[str], Any]  # url -> parsed JSON: what a test may inject as run.clients


class HttpStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    if isinstance(exc, HttpStatus):
        return kind_for_status(exc.status), str(exc)
    return None


def _default_opener(url: str) -> Any:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=5)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    if resp.status >= 300:
        raise HttpStatus(resp.status)
    return json.loads(body)


def collect(options: BaseModel, run: CollectRun) -> None:
    opts = options if isinstance(options, ToyOptions) else ToyOptions.model_validate(options.model_dump())
    opener: Opener = run.clients or _default_opener
    scope = Location(account=opts.endpoint)
    with Session("toy", run, classify=classify, concurrency=2) as session:

        def list_widgets() -> None:
            token = ""
            while True:
                url = f"{opts.endpoint}/widgets?pageSize={opts.page_size}" + (
                    f"&pageToken={token}" if token else ""
                )
                try:
                    page = session.call(
                        "widgets.list", lambda url=url: opener(url), scope=scope, params={"token": token}
                    )
                except CallFailed as err:
                    session.gap(err, scope=scope, types=[WIDGET])
                    return
                for w in page.body.get("widgets", []):
                    session.add(
                        Resource(
                            provider="toy",
                            type=WIDGET,
                            id=w["name"],
                            name=w["name"],
                            location=scope,
                            attributes={"name": w["name"], "locked": bool(w.get("locked"))},
                            evidence=(page.evidence,),
                        )
                    )
                token = page.body.get("nextPageToken") or ""
                if not token:
                    return

        session.submit(list_widgets, scope=scope)
        session.wait()
        session.add_target(f"toy {opts.endpoint}", {"endpoint": opts.endpoint})
