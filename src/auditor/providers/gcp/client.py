"""Everything that touches the Google SDK: credentials, the Cloud Asset client, one page, errors.

- Credentials: `--credentials-file` (read through `auditor.inputs`: a service-account key,
  workload identity federation or authorized-user JSON) or Application Default Credentials;
  then, with `--impersonate-service-account`, short-lived tokens from the IAM Credentials API
  (`generateAccessToken`). Only the cloud-platform scope is asked for; the API decides what is
  readable.
- The client: `AssetServiceClient` over the REST transport (`--api-endpoint` honoured, with its
  scheme), built by the factory a test or library caller injects (`ClientFactory`) or by
  `default_client`.
- One page: `list_page()` sends one ListAssets request with the SDK's own retries turned off
  (the runtime's `RetryPolicy` retries, waiting what the server said) and returns the page as
  API JSON (camelCase, enums by name).
- Errors: `classify()` maps google-api-core, google-auth and transport exceptions to one
  `ErrorKind`; `failure()` also carries the server's retry delay (RetryInfo or Retry-After) and,
  for INVALID_ARGUMENT naming asset types the API does not know, exactly those types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import google.auth
import google.auth.exceptions
import requests
from google.api_core import exceptions as gexc
from google.api_core.client_options import ClientOptions
from google.auth import impersonated_credentials
from google.auth.transport.requests import Request as AuthRequest
from google.cloud import asset_v1
from google.protobuf.json_format import MessageToDict
from google.protobuf.timestamp_pb2 import Timestamp

from auditor.errors import ConfigError
from auditor.inputs import read_json_object
from auditor.models import ErrorKind
from auditor.runtime import CallFailed, kind_for_status

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)

# (credentials, api_endpoint or None) -> an AssetServiceClient (or anything with its list_assets)
ClientFactory = Callable[[Any, str | None], Any]

_STATUS_KINDS = {
    "PERMISSION_DENIED": ErrorKind.ACCESS_DENIED,
    "UNAUTHENTICATED": ErrorKind.ACCESS_DENIED,
    "RESOURCE_EXHAUSTED": ErrorKind.THROTTLED,
    "DEADLINE_EXCEEDED": ErrorKind.TIMEOUT,
    "UNAVAILABLE": ErrorKind.UNREACHABLE,
    "NOT_FOUND": ErrorKind.NOT_FOUND,
    "UNIMPLEMENTED": ErrorKind.UNSUPPORTED,
}


class UnknownAssetTypes(CallFailed):
    """INVALID_ARGUMENT naming asset types the API does not know: `unsupported` for exactly those."""

    def __init__(self, operation: str, message: str, asset_types: Sequence[str]) -> None:
        super().__init__(operation, ErrorKind.UNSUPPORTED, message, status=400)
        self.asset_types = tuple(asset_types)


def default_client(credentials: Any, endpoint: str | None) -> Any:
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return asset_v1.AssetServiceClient(transport="rest", credentials=credentials, client_options=options)


def credentials(
    credentials_file: str | None, impersonate: str | None, iam_endpoint: str | None
) -> tuple[Any, str | None]:
    """(credentials, the identity they act as, when known)."""
    if credentials_file:
        base = _from_file(credentials_file)
    else:
        base, _ = google.auth.default(scopes=list(SCOPES))
    identity = getattr(base, "service_account_email", None)
    if not impersonate:
        return base, identity if isinstance(identity, str) else None
    override = None
    if iam_endpoint:
        override = (
            f"{iam_endpoint.rstrip('/')}/v1/projects/-/serviceAccounts/{impersonate}:generateAccessToken"
        )
    creds = impersonated_credentials.Credentials(
        source_credentials=base,
        target_principal=impersonate,
        target_scopes=list(SCOPES),
        lifetime=3600,
        iam_endpoint_override=override,
    )
    return creds, impersonate


def _from_file(path: str) -> Any:
    """Credentials from a JSON file, by its declared type (each loader validates its own fields)."""
    info = read_json_object(path, "credentials file")
    kind = info.get("type")
    scopes = list(SCOPES)
    if kind == "service_account":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(info, scopes=scopes)
    if kind == "authorized_user":
        from google.oauth2 import credentials as user

        return user.Credentials.from_authorized_user_info(info, scopes=scopes)
    if kind == "impersonated_service_account":
        return impersonated_credentials.Credentials.from_impersonated_service_account_info(
            info, scopes=scopes
        )
    if kind == "external_account":
        source = info.get("credential_source") or {}
        if isinstance(source, dict) and str(source.get("environment_id", "")).startswith("aws"):
            from google.auth import aws

            return aws.Credentials.from_info(info, scopes=scopes)
        if isinstance(source, dict) and "executable" in source:
            from google.auth import pluggable

            return pluggable.Credentials.from_info(info, scopes=scopes)
        from google.auth import identity_pool

        return identity_pool.Credentials.from_info(info, scopes=scopes)
    raise ConfigError(
        path,
        f"credentials type {kind!r} is not one of service_account, authorized_user, "
        "impersonated_service_account, external_account",
    )


def refresh(creds: Any) -> None:
    """Get a token now: bad credentials become one clear error before any listing starts."""
    if getattr(creds, "token", None) is None and hasattr(creds, "refresh"):
        creds.refresh(AuthRequest())


def timestamp(when: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def list_page(
    client: Any,
    *,
    parent: str,
    content: str,
    asset_types: Sequence[str],
    read_time: datetime,
    page_size: int,
    page_token: str,
    timeout: float,
) -> dict[str, Any]:
    """One ListAssets page as API JSON: {assets: [...], nextPageToken, readTime}."""
    request = asset_v1.ListAssetsRequest(
        parent=parent,
        content_type=asset_v1.ContentType[content],
        asset_types=list(asset_types),
        read_time=timestamp(read_time),
        page_size=page_size,
        page_token=page_token,
    )
    pager = client.list_assets(request=request, retry=None, timeout=timeout)
    response = getattr(pager, "_response", pager)
    body: dict[str, Any] = MessageToDict(type(response).pb(response))
    body.setdefault("assets", [])
    return body


# ------------------------------------------------------------------ errors


def _payload(exc: gexc.GoogleAPICallError) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    try:
        data = response.json() if response is not None else None
    except (ValueError, AttributeError):
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _status(exc: gexc.GoogleAPICallError) -> str:
    status = _payload(exc).get("status")
    if isinstance(status, str) and status:
        return status
    grpc = getattr(exc, "grpc_status_code", None)
    return str(getattr(grpc, "name", "") or "")


def _reason(exc: gexc.GoogleAPICallError) -> str:
    return str(getattr(exc, "reason", None) or "")


def classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    """The runtime `Classifier` for the Google SDK (None: the runtime's own rules apply)."""
    if isinstance(exc, gexc.GoogleAPICallError):
        status = _status(exc)
        said = _payload(exc).get("message")
        text = f"{status or exc.code}: {said if isinstance(said, str) and said else exc.message}".strip()
        if _reason(exc) == "SERVICE_DISABLED":
            return ErrorKind.UNSUPPORTED, text + " (enable the Cloud Asset API in the calling project)"
        if status in _STATUS_KINDS:
            return _STATUS_KINDS[status], text
        if isinstance(exc.code, int):
            return kind_for_status(exc.code), text
        return ErrorKind.ERROR, text
    if isinstance(exc, google.auth.exceptions.RefreshError | google.auth.exceptions.DefaultCredentialsError):
        return ErrorKind.ACCESS_DENIED, f"credentials: {exc}"
    if isinstance(exc, requests.exceptions.Timeout):
        return ErrorKind.TIMEOUT, f"timed out: {exc}"
    if isinstance(exc, requests.exceptions.ConnectionError | google.auth.exceptions.TransportError):
        return ErrorKind.UNREACHABLE, f"{type(exc).__name__}: {exc}"
    return None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def retry_delay(exc: gexc.GoogleAPICallError) -> float | None:
    """Seconds the server asked to wait: google.rpc.RetryInfo, else a Retry-After header."""
    for detail in getattr(exc, "details", None) or ():
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            m = _DURATION.match(str(detail.get("retryDelay", "")))
            if m:
                return float(m.group(1))
    response = getattr(exc, "response", None)
    header = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None


def failure(operation: str, exc: BaseException, asset_types: Sequence[str] = ()) -> BaseException:
    """A CallFailed for an SDK exception (anything else is returned as it is, for the runtime)."""
    if not isinstance(exc, gexc.GoogleAPICallError):
        return exc
    kind, message = classify(exc) or (ErrorKind.ERROR, str(exc))
    if _status(exc) == "INVALID_ARGUMENT" or isinstance(exc, gexc.BadRequest):
        text = f"{exc.message} {exc.details!r}"
        named = [t for t in asset_types if t in text]
        if named:
            return UnknownAssetTypes(operation, message, named)
    status = exc.code if isinstance(exc.code, int) else None
    return CallFailed(operation, kind, message, status=status, retry_after=retry_delay(exc))
