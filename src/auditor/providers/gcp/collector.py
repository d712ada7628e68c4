"""GCP collector: Cloud Asset Inventory listings over organizations, folders and projects.

Design:
- What to read comes from the declarations: the resource types the registered GCP checks read
  (derived types through their derivers), mapped to Cloud Asset types and content types by
  `resources.SOURCES`, plus the resource hierarchy. One listing per scope (`--organization`,
  each of `--folders`, each of `--projects`) and content type (RESOURCE, IAM_POLICY, ORG_POLICY),
  paged at `--page-size` (the API's maximum, 1000), all with one `read_time`. Requests grow with
  asset pages, not with projects x services.
- Listings run as tasks on the session's bounded scheduler (`--concurrency`). Every page is one
  `Session.call` (one evidence record, counted, retried when throttled as long as the server
  asks, then given up) and its assets go to one `Inventory`; resources are built once every
  listing is done, since a project's ID (its scope) comes from its Project asset.
- A failed listing is a collection error for exactly its scope and resource types: the scope it
  listed, plus every project read below it (an organization's IAM policies not read leaves
  every project's policies unknown). INVALID_ARGUMENT naming asset types the API does not know
  is `unsupported` for exactly those types, and the listing goes on without them.
- Projects that are not ACTIVE are not judged: their resources are dropped, and the project and
  the types it held are recorded as excluded for it, with the lifecycle state as the reason.

Client factory (`CollectRun.clients`, `auditor.scan.collect(..., clients={"gcp": factory})`):
a `client.ClientFactory`, called once with the credentials the options name and the
`--api-endpoint`, returning the AssetServiceClient to list with. Without one, the real REST client
is built (`client.default_client`). With `--asset-export`, no client at all (`export.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from auditor.checks import load_registry
from auditor.contracts import check_reads
from auditor.errors import AuditorError
from auditor.models import Location
from auditor.providers.gcp import GcpOptions
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.derive import DERIVERS
from auditor.providers.gcp.inventory import PROVIDER, Built, Inventory, envelopes, scrub
from auditor.runtime import CallFailed, CollectRun, RetryPolicy, Session

OPERATION = "assets.list"


def collect(options: BaseModel, run: CollectRun) -> None:
    opts = GcpOptions.model_validate(options.model_dump()) if not isinstance(options, GcpOptions) else options
    if opts.asset_export:
        from auditor.providers.gcp.export import collect_exports

        collect_exports(opts, run)
        return
    Live(opts, run).collect()


def listing_plan() -> dict[str, list[str]]:
    """Content type -> asset types ([] = every type), from what the GCP checks read: the types
    they judge and the types they look up (`ctx.lookup`, found by the contract analysis)."""
    reads: set[str] = set()
    for c in load_registry():
        if c.meta.provider == PROVIDER:
            reads.update(c.meta.resource_types)
            reads.update(r.type_ for r in check_reads(c) if r.type_)
    derived = {t: d.reads for d in DERIVERS for t in d.produces}
    return T.needed_sources(reads, derived)


def types_of(content: str, asset_types: Sequence[str]) -> tuple[str, ...]:
    if content == T.IAM_POLICY_CONTENT:
        return (T.IAM_POLICY,)
    if content == T.ORG_POLICY_CONTENT:
        return (T.ORG_POLICY,)
    return tuple(sorted(T.BY_ASSET_TYPE[a] for a in asset_types if a in T.BY_ASSET_TYPE))


@dataclass(frozen=True)
class Failure:
    parent: str
    error: CallFailed
    types: tuple[str, ...]


class Live:
    def __init__(self, options: GcpOptions, run: CollectRun) -> None:
        from auditor.providers.gcp import client

        self.gc = client
        self.options = options
        self.session = Session(
            PROVIDER,
            run,
            classify=client.classify,
            concurrency=options.concurrency,
            retry=RetryPolicy(attempts=options.max_attempts, base_delay=1.0, max_delay=60.0),
        )
        self.factory: Any = run.clients or client.default_client
        self.read_time = datetime.now(UTC).replace(microsecond=0)
        self.inventory = Inventory()
        self.failures: list[Failure] = []
        self._lock = threading.Lock()
        self.client: Any = None

    @property
    def label(self) -> str:
        return self.options.parents[0] if len(self.options.parents) == 1 else "gcp"

    def collect(self) -> None:
        s = self.session
        try:
            if self._connect():
                plan = listing_plan()
                for parent in self.options.parents:
                    for content, asset_types in plan.items():
                        s.submit(self._list, parent, content, asset_types, scope=Location(account=parent))
                s.wait()
                self._finish(self.inventory.build())
        finally:
            target = self.options.model_dump(exclude_none=True, exclude={"credentials_file"})
            target["read_time"] = self.read_time.isoformat()
            s.add_target(self.label, target)
            s.close()

    def _connect(self) -> bool:
        s = self.session
        try:
            creds, identity = self.gc.credentials(
                self.options.credentials_file,
                self.options.impersonate_service_account,
                self.options.iam_credentials_endpoint,
            )
        except AuditorError:
            raise  # a credentials file that cannot be read is named, exit 2
        except Exception as exc:
            s.gap(s.failure("auth.credentials", exc), scope=Location())
            return False
        s.identity = identity

        def token() -> None:
            s.stats.request()
            self.gc.refresh(creds)

        try:
            s.call("auth.token", token, scope=Location(), record=False)
            self.client = self.factory(creds, self.options.api_endpoint)
        except CallFailed as err:
            s.gap(err, scope=Location())
            return False
        return True

    def _list(self, parent: str, content: str, asset_types: list[str]) -> None:
        s, o = self.session, self.options
        types = list(asset_types)
        token, page = "", 0
        scope = Location(account=parent)
        while True:
            params = {
                "parent": parent,
                "content_type": content,
                "asset_types": types,
                "read_time": self.read_time.isoformat(),
                "page_size": o.page_size,
                "page_token": token,
            }

            def fetch(token: str = token, types: list[str] = types) -> Any:
                s.stats.request()
                try:
                    body = self.gc.list_page(
                        self.client,
                        parent=parent,
                        content=content,
                        asset_types=types,
                        read_time=self.read_time,
                        page_size=o.page_size,
                        page_token=token,
                        timeout=o.timeout,
                    )
                except Exception as exc:
                    raise self.gc.failure(OPERATION, exc, types) from None
                body["assets"] = [scrub(a) for a in body["assets"]]
                return body

            try:
                called = s.call(OPERATION, fetch, scope=scope, params=params)
            except self.gc.UnknownAssetTypes as err:
                unknown = [t for t in types if t in err.asset_types]
                self._failed(parent, err, types_of(content, unknown))
                types = [t for t in types if t not in err.asset_types]
                if page == 0 and types:
                    continue
                return
            except CallFailed as err:
                self._failed(parent, err, types_of(content, types))
                return
            body = called.body
            assets = [x for record in body["assets"] for x in envelopes(record, called.evidence)]
            with self._lock:
                self.inventory.add(assets)
            s.progress.step(f"gcp {parent}: {content.lower()} page {page + 1} ({len(body['assets'])} assets)")
            token = str(body.get("nextPageToken") or "")
            if not token:
                return
            page += 1

    def _failed(self, parent: str, err: CallFailed, types: tuple[str, ...]) -> None:
        with self._lock:
            self.failures.append(Failure(parent, err, types))

    def _finish(self, built: Built) -> None:
        s = self.session
        for r in built.resources:
            s.add(r)
        for pid, _types, reason in built.exclusions():
            s.skip_scope(Location(account=pid), reason)
        numbers = {
            f"projects/{r.attributes['project_number']}": r.location.account
            for r in built.resources
            if r.type == T.PROJECT
        }
        for f in self.failures:
            account = _scope_account(f.parent, numbers)
            s.gap(f.error, scope=Location(account=account), types=f.types)
            for pid in sorted(built.projects_under.get(f.parent, ())):
                if pid not in built.inactive:
                    s.gap(f.error, scope=Location(account=pid), types=f.types)


def _scope_account(parent: str, numbers: dict[str, str | None]) -> str:
    """The account a failed listing's parent stands for: a project's ID, else organizations/N."""
    if parent.startswith("projects/"):
        return numbers.get(parent) or parent.split("/", 1)[1]
    return parent
