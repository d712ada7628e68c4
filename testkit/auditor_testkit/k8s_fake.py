"""A local HTTPS server that speaks the Kubernetes API shape, for kinds the real test
apiserver (1.20) does not serve: ValidatingAdmissionPolicy v1, batch/v1 CronJob, a modern
version with Pod Security admission. Built on :class:`auditor_testkit.fakeapi.FakeAPI` (TLS from
a trustme CA).

Like the real server it: authenticates bearer tokens (401 Status otherwise), authorizes per
(user, group, resource) (403 Status with the real message), pages lists with `limit` and an
opaque `continue` token (with `remainingItemCount`), omits kind/apiVersion on list items,
serves `PartialObjectMetadataList` when the Accept header asks for it and *full Secrets,
data included, when it does not* (so a collector that forgot would leak the canaries), and
filters Secrets by `fieldSelector=type=...`. Every request is logged (``seen``) for the
permission test. Each list route is named after the collector's operation
(``networking.k8s.io.networkpolicies.list``), so faults can target one kind.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.providers.k8s.kinds import KINDS, Kind
from auditor_testkit.fakeapi import FakeAPI, Request, Response, paginate

__all__ = ["FakeKube", "Seen"]

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


@dataclass(frozen=True)
class Seen:
    user: str
    method: str
    path: str
    group: str | None  # None for non-resource URLs
    resource: str | None
    verb: str
    accept: str
    query: dict[str, str]


class FakeKube(FakeAPI):
    name = "fake"  # the CA is written to <workdir>/fake-ca.pem

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]],
        version: str = "v1.35.1",
        tokens: Mapping[str, str] | None = None,  # token -> user
        forbidden: Mapping[str, set[tuple[str, str]]] | None = None,  # user -> {(group, plural)}
    ) -> None:
        super().__init__(tls=True)
        self.version = version
        self.tokens = dict(tokens or {})
        self.forbidden = dict(forbidden or {})
        self._store: dict[str, list[dict[str, Any]]] = {}
        for i, raw in enumerate(objects):
            obj = copy.deepcopy(dict(raw))
            meta = obj.setdefault("metadata", {})
            meta.setdefault("uid", str(uuid.UUID(int=i + 1)))
            meta.setdefault("resourceVersion", str(1000 + i))
            meta.setdefault("creationTimestamp", "2026-10-30T12:00:00Z")
            if obj.get("kind") == "Secret" and "stringData" in obj:
                data = obj.setdefault("data", {})
                for k, v in obj.pop("stringData").items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
            self._store.setdefault(obj["kind"], []).append(obj)
        self._kinds: dict[str, Kind] = {}
        self.add_route("GET", "/version", self._version, name="version")
        for kind in KINDS:
            base = f"/apis/{kind.group}/{kind.version}" if kind.group else f"/api/{kind.version}"
            name = f"{kind.group or 'core'}.{kind.plural}.list"
            self._kinds[name] = kind
            self.add_route("GET", f"{base}/{kind.plural}", self._list, name=name)
            self.add_route("GET", f"{base}/namespaces/{{ns}}/{kind.plural}", self._list, name=name)

    def kubeconfig(self, path: Path, contexts: dict[str, str]) -> Path:
        """A kubeconfig with one context per (name -> token)."""
        cfg = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": "fake", "cluster": {"server": self.url, "certificate-authority": str(self.ca_file)}}
            ],
            "users": [{"name": n, "user": {"token": t}} for n, t in contexts.items()],
            "contexts": [{"name": n, "context": {"cluster": "fake", "user": n}} for n in contexts],
            "current-context": next(iter(contexts)),
        }
        path.write_text(json.dumps(cfg))
        return path

    # ------------------------------------------------------------------------------ the log
    @property
    def seen(self) -> list[Seen]:
        """Every request so far, as the permission test reads it."""
        return [self._seen(r) for r in self.requests]

    def _user(self, request: Request) -> str | None:
        scheme, _, token = request.header("Authorization").partition(" ")
        return self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None  # case-insensitive

    def _seen(self, request: Request) -> Seen:
        kind = self._kinds.get(request.route or "")
        return Seen(
            user=self._user(request) or "?",
            method=request.method,
            path=request.path,
            group=kind.group if kind else None,
            resource=kind.plural if kind else None,
            verb="list" if kind else "get",
            accept=request.header("Accept"),
            query={k: v[-1] for k, v in request.query.items()},
        )

    # ------------------------------------------------------------------------------ answers
    def error_response(self, request: Request, status: int, message: str) -> Response:
        reason = _REASONS.get(status, "Unknown")
        return Response(
            status,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": message,
                "reason": reason,
                "code": status,
            },
        )

    def not_found(self, request: Request) -> Response:
        return self.error_response(request, 404, "the server could not find the requested resource")

    def before(self, request: Request) -> Response | None:
        if self._user(request) is None:
            return self.error_response(request, 401, "Unauthorized")
        return None

    def _version(self, request: Request) -> Response:
        major, minor = self.version.lstrip("v").split(".")[:2]
        return Response(
            200, {"major": major, "minor": minor, "gitVersion": self.version, "platform": "linux/amd64"}
        )

    def _list(self, request: Request) -> Response:
        kind = self._kinds[str(request.route)]
        ns = request.params.get("ns")
        user = self._user(request)
        if (kind.group, kind.plural) in self.forbidden.get(str(user), set()):
            where = f'in the namespace "{ns}"' if ns else "at the cluster scope"
            return self.error_response(
                request,
                403,
                f'{kind.plural} is forbidden: User "{user}" cannot list resource "{kind.plural}" '
                f'in API group "{kind.group}" {where}',
            )
        items = [
            o for o in self._store.get(kind.kind, []) if ns is None or o["metadata"].get("namespace") == ns
        ]
        selector = request.arg("fieldSelector") or ""
        if selector.startswith("type="):
            items = [o for o in items if o.get("type") == selector.removeprefix("type=")]
        page = paginate(items, request.arg("continue"), request.int_arg("limit"), scope=request.path)
        meta: dict[str, Any] = {"resourceVersion": "5000"}
        if page.next_token:
            meta["continue"] = page.next_token
            meta["remainingItemCount"] = page.remaining
        out = []
        metadata_only = "as=PartialObjectMetadataList" in request.header("Accept")
        for o in page.items:
            o = copy.deepcopy(o)
            o.pop("kind", None)
            o.pop("apiVersion", None)
            if metadata_only:
                o = {
                    "apiVersion": "meta.k8s.io/v1",
                    "kind": "PartialObjectMetadata",
                    "metadata": o["metadata"],
                }
            out.append(o)
        if metadata_only:
            return Response(
                200,
                {
                    "apiVersion": "meta.k8s.io/v1",
                    "kind": "PartialObjectMetadataList",
                    "metadata": meta,
                    "items": out,
                },
            )
        return Response(
            200, {"apiVersion": kind.api_version, "kind": f"{kind.kind}List", "metadata": meta, "items": out}
        )
