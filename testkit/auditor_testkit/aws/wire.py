"""AWS requests and answers on the wire, for the local fakes in front of moto.

`identify` reads which service, region, access key and API operation a SigV4-signed request is
for (the credential scope, then the protocol: `Action` for query, `X-Amz-Target` for JSON, the
operation's request URI for REST-JSON). `parse` reads its input and `answer` writes an output
or an error, both driven by the botocore service model through moto's own request parsers and
response serializers, so a fake speaks exactly the shape the real SDK parses.
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from auditor_testkit.fakeapi import Request, Response

__all__ = ["Call", "answer", "aws_error", "forward", "identify", "parse", "scope"]

_CRED_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Call:
    """What one request asks: `signing` is the SigV4 service name (rds for DocumentDB too)."""

    signing: str
    region: str
    access_key: str
    operation: str | None  # None when it could not be told (an unsigned or unknown request)


def scope(request: Request) -> tuple[str, str, str]:
    """(access key id, region, signing service) of a SigV4-signed request ('' when unsigned)."""
    m = _CRED_SCOPE.search(request.header("Authorization"))
    return (m.group(1), m.group(2), m.group(3)) if m else ("", "", "")


def _form(request: Request) -> dict[str, str]:
    if "x-www-form-urlencoded" not in request.header("Content-Type"):
        return {}
    return dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))


def _model(service: str) -> Any:
    from moto.core.utils import get_service_model  # moto is imported only when a fake answers

    return get_service_model(service)


@cache
def _routes(service: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(method, path regex, operation) for every operation of a REST service model."""
    model = _model(service)
    out = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = str(http.get("requestUri", "/")).split("?", 1)[0]
        regex = re.sub(r"\\\{(\w+)\+?\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(path))
        out.append((str(http.get("method", "GET")), re.compile(f"^{regex}/?$"), name))
    return tuple(out)


def _rest_operation(service: str, request: Request) -> tuple[str, dict[str, str]] | None:
    for method, regex, name in _routes(service):
        m = regex.match(request.path)
        if m and method == request.method:
            return name, {k: unquote(v) for k, v in m.groupdict().items()}
    return None


def identify(request: Request, rest_services: dict[str, str]) -> Call:
    """Which operation a request calls. `rest_services` maps a signing name to the botocore
    service whose REST routes to match (only REST-JSON services need it)."""
    key, region, signing = scope(request)
    target = request.header("X-Amz-Target")
    operation: str | None = None
    if target:
        operation = target.rsplit(".", 1)[-1]
    elif action := (_form(request).get("Action") or request.arg("Action")):
        operation = action
    elif signing in rest_services:
        found = _rest_operation(rest_services[signing], request)
        operation = found[0] if found else None
    return Call(signing, region, key, operation)


def parse(service: str, operation: str, request: Request) -> dict[str, Any]:
    """The request's input in botocore member names (as a boto3 call would have passed it)."""
    from moto.core.parse import PROTOCOL_PARSERS
    from werkzeug.datastructures import Headers, MultiDict

    model = _model(service)
    op = model.operation_model(operation)
    values = MultiDict(parse_qsl(request.target.partition("?")[2], keep_blank_values=True))
    values.update(MultiDict(list(_form(request).items())))
    url_params = {}
    if model.protocol == "rest-json":
        url_params = (_rest_operation(service, request) or ("", {}))[1]
    parser = PROTOCOL_PARSERS[model.protocol](op)
    parsed: dict[str, Any] = parser.parse(
        {
            "method": request.method,
            "values": values,
            "headers": Headers(list(request.headers.items())),
            "body": request.body,
            "url_path": request.path,
            "url_params": url_params,
        }
    )
    return parsed


def answer(service: str, operation: str, result: dict[str, Any]) -> Response:
    """`result` (botocore member names) serialised as the service's protocol answers it."""
    from moto.core.serialize import get_serializer_class

    model = _model(service)
    serializer = get_serializer_class(service, model.protocol)(model.operation_model(operation))
    out = serializer.serialize(result)
    body = out["body"]
    return Response(
        int(out["status_code"]),
        body.encode() if isinstance(body, str) else body,
        list(out["headers"].items()),
    )


def aws_error(request: Request, status: int, service: str, code: str, message: str) -> Response:
    """The error body each AWS protocol family answers (JSON, EC2 XML, S3 XML, query XML)."""
    if "json" in request.header("Content-Type") or request.header("X-Amz-Target"):
        data = json.dumps({"__type": code, "message": message})
        ctype = "application/x-amz-json-1.1"
    elif service == "ec2":
        data = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors></Response>"
        ctype = "text/xml"
    elif service == "s3":
        data = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ctype = "application/xml"
    else:
        data = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error></ErrorResponse>"
        )
        ctype = "text/xml"
    return Response(status, data.encode(), [("x-amzn-ErrorType", code)], content_type=ctype)


def forward(target: str, request: Request) -> Response:
    """Send `request` to `target` (host:port) as it came, and return the answer unchanged."""
    conn = http.client.HTTPConnection(target, timeout=60)
    try:
        headers = {k: v for k, v in request.headers.items() if k not in ("connection", "transfer-encoding")}
        conn.request(request.method, request.target, body=request.body, headers=headers)
        resp = conn.getresponse()
        return Response(resp.status, resp.read(), resp.getheaders())
    finally:
        conn.close()
