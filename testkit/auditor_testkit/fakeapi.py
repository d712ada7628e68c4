"""A local HTTP(S) fake-API base: the one server every provider fake is built on.

A fake is a :class:`FakeAPI` with a route table. It listens on 127.0.0.1 on a free port, over
plain HTTP or over TLS with a fresh trustme CA (``ca_file`` is the PEM a client trusts), and
answers each request from the first route whose method and path pattern match::

    class Assets(FakeAPI):
        def __init__(self, assets: list[dict[str, Any]]) -> None:
            super().__init__()
            self.assets = assets
            self.add_route("GET", "/v1/{parent:path}/assets", self.list_assets, name="assets.list")

        def list_assets(self, request: Request) -> Response:
            page = paginate(self.assets, request.arg("pageToken"), request.int_arg("pageSize"))
            body = {"assets": page.items} | ({"nextPageToken": page.next_token} if page.next_token else {})
            return Response(200, body)

    with Assets(assets) as fake:              # start() ... stop()
        fake.throttle("assets.list", retry_after=0, times=2)   # two 429s, then the real answer
        ...                                   # point the real client at fake.url
        assert fake.count(route="assets.list", status=429) == 2

What the base gives every fake:

- a route table: ``add_route(method, pattern, handler, name=...)``; a pattern is a path with
  ``{name}`` (one segment) and ``{name:path}`` (one or more segments) placeholders, matched
  against the path as sent (percent-encoded); the values reach the handler unquoted in
  ``request.params``. Method ``"*"`` matches any method. A path no route matches gets
  :meth:`FakeAPI.not_found`; a path that matches only for other methods gets 405.
- hooks a subclass overrides to speak its API's shape: :meth:`FakeAPI.before` (authentication:
  return a response to answer early) and :meth:`FakeAPI.error_response` (the error body used for
  404, 405, 400 on :class:`BadRequest` (a bad page token or size), 500 on a handler crash, and
  faults without a body).
- a request log (method, path, query, headers, body, route, params, status) with counters:
  ``requests``, ``count(...)``, ``hits``, ``clear_log()``; handler crashes in ``errors``.
- faults, per route name or per predicate: a status with body and headers (``fail``,
  ``throttle`` with ``Retry-After``), a fixed number of times (then the route answers for real)
  or always (``times=None``); a delay before answering (``hang``: delay-to-timeout); a latency
  added to every request (``latency``, for benchmarks). Sleeps end at once on ``stop()``.
- paging: :func:`paginate` pages a list by a page size with an opaque next token (bound to a
  scope, so a token from another listing is refused with 400); :meth:`FakeAPI.next_link` makes
  the absolute next-link URL (ARM ``nextLink``, ``$skipToken``).

Stdlib ``http.server`` (HTTP/1.1 keep-alive, one thread per connection) plus ``trustme`` for TLS.
Nothing runs at import time.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import socket
import ssl
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import trustme

from auditor_testkit.local import HOST

__all__ = [
    "BadPageToken",
    "BadRequest",
    "FakeAPI",
    "Fault",
    "Handler",
    "Page",
    "Request",
    "Response",
    "Route",
    "decode_page_token",
    "encode_page_token",
    "paginate",
]

T = TypeVar("T")

Headers = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass
class Request:
    """One request as the fake saw it; also the entry of the request log."""

    method: str
    path: str  # as sent, percent-encoded, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes
    target: str  # path and query exactly as sent
    route: str | None = None  # name of the route that matched
    params: dict[str, str] = field(default_factory=dict)  # pattern placeholders, unquoted
    status: int | None = None  # the status answered (None while in flight)
    fault: bool = False  # answered by an injected fault

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name``."""
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        """Query parameter ``name`` as an int (not a number: :class:`BadRequest`, answered 400)."""
        value = self.arg(name)
        if value in (None, ""):
            return default
        try:
            return int(str(value))
        except ValueError:
            raise BadRequest(f"{name} must be an integer, not {value!r}") from None

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Response:
    """What a handler answers. ``body``: None (empty), bytes (sent as they are), str (text/plain),
    or anything JSON-serialisable (application/json). ``Content-Length`` is always computed; a
    ``Content-Type`` in ``headers`` or ``content_type`` wins over the default."""

    status: int = 200
    body: Any = None
    headers: Headers = ()
    content_type: str | None = None


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    name: str
    regex: re.Pattern[str]


_PLACEHOLDER = re.compile(r"\{(\w+)(?::(path))?\}")


def _compile(pattern: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        out.append(f"(?P<{m.group(1)}>{'.+?' if m.group(2) else '[^/]+'})")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out))


@dataclass
class Fault:
    """An injected answer (or delay) for the requests ``match`` accepts.

    ``status`` None means "only delay, then answer for real". ``times`` None means always."""

    match: Callable[[Request], bool]
    status: int | None = None
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    times: int | None = 1
    delay: float = 0.0
    hits: int = 0

    @property
    def active(self) -> bool:
        return self.times is None or self.hits < self.times


Target = str | Callable[[Request], bool] | None


# ------------------------------------------------------------------------------------- paging
class BadRequest(ValueError):
    """Raised by a handler (or a helper) for a malformed request: answered 400 with the message."""


class BadPageToken(BadRequest):
    """A page token the fake did not issue, or a negative page size."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None  # None on the last page
    offset: int
    total: int

    @property
    def remaining(self) -> int:
        """Items after this page."""
        return max(self.total - self.offset - len(self.items), 0)


def encode_page_token(offset: int, scope: str = "") -> str:
    """An opaque token for "continue at ``offset``" in the listing named ``scope``."""
    raw = json.dumps({"o": offset, "s": scope}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, scope: str = "") -> int:
    """The offset in ``token``; raise :class:`BadPageToken` if it is not one of ours for ``scope``."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, issued_for = data["o"], data["s"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise BadPageToken(f"invalid page token {token!r}") from None
    if issued_for != scope or not isinstance(offset, int) or offset < 0:
        raise BadPageToken(f"page token {token!r} was not issued for this listing")
    return offset


def paginate(
    items: Sequence[T],
    token: str | None,
    page_size: int | None,
    *,
    default_size: int | None = None,
    max_size: int | None = None,
    scope: str = "",
) -> Page[T]:
    """One page of ``items``: from the offset in ``token`` (start when empty), ``page_size``
    items (``default_size`` when missing or 0; everything when both are; capped at ``max_size``).
    ``next_token`` is None on the last page."""
    offset = decode_page_token(token, scope) if token else 0
    if page_size is not None and page_size < 0:
        raise BadPageToken(f"page size must not be negative: {page_size}")
    size = page_size or default_size or max(len(items) - offset, 1)
    if max_size:
        size = min(size, max_size)
    chunk = list(items[offset : offset + size])
    end = offset + len(chunk)
    return Page(chunk, encode_page_token(end, scope) if end < len(items) else None, offset, len(items))


# ------------------------------------------------------------------------------------- server
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: concurrent connects beyond it wait for a SYN
    # retransmit (1 s); a real API server accepts far more
    request_queue_size = 128

    def __init__(
        self, fake: FakeAPI, handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None
    ) -> None:
        self.fake = fake
        self.tls = tls
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__((HOST, 0), handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a slow or broken
        # client never blocks the accept loop.
        conn = self.tls.wrap_socket(request, server_side=True) if self.tls else request
        with self.open_lock:
            self.open.add(conn)
        handler: Any = self.RequestHandlerClass
        try:
            handler(conn, client_address, self)
        finally:
            with self.open_lock:
                self.open.discard(conn)
            if conn is not request:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_WR)
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that hung up or failed the handshake is not the fake's concern


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    # Headers and body leave in one write (flushed per answer), with TCP_NODELAY: two small
    # writes would meet the client's delayed ACK and cost ~40 ms per keep-alive request.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _dispatch(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _encode(body: Any, content_type: str | None) -> tuple[bytes, str | None]:
    if body is None:
        return b"", content_type
    if isinstance(body, bytes | bytearray):
        return bytes(body), content_type  # raw bytes: the handler names their type, if any
    if isinstance(body, str):
        return body.encode(), content_type or "text/plain; charset=utf-8"
    return json.dumps(body).encode(), content_type or "application/json"


def _header_items(headers: Headers) -> list[tuple[str, str]]:
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


_COMPUTED = {"content-length", "transfer-encoding", "connection"}


class FakeAPI:
    """Base of every local fake API; see the module docstring."""

    name = "fakeapi"  # names the CA file: <workdir>/<name>-ca.pem
    protocol_version = "HTTP/1.1"

    def __init__(self, *, tls: bool = False, latency: float = 0.0) -> None:
        self.tls = tls
        self.latency = latency  # seconds added to every request
        self.url = ""
        self.port = 0
        self.ca_file: Path | None = None
        self.ca_pem: bytes | None = None
        self.errors: list[BaseException] = []  # handler crashes (answered 500)
        self._routes: list[Route] = []
        self._faults: list[Fault] = []
        self._log: list[Request] = []
        self._in_flight = 0
        self.max_in_flight = 0  # most requests answered at the same time (for concurrency bounds)
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # ------------------------------------------------------------------------------ lifecycle
    def start(self, workdir: Path | None = None) -> Self:
        """Listen on 127.0.0.1 (a free port); with TLS, write the CA to ``workdir`` (a temp dir
        removed on stop when None). Returns self."""
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already started")
        self._stopping.clear()
        context = None
        if self.tls:
            if workdir is None:
                self._tmp = tempfile.TemporaryDirectory(prefix=f"{self.name}-")
                workdir = Path(self._tmp.name)
            ca = trustme.CA()
            cert = ca.issue_cert(HOST, "localhost")
            self.ca_pem = ca.cert_pem.bytes()
            self.ca_file = workdir / f"{self.name}-ca.pem"
            self.ca_file.write_bytes(self.ca_pem)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert.configure_cert(context)
        handler = type("Handler", (_RequestHandler,), {"protocol_version": self.protocol_version})
        self._server = _Server(self, handler, context)
        self.port = int(self._server.server_address[1])
        self.url = f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, wake every delayed request, close open connections."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with server.open_lock:
            conns = list(server.open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.start() if self._server is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context for clients that trusts this fake's CA."""
        if self.ca_pem is None:
            raise RuntimeError("not a started TLS fake")
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    def link(self, path: str, query: Mapping[str, str] | None = None) -> str:
        """The absolute URL of ``path`` (with ``query``) on this fake."""
        return self.url + path + (f"?{urlencode(query)}" if query else "")

    def next_link(self, request: Request, token: str, param: str = "$skipToken") -> str:
        """The absolute URL of the next page: this request's URL with ``param`` set to ``token``."""
        query = [(k, v) for k, vs in request.query.items() if k != param for v in vs]
        return f"{self.url}{request.path}?{urlencode([*query, (param, token)])}"

    # --------------------------------------------------------------------------------- routes
    def add_route(self, method: str, pattern: str, handler: Handler, *, name: str | None = None) -> Route:
        """Answer ``method`` (or ``"*"``) on paths matching ``pattern`` with ``handler``.
        The name (default ``"METHOD pattern"``) is what faults, ``hits`` and the log use."""
        route = Route(
            method.upper(), pattern, handler, name or f"{method.upper()} {pattern}", _compile(pattern)
        )
        with self._lock:
            self._routes.append(route)
        return route

    def route(self, method: str, pattern: str, *, name: str | None = None) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add_route`."""

        def register(handler: Handler) -> Handler:
            self.add_route(method, pattern, handler, name=name)
            return handler

        return register

    # ---------------------------------------------------------------------- hooks to override
    def before(self, request: Request) -> Response | None:
        """Runs before routing (after faults): return a response to answer early (e.g. 401)."""
        return None

    def not_found(self, request: Request) -> Response:
        return self.error_response(request, 404, f"no route for {request.method} {request.path}")

    def error_response(self, request: Request, status: int, message: str) -> Response:
        """The error body of this API. Override to speak Google, ARM or Kubernetes errors."""
        return Response(status, {"error": {"code": status, "message": message}})

    # --------------------------------------------------------------------------------- faults
    def inject(
        self,
        target: Target = None,
        *,
        status: int | None = None,
        body: Any = None,
        headers: Headers = (),
        times: int | None = 1,
        delay: float = 0.0,
    ) -> Fault:
        """Answer the requests ``target`` selects (a route name, a predicate, or None for every
        request) with ``status`` / ``body`` / ``headers`` after ``delay`` seconds, ``times``
        times (None: always). The first active fault that matches wins; returns it (``hits``)."""
        if target is None:
            match: Callable[[Request], bool] = lambda _r: True  # noqa: E731
        elif isinstance(target, str):
            match = lambda r: r.route == target  # noqa: E731
        else:
            match = target
        fault = Fault(match, status, body, tuple(_header_items(headers)), times, delay)
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail(
        self, target: Target, status: int, *, body: Any = None, headers: Headers = (), times: int | None = 1
    ) -> Fault:
        """Answer ``status`` (with this API's error body unless ``body`` is given)."""
        return self.inject(target, status=status, body=body, headers=headers, times=times)

    def throttle(
        self,
        target: Target,
        *,
        retry_after: float = 1,
        times: int | None = 1,
        status: int = 429,
        body: Any = None,
    ) -> Fault:
        """Answer 429 (or ``status``) with ``Retry-After: retry_after``."""
        value = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        return self.fail(target, status, body=body, headers=[("Retry-After", value)], times=times)

    def hang(self, target: Target, seconds: float, *, times: int | None = 1) -> Fault:
        """Hold the answer ``seconds`` (longer than the client's read timeout: a timeout)."""
        return self.inject(target, delay=seconds, times=times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ------------------------------------------------------------------------------------ log
    @property
    def requests(self) -> list[Request]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._log)

    @property
    def hits(self) -> Counter[str]:
        """Requests per route name (a copy)."""
        with self._lock:
            return Counter(self._hits)

    def count(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        route: str | None = None,
        status: int | None = None,
        fault: bool | None = None,
    ) -> int:
        """How many logged requests match every filter given."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path is None or r.path == path)
            and (route is None or r.route == route)
            and (status is None or r.status == status)
            and (fault is None or r.fault == fault)
        )

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._hits.clear()
            self.errors.clear()

    # ------------------------------------------------------------------------------- serving
    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _match(self, request: Request) -> tuple[Route | None, bool]:
        """The route for this request, and whether some route matched the path at all."""
        with self._lock:
            routes = list(self._routes)
        path_matched = False
        for route in routes:
            m = route.regex.fullmatch(request.path)
            if m is None:
                continue
            path_matched = True
            if route.method in ("*", request.method):
                request.route = route.name
                request.params = {k: unquote(v) for k, v in m.groupdict().items()}
                return route, True
        return None, path_matched

    def _take_fault(self, request: Request) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.active and fault.match(request):
                    fault.hits += 1
                    return fault
        return None

    def _answer(self, request: Request, route: Route | None, path_matched: bool) -> Response:
        self._sleep(self.latency)
        fault = self._take_fault(request)
        if fault is not None:
            self._sleep(fault.delay)
            if fault.status is not None:
                request.fault = True
                if fault.body is not None:
                    return Response(fault.status, fault.body, fault.headers)
                base = self.error_response(request, fault.status, HTTPStatus(fault.status).phrase)
                return Response(base.status, base.body, [*_header_items(base.headers), *fault.headers])
        try:
            early = self.before(request)
            if early is not None:
                return early
            if route is None:
                if path_matched:
                    return self.error_response(request, 405, f"method {request.method} not allowed")
                return self.not_found(request)
            return route.handler(request)
        except BadRequest as exc:
            return self.error_response(request, 400, str(exc))
        except Exception as exc:
            with self._lock:
                self.errors.append(exc)
            return self.error_response(request, 500, f"fake handler failed: {exc!r}")

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        request = Request(
            method=handler.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=_read_body(handler),
            target=handler.path,
        )
        route, path_matched = self._match(request)
        with self._lock:
            self._log.append(request)
            if route is not None:
                self._hits[route.name] += 1
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            response = self._answer(request, route, path_matched)
        finally:
            with self._lock:
                self._in_flight -= 1
        try:
            payload, content_type = _encode(response.body, response.content_type)
        except (TypeError, ValueError) as exc:  # a body json cannot encode
            with self._lock:
                self.errors.append(exc)
            response = self.error_response(request, 500, f"fake handler answered a bad body: {exc!r}")
            payload, content_type = _encode(response.body, response.content_type)
        request.status = response.status
        headers = [(k, v) for k, v in _header_items(response.headers) if k.lower() not in _COMPUTED]
        if content_type and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", content_type))
        try:
            handler.send_response(response.status)
            for k, v in headers:
                handler.send_header(k, v)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if request.method != "HEAD" and payload:
                handler.wfile.write(payload)
            handler.wfile.flush()
        except OSError:  # the client gave up (a timeout) or the fake is stopping
            handler.close_connection = True
