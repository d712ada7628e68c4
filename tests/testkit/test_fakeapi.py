"""The fake-API base: routes, request log, faults, latency, timeouts, paging, TLS."""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from auditor_testkit.fakeapi import (
    BadPageToken,
    FakeAPI,
    Request,
    Response,
    decode_page_token,
    encode_page_token,
    paginate,
)

ITEMS = [{"name": f"item-{i}"} for i in range(7)]


class Items(FakeAPI):
    """A small API in the Google shape (pageToken / nextPageToken) and the ARM shape (nextLink)."""

    name = "items"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_route("GET", "/v1/{parent:path}/items", self.google_list, name="items.list")
        self.add_route("GET", "/subscriptions/{sub}/resources", self.arm_list, name="resources.list")
        self.add_route("POST", "/echo", self.echo, name="echo")
        self.add_route("*", "/any/{thing}", lambda r: Response(200, {"method": r.method, **r.params}))
        self.add_route("GET", "/boom", lambda r: Response(200, {"n": 1 // 0}), name="boom")

    def google_list(self, request: Request) -> Response:
        page = paginate(
            ITEMS,
            request.arg("pageToken"),
            request.int_arg("pageSize"),
            scope=request.params["parent"],
        )
        body: dict[str, Any] = {"items": page.items, "parent": request.params["parent"]}
        if page.next_token:
            body["nextPageToken"] = page.next_token
        return Response(200, body)

    def arm_list(self, request: Request) -> Response:
        page = paginate(ITEMS, request.arg("$skipToken"), None, default_size=3)
        body: dict[str, Any] = {"value": page.items}
        if page.next_token:
            body["nextLink"] = self.next_link(request, page.next_token)
        return Response(200, body)

    def echo(self, request: Request) -> Response:
        return Response(201, {"got": request.json()}, {"X-Echo": "yes"})


@pytest.fixture
def fake() -> Iterator[Items]:
    with Items() as f:
        yield f


def call(
    fake: FakeAPI,
    method: str,
    target: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> tuple[int, dict[str, str], bytes]:
    conn: http.client.HTTPConnection
    if fake.tls:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", fake.port, timeout=timeout, context=fake.client_ssl_context()
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def get_json(fake: FakeAPI, target: str) -> tuple[int, Any]:
    status, _, data = call(fake, "GET", target)
    return status, json.loads(data) if data else None


# -------------------------------------------------------------------------------- routing
def test_routes_params_and_defaults(fake: Items) -> None:
    assert fake.url.startswith("http://127.0.0.1:") and fake.port > 0
    status, body = get_json(fake, "/v1/projects/p1/items?pageSize=100")
    assert status == 200 and body["parent"] == "projects/p1" and len(body["items"]) == 7
    assert get_json(fake, "/any/a%20b") == (200, {"method": "GET", "thing": "a b"})
    status, _, data = call(fake, "DELETE", "/any/x")
    assert status == 200 and json.loads(data)["method"] == "DELETE"
    status, body = get_json(fake, "/nowhere")
    assert status == 404 and body == {"error": {"code": 404, "message": "no route for GET /nowhere"}}
    status, _, data = call(fake, "PUT", "/echo")
    assert status == 405 and json.loads(data)["error"]["code"] == 405
    status, headers, data = call(
        fake, "POST", "/echo", json.dumps({"a": 1}).encode(), {"Content-Type": "application/json"}
    )
    assert status == 201 and json.loads(data) == {"got": {"a": 1}}
    assert headers["x-echo"] == "yes" and headers["content-type"] == "application/json"
    assert headers["content-length"] == str(len(data))


def test_head_sends_headers_without_a_body(fake: Items) -> None:
    status, headers, data = call(fake, "HEAD", "/any/x")
    assert status == 200 and data == b"" and int(headers["content-length"]) > 0


def test_a_crashing_handler_answers_500_and_is_recorded(fake: Items) -> None:
    status, body = get_json(fake, "/boom")
    assert status == 500 and "ZeroDivisionError" in body["error"]["message"]
    assert len(fake.errors) == 1 and isinstance(fake.errors[0], ZeroDivisionError)


def test_keep_alive_and_chunked_bodies(fake: Items) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    try:
        for _ in range(2):
            conn.request("GET", "/any/x")
            assert conn.getresponse().read()
        conn.request("POST", "/echo", body=iter([b'{"a": ', b"[1, 2]}"]), encode_chunked=True)
        resp = conn.getresponse()
        assert json.loads(resp.read()) == {"got": {"a": [1, 2]}}
    finally:
        conn.close()
    assert fake.count(path="/echo") == 1 and fake.requests[-1].body == b'{"a": [1, 2]}'


# ---------------------------------------------------------------------------- request log
def test_request_log_and_counters(fake: Items) -> None:
    call(fake, "GET", "/v1/projects/p1/items?pageSize=2&filter=a&filter=b", headers={"X-Trace": "t1"})
    call(fake, "POST", "/echo", b'{"x": true}')
    call(fake, "GET", "/nowhere")
    first, second, third = fake.requests
    assert (first.method, first.path, first.route) == ("GET", "/v1/projects/p1/items", "items.list")
    assert first.query == {"pageSize": ["2"], "filter": ["a", "b"]} and first.arg("filter") == "b"
    assert first.header("x-trace") == "t1" and first.headers["x-trace"] == "t1"
    assert first.target == "/v1/projects/p1/items?pageSize=2&filter=a&filter=b"
    assert first.params == {"parent": "projects/p1"} and first.status == 200
    assert second.body == b'{"x": true}' and second.json() == {"x": True} and second.status == 201
    assert third.route is None and third.status == 404
    assert fake.count() == 3 and fake.count(method="get") == 2 and fake.count(status=404) == 1
    assert fake.count(route="items.list") == 1 and fake.hits == {"items.list": 1, "echo": 1}
    fake.clear_log()
    assert fake.requests == [] and fake.count() == 0 and not fake.hits


# --------------------------------------------------------------------------------- faults
def test_fault_a_fixed_number_of_times_then_succeed(fake: Items) -> None:
    fault = fake.throttle("items.list", retry_after=2, times=2)
    answers = [call(fake, "GET", "/v1/projects/p/items") for _ in range(3)]
    assert [s for s, _, _ in answers] == [429, 429, 200]
    assert answers[0][1]["retry-after"] == "2"
    assert json.loads(answers[0][2]) == {"error": {"code": 429, "message": "Too Many Requests"}}
    assert fault.hits == 2 and not fault.active
    assert fake.count(route="items.list", status=429, fault=True) == 2
    assert fake.count(route="items.list", fault=False) == 1
    assert get_json(fake, "/any/x")[0] == 200, "a fault on one route leaves the others alone"


def test_fault_always_with_a_body_and_headers_and_by_predicate(fake: Items) -> None:
    fake.fail(
        lambda r: r.path.startswith("/subscriptions/"),
        503,
        body={"error": {"code": "ServerBusy"}},
        headers={"x-ms-failure-cause": "service"},
        times=None,
    )
    for _ in range(3):
        status, headers, data = call(fake, "GET", "/subscriptions/s1/resources")
        assert status == 503 and headers["x-ms-failure-cause"] == "service"
        assert json.loads(data) == {"error": {"code": "ServerBusy"}}
    fake.clear_faults()
    assert call(fake, "GET", "/subscriptions/s1/resources")[0] == 200


def test_faults_use_the_subclass_error_shape() -> None:
    class Google(Items):
        def error_response(self, request: Request, status: int, message: str) -> Response:
            return Response(status, {"error": {"code": status, "message": message, "status": "UNAVAILABLE"}})

    with Google() as fake:
        fake.fail(None, 503)
        status, body = get_json(fake, "/any/x")
    assert status == 503 and body["error"]["status"] == "UNAVAILABLE"


def test_latency_and_delay_to_timeout() -> None:
    with Items(latency=0.2) as fake:
        started = time.monotonic()
        assert call(fake, "GET", "/any/x")[0] == 200
        assert time.monotonic() - started >= 0.2
        fake.latency = 0
        fake.hang("items.list", 30)
        with pytest.raises(TimeoutError):
            call(fake, "GET", "/v1/p/items", timeout=0.3)
        assert call(fake, "GET", "/v1/p/items")[0] == 200, "the hang was for one request"
        fake.hang("items.list", 30)
        with pytest.raises(TimeoutError):
            call(fake, "GET", "/v1/p/items", timeout=0.3)
        started = time.monotonic()
    assert time.monotonic() - started < 3, "stop() wakes a request still held by a delay"


def test_stop_closes_idle_keep_alive_connections() -> None:
    fake = Items().start()
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    try:
        conn.request("GET", "/any/x")
        conn.getresponse().read()
        started = time.monotonic()
        fake.stop()
        assert time.monotonic() - started < 3
        with pytest.raises((http.client.HTTPException, OSError)):
            conn.request("GET", "/any/x")
            conn.getresponse().read()
    finally:
        conn.close()


# --------------------------------------------------------------------------------- paging
def test_paginate() -> None:
    first = paginate(ITEMS, None, 3)
    assert [i["name"] for i in first.items] == ["item-0", "item-1", "item-2"]
    assert first.next_token and first.remaining == 4 and first.total == 7
    second = paginate(ITEMS, first.next_token, 3)
    last = paginate(ITEMS, second.next_token, 3)
    assert [i["name"] for i in last.items] == ["item-6"] and last.next_token is None and last.remaining == 0
    assert paginate(ITEMS, None, None).items == ITEMS and paginate(ITEMS, None, 0).next_token is None
    assert len(paginate(ITEMS, None, None, default_size=5).items) == 5
    assert len(paginate(ITEMS, None, 100, max_size=4).items) == 4
    assert paginate([], None, 10).items == [] and paginate([], None, None).next_token is None
    assert decode_page_token(encode_page_token(5, "a"), "a") == 5
    for bad in ("nope", encode_page_token(5, "other"), "e30"):
        with pytest.raises(BadPageToken):
            paginate(ITEMS, bad, 3, scope="a")
    with pytest.raises(BadPageToken):
        paginate(ITEMS, None, -1)


def test_token_paging_over_http(fake: Items) -> None:
    names, token, pages = [], "", 0
    while True:
        status, body = get_json(fake, f"/v1/projects/p1/items?pageSize=3&pageToken={token}")
        assert status == 200
        pages += 1
        names += [i["name"] for i in body["items"]]
        token = body.get("nextPageToken", "")
        if not token:
            break
    assert pages == 3 and names == [i["name"] for i in ITEMS]
    status, body = get_json(fake, f"/v1/projects/other/items?pageToken={token or encode_page_token(3, 'x')}")
    assert status == 400 and "not issued for this listing" in body["error"]["message"]
    status, body = get_json(fake, "/v1/projects/p1/items?pageSize=many")
    assert status == 400 and "pageSize must be an integer" in body["error"]["message"]


def test_absolute_next_links(fake: Items) -> None:
    link: str | None = fake.link("/subscriptions/s1/resources", {"api-version": "2021-04-01"})
    assert link == f"{fake.url}/subscriptions/s1/resources?api-version=2021-04-01"
    names = []
    while link:
        assert link.startswith(fake.url + "/")
        url = urlsplit(link)
        status, body = get_json(fake, f"{url.path}?{url.query}")
        assert status == 200
        names += [i["name"] for i in body["value"]]
        link = body.get("nextLink")
    assert names == [i["name"] for i in ITEMS]
    tokens = [r.query for r in fake.requests]
    assert all(q["api-version"] == ["2021-04-01"] for q in tokens), "the next link keeps the other parameters"
    assert [len(q.get("$skipToken", [])) for q in tokens] == [0, 1, 1]


# ------------------------------------------------------------------------------------ TLS
def test_tls_with_a_fresh_ca(tmp_path: Path) -> None:
    with Items(tls=True) as fake:
        assert fake.url.startswith("https://127.0.0.1:") and fake.ca_file is not None
        ca_file = fake.ca_file
        assert ca_file.read_bytes() == fake.ca_pem and b"BEGIN CERTIFICATE" in ca_file.read_bytes()
        assert get_json(fake, "/any/x")[0] == 200
        ctx = ssl.create_default_context(cafile=str(ca_file))
        conn = http.client.HTTPSConnection("localhost", fake.port, timeout=5, context=ctx)
        try:
            conn.request("GET", "/any/x")
            assert conn.getresponse().status == 200, "the certificate names localhost too"
        finally:
            conn.close()
        untrusted = http.client.HTTPSConnection(
            "127.0.0.1", fake.port, timeout=5, context=ssl.create_default_context()
        )
        try:
            with pytest.raises(ssl.SSLCertVerificationError):
                untrusted.request("GET", "/any/x")
        finally:
            untrusted.close()
        assert get_json(fake, "/any/x")[0] == 200, "a failed handshake does not hurt the server"
        assert fake.count() == 3
    assert not ca_file.exists(), "without a workdir the CA lives in a temp dir removed on stop"
    with Items(tls=True).start(tmp_path) as fake:
        assert fake.ca_file == tmp_path / "items-ca.pem" and fake.ca_file.is_file()


def test_before_hook_answers_early() -> None:
    class Authed(Items):
        def before(self, request: Request) -> Response | None:
            if request.header("Authorization") != "Bearer good":
                return self.error_response(request, 401, "no")
            return None

    with Authed() as fake:
        assert call(fake, "GET", "/any/x")[0] == 401
        assert call(fake, "GET", "/any/x", headers={"Authorization": "Bearer good"})[0] == 200
        assert fake.count(status=401) == 1


def test_start_twice_is_an_error(fake: Items) -> None:
    with pytest.raises(RuntimeError, match="already started"):
        fake.start()
    plain = Items()
    with pytest.raises(RuntimeError):
        plain.client_ssl_context()
