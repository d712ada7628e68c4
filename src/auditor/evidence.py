"""Evidence records: canonical JSON, SHA-256, and the builder collectors write into."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from auditor.models import (
    JSON,
    CollectionError,
    CollectionExclusion,
    Evidence,
    Location,
    Resource,
    SkippedScope,
    Snapshot,
    Target,
    utcnow,
)
from auditor.redact import Redactor


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_jsonable(value: Any) -> JSON:
    """Turn an API response (datetimes, bytes, tuples...) into plain JSON values."""
    return json.loads(json.dumps(value, default=_default))


def canonical_json(value: JSON) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_of(value: JSON) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def evidence_id(provider: str, operation: str, parameters: dict[str, JSON], scope: Location) -> str:
    """A stable id named by what was read, not by call order: re-recording gives the same ids."""
    key = canonical_json({"p": provider, "o": operation, "a": parameters, "s": [scope.account, scope.region]})
    return f"{provider}.{operation}.{hashlib.sha256(key).hexdigest()[:16]}"


class SnapshotBuilder:
    """Where collectors put what they read. Thread-safe; redacts before anything is kept."""

    def __init__(self, tool_version: str = "", redactor: Redactor | None = None) -> None:
        self._lock = threading.Lock()
        self._redactor = redactor or Redactor()
        self._resources: list[Resource] = []
        self._evidence: dict[str, Evidence] = {}
        self._errors: list[CollectionError] = []
        self._exclusions: list[CollectionExclusion] = []
        self._skipped: list[SkippedScope] = []
        self._targets: list[Target] = []
        self._units: set[str] = set()
        self._tool_version = tool_version
        self._created_at = utcnow()

    def add_target(self, target: Target) -> None:
        """Keep `target`, its options redacted (a plug-in's option may name a secret)."""
        clean, count = self._redactor.redact(target.options)
        if count:
            target = target.model_copy(update={"options": clean})
        with self._lock:
            self._targets.append(target)

    def record(
        self,
        provider: str,
        operation: str,
        body: Any,
        *,
        parameters: dict[str, Any] | None = None,
        scope: Location | None = None,
        identity: str | None = None,
        extra_secret_paths: Iterable[str] = (),
    ) -> str:
        """Store one API response as evidence (redacted, hashed) and return its id."""
        scope = scope or Location()
        params = to_jsonable(parameters or {})
        clean, count = self._redactor.redact(to_jsonable(body), extra_secret_paths)
        clean_params, pcount = self._redactor.redact(params)
        ev_id = evidence_id(provider, operation, clean_params, scope)
        ev = Evidence(
            id=ev_id,
            provider=provider,
            operation=operation,
            parameters=clean_params,
            scope=scope,
            collected_at=utcnow(),
            identity=identity,
            body=clean,
            sha256=sha256_of(clean),
            redactions=count + pcount,
        )
        with self._lock:
            self._evidence[ev_id] = ev
        return ev_id

    def add_resource(self, resource: Resource) -> None:
        clean, _ = self._redactor.redact(to_jsonable(resource.attributes))
        if clean != resource.attributes:
            resource = resource.model_copy(update={"attributes": clean})
        with self._lock:
            self._resources.append(resource)

    def add_error(self, error: CollectionError) -> None:
        with self._lock:
            self._errors.append(error)

    def add_exclusion(self, exclusion: CollectionExclusion) -> None:
        with self._lock:
            self._exclusions.append(exclusion)

    def add_unit(self, key: str) -> None:
        """A unit of a sharded scan that this shard owns and collects (see auditor.sharding)."""
        with self._lock:
            self._units.add(key)

    def add_skipped(self, skipped: SkippedScope) -> None:
        with self._lock:
            self._skipped.append(skipped)

    @property
    def errors(self) -> list[CollectionError]:
        with self._lock:
            return list(self._errors)

    def build(self) -> Snapshot:
        with self._lock:
            return Snapshot(
                tool_version=self._tool_version,
                created_at=self._created_at,
                targets=list(self._targets),
                resources=list(self._resources),
                evidence=list(self._evidence.values()),
                errors=list(self._errors),
                exclusions=list(self._exclusions),
                skipped=list(self._skipped),
                shard_units=sorted(self._units) if self._units else None,
            )
