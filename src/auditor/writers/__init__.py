"""Output writers: one module per format, behind one registry.

Each module in this package defines `WRITER = Writer(...)`: a name (what `--format` takes), the
file it writes, a one-line description, and a function over one `WriteContext` (the results,
the control library, the evidence manifest, the snapshot when there is one). The registry is
the only list of formats: CLI help, config validation and `auditor report` all read it, and
no writer branches on a provider.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.catalog import Library
from auditor.errors import ConfigError, UsageError
from auditor.models import Snapshot
from auditor.outputs import ensure_dir
from auditor.package import MANIFEST, read_evidence_manifest
from auditor.results import ScanResult
from auditor.trend import Trend


@dataclass(frozen=True)
class WriteContext:
    result: ScanResult
    library: Library
    out: Path
    snapshot: Snapshot | None = None  # absent when re-rendering from results.json
    manifest: Mapping[str, Any] | None = None  # evidence/manifest.json, when evidence was written
    # compliance over the last scans when a results store was given (auditor.trend; render
    # with auditor.trend.trend_section), else None
    trend: Trend | None = None

    def evidence_manifest(self) -> Mapping[str, Any] | None:
        """The evidence manifest: the one just written, or, when re-rendering from results.json,
        the package's own `evidence/manifest.json` (None when there is none or it is unreadable)."""
        return self.manifest if self.manifest is not None else self._package_manifest

    @cached_property
    def _package_manifest(self) -> Mapping[str, Any] | None:
        """Read once, however many formats use it."""
        path = self.out / MANIFEST
        if not path.is_file():
            return None
        try:
            return read_evidence_manifest(path)
        except ConfigError:
            return None


@dataclass(frozen=True)
class Writer:
    name: str
    filename: str
    description: str
    write: Callable[[WriteContext], Path]  # returns the file written, or the directory holding them
    needs_snapshot: bool = False  # only when evaluating a snapshot, not from results.json
    check: Callable[[], object] | None = (
        None  # raises when the format cannot be written here (a missing tool)
    )


def writers() -> dict[str, Writer]:
    """Every format, by name, in a stable order (results first, then alphabetical)."""
    found: dict[str, Writer] = {}
    for info in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        w = getattr(importlib.import_module(info.name), "WRITER", None)
        if isinstance(w, Writer):
            found[w.name] = w
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != "json", kv[0])))


def format_names() -> tuple[str, ...]:
    return tuple(writers())


def formats_help(default: Iterable[str]) -> str:
    return f"Comma-separated: {','.join(format_names())} (default {','.join(default)})."


def check_formats(formats: Iterable[str]) -> list[str]:
    """The formats asked for, de-duplicated; an unknown one is a UsageError naming the choices."""
    known = writers()
    out = list(dict.fromkeys(formats))
    bad = [f for f in out if f not in known]
    if bad:
        raise UsageError(f"unknown format {bad[0]!r}; choose from {', '.join(known)}")
    for name in out:
        check = known[name].check
        if check is not None:
            check()  # before anything is collected or written
    return out


def write_formats(ctx: WriteContext, formats: Iterable[str]) -> dict[str, Path]:
    """Write each requested format (results.json always comes first)."""
    known = writers()
    wanted = check_formats(formats)
    ensure_dir(ctx.out)
    written: dict[str, Path] = {}
    for name in known:
        if name not in wanted:
            continue
        w = known[name]
        if w.needs_snapshot and ctx.snapshot is None:
            raise UsageError(f"format {name!r} needs the snapshot: write it during a scan")
        written[name] = w.write(ctx)
    return written
