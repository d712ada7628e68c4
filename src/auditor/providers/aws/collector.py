"""AWS collector: accounts x regions x services on the shared collection runtime.

Design:
- One `Account` per scanned account holds its credentials (base credentials, `--role-arn`, or a
  role assumed in each Organizations account). Clients are built once per (account
  credentials, service, region) from one boto3 Session and shared by threads (botocore clients
  are thread-safe).
- Every call goes through the runtime `Session` (`auditor.runtime`): counted (a botocore
  `before-send` hook counts every HTTP request, retries included), retried by botocore (adaptive
  mode), stored as redacted evidence, and on failure classified by `classify` into one
  `ErrorKind` and raised as `CallFailed`, which the service code records for exactly the scope
  and resource types it covered.
- The session's `Scheduler` never blocks a worker on another task: a list call that needs
  per-resource detail calls fans them out with `gather()`, and the last detail call to finish
  builds the resource. So `--concurrency` is exactly the number of API calls in flight.

Client factory (`CollectRun.clients`, `auditor.scan.collect(..., clients={"aws": factory})`):
a `ClientFactory`, called once per distinct credentials with an account's credentials (None:
the base credential chain), returning the `boto3.Session` to build that account's clients
from. The collector builds every client as `factory(creds).client(service, region_name=...,
config=..., endpoint_url=..., **creds)` and registers its own hooks on it, so a test hands in
sessions (fake credentials, a botocore Stubber, a recording session) and patches nothing.
Without one, a single shared `boto3.Session(profile_name=--profile)` serves every account:
service models load once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.config
import botocore.exceptions
from botocore import xform_name
from pydantic import BaseModel

from auditor.models import ErrorKind
from auditor.providers.aws import AwsOptions, accounts, iam_actions
from auditor.providers.aws.common import PROVIDER, Account, Collection, Credentials
from auditor.providers.aws.services import SERVICES
from auditor.runtime import CallStats, CollectRun, Session

ClientFactory = Callable[[Credentials | None], boto3.Session]

_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "ForbiddenException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
}
_NOT_AVAILABLE = {
    "OptInRequired",
    "SubscriptionRequiredException",
    "UnrecognizedClientException",
    "InvalidAction",
    "UnknownOperationException",
    "UnsupportedOperation",
    "AuthFailure",
}


def classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    """The runtime `Classifier` for botocore: (kind, message), or None for what it does not know
    (the runtime's own classification of sockets and timeouts then applies)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = str(err.get("Message", ""))
        if "<html" in text.lower() or "<!doctype" in text.lower():
            text = f"HTTP {status} with an HTML page (the endpoint does not implement this API)"
        msg = f"{code}: {text}".strip()
        if code in _ACCESS_DENIED or status == 403:
            return ErrorKind.ACCESS_DENIED, msg
        if code in _THROTTLED or status == 429:
            return ErrorKind.THROTTLED, msg
        if code in _NOT_AVAILABLE:
            return ErrorKind.NOT_COLLECTED, msg
        return ErrorKind.ERROR, msg[:500]
    if isinstance(exc, botocore.exceptions.ConnectTimeoutError | botocore.exceptions.ReadTimeoutError):
        return ErrorKind.TIMEOUT, str(exc)
    if isinstance(
        exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionClosedError
    ):
        return ErrorKind.UNREACHABLE, str(exc)
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.NoRegionError):
        return ErrorKind.ACCESS_DENIED, str(exc)
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return ErrorKind.ERROR, f"{type(exc).__name__}: {exc}"
    return None


def default_factory(options: AwsOptions) -> ClientFactory:
    """One boto3 Session (from --profile, or the default chain) for every account."""
    shared = boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
    return lambda _creds: shared


class Clients:
    """botocore clients, one per (account credentials, service, region), built from the factory;
    `api` runs one operation on one of them (every page) for the `Collection`."""

    def __init__(self, factory: ClientFactory, options: AwsOptions, stats: CallStats) -> None:
        self._factory = factory
        self._stats = stats
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str, str], Any] = {}
        self._sessions: dict[str, boto3.Session] = {}  # the factory's answer, per credentials
        self._overrides = dict(p.split("=", 1) for p in options.endpoint_overrides or ())
        self._endpoint = options.endpoint_url
        self._config = botocore.config.Config(
            retries={"mode": options.retry_mode, "max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            max_pool_connections=max(10, options.concurrency),
            user_agent_extra="auditor",
        )

    def _sent(self, **_: Any) -> None:
        self._stats.request()

    def client(self, acct: Account, service: str, region: str) -> Any:
        creds = acct.keys()  # an assumed role's renewed credentials get clients of their own
        key = (acct.id, (creds or {}).get("aws_access_key_id", ""), service, region)
        with self._lock:
            cached = self._clients.get(key)
            if cached is not None:
                return cached
            kwargs: dict[str, Any] = {"region_name": region, "config": self._config}
            endpoint = self._overrides.get(region) or self._endpoint
            if endpoint:
                kwargs["endpoint_url"] = endpoint
            creds_key = key[1]
            if creds_key not in self._sessions:
                self._sessions[creds_key] = self._factory(creds)
            client = self._sessions[creds_key].client(service, **kwargs, **(creds or {}))
            client.meta.events.register("before-send", self._sent)
            if service == "s3control" and (endpoint or os.environ.get("AWS_ENDPOINT_URL")):
                client.meta.events.register("before-send.s3-control.*", _strip_account_host_prefix)
            self._clients[key] = client
            return client

    def api(self, acct: Account, service: str, region: str, operation: str, params: Mapping[str, Any]) -> Any:
        client = self.client(acct, service, region)
        method = xform_name(operation)
        if client.can_paginate(method):
            body = client.get_paginator(method).paginate(**params).build_full_result()
        else:
            body = getattr(client, method)(**params)
        if isinstance(body, dict):
            body.pop("ResponseMetadata", None)
        return body


class AwsCollector:
    """One `auditor scan aws` target: discover the accounts, then scan each account's regions."""

    def __init__(self, options: AwsOptions, run: CollectRun) -> None:
        self.opts = options
        self.session = Session(PROVIDER, run, classify=classify, concurrency=options.concurrency)
        factory: ClientFactory = run.clients or default_factory(options)
        self.clients = Clients(factory, options, self.session.stats)
        self.c = Collection(self.session, options, self.clients.api, iam_actions.OPERATIONS)

    def accounts(self) -> list[Account]:
        return accounts.discover(self.c)

    def run(self) -> None:
        with self.session:
            found = self.accounts()
            for acct in found:
                self.c.submit(acct, None, accounts.scan_account, self.c, acct, SERVICES)
            self.session.wait()
            options = self.opts.model_dump(exclude_none=True)
            options["scanned_accounts"] = [a.id for a in found]  # read by the derive step
            label = "aws " + (", ".join(a.id for a in found) if found else "(no account)")
            self.session.add_target(label, options)
            elapsed = time.monotonic() - self.session.started
            self.session.progress.step(f"aws: {self.session.stats.requests} API requests in {elapsed:.1f}s")


def _strip_account_host_prefix(request: Any, **_: Any) -> None:
    """s3control prefixes the host with the account id; a local endpoint has no such names."""
    parts = urlsplit(request.url)
    host = parts.netloc
    first, _, rest = host.partition(".")
    if first.isdigit() and len(first) == 12 and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))
    return None


def collect(options: BaseModel, run: CollectRun) -> None:
    """The AWS collector (ProviderSpec.collector): every account and region of the options."""
    opts = options if isinstance(options, AwsOptions) else AwsOptions.model_validate(options.model_dump())
    AwsCollector(opts, run).run()
