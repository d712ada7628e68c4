"""AWS collector: accounts x regions x services on a bounded pool of API calls.

Design:
- One `Account` per scanned account holds a boto3 Session (base credentials, `--role-arn`, or
  a role assumed in each Organizations account). Clients are created once per
  (account, service, region) and shared by threads (botocore clients are thread-safe).
- The `Scheduler` never blocks a worker on another task: a list call that needs per-resource
  detail calls fans them out with `gather()`, and the last detail call to finish builds the
  resource. So `--concurrency` is exactly the number of API calls in flight.
- Every call goes through `Collector.call()`: paginated to the full result, retried by botocore
  (adaptive mode), counted (a `before-send` hook counts every HTTP request, retries included),
  stored as redacted evidence, and on failure turned into an `ApiError` that the service
  function records as a CollectionError for exactly the scope and resource types it covered.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.config
import botocore.exceptions
from pydantic import BaseModel

from auditor.evidence import SnapshotBuilder
from auditor.models import CollectionError, Location, Resource, Target
from auditor.providers import Progress
from auditor.providers.aws import AwsOptions
from auditor.providers.aws import resources as T
from auditor.runtime import CollectRun, NullProgress

PROVIDER = "aws"

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


class ApiError(Exception):
    """A call that failed after retries; `kind` is a CollectionError kind."""

    def __init__(self, operation: str, kind: str, message: str) -> None:
        super().__init__(f"{operation}: {kind}: {message}")
        self.operation = operation
        self.kind = kind
        self.message = message


def classify(exc: Exception) -> tuple[str, str]:
    """(kind, message) for a botocore exception."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = str(err.get("Message", ""))
        if "<html" in text.lower() or "<!doctype" in text.lower():
            text = f"HTTP {status} with an HTML page (the endpoint does not implement this API)"
        msg = f"{code}: {text}".strip()
        if code in _ACCESS_DENIED or status == 403:
            return "access_denied", msg
        if code in _THROTTLED or status == 429:
            return "throttled", msg
        if code in _NOT_AVAILABLE:
            return "not_collected", msg
        return "error", msg[:500]
    if isinstance(exc, botocore.exceptions.ConnectTimeoutError | botocore.exceptions.ReadTimeoutError):
        return "timeout", str(exc)
    if isinstance(
        exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionClosedError
    ):
        return "unreachable", str(exc)
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.NoRegionError):
        return "access_denied", str(exc)
    return "error", f"{type(exc).__name__}: {exc}"


@dataclass
class Stats:
    """Counters shared by every client: HTTP requests sent (retries included), operations called,
    and calls repeated with the same parameters in the same account and region (should be none)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    repeated: list[str] = field(default_factory=list)

    def on_send(self, **_: Any) -> None:
        with self.lock:
            self.requests += 1

    def on_call(self, account: str, region: str, model: Any, params: Any = None, **_: Any) -> None:
        svc, op = model.service_model.service_name, model.name
        try:
            args = json.dumps(params, sort_keys=True, default=str)
        except (TypeError, ValueError):
            args = repr(params)
        key = f"{account}|{region}|{svc}|{op}|{args}"
        with self.lock:
            self.calls[(svc, op)] += 1
            if op == "GenerateCredentialReport":
                return  # polled until the report is ready, by design
            if key in self.seen:
                self.repeated.append(f"{account}/{region} {svc}:{op}")
            self.seen.add(key)

    @property
    def operations(self) -> set[tuple[str, str]]:
        with self.lock:
            return set(self.calls)


@dataclass
class Account:
    id: str
    credentials: dict[str, str] | None = None  # None: the base session's own credential chain
    identity: str | None = None
    name: str | None = None
    regions: list[str] = field(default_factory=list)


class Scheduler:
    """A bounded pool where tasks never wait on other tasks (no deadlock, full use of the pool)."""

    def __init__(
        self, workers: int, on_crash: Callable[[Exception, tuple[str | None, str | None]], None]
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aws")
        self._cv = threading.Condition()
        self._pending = 0
        self._on_crash = on_crash

    def submit(
        self, fn: Callable[..., None], *args: Any, scope: tuple[str | None, str | None] = (None, None)
    ) -> None:
        with self._cv:
            self._pending += 1
        self._pool.submit(self._run, fn, args, scope)

    def _run(
        self, fn: Callable[..., None], args: tuple[Any, ...], scope: tuple[str | None, str | None]
    ) -> None:
        try:
            fn(*args)
        except Exception as exc:  # a bug must become a recorded gap, never silence
            self._on_crash(exc, scope)
        finally:
            with self._cv:
                self._pending -= 1
                if self._pending == 0:
                    self._cv.notify_all()

    def gather(
        self,
        thunks: Mapping[str, Callable[[], Any]],
        then: Callable[[dict[str, Any]], None],
        scope: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """Run each thunk as its own task; the last to finish calls `then(results)` where a
        failed thunk's result is its ApiError."""
        if not thunks:
            self.submit(then, {}, scope=scope)
            return
        results: dict[str, Any] = {}
        lock = threading.Lock()
        remaining = [len(thunks)]

        def one(key: str, thunk: Callable[[], Any]) -> None:
            try:
                value = thunk()
            except ApiError as exc:
                value = exc
            with lock:
                results[key] = value
                remaining[0] -= 1
                last = remaining[0] == 0
            if last:
                then(results)

        for key, thunk in thunks.items():
            self.submit(one, key, thunk, scope=scope)

    def wait(self) -> None:
        with self._cv:
            while self._pending:
                self._cv.wait()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


class Collector:
    def __init__(self, options: AwsOptions, sink: SnapshotBuilder, progress: Progress) -> None:
        self.opts = options
        self.sink = sink
        self.progress = progress
        self.stats = Stats()
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str, str], Any] = {}
        self._overrides = dict(p.split("=", 1) for p in options.endpoint_overrides or ())
        self.config = botocore.config.Config(
            retries={"mode": options.retry_mode, "max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            max_pool_connections=max(10, options.concurrency),
            user_agent_extra="auditor",
        )
        self.sched = Scheduler(options.concurrency, self._crashed)
        self._scanned: list[Account] = []
        self._session: boto3.Session = (
            boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
        )

    # ------------------------------------------------------------------ clients and calls

    def endpoint(self, region: str) -> str | None:
        return self._overrides.get(region) or self.opts.endpoint_url

    def client(self, account: Account, service: str, region: str) -> Any:
        creds_key = (account.credentials or {}).get("aws_access_key_id", "")
        key = (account.id, creds_key, service, region)
        with self._lock:
            cached = self._clients.get(key)
            if cached is not None:
                return cached
            kwargs: dict[str, Any] = {"region_name": region, "config": self.config}
            endpoint = self.endpoint(region)
            if endpoint:
                kwargs["endpoint_url"] = endpoint
            # one boto3 Session for every account: service models are loaded once and shared
            client = self._session.client(service, **kwargs, **(account.credentials or {}))
            events = client.meta.events
            events.register("before-send", self.stats.on_send)
            # the API parameters as given (once per call and per page), before serialisation
            events.register(
                "before-parameter-build", functools.partial(self.stats.on_call, account.id, region)
            )
            if service == "s3control" and (endpoint or _env_endpoint()):
                events.register("before-send.s3-control.*", _strip_account_host_prefix)
            self._clients[key] = client
            return client

    def call(
        self,
        account: Account,
        region: str,
        service: str,
        op: str,
        params: dict[str, Any] | None = None,
        *,
        absent: Iterable[str] = (),
        secret_paths: Iterable[str] = (),
        record: bool = True,
        drop: Iterable[str] = (),
    ) -> tuple[Any, str]:
        """Call `service.op` (all pages). Returns (body, evidence id). An error code listed in
        `absent` means "not configured": returns (None, evidence id of that answer).
        Anything else that fails raises ApiError."""
        params = params or {}
        client = self.client(account, service, region)
        api_name = client.meta.method_to_api_mapping.get(op, op)
        operation = f"{service}.{api_name}"
        scope = Location(account=account.id, region=region)
        try:
            if client.can_paginate(op):
                body = client.get_paginator(op).paginate(**params).build_full_result()
            else:
                body = getattr(client, op)(**params)
        except botocore.exceptions.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in set(absent):
                ev = self.sink.record(
                    PROVIDER,
                    operation,
                    {"Error": {"Code": code, "Message": exc.response.get("Error", {}).get("Message", "")}},
                    parameters=params,
                    scope=scope,
                    identity=account.identity,
                )
                return None, ev
            kind, msg = classify(exc)
            raise ApiError(operation, kind, msg) from None
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            kind, msg = classify(exc)
            raise ApiError(operation, kind, msg) from None
        if isinstance(body, dict):
            body.pop("ResponseMetadata", None)
            for key in drop:
                body.pop(key, None)
        ev = ""
        if record:
            ev = self.sink.record(
                PROVIDER,
                operation,
                body,
                parameters=params,
                scope=scope,
                identity=account.identity,
                extra_secret_paths=secret_paths,
            )
        return body, ev

    # ------------------------------------------------------------------ reporting

    def add(self, resource: Resource) -> None:
        self.sink.add_resource(resource)

    def gap(
        self,
        err: ApiError,
        account: str | None,
        region: str | None,
        types: Iterable[str],
    ) -> None:
        self.sink.add_error(
            CollectionError(
                provider=PROVIDER,
                operation=err.operation,
                scope=Location(account=account, region=region),
                resource_types=tuple(types),
                kind=err.kind,
                message=err.message,
            )
        )

    def _crashed(self, exc: Exception, scope: tuple[str | None, str | None]) -> None:
        self.sink.add_error(
            CollectionError(
                provider=PROVIDER,
                operation="collect",
                scope=Location(account=scope[0], region=scope[1]),
                kind="error",
                message=f"collector task crashed: {type(exc).__name__}: {exc}",
            )
        )

    # ------------------------------------------------------------------ the scan

    def run(self) -> None:
        started = time.monotonic()
        try:
            accounts = self._accounts()
            for acct in accounts:
                self.sched.submit(self._scan_account, acct, scope=(acct.id, None))
            self.sched.wait()
        finally:
            self.sched.shutdown()
        elapsed = time.monotonic() - started
        options = self.opts.model_dump(exclude_none=True)
        options.update(
            api_requests=self.stats.requests,
            api_operations=sum(self.stats.calls.values()),
            collect_seconds=round(elapsed, 2),
            api_repeated_calls=len(self.stats.repeated),
            api_repeated_examples=sorted(set(self.stats.repeated))[:10],
            api_operations_called=sorted(f"{svc}:{op}" for svc, op in self.stats.operations),
            scanned_accounts=[a.id for a in self._scanned],  # read by the derive step
        )
        label = "aws " + (", ".join(a.id for a in self._scanned) if self._scanned else "(no account)")
        self.sink.add_target(Target(provider=PROVIDER, label=label, options=options))
        self.progress.step(f"aws: {self.stats.requests} API requests in {elapsed:.1f}s")

    def _assume(
        self, creds: dict[str, str] | None, role_arn: str, account_hint: str | None
    ) -> dict[str, str]:
        acct = Account(id=account_hint or "unknown", credentials=creds)
        body, _ = self.call(
            acct,
            self.opts.home_region,
            "sts",
            "assume_role",
            {"RoleArn": role_arn, "RoleSessionName": "auditor-scan"},
            record=False,  # the answer holds temporary credentials: never stored
        )
        creds = body["Credentials"]
        return {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }

    def _accounts(self) -> list[Account]:
        self._scanned = []
        base: dict[str, str] | None = None
        try:
            if self.opts.role_arn:
                base = self._assume(None, self.opts.role_arn, None)
            me = Account(id="unknown", credentials=base)
            ident, _ = self.call(me, self.opts.home_region, "sts", "get_caller_identity", record=False)
        except ApiError as err:
            self.gap(err, None, None, ())
            return []
        caller = Account(id=ident["Account"], credentials=base, identity=ident.get("Arn"))
        if not self.opts.org_role:
            if self.opts.accounts and caller.id not in self.opts.accounts:
                self.sink.add_error(
                    CollectionError(
                        provider=PROVIDER,
                        operation="sts.GetCallerIdentity",
                        scope=Location(account=caller.id),
                        kind="not_collected",
                        message=f"the credentials are for account {caller.id}, not one of --accounts "
                        f"{', '.join(self.opts.accounts)}; use --org-role to reach other accounts",
                    )
                )
                return []
            self._scanned = [caller]
            return [caller]
        try:
            org, _ = self.call(caller, self.opts.home_region, "organizations", "list_accounts")
        except ApiError as err:
            self.gap(err, caller.id, None, ())
            return []
        wanted = set(self.opts.accounts or ())
        members = [
            a
            for a in org.get("Accounts", [])
            if (a.get("State") or a.get("Status")) == "ACTIVE" and (not wanted or a["Id"] in wanted)
        ]
        for missing in sorted(wanted - {a["Id"] for a in members}):
            self.sink.add_error(
                CollectionError(
                    provider=PROVIDER,
                    operation="organizations.ListAccounts",
                    scope=Location(account=missing),
                    kind="not_collected",
                    message=f"account {missing} is not an active account of the organization",
                )
            )
        out: list[Account] = []
        lock = threading.Lock()

        def assume(meta: dict[str, Any]) -> None:
            arn = f"arn:aws:iam::{meta['Id']}:role/{self.opts.org_role}"
            try:
                creds = self._assume(base, arn, meta["Id"])
            except ApiError as err:
                self.gap(err, meta["Id"], None, ())
                return
            with lock:
                out.append(Account(id=meta["Id"], credentials=creds, identity=arn, name=meta.get("Name")))

        for meta in members:
            self.sched.submit(assume, meta, scope=(meta["Id"], None))
        self.sched.wait()
        out.sort(key=lambda a: a.id)
        self._scanned = out
        return out

    def _scan_account(self, acct: Account) -> None:
        from auditor.providers.aws import services

        home = self.opts.home_region
        try:
            body, _ = self.call(acct, home, "ec2", "describe_regions", {"AllRegions": True})
            enabled = {
                r["RegionName"] for r in body.get("Regions", []) if r.get("OptInStatus") != "not-opted-in"
            }
            known = {r["RegionName"] for r in body.get("Regions", [])}
        except ApiError as err:
            if not self.opts.regions:
                self.gap(err, acct.id, None, T.REGIONAL_TYPES)
            enabled = set(self.opts.regions or [home])
            known = set(enabled)
        if self.opts.regions:
            regions = []
            for r in self.opts.regions:
                if r in enabled:
                    regions.append(r)
                else:
                    why = "is not enabled (opt-in) for" if r in known else "is not a known region of"
                    self.sink.add_error(
                        CollectionError(
                            provider=PROVIDER,
                            operation="ec2.DescribeRegions",
                            scope=Location(account=acct.id, region=r),
                            resource_types=T.REGIONAL_TYPES,
                            kind="not_collected",
                            message=f"region {r} {why} account {acct.id}: nothing there was scanned",
                        )
                    )
        else:
            regions = sorted(enabled)
        acct.regions = regions
        self.progress.step(f"aws {acct.id}: {len(regions)} regions")
        for global_fn in services.GLOBAL:
            self.sched.submit(global_fn, self, acct, scope=(acct.id, None))
        for region in regions:
            for regional_fn in services.REGIONAL:
                self.sched.submit(regional_fn, self, acct, region, scope=(acct.id, region))


def _env_endpoint() -> str | None:
    import os

    return os.environ.get("AWS_ENDPOINT_URL")


def _strip_account_host_prefix(request: Any, **_: Any) -> None:
    """s3control prefixes the host with the account id; a local endpoint has no such names."""
    parts = urlsplit(request.url)
    host = parts.netloc
    first, _, rest = host.partition(".")
    if first.isdigit() and len(first) == 12 and rest:
        request.url = urlunsplit(parts._replace(netloc=rest))
    return None


def collect(options: BaseModel, run: CollectRun | SnapshotBuilder, progress: Progress | None = None) -> None:
    opts = options if isinstance(options, AwsOptions) else AwsOptions.model_validate(options.model_dump())
    if isinstance(run, SnapshotBuilder):  # transitional: (options, sink, progress)
        run = CollectRun(sink=run, progress=progress or NullProgress())
    Collector(opts, run.sink, run.progress).run()
