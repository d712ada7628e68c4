"""Azure collector: the tenant's subscriptions through Resource Graph, plus bounded per-resource
ARM reads for the settings Resource Graph does not hold.

1. Scope: the subscriptions the identity can see (`subscriptions.list`), narrowed to
   `--subscriptions` and to the descendants of `--management-groups`. A requested subscription
   the identity cannot see is an `access_denied` error for that subscription; a Disabled one is
   a deliberate exclusion (recorded with its reason, never silent).
2. Bulk: for each batch of subscriptions and each Resource Graph table (`resourcecontainers`,
   `resources`, `securityresources`, `authorizationresources`), one query projecting only the
   declared attributes, paged with `$skipToken`; one call (and one evidence record) per page.
   Resource Graph silently leaves out subscriptions it cannot read, so the `resourcecontainers`
   answer is checked: a subscription missing from it is `access_denied` for its whole scope.
3. Detail: each row whose type declares ARM reads (blob service, SQL auditing, Key Vault keys,
   flow logs...) fans out one task per read on the session's bounded scheduler; the last to
   finish adds the resource. A failed read leaves a gap on exactly the attributes it fills (or,
   for a list of children, an error for that child type in the resource's subscription and region).

Every request goes through `Session.call`: counted, retried by the session when throttled (as
long as Retry-After says) or unavailable, classified into an ErrorKind, stored as redacted
evidence. `CollectRun.clients`, when injected, is an `AzureClients` (a credential, the CA bundle
to trust, the retry sleep): tests hand in a static TokenCredential and patch nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from auditor.models import ErrorKind, Location, Resource
from auditor.providers.azure import AzureOptions
from auditor.providers.azure import resources as T
from auditor.providers.azure.arm import ArmReader
from auditor.providers.azure.clients import (
    AzureClients,
    Clients,
    arm_endpoint,
    classify,
    guarded,
    make_credential,
)
from auditor.providers.azure.graph import query_page, query_text
from auditor.providers.azure.sources import GRAPH, ITEM, LISTED, ArmRead, Source, Sources, column
from auditor.runtime import Called, CallFailed, CollectRun, RetryPolicy, Session

PROVIDER = "azure"
GRAPH_READ = "Microsoft.ResourceGraph/resources/read"
SUBSCRIPTIONS_READ = "Microsoft.Resources/subscriptions/read"
DESCENDANTS_READ = "Microsoft.Management/managementGroups/descendants/read"
RETRY_ON = frozenset({ErrorKind.THROTTLED, ErrorKind.UNREACHABLE})


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _tags(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


class AzureCollector:
    def __init__(
        self,
        opts: AzureOptions,
        session: Session,
        clients: Clients,
        sources: Sources = T.SOURCES,
    ) -> None:
        self.opts = opts
        self.s = session
        self.clients = clients
        self.sources = sources
        self.arm = ArmReader(clients.arm)
        self._listed: dict[str, dict[str, Any]] = {}  # subscription id -> its listing entry
        self.scanned: list[str] = []
        self.tenants: set[str] = set()

    # ------------------------------------------------------------------ scope

    def run(self) -> None:
        subs = self.scope()
        self.scanned = [s["subscriptionId"] for s in subs]
        self.s.progress.step(f"azure: {len(subs)} subscription(s) to scan")
        for batch in _chunks(self.scanned, self.opts.batch_size):
            for table in self.sources.tables:
                self.s.submit(self.query, table, batch)
        self.s.wait()

    def scope(self) -> list[dict[str, Any]]:
        """The listing entries of the subscriptions to scan (enabled, visible, requested)."""
        try:
            called = self.s.call(
                SUBSCRIPTIONS_READ,
                guarded(
                    SUBSCRIPTIONS_READ,
                    lambda: [s.as_dict() for s in self.clients.subscriptions.subscriptions.list()],
                ),
                scope=Location(),
            )
        except CallFailed as err:
            self.s.gap(err, scope=Location())
            return []
        visible = {
            str(s.get("subscriptionId", "")).lower(): s for s in called.body if s.get("subscriptionId")
        }
        self._listed = visible
        self.tenants = {str(s["tenantId"]) for s in visible.values() if s.get("tenantId")}
        wanted: set[str] | None = None
        if self.opts.subscriptions:
            wanted = set(self.opts.subscriptions)
        if self.opts.management_groups:
            below = self._below_management_groups(self.opts.management_groups)
            for sub in sorted((wanted or set()) - below):
                self.s.skip_scope(
                    Location(account=sub),
                    f"subscription {sub} is not below --management-groups "
                    f"{', '.join(self.opts.management_groups)}, so it is not scanned",
                )
            wanted = below if wanted is None else wanted & below
        chosen = sorted(visible) if wanted is None else sorted(wanted)
        out = []
        for sub in chosen:
            entry = visible.get(sub)
            if entry is None:
                self.s.error(
                    SUBSCRIPTIONS_READ,
                    ErrorKind.ACCESS_DENIED,
                    f"subscription {sub} is not visible to this identity (no role on it, or no such "
                    "subscription): nothing in it was read",
                    scope=Location(account=sub),
                )
                continue
            state = str(entry.get("state") or "")
            if state == "Disabled":
                self.s.skip_scope(
                    Location(account=sub),
                    f"subscription {entry.get('displayName') or sub} is Disabled: it is read-only "
                    "and Resource Graph answers nothing for it, so it is not scanned",
                )
                continue
            out.append({**entry, "subscriptionId": sub})
        return out

    def _below_management_groups(self, groups: list[str]) -> set[str]:
        found: set[str] = set()
        for group in groups:

            def descendants(g: str = group) -> list[dict[str, Any]]:
                mg = self.clients.management_groups
                return [d.as_dict() for d in mg.management_groups.get_descendants(g)]

            try:
                called = self.s.call(
                    DESCENDANTS_READ,
                    guarded(DESCENDANTS_READ, descendants),
                    scope=Location(account=f"managementGroups/{group}"),
                    params={"group": group},
                )
            except CallFailed as err:
                self.s.gap(err, scope=Location(account=f"managementGroups/{group}"))
                continue
            for d in called.body:
                if str(d.get("type", "")).lower().endswith("/subscriptions") and d.get("name"):
                    found.add(str(d["name"]).lower())
        return found

    # ------------------------------------------------------------------ Resource Graph

    def _table_types(self, table: str) -> list[str]:
        """The table's types and the child types their reads list (unread if the query fails)."""
        own = [s.type for s in self.sources.of_table(table).values()]
        children = [r.children for s in self.sources.of_table(table).values() for r in s.reads if r.children]
        return own + children

    def query(self, table: str, batch: list[str]) -> None:
        text = query_text(table, self.sources)
        token: str | None = None
        page = 0
        seen: set[str] = set()
        while True:
            page += 1

            def fetch(tok: str | None = token) -> dict[str, Any]:
                return query_page(self.clients.graph, text, batch, self.opts.page_size, tok)

            try:
                called = self.s.call(
                    GRAPH_READ,
                    guarded(GRAPH_READ, fetch),
                    scope=Location(),
                    params={"table": table, "subscriptions": batch, "page": page, "query": text},
                )
            except CallFailed as err:
                for sub in batch:
                    self.s.gap(err, scope=Location(account=sub), types=self._table_types(table))
                return
            body = called.body
            for row in body["data"]:
                if isinstance(row, Mapping):
                    seen.add(str(row.get("subscriptionId", "")).lower())
                    self.row(table, row, called.evidence)
            token = body.get("$skipToken")
            if not token:
                if body.get("resultTruncated", "").lower() == "true":
                    cut = CallFailed(
                        GRAPH_READ, ErrorKind.ERROR, f"{table}: results truncated without a $skipToken"
                    )
                    for sub in batch:
                        self.s.gap(cut, scope=Location(account=sub), types=self._table_types(table))
                break
        self.s.progress.step(f"azure: {table} read for {len(batch)} subscription(s) in {page} page(s)")
        if table == "resourcecontainers":
            for sub in batch:
                if sub not in seen:
                    self.s.error(
                        GRAPH_READ,
                        ErrorKind.ACCESS_DENIED,
                        f"Resource Graph returns nothing for subscription {sub}: the identity cannot read "
                        "it (Resource Graph leaves such subscriptions out instead of failing)",
                        scope=Location(account=sub),
                    )

    # ------------------------------------------------------------------ one row

    def row(self, table: str, row: Mapping[str, Any], evidence: str) -> None:
        source = self.sources.of_table(table).get(str(row.get("type", "")).lower())
        if source is None or str(row.get("name", "")) in source.skip_names:
            return
        sub = str(row.get("subscriptionId") or "").lower()
        rid = str(row.get("id") or "").lower()
        attrs: dict[str, Any] = {"subscription_id": sub}
        declared = self.sources.types.get(source.type)
        if declared is not None and "resource_group" in declared.attributes:
            attrs["resource_group"] = row.get("resourceGroup") or None
        for key, f in source.fields.items():
            if f.read == GRAPH:
                attrs[key] = _graph_value(f, row)
            elif f.read == LISTED:
                attrs[key] = f.value(self._listed.get(sub, {}))
        region = str(row.get("location") or "") or None
        name = attrs.get(source.name_attr) if source.name_attr else None
        base = Resource(
            provider=PROVIDER,
            type=source.type,
            id=rid,
            name=str(name or row.get("name") or "") or None,
            location=Location(account=sub, region=region),
            tags=_tags(row.get("tags")),
            attributes=attrs,
            evidence=(evidence,) if evidence else (),
        )
        self.detail(source, base)

    def detail(self, source: Source, base: Resource) -> None:
        attrs = dict(base.attributes)
        reads: list[ArmRead] = []
        for read in source.reads:
            if read.applies is None or read.applies(attrs):
                reads.append(read)
            else:  # nothing to read there (a FileStorage account has no blob service)
                attrs.update(dict.fromkeys(source.fields_of(read.name)))
        if not reads:
            self.s.add(base.model_copy(update={"attributes": attrs}))
            return
        sub = base.location.account or ""
        scope = base.location

        def thunk(read: ArmRead) -> Callable[[], Called]:
            url = read.url(base.id, sub)
            params = {"id": base.id, "api-version": read.api_version}

            def call() -> Called:
                return self.s.call(
                    read.action,
                    guarded(
                        read.action, lambda: self.arm.get(url, read.api_version, collection=read.collection)
                    ),
                    scope=scope,
                    params=params,
                    secret_paths=read.secret_paths,
                )

            return call

        def finish(results: dict[str, Any]) -> None:
            gaps: dict[str, str] = {}
            evidence = list(base.evidence)
            for read in reads:
                fields = source.fields_of(read.name)
                body = Session.take(results, read.name, gaps, fields, evidence)
                failed = results.get(read.name)
                if isinstance(failed, CallFailed):
                    if read.children:
                        self.s.error(
                            failed.operation,
                            failed.kind,
                            f"{base.id}: {failed.message}",
                            scope=scope,
                            types=(read.children,),
                        )
                    continue
                for key, f in fields.items():
                    attrs[key] = f.value(body)
                if read.children:
                    ev = results[read.name].evidence
                    self.children(read.children, base, body, ev)
            self.s.add(
                base.model_copy(update={"attributes": attrs, "gaps": gaps, "evidence": tuple(evidence)})
            )

        self.s.gather({r.name: thunk(r) for r in reads}, finish, scope)

    def children(self, child_type: str, parent: Resource, body: Any, evidence: str) -> None:
        source = self.sources.get(child_type)
        sub = parent.location.account or ""
        items = body.get("value") if isinstance(body, Mapping) else None
        for entry in items or []:
            if not isinstance(entry, Mapping):
                continue
            attrs: dict[str, Any] = {"subscription_id": sub, "parent_id": parent.id}
            for key, f in source.fields.items():
                if f.read == ITEM:
                    attrs[key] = f.value(entry)
            region = str(entry.get("location") or "") or parent.location.region
            self.s.add(
                Resource(
                    provider=PROVIDER,
                    type=child_type,
                    id=str(entry.get("id") or f"{parent.id}/{entry.get('name')}").lower(),
                    name=str(entry.get("name") or "") or None,
                    location=Location(account=sub, region=region),
                    tags=_tags(entry.get("tags")),
                    attributes=attrs,
                    evidence=(evidence,) if evidence else (),
                )
            )


def _graph_value(f: Any, row: Mapping[str, Any]) -> Any:
    raw = row.get(column(f.path))
    return f.convert(raw) if f.convert is not None else raw


def collect(options: BaseModel, run: CollectRun) -> None:
    opts = options if isinstance(options, AzureOptions) else AzureOptions.model_validate(options.model_dump())
    injected = run.clients if isinstance(run.clients, AzureClients) else None
    retry = RetryPolicy(attempts=opts.max_attempts, retry_on=RETRY_ON)
    if injected is not None:
        retry = RetryPolicy(attempts=opts.max_attempts, retry_on=RETRY_ON, sleep=injected.sleep)
    endpoint = arm_endpoint(opts)
    with Session(PROVIDER, run, classify=classify, concurrency=opts.concurrency, retry=retry) as session:
        label = f"azure {endpoint}"
        try:
            credential = injected.credential if injected is not None else make_credential(opts)
        except Exception as exc:  # azure-identity refuses a half-configured credential at once
            session.error(
                "sign-in",
                ErrorKind.ACCESS_DENIED,
                f"cannot build the {opts.auth} credential: {exc}",
                scope=Location(),
            )
            session.add_target(label, opts.model_dump(exclude_none=True))
            return
        clients = Clients(
            credential,
            endpoint,
            verify=injected.connection_verify if injected is not None else True,
            timeout=opts.timeout,
            pool=opts.concurrency + 4,
            on_request=session.stats.request,
            on_principal=lambda who: setattr(session, "identity", who),
        )
        try:
            collector = AzureCollector(opts, session, clients)
            collector.run()
        finally:
            session.wait()
            clients.close()
        if collector.tenants:
            label = f"azure tenant {', '.join(sorted(collector.tenants))}"
        options_out = opts.model_dump(exclude_none=True)
        options_out["arm_endpoint"] = endpoint
        options_out["subscriptions_scanned"] = len(collector.scanned)
        session.add_target(label, options_out)
        session.progress.step(
            f"azure: {session.stats.requests} requests, {len(collector.scanned)} subscription(s)"
        )
