"""Local AWS for the tests: a moto server in its own process and a fault/latency proxy.

Used by the integration tests, scripts/record_demo_aws.py and bench/aws_scan.py (one home; the
estate itself is :mod:`auditor_testkit.aws.seed`). Everything listens on 127.0.0.1 only.
Needs moto[server] (the auditor dev extra).
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from auditor_testkit.aws import wire
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
    # botocore must never probe the EC2 instance metadata service (169.254.169.254) for
    # credentials or a region: the network guard would refuse it, after a probe and its retries
    "AWS_EC2_METADATA_DISABLED": "true",
}


def moto_env() -> dict[str, str]:
    """The environment for boto3 against the local endpoint: fake credentials, a region, and the
    instance metadata service disabled."""
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


_EXPIRATION = re.compile(r"<Expiration>[^<]*</Expiration>")
_ACCESS_KEY = re.compile(r"<AccessKeyId>([^<]+)</AccessKeyId>")


@dataclass
class ProxyRules:
    latency: float = 0.0  # seconds added to every request
    throttle_regions: set[str] = field(default_factory=set)  # answer 400 Throttling
    deny_services: set[str] = field(default_factory=set)  # answer 403 AccessDenied (signing name)
    deny_operations: set[str] = field(default_factory=set)  # "ec2.DescribeRegions": 403 for that call only
    # Assumed-role sessions last this many seconds: AssumeRole answers say so (Expiration), and a
    # request signed with an expired session's key is refused with ExpiredToken, as AWS does.
    session_seconds: float | None = None
    seen: int = 0
    throttled: int = 0
    assumed: int = 0  # AssumeRole answers passed through
    expired: int = 0  # requests refused with ExpiredToken


class FaultProxy(FakeAPI):
    """A loopback HTTP proxy in front of moto: adds latency, throttles a region, denies a service
    or one operation, and can make assumed-role sessions expire.

    The region and service come from the SigV4 credential scope of each request (the operation
    from its protocol, see `wire.identify`), so one endpoint serves every region as AWS would.
    Started on construction (a FakeAPI with one catch-all route that forwards to ``upstream``)."""

    def __init__(self, upstream: str, rules: ProxyRules | None = None) -> None:
        super().__init__()
        self.rules = rules or ProxyRules()
        self._target = upstream.removeprefix("http://")
        self._count_lock = threading.Lock()
        self._expiry: dict[str, float] = {}  # access key id -> monotonic deadline
        self.add_route("*", "{path:path}", self._forward, name="forward")
        self.start()

    def before(self, request: Request) -> Response | None:
        rules = self.rules
        with self._count_lock:
            rules.seen += 1
        key, region, service = wire.scope(request)
        if rules.latency:
            time.sleep(rules.latency)
        if region in rules.throttle_regions:
            with self._count_lock:
                rules.throttled += 1
            return _aws_error(request, 400, service, "Throttling", "Rate exceeded")
        if service in rules.deny_services:
            return _aws_error(request, 403, service, "AccessDenied", f"not authorized to call {service}")
        if rules.deny_operations:
            op = wire.identify(request, {}).operation
            if f"{service}.{op}" in rules.deny_operations:
                return _aws_error(
                    request, 403, service, "AccessDenied", f"not authorized to call {service}:{op}"
                )
        with self._count_lock:
            deadline = self._expiry.get(key)
            expired = deadline is not None and time.monotonic() > deadline
            rules.expired += expired
        if expired:
            code = "ExpiredTokenException" if "json" in request.header("Content-Type") else "ExpiredToken"
            return wire.aws_error(
                request, 400, service, code, "The security token included in the request is expired"
            )
        return None

    def _forward(self, request: Request) -> Response:
        response = wire.forward(self._target, request)
        seconds = self.rules.session_seconds
        if seconds is None or response.status != 200 or wire.identify(request, {}).operation != "AssumeRole":
            return response
        text = response.body.decode("utf-8")
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        text = _EXPIRATION.sub(f"<Expiration>{until.isoformat().replace('+00:00', 'Z')}</Expiration>", text)
        m = _ACCESS_KEY.search(text)
        with self._count_lock:
            self.rules.assumed += 1
            if m:
                self._expiry[m.group(1)] = time.monotonic() + seconds
        headers = response.headers
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        kept = [(k, v) for k, v in pairs if k.lower() != "content-length"]
        return Response(response.status, text.encode("utf-8"), kept)


def _aws_error(request: Request, status: int, service: str, code: str, message: str) -> Response:
    """A fault in each protocol's own codes: EC2 and S3 name throttling and denial their way."""
    if "json" in request.header("Content-Type"):
        code += "Exception" if status == 403 else ""
    elif service == "ec2":
        code = "RequestLimitExceeded" if status == 400 else "UnauthorizedOperation"
    elif service == "s3" and status == 400:
        code = "SlowDown"
    return wire.aws_error(request, status, service, code, message)
