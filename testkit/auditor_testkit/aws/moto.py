"""Local AWS for the tests: a moto server in its own process and a fault/latency proxy.

Used by the integration tests, scripts/record_demo_aws.py and bench/aws_scan.py (one home; the
estate itself is :mod:`auditor_testkit.aws.seed`). Everything listens on 127.0.0.1 only.
Needs moto[server] (the auditor dev extra).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from auditor_testkit.fakeapi import FakeAPI, Request, Response
from auditor_testkit.local import HOST, free_port, stop_process

__all__ = ["ACCOUNT", "CANARY", "FaultProxy", "MotoServer", "ProxyRules", "moto_env"]

ACCOUNT = "123456789012"
CANARY = "CANARY-S3CR3T-VALUE-7f3a"  # must never appear in any output

_MOTO_ENV = {
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def moto_env() -> dict[str, str]:
    return dict(_MOTO_ENV)


class MotoServer:
    """moto in server mode, in its own process, on 127.0.0.1 (a free port).

    A separate process keeps moto's state, threads, output and leaked handles out of the
    scanner's process, and gives the scanner its own interpreter, as a real endpoint would."""

    def __init__(self, log_path: str | None = None) -> None:
        port = free_port()
        env = {**os.environ, **_MOTO_ENV}
        self._log = open(log_path or os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/moto-api/data.json")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not start on {HOST}:{port}") from None
                time.sleep(0.05)

    def reset(self) -> None:
        conn = http.client.HTTPConnection(self.url.removeprefix("http://"))
        conn.request("POST", "/moto-api/reset")
        conn.getresponse().read()
        conn.close()

    def stop(self) -> None:
        stop_process(self._proc)
        self._log.close()


_CRED_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass
class ProxyRules:
    latency: float = 0.0  # seconds added to every request
    throttle_regions: set[str] = field(default_factory=set)  # answer 400 Throttling
    deny_services: set[str] = field(default_factory=set)  # answer 403 AccessDenied (signing name)
    seen: int = 0
    throttled: int = 0


class FaultProxy(FakeAPI):
    """A loopback HTTP proxy in front of moto: adds latency, throttles a region, denies a service.

    The region and service come from the SigV4 credential scope of each request, so one
    endpoint serves every region as AWS would. Started on construction (a FakeAPI with one
    catch-all route that forwards to ``upstream``)."""

    def __init__(self, upstream: str, rules: ProxyRules | None = None) -> None:
        super().__init__()
        self.rules = rules or ProxyRules()
        self._target = upstream.removeprefix("http://")
        self._count_lock = threading.Lock()
        self.add_route("*", "{path:path}", self._forward, name="forward")
        self.start()

    def before(self, request: Request) -> Response | None:
        rules = self.rules
        with self._count_lock:
            rules.seen += 1
        m = _CRED_SCOPE.search(request.header("Authorization"))
        region, service = (m.group(1), m.group(2)) if m else ("", "")
        if rules.latency:
            time.sleep(rules.latency)
        if region in rules.throttle_regions:
            with self._count_lock:
                rules.throttled += 1
            return _aws_error(request, 400, service, "Throttling", "Rate exceeded")
        if service in rules.deny_services:
            return _aws_error(request, 403, service, "AccessDenied", f"not authorized to call {service}")
        return None

    def _forward(self, request: Request) -> Response:
        conn = http.client.HTTPConnection(self._target, timeout=60)
        try:
            headers = {
                k: v for k, v in request.headers.items() if k not in ("connection", "transfer-encoding")
            }
            conn.request(request.method, request.target, body=request.body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, data, resp.getheaders())
        finally:
            conn.close()


def _aws_error(request: Request, status: int, service: str, code: str, message: str) -> Response:
    """The error body each AWS protocol family answers (JSON, EC2 XML, S3 XML, query XML)."""
    if "json" in request.header("Content-Type"):
        data = json.dumps({"__type": code + ("Exception" if status == 403 else ""), "message": message})
        ctype = "application/x-amz-json-1.1"
    elif service == "ec2":
        ec2_code = "RequestLimitExceeded" if status == 400 else "UnauthorizedOperation"
        data = f"<Response><Errors><Error><Code>{ec2_code}</Code><Message>{message}</Message></Error></Errors></Response>"
        ctype = "text/xml"
    elif service in ("s3",):
        data = (
            f"<Error><Code>{'SlowDown' if status == 400 else code}</Code><Message>{message}</Message></Error>"
        )
        ctype = "application/xml"
    else:
        data = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
        ctype = "text/xml"
    return Response(status, data.encode(), [("x-amzn-ErrorType", code)], content_type=ctype)
