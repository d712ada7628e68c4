"""Providers: one package per platform (`aws`, `vault`, `k8s`, ...), each the one home for
its collector, its options and its checks.

A provider package exposes `PROVIDER: ProviderSpec` from its `__init__`, which must stay
light (no SDK imports): the collector is named by import path and loaded only when a scan
runs, so `auditor controls lint` or an offline re-evaluation never needs boto3 or hvac.
Check modules are the package's modules named `checks*` (see `auditor.checks`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from auditor.errors import UsageError
from auditor.evidence import SnapshotBuilder


class Progress(Protocol):
    """What a collector reports while it works. Implementations must be thread-safe."""

    def step(self, message: str, advance: int = 1) -> None: ...


class NullProgress:
    def step(self, message: str, advance: int = 1) -> None:
        return None


Collector = Callable[[BaseModel, SnapshotBuilder, Progress], None]


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    title: str
    options: type[BaseModel]
    collector: str  # "module:function", imported when a scan runs
    extra: str  # the pip extra that brings the SDK: pip install 'auditor[<extra>]'

    def load_collector(self) -> Collector:
        module_name, _, func = self.collector.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise UsageError(
                f"the {self.name} collector needs packages that are not installed ({exc.name}): "
                f"pip install 'auditor[{self.extra}]'"
            ) from None
        collector: Collector = getattr(module, func)
        return collector


def discover_providers() -> dict[str, ProviderSpec]:
    found: dict[str, ProviderSpec] = {}
    for info in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        if not info.ispkg:
            continue
        module = importlib.import_module(info.name)
        spec = getattr(module, "PROVIDER", None)
        if isinstance(spec, ProviderSpec):
            found[spec.name] = spec
    return dict(sorted(found.items()))
