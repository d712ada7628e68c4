"""Kubernetes collector: live clusters through the official `kubernetes` client, or manifests.

Every request is a read (GET) issued through the client's configured REST client, so
kubeconfig auth (tokens, client certificates, exec plugins) and in-cluster service-account
config work as in any client. Lists are paginated with `limit`/`continue`. Objects are
kept in their API JSON shape (camelCase, as in a manifest) and normalised by
`normalize.build_resources`, the same code the manifest path uses.

Never read: Secret data. Secrets are listed only with `secret_metadata` set, and then as
`PartialObjectMetadataList` (metadata only) through the Accept header.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel

from auditor.evidence import SnapshotBuilder
from auditor.models import CollectionError, Location, Target
from auditor.providers import Progress
from auditor.providers.k8s import K8sOptions
from auditor.providers.k8s.kinds import BY_KIND, KINDS, Kind
from auditor.providers.k8s.manifests import read_manifests
from auditor.providers.k8s.normalize import PROVIDER, Estate, Obj, build_resources, scrub, scrub_list
from auditor.providers.k8s.resources import SECRET
from auditor.runtime import CollectRun, NullProgress

METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
USER_AGENT = "auditor-k8s/read-only"


class KubeError(Exception):
    """A request that did not return 2xx, classified for CollectionError.kind."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        self.status, self.kind, self.message = status, kind, message
        super().__init__(message)


def _classify(status: int) -> str:
    if status in (401, 403):
        return "access_denied"
    if status == 429:
        return "throttled"
    if status in (408, 504):
        return "timeout"
    return "error"


def _server_message(body: Any) -> str:
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        return str(body or "")[:300]
    return str(parsed.get("message", "")) if isinstance(parsed, dict) else ""


class Api:
    """GET-only access through a configured `kubernetes.client.ApiClient`."""

    def __init__(self, api_client: Any, timeout: float) -> None:
        self._client = api_client
        self._timeout = timeout

    def get(self, path: str, query: dict[str, Any] | None = None, accept: str | None = None) -> Any:
        import urllib3
        from kubernetes.client.exceptions import ApiException

        cfg = self._client.configuration
        headers = {"Accept": accept or "application/json", "User-Agent": USER_AGENT}
        for setting in cfg.auth_settings().values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[setting["key"]] = setting["value"]
        url = cfg.host.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
        try:
            r = self._client.rest_client.request("GET", url, headers=headers, _request_timeout=self._timeout)
        except ApiException as exc:  # older clients raise on non-2xx; SSL errors come as status 0
            status = int(exc.status or 0)
            kind = _classify(status) if status else "unreachable"
            raise KubeError(
                status, kind, f"{status} {exc.reason}: {_server_message(exc.body)}".strip()
            ) from None
        except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
            raise KubeError(0, "timeout", f"timed out: {exc}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise KubeError(
                0, "unreachable", f"cannot reach {cfg.host}: {type(exc).__name__}: {exc}"
            ) from None
        data = getattr(r, "data", None)
        if data is None:
            data = r.read()
        status = int(r.status)
        if not 200 <= status < 300:
            raise KubeError(
                status, _classify(status), f"{status} {r.reason}: {_server_message(data)}".strip()
            )
        return json.loads(data)


ClientFactory = Callable[[], Any]


def _module(name: str) -> Any:
    return importlib.import_module(name)


def kubeconfig_client(config_file: str | None, context: str | None) -> Any:
    config = _module("kubernetes.config")
    return config.new_client_from_config(config_file=config_file, context=context, persist_config=False)


def in_cluster_client(token_file: str | None = None, ca_file: str | None = None) -> Any:
    client = _module("kubernetes.client")
    incluster_config = _module("kubernetes.config.incluster_config")
    cfg = client.Configuration()
    incluster_config.InClusterConfigLoader(
        token_filename=token_file or incluster_config.SERVICE_TOKEN_FILENAME,
        cert_filename=ca_file or incluster_config.SERVICE_CERT_FILENAME,
    ).load_and_set(cfg)
    return client.ApiClient(configuration=cfg)


def _contexts(opts: K8sOptions) -> list[tuple[str, str | None, str | None]]:
    """(label, context, user) per target; raises for an unreadable kubeconfig."""
    config = _module("kubernetes.config")
    contexts, current = config.list_kube_config_contexts(config_file=opts.kubeconfig)
    by_name = {c["name"]: c for c in contexts or []}
    wanted: list[Any] = list(opts.context) if opts.context else [current["name"] if current else None]
    out: list[tuple[str, str | None, str | None]] = []
    for name in wanted:
        if name is None:
            raise ValueError("the kubeconfig has no current-context; pass --context")
        user = (by_name.get(name) or {}).get("context", {}).get("user")
        out.append((name, name, user))
    return out


def collect(
    options: BaseModel,
    run: CollectRun | SnapshotBuilder,
    progress: Progress | None = None,
    *,
    client_factory: Callable[[str | None], Any] | None = None,
) -> None:
    opts = options if isinstance(options, K8sOptions) else K8sOptions.model_validate(options.model_dump())
    if isinstance(run, CollectRun):
        sink, progress, client_factory = run.sink, run.progress, client_factory or run.clients
    else:  # transitional: (options, sink, progress)
        sink = run
    progress = progress or NullProgress()
    if opts.manifests:
        collect_manifests(opts, sink, progress)
        return
    if opts.in_cluster:
        label = opts.cluster_name or "in-cluster"
        factory = client_factory or (lambda _ctx: in_cluster_client())
        _collect_cluster(label, lambda: factory(None), "serviceaccount", opts, sink, progress)
        return
    try:
        targets = _contexts(opts)
    except Exception as exc:  # unreadable kubeconfig: one whole-target error
        label = ",".join(opts.context or []) or "kubeconfig"
        sink.add_target(Target(provider=PROVIDER, label=label, options=_target_options(opts, None)))
        sink.add_error(
            CollectionError(
                provider=PROVIDER,
                operation="kubeconfig.load",
                scope=Location(account=label),
                kind="error",
                message=f"cannot load kubeconfig {opts.kubeconfig or '(default)'}: {type(exc).__name__}: {exc}",
            )
        )
        return
    make: Callable[[str | None], Any] = client_factory or (
        lambda ctx: kubeconfig_client(opts.kubeconfig, ctx)
    )
    for label, context, user in targets:
        _collect_cluster(label, functools.partial(make, context), user, opts, sink, progress)


def _target_options(opts: K8sOptions, context: str | None) -> dict[str, Any]:
    return {
        "context": context,
        "in_cluster": opts.in_cluster,
        "namespaces": opts.namespaces,
        "secret_metadata": opts.secret_metadata,
        "kubeconfig": opts.kubeconfig,
    }


class _Cluster:
    def __init__(
        self, label: str, api: Api, identity: str | None, opts: K8sOptions, sink: SnapshotBuilder
    ) -> None:
        self.label, self.api, self.identity, self.opts, self.sink = label, api, identity, opts, sink
        self.estate = Estate(scope=label, live=True)
        self.errors: list[CollectionError] = []

    def error(self, operation: str, kind: str, message: str, rtypes: tuple[str, ...], ns: str | None) -> None:
        self.errors.append(
            CollectionError(
                provider=PROVIDER,
                operation=operation,
                scope=Location(account=self.label, region=ns),
                resource_types=rtypes,
                kind=kind,
                message=message,
            )
        )

    def record(self, operation: str, body: Any, params: dict[str, Any]) -> str:
        return self.sink.record(
            PROVIDER,
            operation,
            body,
            parameters=params,
            scope=Location(account=self.label),
            identity=self.identity,
        )

    def list_kind(
        self, k: Kind, ns: str | None, *, accept: str | None = None, field_selector: str | None = None
    ) -> list[Obj] | None:
        """All objects of one kind (paged). None when the API is not served (optional kinds)."""
        versions = (k.version, *k.fallback_versions)
        for i, version in enumerate(versions):
            path = k.list_path(ns, version)
            try:
                return self._pages(k, path, accept, field_selector)
            except KubeError as exc:
                if exc.status == 404 and i + 1 < len(versions):
                    continue
                if exc.status == 404 and k.optional:
                    self.record(
                        f"{k.group or 'core'}.{k.plural}.list",
                        {"served": False, "status": 404},
                        {"path": path},
                    )
                    return None
                raise
        return None  # pragma: no cover - the loop always returns or raises

    def _pages(self, k: Kind, path: str, accept: str | None, field_selector: str | None) -> list[Obj]:
        objs: list[Obj] = []
        token: str | None = None
        page = 0
        while True:
            query: dict[str, Any] = {"limit": self.opts.page_size}
            if token:
                query["continue"] = token
            if field_selector:
                query["fieldSelector"] = field_selector
            body = self.api.get(path, query, accept)
            if not isinstance(body, dict):
                raise KubeError(200, "error", f"{path}: the response is not a JSON object")
            items = [i for i in body.get("items") or [] if isinstance(i, dict)]
            for item in items:  # list items carry no kind/apiVersion of their own
                item["kind"] = k.kind
                item["apiVersion"] = body.get("apiVersion", k.api_version) if not accept else k.api_version
            clean = scrub_list(body)
            params: dict[str, Any] = {"path": path, "page": page}
            if field_selector:
                params["fieldSelector"] = field_selector
            ev = self.record(f"{k.group or 'core'}.{k.plural}.list", clean, params)
            objs.extend(Obj(scrub(o), ev) for o in clean["items"])
            token = (body.get("metadata") or {}).get("continue") or None
            page += 1
            if not token:
                return objs


def _collect_cluster(
    label: str,
    make_client: Callable[[], Any],
    identity: str | None,
    opts: K8sOptions,
    sink: SnapshotBuilder,
    progress: Progress,
) -> None:
    sink.add_target(Target(provider=PROVIDER, label=f"cluster {label}", options=_target_options(opts, label)))
    try:
        api = Api(make_client(), opts.timeout)
    except Exception as exc:
        sink.add_error(
            CollectionError(
                provider=PROVIDER,
                operation="client.configure",
                scope=Location(account=label),
                kind="error",
                message=f"cannot configure a client for {label}: {type(exc).__name__}: {exc}",
            )
        )
        return
    c = _Cluster(label, api, identity, opts, sink)
    progress.step(f"{label}: version")
    try:
        version = api.get("/version")
        c.estate.version = version
        c.estate.version_evidence = c.record("version.get", version, {"path": "/version"})
    except KubeError as exc:
        if exc.kind == "unreachable" or exc.status == 401:
            # Nothing else will work: one error for the whole target, no hammering.
            why = "credentials rejected (expired or invalid)" if exc.status == 401 else "cluster unreachable"
            sink.add_error(
                CollectionError(
                    provider=PROVIDER,
                    operation="version.get",
                    scope=Location(account=label),
                    kind=exc.kind,
                    message=f"{why}: {exc.message}",
                )
            )
            return
        c.error("version.get", exc.kind, exc.message, ("k8s.cluster", "k8s.node"), None)

    namespaces = opts.namespaces
    for k in KINDS:
        if k.opt_in and not opts.secret_metadata:
            c.error(
                f"core.{k.plural}.list",
                "not_collected",
                "Secret metadata is not read by default (listing Secrets returns their data too); scan with "
                "--secret-metadata and the opt-in role k8s-clusterrole-secret-metadata.yaml to evaluate these checks",
                (SECRET,),
                None,
            )
            continue
        scopes: list[str | None] = list(namespaces) if (k.namespaced and namespaces) else [None]
        for ns in scopes:
            progress.step(f"{label}: {k.plural}" + (f" in {ns}" if ns else ""))
            try:
                objs = _list_secret_metadata(c, k, ns) if k.kind == "Secret" else c.list_kind(k, ns)
            except KubeError as exc:
                c.estate.failed[(k.kind, ns)] = exc.message
                c.error(f"{k.group or 'core'}.{k.plural}.list", exc.kind, exc.message, (k.rtype,), ns)
                continue
            if objs is None:
                continue
            if k.kind == "Namespace" and namespaces:
                objs = [o for o in objs if o.name in namespaces]
            c.estate.objects.extend(objs)
    for r in build_resources(c.estate):
        sink.add_resource(r)
    for e in c.errors:
        sink.add_error(e)


def _list_secret_metadata(c: _Cluster, k: Kind, ns: str | None) -> list[Obj]:
    """Secret metadata only. The metadata view carries no `type`, so service-account token
    Secrets are listed a second time with a field selector on type."""
    objs = c.list_kind(k, ns, accept=METADATA_ONLY) or []
    tokens = c.list_kind(k, ns, accept=METADATA_ONLY, field_selector=f"type={SA_TOKEN_TYPE}") or []
    token_ids = {(o.namespace, o.name) for o in tokens}
    for o in objs:
        o.obj.pop("dataKeys", None)
        if (o.namespace, o.name) in token_ids:
            o.obj["type"] = SA_TOKEN_TYPE
    return objs


def collect_manifests(opts: K8sOptions, sink: SnapshotBuilder, progress: Progress) -> None:
    paths = list(opts.manifests or [])
    scope = "manifests"
    sink.add_target(
        Target(provider=PROVIDER, label=f"manifests {', '.join(paths)}", options={"manifests": paths})
    )
    docs, problems = read_manifests(paths)
    estate = Estate(scope=scope, live=False)
    by_file: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for d in docs:
        if d.obj.get("kind") not in BY_KIND:
            continue  # kinds no check reads (ConfigMaps...) are neither kept nor recorded
        by_file.setdefault(d.source.split("#", 1)[0], []).append((d.source, scrub(d.obj)))
    for file, items in by_file.items():
        progress.step(f"manifests: {file}")
        ev = sink.record(
            PROVIDER,
            "manifests.read",
            {"documents": [{"source": s, "object": o} for s, o in items]},
            parameters={"file": file},
            scope=Location(account=scope),
        )
        estate.objects.extend(Obj(o, ev, s) for s, o in items)
    for r in build_resources(estate):
        sink.add_resource(r)
    for p in problems:
        k = BY_KIND.get(p.kind or "")
        sink.add_error(
            CollectionError(
                provider=PROVIDER,
                operation="manifests.parse",
                scope=Location(account=scope),
                resource_types=(k.rtype,) if k else (),
                kind="error",
                message=f"{p.source}: {p.message}",
            )
        )
