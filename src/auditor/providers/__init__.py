"""Providers: one package per platform (`aws`, `vault`, `k8s`, ...), each the one home for its
collector, its options, its resource types, its derive steps and its checks.

A provider package exposes `PROVIDER: ProviderSpec` from its `__init__`, which must stay light
(no SDK imports): the collector, the resource types and the derive steps are named by import
path and loaded only when needed, so `auditor controls lint` or an offline re-evaluation never
needs boto3 or hvac. Check modules are the package's modules named `checks*`.

Built-in providers live below `auditor.providers`. Other packages add providers without any
edit here, through the `auditor.providers` entry-point group (`name = "pkg:PROVIDER"`) or, for
local development and tests, `AUDITOR_PROVIDERS=pkg.module:PROVIDER,...`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from auditor.errors import UsageError
from auditor.runtime.progress import NullProgress, Progress

if TYPE_CHECKING:
    from auditor.contracts import TypeSet
    from auditor.derive import Deriver
    from auditor.runtime.session import CollectRun

__all__ = ["Collector", "NullProgress", "Progress", "ProviderSpec", "discover_providers"]

Collector = Callable[[BaseModel, "CollectRun"], None]

ENTRY_POINT_GROUP = "auditor.providers"
ENV_PROVIDERS = "AUDITOR_PROVIDERS"


def _load(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


@dataclass(frozen=True)
class ProviderSpec:
    """Everything the core needs to know about a provider, by import path.

    - `collector`: "module:function" taking (options, CollectRun);
    - `package`: where its `checks*` modules are (default: the package of `collector`);
    - `types`: "module:NAME" of its `TypeSet` (resource contracts);
    - `derivers`: "module:NAME" of a sequence of `Deriver`s run over every snapshot;
    - `crosswalk`: a crosswalk YAML shipped inside the package (built-in providers keep theirs
      in `controls/crosswalk/<name>.yaml`);
    - `extra`: the pip extra that brings its SDK, for the error message when it is missing;
    - `plan_adapter`: "module:function" mapping a read Terraform plan (`auditor.terraform.Plan`)
      onto this provider's resource types (`adapt(plan) -> Iterable[Resource]`), so its checks
      judge plans too; each provider maps only its own Terraform resource types.
    - `shards_units`: its collector honours `CollectRun.owns` per unit (account / project /
      cluster x region); otherwise a sharded scan collects each of its targets whole, in the one
      shard that owns the target (see `auditor.sharding`).
    """

    name: str
    title: str
    options: type[BaseModel]
    collector: str
    extra: str | None = None
    package: str = ""
    types: str | None = None
    derivers: str | None = None
    crosswalk: Path | None = None
    plan_adapter: str | None = None
    shards_units: bool = False

    @property
    def check_package(self) -> str:
        return self.package or self.collector.partition(":")[0].rsplit(".", 1)[0]

    def load_collector(self) -> Collector:
        try:
            collector: Collector = _load(self.collector)
        except ImportError as exc:
            hint = f": pip install 'auditor[{self.extra}]'" if self.extra else ""
            raise UsageError(
                f"the {self.name} collector needs packages that are not installed ({exc.name}){hint}"
            ) from None
        return collector

    def load_types(self) -> TypeSet | None:
        if not self.types:
            return None
        found: TypeSet = _load(self.types)
        return found

    def load_plan_adapter(self) -> Callable[[Any], Iterable[Any]] | None:
        if not self.plan_adapter:
            return None
        adapter: Callable[[Any], Iterable[Any]] = _load(self.plan_adapter)
        return adapter

    def load_derivers(self) -> tuple[Deriver, ...]:
        if not self.derivers:
            return ()
        return tuple(_load(self.derivers))


def _builtin() -> list[ProviderSpec]:
    found = []
    for info in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        if info.ispkg:
            spec = getattr(importlib.import_module(info.name), "PROVIDER", None)
            if isinstance(spec, ProviderSpec):
                found.append(spec)
    return found


def _plugins() -> list[ProviderSpec]:
    paths = [ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)]
    paths += [p.strip() for p in os.environ.get(ENV_PROVIDERS, "").split(",") if p.strip()]
    found = []
    for path in paths:
        try:
            spec = _load(path)
        except (ImportError, AttributeError) as exc:
            raise UsageError(f"cannot load provider {path!r}: {type(exc).__name__}: {exc}") from None
        if not isinstance(spec, ProviderSpec):
            raise UsageError(f"provider {path!r} is not a ProviderSpec")
        found.append(spec)
    return found


def discover_providers() -> dict[str, ProviderSpec]:
    """Built-in providers plus plug-ins, by name. A plug-in may not shadow a built-in."""
    found: dict[str, ProviderSpec] = {}
    for spec in [*_builtin(), *_plugins()]:
        if spec.name in found and found[spec.name] != spec:
            raise UsageError(f"two providers are named {spec.name!r}")
        found[spec.name] = spec
    return dict(sorted(found.items()))
