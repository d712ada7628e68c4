"""Local test estate for the AWS provider: a moto server, a fault/latency proxy and a seeder.

Used by the integration tests, scripts/record_demo_aws.py and bench/aws_scan.py (one home).
Everything listens on 127.0.0.1 only. Needs the dev extra (moto[server]).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

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
        port = _free_port()
        env = {**os.environ, **_MOTO_ENV}
        self._log = open(log_path or os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/moto-api/data.json")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not start on 127.0.0.1:{port}") from None
                time.sleep(0.05)

    def reset(self) -> None:
        conn = http.client.HTTPConnection(self.url.removeprefix("http://"))
        conn.request("POST", "/moto-api/reset")
        conn.getresponse().read()
        conn.close()

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._log.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_CRED_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass
class ProxyRules:
    latency: float = 0.0  # seconds added to every request
    throttle_regions: set[str] = field(default_factory=set)  # answer 400 Throttling
    deny_services: set[str] = field(default_factory=set)  # answer 403 AccessDenied (signing name)
    seen: int = 0
    throttled: int = 0


class FaultProxy:
    """A loopback HTTP proxy in front of moto: adds latency, throttles a region, denies a service.

    The region and service come from the SigV4 credential scope of each request, so one
    endpoint serves every region as AWS would."""

    def __init__(self, upstream: str, rules: ProxyRules | None = None) -> None:
        self.rules = rules or ProxyRules()
        target = upstream.removeprefix("http://")
        rules_ = self.rules
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return None

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    rules_.seen += 1
                m = _CRED_SCOPE.search(self.headers.get("Authorization", ""))
                region, service = (m.group(1), m.group(2)) if m else ("", "")
                if rules_.latency:
                    time.sleep(rules_.latency)
                if region in rules_.throttle_regions:
                    with lock:
                        rules_.throttled += 1
                    return self._error(400, service, "Throttling", "Rate exceeded")
                if service in rules_.deny_services:
                    return self._error(403, service, "AccessDenied", f"not authorized to call {service}")
                conn = http.client.HTTPConnection(target, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()
                return None

            def _error(self, status: int, service: str, code: str, message: str) -> None:
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    data = json.dumps(
                        {"__type": code + ("Exception" if status == 403 else ""), "message": message}
                    )
                    ctype_out = "application/x-amz-json-1.1"
                elif service == "ec2":
                    ec2_code = "RequestLimitExceeded" if status == 400 else "UnauthorizedOperation"
                    data = f"<Response><Errors><Error><Code>{ec2_code}</Code><Message>{message}</Message></Error></Errors></Response>"
                    ctype_out = "text/xml"
                elif service in ("s3",):
                    data = f"<Error><Code>{'SlowDown' if status == 400 else code}</Code><Message>{message}</Message></Error>"
                    ctype_out = "application/xml"
                else:
                    data = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
                    ctype_out = "text/xml"
                raw = data.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype_out)
                self.send_header("x-amzn-ErrorType", code)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
