"""A local HTTPS fake of Azure Resource Manager and Resource Graph, for the real azure-mgmt clients.

No Azure emulator exists, so `FakeAzure` speaks the wire shapes the SDKs expect, over TLS (azure-core
refuses bearer tokens over plain HTTP; trust `ca_file` with `connection_verify` or REQUESTS_CA_BUNDLE):

- `GET /subscriptions` (api-version 2022-12-01), paged with absolute `nextLink`s;
- `GET /providers/Microsoft.Management/managementGroups/{id}/descendants` (2023-04-01), paged;
- `POST /providers/Microsoft.ResourceGraph/resources` (2021-03-01): the query the collector writes
  (`TABLE | where type in~ (...) | project col, alias = path.to.value, ... | order by id asc`) is
  parsed and really applied, so a row carries only what was projected; any other KQL is a 400.
  Rows are limited to the request's subscriptions, paged with `$top` / `$skipToken`. Like the real
  service, subscriptions the caller cannot read are left out silently;
- `GET <any ARM path>?api-version=V`: the objects an estate registers (a single body, or a list
  paged with `nextLink`), each with the one API version it answers and the RBAC action it needs.
  A wrong api-version is a 400 `InvalidApiVersionParameter`; an unknown path a 404 `ResourceNotFound`.

Errors are ARM error bodies (`{"error": {"code", "message"}}`). Requests need `Authorization:
Bearer <one of tokens>` (default `TEST_TOKEN`: shaped like a Microsoft Entra access token, with the
`oid`/`appid`/`tid` claims of a scanner service principal and no real signature) (401 `InvalidAuthenticationToken` otherwise). `forbid(subscription)` makes
every ARM read below it 403 `AuthorizationFailed` and hides it from Resource Graph. `actions`
counts the RBAC action each answered request needed (and, for Resource Graph, `<type>/read` for
each row returned), for the permission test. Faults, latency and the request log come from
`FakeAPI`; `on_action(action)` selects the requests of one action for a fault.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor_testkit.fakeapi import BadRequest, FakeAPI, Request, Response, paginate

TENANT = "8f4a3c2e-1b7d-4e9a-9c61-2d5f0a7b3e14"
SCANNER_OBJECT_ID = "6d0f2a4b-8c1e-4f3a-9b2d-7e5c1a9f0b34"
SCANNER_APP_ID = "3a7c9e1f-2b4d-4c6e-8f0a-1b3d5f7a9c2e"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def bearer_token(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with these claims (unsigned: the fake checks it by value)."""
    return f"{_b64({'typ': 'JWT', 'alg': 'RS256'})}.{_b64(claims)}.c2lnbmF0dXJl"


TEST_TOKEN = bearer_token(
    {
        "aud": "https://management.azure.com",
        "tid": TENANT,
        "oid": SCANNER_OBJECT_ID,
        "appid": SCANNER_APP_ID,
        "idtyp": "app",
    }
)


class StaticToken:
    """A TokenCredential for the fake: one fixed token (default `TEST_TOKEN`, which the fake
    accepts), never a sign-in, never the network. `scopes` records what each call asked for."""

    def __init__(self, token: str = TEST_TOKEN) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


__all__ = ["TEST_TOKEN", "ArmObject", "AzureEstate", "FakeAzure", "StaticToken", "subscription_of"]

GRAPH_API = "2021-03-01"
SUBSCRIPTIONS_API = "2022-12-01"
MANAGEMENT_GROUPS_API = "2023-04-01"
GRAPH_ACTION = "Microsoft.ResourceGraph/resources/read"
SUBSCRIPTIONS_ACTION = "Microsoft.Resources/subscriptions/read"
DESCENDANTS_ACTION = "Microsoft.Management/managementGroups/descendants/read"
_BASE = ("id", "name", "type", "location", "resourceGroup", "subscriptionId", "tags")
_SUB = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
_RG = re.compile(r"/resourcegroups/([^/]+)", re.IGNORECASE)


def subscription_of(resource_id: str) -> str | None:
    m = _SUB.match(resource_id)
    return m.group(1).lower() if m else None


@dataclass
class ArmObject:
    """One ARM object the fake answers: a single `body`, or a collection of `items`."""

    api_version: str
    action: str
    body: Any = None
    items: list[Any] | None = None


@dataclass
class AzureEstate:
    """What the fake serves. `tables` are Resource Graph rows (full ARM JSON, as the resource's
    GET returns it); `arm` maps lower-case paths to the objects per-resource reads find."""

    tenant_id: str
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    management_groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    arm: dict[str, ArmObject] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.tables.setdefault(table, []).append(row)
        return row

    def get(self, path: str, api_version: str, action: str, body: Any) -> None:
        self.arm[path.lower()] = ArmObject(api_version, action, body=body)

    def list(self, path: str, api_version: str, action: str, items: Iterable[Any]) -> None:
        self.arm[path.lower()] = ArmObject(api_version, action, items=list(items))


def _value_at(row: Any, path: str) -> Any:
    here = row
    for step in path.split("."):
        if not isinstance(here, Mapping):
            return None
        here = here.get(step)
    return here


def _split_columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@dataclass(frozen=True)
class Query:
    table: str
    types: frozenset[str]
    columns: tuple[tuple[str, str], ...]  # (output name, source path)


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def parse_query(text: str) -> Query:
    """The subset of KQL the collector writes; anything else is a BadRequest (answered 400)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or not _IDENT.match(lines[0]):
        raise BadRequest(f"InvalidQuery: expected a table name first, got {lines[:1]}")
    types: frozenset[str] | None = None
    columns: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line.startswith("| where type in~ (") and line.endswith(")"):
            types = frozenset(t.lower() for t in re.findall(r"'([^']*)'", line))
        elif line.startswith("| project "):
            for col in _split_columns(line.removeprefix("| project ")):
                name, sep, path = (p.strip() for p in col.partition("="))
                path = path if sep else name
                if not _IDENT.match(name) or not _PATH.match(path):
                    raise BadRequest(f"InvalidQuery: cannot project {col!r}")
                columns.append((name, path))
        elif line == "| order by id asc":
            continue
        else:
            raise BadRequest(f"InvalidQuery: the fake does not understand {line!r}")
    if types is None or not columns:
        raise BadRequest("InvalidQuery: expected '| where type in~ (...)' and '| project ...'")
    return Query(lines[0], types, tuple(columns))


class FakeAzure(FakeAPI):
    name = "azure"

    def __init__(
        self,
        estate: AzureEstate,
        *,
        tokens: Iterable[str] = (TEST_TOKEN,),
        list_page_size: int = 50,
        subscription_page_size: int = 2,
        latency: float = 0.0,
    ) -> None:
        super().__init__(tls=True, latency=latency)
        self.estate = estate
        self.tokens = set(tokens)
        self.list_page_size = list_page_size
        self.subscription_page_size = subscription_page_size
        self.forbidden: set[str] = set()
        self.actions: Counter[str] = Counter()
        self.add_route("POST", "/providers/Microsoft.ResourceGraph/resources", self._graph, name="graph")
        self.add_route("GET", "/subscriptions", self._subscriptions, name="subscriptions.list")
        self.add_route(
            "GET",
            "/providers/Microsoft.Management/managementGroups/{group}/descendants",
            self._descendants,
            name="managementgroups.descendants",
        )
        self.add_route("*", "/{path:path}", self._arm, name="arm")

    # ------------------------------------------------------------------ configuration

    def forbid(self, subscription: str) -> None:
        """The identity may list `subscription` but read nothing in it."""
        self.forbidden.add(subscription.lower())

    def on_action(self, action: str, resource: str | None = None) -> Callable[[Request], bool]:
        """A fault target: the ARM reads needing `action` (of the resource id `resource` only)."""
        wanted = action.lower()

        def match(request: Request) -> bool:
            obj = self.estate.arm.get(request.path.lower())
            if obj is None or obj.action.lower() != wanted:
                return False
            return resource is None or request.path.lower().startswith(resource.lower())

        return match

    def on_graph_table(self, table: str, subscription: str | None = None) -> Callable[[Request], bool]:
        """A fault target: Resource Graph queries of `table` (including `subscription`)."""

        def match(request: Request) -> bool:
            if request.route != "graph":
                return False
            try:
                body = request.json() or {}
            except ValueError:
                return False
            if not str(body.get("query", "")).startswith(table + "\n"):
                return False
            return subscription is None or subscription.lower() in [
                s.lower() for s in body.get("subscriptions") or []
            ]

        return match

    # ------------------------------------------------------------------ hooks

    def error_response(self, request: Request, status: int, message: str) -> Response:
        codes = {
            400: "BadRequest",
            401: "InvalidAuthenticationToken",
            403: "AuthorizationFailed",
            404: "ResourceNotFound",
            409: "Conflict",
            429: "TooManyRequests",
            500: "InternalServerError",
            503: "ServiceUnavailable",
        }
        code = codes.get(status, "Error")
        if status == 400 and ":" in message and message.split(":", 1)[0].isalpha():
            code, message = (p.strip() for p in message.split(":", 1))
        return Response(status, {"error": {"code": code, "message": message}})

    def before(self, request: Request) -> Response | None:
        auth = request.header("authorization")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return self.error_response(
                request, 401, "The access token is missing or invalid (a bearer token is required)."
            )
        return None

    # ------------------------------------------------------------------ helpers

    def _api(self, request: Request, expected: str) -> None:
        got = request.arg("api-version")
        if got != expected:
            raise BadRequest(
                f"InvalidApiVersionParameter: The api-version '{got}' is invalid. "
                f"The supported versions are '{expected}'."
            )

    def _did(self, action: str, n: int = 1) -> None:
        with self._lock:
            self.actions[action] += n

    def _page(self, request: Request, items: list[Any], size: int, scope: str) -> Response:
        page = paginate(items, request.arg("$skipToken"), size, scope=scope)
        body: dict[str, Any] = {"value": page.items}
        if page.next_token:
            body["nextLink"] = self.next_link(request, page.next_token, "$skipToken")
        return Response(200, body)

    # ------------------------------------------------------------------ routes

    def _subscriptions(self, request: Request) -> Response:
        self._api(request, SUBSCRIPTIONS_API)
        self._did(SUBSCRIPTIONS_ACTION)
        return self._page(request, self.estate.subscriptions, self.subscription_page_size, "subscriptions")

    def _descendants(self, request: Request) -> Response:
        self._api(request, MANAGEMENT_GROUPS_API)
        group = request.params["group"]
        found = self.estate.management_groups.get(group)
        if found is None:
            return self.error_response(request, 404, f"Management group '{group}' was not found.")
        self._did(DESCENDANTS_ACTION)
        return self._page(request, found, self.subscription_page_size, f"descendants/{group}")

    def _graph(self, request: Request) -> Response:
        self._api(request, GRAPH_API)
        body = request.json() or {}
        query = parse_query(str(body.get("query", "")))
        subs = [str(s).lower() for s in body.get("subscriptions") or []]
        if not subs:
            raise BadRequest("BadRequest: the fake answers subscription-scoped queries only")
        options = body.get("options") or {}
        top = options.get("$top") or 100
        if not isinstance(top, int) or not 1 <= top <= 1000:
            raise BadRequest(f"BadRequest: $top must be 1..1000, not {top!r}")
        readable = set(subs) - self.forbidden
        rows = [
            r
            for r in self.estate.tables.get(query.table, [])
            if str(r.get("type", "")).lower() in query.types
            and subscription_of(str(r.get("id", ""))) in readable
        ]
        rows.sort(key=lambda r: str(r.get("id", "")).lower())
        scope = hashlib.sha256(
            json.dumps([query.table, sorted(subs), str(body.get("query"))]).encode()
        ).hexdigest()
        page = paginate(rows, options.get("$skipToken"), top, scope=scope)
        self._did(GRAPH_ACTION)
        for r in page.items:
            self._did(f"{str(r['type']).lower()}/read")
        answer: dict[str, Any] = {
            "totalRecords": page.total,
            "count": len(page.items),
            "resultTruncated": "false",
            "data": [self._project(r, query) for r in page.items],
        }
        if page.next_token:
            answer["$skipToken"] = page.next_token
        return Response(200, answer)

    @staticmethod
    def _project(row: Mapping[str, Any], query: Query) -> dict[str, Any]:
        rid = str(row.get("id", ""))
        rg = _RG.search(rid)
        base = {
            "id": rid,
            "name": row.get("name"),
            "type": str(row.get("type", "")).lower(),
            "location": row.get("location", ""),
            "resourceGroup": rg.group(1).lower() if rg else "",
            "subscriptionId": subscription_of(rid) or "",
            "tags": row.get("tags") or {},
        }
        out = {}
        for name, path in query.columns:
            out[name] = base[path] if path in _BASE else _value_at(row, path)
        return out

    def _arm(self, request: Request) -> Response:
        if request.method != "GET":
            return self.error_response(
                request, 405, f"the fake is read-only: {request.method} {request.path}"
            )
        sub = subscription_of(request.path)
        if sub is not None and sub in self.forbidden:
            return self.error_response(
                request,
                403,
                f"The client does not have authorization to perform action over scope '{request.path}' "
                "or the scope is invalid.",
            )
        obj = self.estate.arm.get(request.path.lower())
        if obj is None:
            return self.error_response(request, 404, f"The resource '{request.path}' was not found.")
        self._api(request, obj.api_version)
        self._did(obj.action)
        if obj.items is None:
            return Response(200, obj.body)
        return self._page(request, obj.items, self.list_page_size, request.path.lower())
