"""Kubernetes collector: live clusters through the official `kubernetes` client, or manifests.

Every request is a read (GET) issued through the client's configured REST client, so
kubeconfig auth (tokens, client certificates, exec plugins) and in-cluster service-account
config work as in any client. Objects are kept in their API JSON shape (camelCase, as in a
manifest) and normalised by `normalize.build_resources`, the same code the manifest path uses.

One `auditor.runtime.Session` per cluster: `/version` is read first (an unreachable cluster or
rejected credentials stop there, as one error for the whole target), then every kind (x
namespace, with `namespaces`) is listed as its own task on the session's scheduler, at most
`concurrency` at a time, each paging with `limit`/`continue`. Each page is one call: counted,
classified into an `ErrorKind`, and stored as evidence after scrubbing. A 429 is retried as
the server asks (Retry-After) by urllib3 itself (3 times), then once more by the session; a
page still throttled after that is a `throttled` gap for its kind and namespace.

Never read: Secret data. Secrets are listed only with `secret_metadata` set, and then as
`PartialObjectMetadataList` (metadata only) through the Accept header. Without it the
Secret type is recorded as deliberately excluded (`Session.exclude`), not as an error.

`CollectRun.clients`, when a test or a library caller injects it, is a `ClientFactory`:
context name (None for in-cluster) -> a configured `kubernetes.client.ApiClient`.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlencode

from pydantic import BaseModel

from auditor.models import ErrorKind, Location
from auditor.providers.k8s import K8sOptions
from auditor.providers.k8s.kinds import BY_KIND, KINDS, Kind
from auditor.providers.k8s.kubeconfig import KubeconfigProblem, check_kubeconfig
from auditor.providers.k8s.manifests import (
    ManifestDoc,
    ManifestProblem,
    Source,
    manifest_inputs,
    read_inputs,
    read_source,
)
from auditor.providers.k8s.normalize import (
    PROVIDER,
    Builder,
    Estate,
    Obj,
    address_of,
    build_resources,
    prepare,
    scrub,
    scrub_list,
    template_path,
)
from auditor.providers.k8s.resources import CLUSTER, NODE, SECRET, TYPES, WORKLOAD
from auditor.providers.k8s.whoami import authenticated_as
from auditor.runtime import (
    CallFailed,
    CollectRun,
    RetryPolicy,
    Session,
    kind_for_status,
    retry_after_seconds,
)

METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
USER_AGENT = "auditor-k8s/read-only"
NOT_SERVED = {"served": False, "status": 404}
SECRETS_EXCLUDED = (
    "Secret metadata is not read by default (the RBAC permission to list Secrets also grants their "
    "data); scan with --secret-metadata and the opt-in role k8s-clusterrole-secret-metadata.yaml "
    "to evaluate these checks"
)

ClientFactory = Callable[[str | None], Any]


class ApiStatus(Exception):
    """A response that is not 2xx; status 0 means no HTTP response at all (TLS failure)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    """The ErrorKind of what `Api.get`, the kubernetes client and urllib3 raise; None leaves
    the rest (sockets, timeouts, bugs) to the runtime's default."""
    if isinstance(exc, ApiStatus):
        return kind_for_status(exc.status), exc.message
    import urllib3

    errors = urllib3.exceptions
    cause = exc.reason if isinstance(exc, errors.MaxRetryError) and exc.reason is not None else exc
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: a refusal is no timeout.
    if isinstance(cause, errors.TimeoutError) and not isinstance(cause, errors.NewConnectionError):
        return ErrorKind.TIMEOUT, f"timed out: {cause}"
    if isinstance(exc, errors.HTTPError):
        return ErrorKind.UNREACHABLE, f"cannot reach the API server: {type(cause).__name__}: {cause}"
    return None


def _server_message(body: Any) -> str:
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        return str(body or "")[:300]
    return str(parsed.get("message", "")) if isinstance(parsed, dict) else ""


class Api:
    """GET-only access through a configured `kubernetes.client.ApiClient` (thread-safe)."""

    def __init__(self, api_client: Any, timeout: float, on_request: Callable[[int], None]) -> None:
        self._client = api_client
        self._timeout = timeout
        self._on_request = on_request
        self._auth_lock = threading.Lock()  # credential refresh hooks (exec plugins) run here

    def _headers(self, accept: str | None) -> dict[str, str]:
        headers = {"Accept": accept or "application/json", "User-Agent": USER_AGENT}
        with self._auth_lock:
            settings = self._client.configuration.auth_settings()
        for setting in settings.values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        return headers

    def get(self, path: str, query: dict[str, Any] | None = None, accept: str | None = None) -> Any:
        from kubernetes.client.exceptions import ApiException

        cfg = self._client.configuration
        url = cfg.host.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
        headers = self._headers(accept)
        try:
            r = self._client.rest_client.request("GET", url, headers=headers, _request_timeout=self._timeout)
        except ApiException as exc:
            self._on_request(1)  # older clients raise on non-2xx; TLS errors come as status 0
            status = int(exc.status or 0)
            if not status:
                raise ApiStatus(0, f"cannot reach {cfg.host}: {exc.reason}") from None
            headers_in = exc.headers or {}
            raise ApiStatus(
                status,
                f"{status} {exc.reason}: {_server_message(exc.body)}".strip(),
                retry_after_seconds(headers_in.get("Retry-After")),
            ) from None
        except Exception:
            self._on_request(1)
            raise
        # urllib3 retries 429/503 with Retry-After by itself: count those requests too
        retries = getattr(getattr(r, "response", None), "retries", None)
        self._on_request(1 + len(getattr(retries, "history", ()) or ()))
        data = getattr(r, "data", None)
        if data is None:
            data = r.read()
        status = int(r.status)
        if not 200 <= status < 300:
            raise ApiStatus(
                status,
                f"{status} {r.reason}: {_server_message(data)}".strip(),
                retry_after_seconds((getattr(r, "headers", None) or {}).get("Retry-After")),
            )
        return json.loads(data)


def _module(name: str) -> Any:
    return importlib.import_module(name)


def kubeconfig_client(config_file: str | None, context: str | None) -> Any:
    config = _module("kubernetes.config")
    return config.new_client_from_config(config_file=config_file, context=context, persist_config=False)


def in_cluster_client(
    token_file: str | None = None, ca_file: str | None = None, environ: Mapping[str, str] | None = None
) -> Any:
    """A client from the pod's service-account token and CA, and KUBERNETES_SERVICE_HOST/PORT
    from `environ` (default: the process environment)."""
    client = _module("kubernetes.client")
    incluster_config = _module("kubernetes.config.incluster_config")
    cfg = client.Configuration()
    incluster_config.InClusterConfigLoader(
        token_filename=token_file or incluster_config.SERVICE_TOKEN_FILENAME,
        cert_filename=ca_file or incluster_config.SERVICE_CERT_FILENAME,
        environ=os.environ if environ is None else environ,
    ).load_and_set(cfg)
    return client.ApiClient(configuration=cfg)


def _contexts(opts: K8sOptions) -> list[tuple[str, str | None]]:
    """(context, user) per target; raises for an unreadable kubeconfig."""
    config = _module("kubernetes.config")
    check_kubeconfig(opts.kubeconfig)  # a wrong shape is named by entry, not a TypeError from the client
    contexts, current = config.list_kube_config_contexts(config_file=opts.kubeconfig)
    by_name = {c["name"]: c for c in contexts or []}
    wanted: list[Any] = list(opts.context) if opts.context else [current["name"] if current else None]
    out: list[tuple[str, str | None]] = []
    for name in wanted:
        if name is None:
            raise ValueError("the kubeconfig has no current-context; pass --context")
        out.append((name, (by_name.get(name) or {}).get("context", {}).get("user")))
    return out


def collect(options: BaseModel, run: CollectRun) -> None:
    """Collect every target `options` names into `run.sink` (see the module docstring)."""
    opts = options if isinstance(options, K8sOptions) else K8sOptions.model_validate(options.model_dump())
    if opts.manifests:
        collect_manifests(opts, run)
        return
    factory: ClientFactory | None = run.clients
    if opts.in_cluster:
        make = factory or (lambda _ctx: in_cluster_client())
        _collect_cluster(opts.cluster_name or "in-cluster", lambda: make(None), "serviceaccount", opts, run)
        return
    try:
        targets = _contexts(opts)
    except Exception as exc:  # unreadable kubeconfig: one whole-target error
        label = ",".join(opts.context or []) or "kubeconfig"
        with Session(PROVIDER, run) as session:
            session.error(
                "kubeconfig.load",
                ErrorKind.ERROR,
                f"cannot load kubeconfig {exc}"  # it names the file and the entry
                if isinstance(exc, KubeconfigProblem)
                else f"cannot load kubeconfig {opts.kubeconfig or '(default)'}: {type(exc).__name__}: {exc}",
                scope=Location(account=label),
            )
            session.add_target(label, _target_options(opts, None), with_stats=False)
        return
    make_ctx: ClientFactory = factory or (lambda ctx: kubeconfig_client(opts.kubeconfig, ctx))
    for context, user in targets:
        _collect_cluster(str(context), functools.partial(make_ctx, context), user, opts, run)


def _target_options(opts: K8sOptions, context: str | None) -> dict[str, Any]:
    return {
        "context": context,
        "in_cluster": opts.in_cluster,
        "namespaces": opts.namespaces,
        "secret_metadata": opts.secret_metadata,
        "kubeconfig": opts.kubeconfig,
        "concurrency": opts.concurrency,
    }


@dataclass
class _Listing:
    """One list task: a kind in a namespace (None: cluster-wide), and what it found."""

    kind: Kind
    namespace: str | None
    objects: list[Obj] | None = None  # None: the API is not served (an optional kind)
    failed: CallFailed | None = None
    done: bool = False


class _Cluster:
    def __init__(self, label: str, session: Session, api: Api, opts: K8sOptions) -> None:
        self.label, self.session, self.api, self.opts = label, session, api, opts
        self.scope = Location(account=label)

    def list_kind(
        self, k: Kind, ns: str | None, *, accept: str | None = None, field_selector: str | None = None
    ) -> list[Obj] | None:
        """All objects of one kind (paged). None when the API is not served (optional kinds)."""
        versions = (k.version, *k.fallback_versions)
        for i, version in enumerate(versions):
            last = i + 1 == len(versions)
            try:
                return self._pages(k, k.list_path(ns, version), accept, field_selector, last and k.optional)
            except CallFailed as err:
                if err.status == 404 and not last:
                    continue  # an older API version may serve it (CronJob batch/v1beta1 on <1.21)
                raise
        return None  # pragma: no cover - the loop always returns or raises

    def _pages(
        self, k: Kind, path: str, accept: str | None, field_selector: str | None, optional: bool
    ) -> list[Obj] | None:
        operation = f"{k.group or 'core'}.{k.plural}.list"
        objs: list[Obj] = []
        token: str | None = None
        page = 0
        while True:
            query: dict[str, Any] = {"limit": self.opts.page_size}
            if token:
                query["continue"] = token
            if field_selector:
                query["fieldSelector"] = field_selector
            params: dict[str, Any] = {"path": path, "page": page}
            if field_selector:
                params["fieldSelector"] = field_selector
            called = self.session.call(
                operation,
                functools.partial(self._page, k, path, query, accept),
                scope=self.scope,
                params=params,
                absent=_not_served if optional and page == 0 else None,
                record=False,
            )
            if called.body is None:
                return None  # 404 on an optional kind: recorded as not served, so none exist
            body = called.body
            evidence = self.session.record(operation, scrub_list(body), scope=self.scope, params=params)
            for item in body["items"]:
                obj = prepare(item, evidence)
                if isinstance(obj, Obj):
                    objs.append(obj)
                else:
                    self.malformed(k, path, item, obj)
            token = (body.get("metadata") or {}).get("continue") or None
            page += 1
            if not token:
                return objs

    def _page(self, k: Kind, path: str, query: dict[str, Any], accept: str | None) -> dict[str, Any]:
        return _stamp_page(k, path, self.api.get(path, query, accept), accept)

    def malformed(self, k: Kind, path: str, item: dict[str, Any], problems: list[str]) -> None:
        """An object the API served in a shape normalisation cannot judge (a bug somewhere): named,
        never judged, and its kind's checks report error."""
        self.session.error(
            f"{k.group or 'core'}.{k.plural}.list",
            ErrorKind.ERROR,
            f"{path}: {address_of(item)}: {'; '.join(problems)}",
            scope=Location(account=self.label, region=(item.get("metadata") or {}).get("namespace")),
            types=k.types,
        )

    def list_task(self, listing: _Listing) -> None:
        k, ns = listing.kind, listing.namespace
        self.session.progress.step(f"{self.label}: {k.plural}" + (f" in {ns}" if ns else ""))
        try:
            if k.kind == "Secret":
                listing.objects = self._secret_metadata(k, ns)
            else:
                listing.objects = self.list_kind(k, ns)
        except CallFailed as err:
            listing.failed = err
        listing.done = True

    def _secret_metadata(self, k: Kind, ns: str | None) -> list[Obj]:
        """Secret metadata only. The metadata view carries no `type`, so service-account token
        Secrets are listed a second time with a field selector on type."""
        objs = self.list_kind(k, ns, accept=METADATA_ONLY) or []
        tokens = self.list_kind(k, ns, accept=METADATA_ONLY, field_selector=f"type={SA_TOKEN_TYPE}") or []
        token_ids = {(o.namespace, o.name) for o in tokens}
        for o in objs:
            o.obj.pop("dataKeys", None)
            if (o.namespace, o.name) in token_ids:
                o.obj["type"] = SA_TOKEN_TYPE
        return objs


def _not_served(exc: BaseException) -> dict[str, Any] | None:
    return dict(NOT_SERVED) if isinstance(exc, ApiStatus) and exc.status == 404 else None


def _stamp_page(k: Kind, path: str, body: Any, accept: str | None) -> dict[str, Any]:
    """A list page with its items stamped with their kind (list items carry none of their own).
    It is recorded as evidence scrubbed (`scrub_list`), and its items are prepared one by one."""
    if not isinstance(body, dict):
        raise ApiStatus(200, f"{path}: the response is not a JSON object")
    items = [i for i in body.get("items") or [] if isinstance(i, dict)]
    for item in items:
        item["kind"] = k.kind
        item["apiVersion"] = body.get("apiVersion", k.api_version) if not accept else k.api_version
    return {**body, "items": items}


def _collect_cluster(
    label: str, make_client: Callable[[], Any], identity: str | None, opts: K8sOptions, run: CollectRun
) -> None:
    with Session(
        PROVIDER,
        run,
        classify=classify,
        concurrency=opts.concurrency,
        identity=identity,
        retry=RetryPolicy(attempts=2),  # on top of urllib3's own 3 retries of a 429
    ) as session:
        if not session.owns(Location(account=label), TYPES.names):
            return  # sharded: another shard reads this cluster (the unit is the cluster)
        try:
            _read_cluster(label, make_client, opts, session)
        finally:
            session.wait()
            session.add_target(f"cluster {label}", _target_options(opts, label))


def _read_cluster(label: str, make_client: Callable[[], Any], opts: K8sOptions, session: Session) -> None:
    scope = Location(account=label)
    if not opts.secret_metadata:
        session.exclude([SECRET], scope=scope, reason=SECRETS_EXCLUDED)
    try:
        api_client = make_client()
        api = Api(api_client, opts.timeout, session.stats.request)
    except Exception as exc:
        session.error(
            "client.configure",
            ErrorKind.ERROR,
            f"cannot configure a client for {label}: {type(exc).__name__}: {exc}",
            scope=scope,
        )
        return
    # The chain of custody names the user the API server sees, not only the kubeconfig entry.
    if who := authenticated_as(api_client):
        session.identity = f"{session.identity} (as {who})" if session.identity else who
    estate = Estate(scope=label, live=True, namespaces=list(opts.namespaces) if opts.namespaces else None)
    session.progress.step(f"{label}: version")
    try:
        version = session.call(
            "version.get", lambda: api.get("/version"), scope=scope, params={"path": "/version"}
        )
        estate.version, estate.version_evidence = version.body, version.evidence
    except CallFailed as err:
        if err.kind == ErrorKind.UNREACHABLE or err.status == 401:
            # Nothing else will work: one error for the whole target, no hammering.
            why = "credentials rejected (expired or invalid)" if err.status == 401 else "cluster unreachable"
            session.error(err.operation, err.kind, f"{why}: {err.message}", scope=scope)
            return
        session.gap(err, scope=scope, types=(CLUSTER, NODE))

    cluster = _Cluster(label, session, api, opts)
    listings = [
        _Listing(k, ns)
        for k in KINDS
        if opts.secret_metadata or not k.opt_in
        for ns in (list(opts.namespaces) if (k.namespaced and opts.namespaces) else [None])
    ]
    for listing in listings:
        session.submit(cluster.list_task, listing, scope=Location(account=label, region=listing.namespace))
    session.wait()
    # In KINDS order whatever order the tasks finished in: the snapshot is the same every run.
    for listing in listings:
        k, ns = listing.kind, listing.namespace
        if listing.failed is not None or not listing.done:
            # (a task that crashed was recorded by the session for its whole scope)
            why = listing.failed.message if listing.failed else "the collector task crashed"
            estate.failed[(k.kind, ns)] = why
            if listing.failed is not None:
                session.gap(listing.failed, scope=Location(account=label, region=ns), types=k.types)
            continue
        objs = listing.objects
        if objs is None:
            estate.not_served.add(k.kind)  # an optional API this cluster does not serve
            continue
        if k.kind == "Namespace" and opts.namespaces:
            objs = [o for o in objs if o.name in opts.namespaces]
        estate.objects.extend(objs)
    for r in build_resources(estate):
        session.add(r)
    for o, why in estate.unbuilt:
        session.error(
            "normalize", ErrorKind.ERROR, f"{o.address}: {why}", scope=scope, types=BY_KIND[o.kind].types
        )


MANIFESTS = "manifests"
UNREAD = "objects of this kind are not read: no check judges them"


@dataclass
class _Manifests:
    """One manifests target being read: the estate, what was left unread, what was wrong."""

    session: Session
    scope: Location
    estate: Estate
    builder: Builder  # objects are normalised as they are read, one file at a time
    unread: dict[str, list[str]]  # kind -> files it appeared in (one entry per object)

    def problem(self, p: ManifestProblem, operation: str = "manifests.parse") -> None:
        k = BY_KIND.get(p.kind or "")
        self.session.error(operation, ErrorKind.ERROR, p.text, scope=self.scope, types=k.types if k else ())

    def read(self, src: Source) -> None:
        self.session.progress.step(f"manifests: {src.name}")
        objects: list[tuple[ManifestDoc, dict[str, Any]]] = []
        documents = 0
        for item in read_source(src):
            if isinstance(item, ManifestProblem):
                self.problem(item)
                continue
            documents += 1
            kind = str(item.obj.get("kind"))
            if kind not in BY_KIND and template_path(item.obj) is None:
                self.unread.setdefault(kind, []).append(src.name)
                continue
            objects.append((item, item.obj))
        evidence = self.record(src, documents, objects)
        for doc, raw in objects:
            obj = prepare(raw, evidence, doc.location)
            if isinstance(obj, Obj):
                if not obj.name:
                    self.problem(
                        ManifestProblem(doc.source, f"{obj.kind} has no metadata.name", line=doc.start_line)
                    )
                    continue
                for r in self.builder.add(obj):
                    self.session.add(r)
            else:
                where = f"{address_of(raw)}: {'; '.join(obj)}"
                k = BY_KIND.get(str(raw.get("kind")))
                self.problem(
                    ManifestProblem(doc.source, where, k.kind if k else None, doc.start_line),
                    "manifests.shape",
                )

    def record(self, src: Source, documents: int, objects: list[tuple[ManifestDoc, dict[str, Any]]]) -> str:
        """A file in the tree being judged is recorded by path and SHA-256 (anyone can re-hash it),
        not copied; stdin and rendered kustomize output, which cannot be re-read, are kept scrubbed."""
        body: dict[str, Any] = {
            "source": src.name,
            "origin": src.origin,
            "sha256": src.sha256,
            "bytes": len(src.data),
            "documents": documents,
            "objects": len(objects),
        }
        if src.origin != "file":
            body["content"] = [{"source": d.source, "object": scrub(o)} for d, o in objects]
        return self.session.record("manifests.read", body, scope=self.scope, params={"file": src.name})


def collect_manifests(opts: K8sOptions, run: CollectRun, stdin: BinaryIO | None = None) -> None:
    """Read the manifests `opts.manifests` names (one input at a time), then normalise them as one
    estate. A path that names nothing is a ConfigError (exit 2), raised before anything is read."""
    paths = list(opts.manifests or [])
    inputs, input_problems = manifest_inputs(paths)
    scope = Location(account=MANIFESTS)
    with Session(PROVIDER, run) as session:
        estate = Estate(scope=MANIFESTS, live=False)
        m = _Manifests(session, scope, estate, Builder(estate), {})
        for p in input_problems:
            m.problem(p)
        for src in read_inputs(inputs, stdin):
            if isinstance(src, ManifestProblem):
                m.problem(src)
            else:
                m.read(src)
        for r in m.builder.finish():
            session.add(r)
        for o, why in m.estate.unbuilt:
            src_text = o.source.text if o.source is not None else o.address
            k = BY_KIND.get(o.kind)
            types = k.types if k is not None else (WORKLOAD,)  # an unknown kind with a pod template
            session.error("normalize", ErrorKind.ERROR, f"{src_text}: {why}", scope=scope, types=types)
        for kind, files in sorted(m.unread.items()):
            where = sorted(set(files))
            session.exclude(
                [f"k8s.unread/{kind}"],
                scope=scope,
                reason=f"{len(files)} {kind} object{'s' if len(files) != 1 else ''} in {len(where)} "
                f"file{'s' if len(where) != 1 else ''} ({', '.join(where[:3])}{', ...' if len(where) > 3 else ''}): {UNREAD}",
            )
        session.add_target(
            f"manifests {', '.join(paths)}",
            {"manifests": paths, "unread_kinds": {k: len(v) for k, v in sorted(m.unread.items())}},
            with_stats=False,
        )
