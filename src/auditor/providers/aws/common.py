"""What the AWS collector and the code that reads each service share (no SDK imported here).

`Collection` is one AWS scan as service code sees it: `call()` runs one API operation (every
page) through the runtime `Session` (counted, classified, stored as redacted evidence), and
`add()` / `gap()` / `submit()` / `gather()` record what was read or not and fan work out on
the session's scheduler. How a call reaches AWS (boto3 clients, paging) is the collector's
business: it hands the Collection an `Api` function. `Service` is how each module of
`services/` declares what it reads.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from auditor.models import JSON, ErrorKind, Location, Resource
from auditor.providers.aws.resources import TYPES
from auditor.runtime import Called, CallFailed, Session

if TYPE_CHECKING:
    from auditor.providers.aws import AwsOptions

PROVIDER = "aws"

# keyword arguments of boto3 clients: aws_access_key_id, aws_secret_access_key, aws_session_token
Credentials = dict[str, str]


class RoleSession:
    """An assumed role's temporary credentials, renewed (AssumeRole again, through `renew`) once
    less than a quarter of their lifetime, or ten minutes, is left: a scan that outlasts the
    session duration keeps working. `renew` returns fresh credentials and how many seconds they
    are valid; the first ones are fetched at construction (a failure raises, as AssumeRole did)."""

    def __init__(
        self, renew: Callable[[], tuple[Credentials, float]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._renew = renew
        self._clock = clock
        self._lock = threading.Lock()
        self.renewals = 0
        self._keys, lifetime = renew()
        self._deadline = clock() + lifetime
        self._margin = min(600.0, lifetime / 4)

    def credentials(self) -> Credentials:
        with self._lock:
            if self._deadline - self._clock() < self._margin:
                self._keys, lifetime = self._renew()
                self._deadline = self._clock() + lifetime
                self._margin = min(600.0, lifetime / 4)
                self.renewals += 1
            return self._keys


@dataclass
class Account:
    id: str
    credentials: Credentials | None = None  # None: the base session's own credential chain
    identity: str | None = None
    name: str | None = None
    regions: list[str] = field(default_factory=list)
    role: RoleSession | None = None  # an assumed role: its current credentials win over `credentials`

    def keys(self) -> Credentials | None:
        """The credentials to call with now (an assumed role's are renewed before they expire)."""
        return self.role.credentials() if self.role is not None else self.credentials


# (account, botocore service name, region, API operation name, parameters) -> the whole answer
Api = Callable[[Account, str, str, str, Mapping[str, Any]], Any]
Results = dict[str, Any]


@dataclass(frozen=True)
class Service:
    """One AWS service as the collector reads it, declared by its module (`SERVICE = ...`).

    - `name`: the botocore service name, the client every declared operation is called on;
    - `fanout`: "global" runs `collect` once per account (with the home region, where its API
      is called; its account-wide resources have no region), "regional" once per account and
      scanned region;
    - `operations`: every API operation `collect` may call (the IAM policy is derived from
      these, and `Collection.call` refuses any other);
    - `produces`: the resource types it writes;
    - `conditional`: declared operations a scan may not call even when the estate has every
      resource type, with why (the permission test accepts them uncalled).
    """

    name: str
    fanout: Literal["global", "regional"]
    operations: tuple[str, ...]
    produces: tuple[str, ...]
    collect: Callable[[Collection, Account, str], None] = field(compare=False)
    conditional: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AbsentWhen:
    """An error code that means "not configured" only when its message says so: SageMaker
    answers a missing resource policy with the same ValidationException as a malformed
    request, so the code alone would read a refused call as "no policy" (a silent pass)."""

    code: str
    says: tuple[str, ...]  # lowercase fragments, every one present in the message

    def matches(self, code: str, message: str) -> bool:
        text = message.lower()
        return code == self.code and all(s in text for s in self.says)


Absence = str | AbsentWhen


def _absent(codes: Iterable[Absence]) -> Callable[[BaseException], JSON | None]:
    """The body recorded for an error code that means "not configured" (NoSuchBucketPolicy...).
    botocore's ClientError carries the parsed error in `.response`. Anything else, including a
    qualified code whose message does not say it (`AbsentWhen`), is a failed read."""
    plain = frozenset(c for c in codes if isinstance(c, str))
    qualified = tuple(c for c in codes if isinstance(c, AbsentWhen))

    def marker(exc: BaseException) -> JSON | None:
        response = getattr(exc, "response", None)
        err = response.get("Error", {}) if isinstance(response, dict) else {}
        code, message = str(err.get("Code", "")), str(err.get("Message", ""))
        if code not in plain and not any(q.matches(code, message) for q in qualified):
            return None
        return {"Error": {"Code": code, "Message": message}}

    return marker


class UndeclaredOperation(Exception):
    """Code called an operation its service does not declare: a bug (the task is recorded as
    crashed), caught by the integration tests before the permission policy could miss it."""


class Collection:
    def __init__(
        self,
        session: Session,
        options: AwsOptions,
        api: Api,
        operations: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.session = session
        self.opts = options
        self.home = options.home_region
        self._api = api
        self._declared = {svc: frozenset(ops) for svc, ops in (operations or {}).items()}

    @staticmethod
    def scope(acct: Account, region: str | None) -> Location:
        return Location(account=acct.id, region=region)

    # ------------------------------------------------------------------ calls

    def call(
        self,
        acct: Account,
        region: str,
        service: str,
        operation: str,
        params: Mapping[str, Any] | None = None,
        *,
        absent: Iterable[Absence] = (),
        secret_paths: Iterable[str] = (),
        record: bool = True,
        allow_repeat: bool = False,
        recorded_as: Mapping[str, Any] | None = None,
    ) -> Called:
        """`service.operation` (botocore service name, API operation name), every page.

        An error code listed in `absent` means "not configured": the answer is
        `Called(None, evidence of that error)`. Any other failure raises `CallFailed`.
        `recorded_as` names the call in its evidence instead of `params` when a parameter
        depends on the clock (a time window): evidence ids stay the same from run to run."""
        if self._declared and operation not in self._declared.get(service, ()):
            raise UndeclaredOperation(f"{service}.{operation} is not declared by any AWS service")
        args = dict(params or {})
        codes = tuple(absent)
        return self.session.call(
            f"{service}.{operation}",
            lambda: self._api(acct, service, region, operation, args),
            scope=self.scope(acct, region),
            params=dict(recorded_as) if recorded_as is not None else args,
            record=record,
            secret_paths=secret_paths,
            absent=_absent(codes) if codes else None,
            allow_repeat=allow_repeat,
            identity=acct.identity,
        )

    def listing(
        self,
        acct: Account,
        region: str,
        service: str,
        operation: str,
        params: Mapping[str, Any] | None = None,
        *,
        types: Iterable[str],
        account_wide: bool = False,
        absent: Iterable[Absence] = (),
        secret_paths: Iterable[str] = (),
        recorded_as: Mapping[str, Any] | None = None,
    ) -> Called | None:
        """A call that lists `types`: its answer, or None after recording that nothing of them
        was read in this account and region (`account_wide`: in the whole account, for the
        global services, whose calls go to the home region)."""
        try:
            return self.call(
                acct,
                region,
                service,
                operation,
                params,
                absent=absent,
                secret_paths=secret_paths,
                recorded_as=recorded_as,
            )
        except CallFailed as err:
            self.gap(err, acct, None if account_wide else region, types)
            return None

    def record(self, acct: Account, region: str, operation: str, body: Any) -> str:
        """Store a body built from an answer (the credential report's rows) as evidence."""
        return self.session.record(operation, body, scope=self.scope(acct, region), identity=acct.identity)

    # ------------------------------------------------------------------ what was (not) read

    def add(
        self,
        type_: str,
        id_: str,
        acct: Account,
        region: str | None,
        attrs: dict[str, Any],
        evidence: Iterable[str],
        *,
        name: str | None = None,
        gaps: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.session.add(
            Resource(
                provider=PROVIDER,
                type=type_,
                id=id_,
                name=name,
                location=self.scope(acct, region),
                tags=dict(tags or {}),
                attributes=attrs,
                gaps=dict(gaps or {}),
                evidence=tuple(e for e in dict.fromkeys(evidence) if e),
            )
        )

    def gap(self, err: CallFailed, acct: Account, region: str | None, types: Iterable[str]) -> None:
        """A list call failed: nothing of `types` was read for this account and region."""
        self.session.gap(err, scope=self.scope(acct, region), types=types)

    def error(
        self, operation: str, kind: ErrorKind, message: str, scope: Location, types: Iterable[str] = ()
    ) -> None:
        self.session.error(operation, kind, message, scope=scope, types=types)

    # ------------------------------------------------------------------ tasks

    def submit(self, acct: Account, region: str | None, fn: Callable[..., None], *args: Any) -> None:
        self.session.submit(fn, *args, scope=self.scope(acct, region))

    def gather(
        self,
        acct: Account,
        region: str | None,
        thunks: Mapping[str, Callable[[], Any]],
        then: Callable[[Results], None],
    ) -> None:
        """Run each thunk as its own task; the last to finish calls `then(results)`, where a
        failed call's result is its `CallFailed` (read them with `take`)."""
        self.session.gather(thunks, then, self.scope(acct, region))


take = Session.take  # (results, key, gaps, attrs, evidence) -> body, or None with a gap on each attr


def unread(type_: str, err: CallFailed) -> dict[str, str]:
    """A gap on every attribute `type_` declares: the call that would fill them failed."""
    declared = TYPES.get(type_)
    return dict.fromkeys(declared.attributes if declared is not None else (), err.reason)


def described(
    c: Collection,
    acct: Account,
    region: str,
    type_: str,
    id_: str,
    list_ev: str,
    call: Callable[[], Called],
    build: Callable[[Any], dict[str, Any]],
    *,
    name: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Add a resource whose attributes come from one detail call (`build(body)`); when the call
    failed, the resource is still added, with a gap on every attribute its type declares."""
    try:
        got = call()
    except CallFailed as err:
        c.add(type_, id_, acct, region, {}, [list_ev], name=name, gaps=unread(type_, err), tags=tags)
        return
    c.add(type_, id_, acct, region, build(got.body), [list_ev, got.evidence], name=name, tags=tags)


def tags(items: Any) -> dict[str, str]:
    """AWS tags as a dict, whichever shape the API returned ([{Key, Value}], [{key, value}], {k: v})."""
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    out: dict[str, str] = {}
    for t in items or ():
        key = t.get("Key", t.get("key"))
        if key is not None:
            out[str(key)] = str(t.get("Value", t.get("value", "")))
    return out


def policy_doc(value: Any) -> Any:
    """A policy document as a dict whatever the API returned (dict, JSON, URL-encoded JSON)."""
    if isinstance(value, str):
        text = value if value.lstrip().startswith("{") else unquote(value)
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return {"unparsed": text[:2000]}
    return value


def iso(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def region_id(acct: Account, region: str, what: str) -> str:
    """The id of a per-region settings resource (aws.config.region ...)."""
    return f"{acct.id}/{region}/{what}"
