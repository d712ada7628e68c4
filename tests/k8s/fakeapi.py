"""A local HTTPS server that speaks the Kubernetes API shape, for kinds the real test
apiserver (1.20) does not serve: ValidatingAdmissionPolicy v1, batch/v1 CronJob, a modern
version with Pod Security admission. Stdlib http.server + ssl, certificate from a trustme CA.

Like the real server it: authenticates bearer tokens (401 Status otherwise), authorizes per
(user, group, resource) (403 Status with the real message), pages lists with `limit` and an
opaque `continue` token (with `remainingItemCount`), omits kind/apiVersion on list items,
serves `PartialObjectMetadataList` when the Accept header asks for it and *full Secrets,
data included, when it does not* (so a collector that forgot would leak the canaries), and
filters Secrets by `fieldSelector=type=...`. Every request is logged for the permission test.
For the collector's runtime it can also answer 429 with Retry-After (`throttle`), slow each
list down (`delay`) and report how many requests it served at once (`max_in_flight`).
"""

from __future__ import annotations

import base64
import copy
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import trustme

from auditor.providers.k8s.kinds import KINDS, Kind


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: concurrent connects beyond it wait for a SYN
    # retransmit (1 s); a real API server accepts far more.
    request_queue_size = 128


@dataclass(frozen=True)
class Seen:
    user: str
    method: str
    path: str
    group: str | None  # None for non-resource URLs
    resource: str | None
    verb: str
    accept: str
    query: dict[str, str]


@dataclass
class FakeKube:
    objects: list[dict[str, Any]]
    version: str = "v1.35.1"
    tokens: dict[str, str] = field(default_factory=dict)  # token -> user
    forbidden: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # user -> {(group, plural)}
    seen: list[Seen] = field(default_factory=list)
    throttle: dict[str, int] = field(default_factory=dict)  # plural -> 429s (Retry-After: 0) before serving
    delay: float = 0.0  # seconds each list request takes (to make concurrent requests overlap)
    max_in_flight: int = 0  # most requests served at the same time so far
    url: str = ""
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._store: dict[str, list[dict[str, Any]]] = {}
        for i, raw in enumerate(self.objects):
            obj = copy.deepcopy(raw)
            meta = obj.setdefault("metadata", {})
            meta.setdefault("uid", str(uuid.UUID(int=i + 1)))
            meta.setdefault("resourceVersion", str(1000 + i))
            meta.setdefault("creationTimestamp", "2026-10-30T12:00:00Z")
            if obj.get("kind") == "Secret" and "stringData" in obj:
                data = obj.setdefault("data", {})
                for k, v in obj.pop("stringData").items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
            self._store.setdefault(obj["kind"], []).append(obj)

    # --------------------------------------------------------------- serving
    def start(self, workdir: Path) -> FakeKube:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = workdir / "fake-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(ctx)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with fake._lock:
                    fake._in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
                try:
                    status, body = fake.handle(self)
                finally:
                    with fake._lock:
                        fake._in_flight -= 1
                data = json.dumps(body).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def kubeconfig(self, path: Path, contexts: dict[str, str]) -> Path:
        """A kubeconfig with one context per (name -> token)."""
        cfg = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": "fake", "cluster": {"server": self.url, "certificate-authority": str(self.ca_file)}}
            ],
            "users": [{"name": n, "user": {"token": t}} for n, t in contexts.items()],
            "contexts": [{"name": n, "context": {"cluster": "fake", "user": n}} for n in contexts],
            "current-context": next(iter(contexts)),
        }
        path.write_text(json.dumps(cfg))
        return path

    # -------------------------------------------------------------- handling
    @staticmethod
    def _status(code: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
        return code, {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }

    def _route(self, path: str) -> tuple[Kind, str | None] | None:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        ns = None
        if len(rest) == 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if len(rest) != 1:
            return None
        for k in KINDS:
            if k.group == group and k.plural == rest[0] and k.version == version:
                return k, ns
        return None

    def handle(self, req: BaseHTTPRequestHandler) -> tuple[int, Any]:
        url = urlparse(req.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        auth = req.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        user = (
            self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        )  # scheme is case-insensitive
        route = self._route(url.path)
        seen = Seen(
            user=user or "?",
            method=req.command,
            path=url.path,
            group=route[0].group if route else None,
            resource=route[0].plural if route else None,
            verb="list" if route else "get",
            accept=req.headers.get("Accept", ""),
            query=query,
        )
        with self._lock:
            self.seen.append(seen)
        if user is None:
            return self._status(401, "Unauthorized", "Unauthorized")
        if url.path == "/version":
            major, minor = self.version.lstrip("v").split(".")[:2]
            return 200, {
                "major": major,
                "minor": minor,
                "gitVersion": self.version,
                "platform": "linux/amd64",
            }
        if route is None:
            return self._status(404, "NotFound", "the server could not find the requested resource")
        kind, ns = route
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            throttled = self.throttle.get(kind.plural, 0) > 0
            if throttled:
                self.throttle[kind.plural] -= 1
        if throttled:
            return self._status(429, "TooManyRequests", "Too many requests, please try again later.")
        if (kind.group, kind.plural) in self.forbidden.get(user, set()):
            where = f'in the namespace "{ns}"' if ns else "at the cluster scope"
            return self._status(
                403,
                "Forbidden",
                f'{kind.plural} is forbidden: User "{user}" cannot list resource "{kind.plural}" '
                f'in API group "{kind.group}" {where}',
            )
        items = [
            o for o in self._store.get(kind.kind, []) if ns is None or o["metadata"].get("namespace") == ns
        ]
        selector = query.get("fieldSelector", "")
        if selector.startswith("type="):
            items = [o for o in items if o.get("type") == selector.removeprefix("type=")]
        offset = (
            int(json.loads(base64.b64decode(query["continue"]))["offset"]) if query.get("continue") else 0
        )
        limit = int(query.get("limit", "0")) or len(items) or 1
        page = items[offset : offset + limit]
        rest = len(items) - offset - len(page)
        meta: dict[str, Any] = {"resourceVersion": "5000"}
        if rest > 0:
            meta["continue"] = base64.b64encode(json.dumps({"offset": offset + limit}).encode()).decode()
            meta["remainingItemCount"] = rest
        out = []
        metadata_only = "as=PartialObjectMetadataList" in seen.accept
        for o in page:
            o = copy.deepcopy(o)
            o.pop("kind", None)
            o.pop("apiVersion", None)
            if metadata_only:
                o = {
                    "apiVersion": "meta.k8s.io/v1",
                    "kind": "PartialObjectMetadata",
                    "metadata": o["metadata"],
                }
            out.append(o)
        if metadata_only:
            return 200, {
                "apiVersion": "meta.k8s.io/v1",
                "kind": "PartialObjectMetadataList",
                "metadata": meta,
                "items": out,
            }
        return 200, {
            "apiVersion": kind.api_version,
            "kind": f"{kind.kind}List",
            "metadata": meta,
            "items": out,
        }
