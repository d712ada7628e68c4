"""What a scan (or a merge) does after its outputs are written: write the results to the store
(`--store`), write or push metrics (`--metrics-file`, `--pushgateway`), and for a shard
(`--shard I/N`) its snapshot and shard.json. A store or metrics target that fails makes the
command exit 2 with the reason; the outputs are already on disk by then."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from auditor.catalog import Library
from auditor.checks import Registry
from auditor.cli.common import EXIT_COLLECTION, EXIT_OK, EXIT_USAGE, err_console, print_error
from auditor.errors import AuditorError, UsageError
from auditor.models import Framework, utcnow
from auditor.results import ScanResult
from auditor.selection import CheckSelection
from auditor.sharding import Shard
from auditor.trend import Trend

OPTIONS = ("store", "metrics_file", "pushgateway")


def store_option(dest: str, text: str = "The results store (env AUDITOR_STORE).") -> Callable[..., Any]:
    """--store URL, read from AUDITOR_STORE when not given (a URL with a password comes from a Secret)."""
    return click.option("--store", dest, envvar="AUDITOR_STORE", metavar="URL", help=text)


def publish_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--store, --metrics-file, --pushgateway (shared by `scan` and `merge`)."""
    opts = [
        store_option(
            "store",
            "Also write the results to this results store: a SQLite path (or sqlite:///PATH) or "
            "postgresql://... (env AUDITOR_STORE; keep passwords out of audit.yaml).",
        ),
        click.option(
            "--metrics-file",
            "metrics_file",
            type=click.Path(path_type=Path),
            help="Write Prometheus metrics to this file (node_exporter textfile collector format).",
        ),
        click.option(
            "--pushgateway", "pushgateway", metavar="URL", help="Push Prometheus metrics to this Pushgateway."
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


SHARD_OPTION = click.option(
    "--shard",
    "shard",
    metavar="I/N",
    help="Collect only shard I of N (0-based; units are target x account/project/cluster x region); "
    "saves the snapshot and shard.json in OUT for `auditor merge`.",
)
RUN_ID_OPTION = click.option(
    "--run-id",
    "run_id",
    metavar="ID",
    envvar="AUDITOR_RUN_ID",
    help="With --shard: the run this shard belongs to, recorded in shard.json; `auditor merge` refuses "
    "shards of different runs (env AUDITOR_RUN_ID).",
)


@dataclass
class Publisher:
    store_url: str | None = None
    metrics_file: Path | None = None
    pushgateway: str | None = None
    shard: Shard | None = None
    run_id: str | None = None
    _store: Any = None
    _store_error: AuditorError | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> Publisher:
        shard = Shard.parse(p["shard"]) if p.get("shard") else None
        metrics = p.get("metrics_file")
        return cls(
            p.get("store") or None,
            Path(metrics) if metrics else None,
            p.get("pushgateway") or None,
            shard,
            p.get("run_id") or None,
        )

    # ------------------------------------------------------------------ store

    def _open(self) -> Any:
        if self._store is None and self._store_error is None and self.store_url:
            from auditor.store import StoreError, open_store

            try:
                self._store = open_store(self.store_url)
            except (StoreError, UsageError) as exc:
                self._store_error = exc
        return self._store

    def trend(self, result: ScanResult) -> Trend | None:
        """Compliance over the previous whole scans of the same providers plus this one (None
        without a store, for a shard, or when the store cannot be read: then the write fails too)."""
        if not self.store_url or self.shard is not None:
            return None
        store = self._open()
        if store is None:
            return None
        from auditor.store import StoreError
        from auditor.trend import DEFAULT_SCANS, build_trend

        providers = frozenset(t.provider for t in result.scan.targets)
        try:
            same = store.history(limit=DEFAULT_SCANS - 1, include_shards=False, providers=providers)
        except StoreError as exc:
            self._store_error = exc
            return None
        return build_trend(same, result)

    # ------------------------------------------------------------------ shard

    def shard_snapshot(self, p: dict[str, Any], out: Path) -> Path | None:
        """Where to save the snapshot: --save-snapshot, or OUT/snapshot for a shard."""
        if p.get("save_snapshot") is not None:
            return Path(p["save_snapshot"]) if p["save_snapshot"] else out / "snapshot"
        return out / "snapshot" if self.shard is not None else None

    def shard_done(
        self,
        out: Path,
        snapshot_path: Path | None,
        lib_reg: tuple[Library, Registry],
        *,
        targets_key: str,
        frameworks: list[Framework] | None,
        selection: CheckSelection | None,
        params: dict[str, Any] | None,
    ) -> None:
        if self.shard is None:
            return
        from auditor.merge import ShardManifest, library_digest, write_manifest
        from auditor.version import __version__

        sel = selection or CheckSelection()
        try:
            rel = str(snapshot_path.relative_to(out)) if snapshot_path else "snapshot"
        except ValueError:
            rel = str(snapshot_path)
        write_manifest(
            out,
            ShardManifest(
                shard=self.shard.label,
                run_id=self.run_id,
                tool_version=__version__,
                library=library_digest(*lib_reg),
                targets=targets_key,
                snapshot=rel,
                frameworks=[f.value for f in frameworks] if frameworks else None,
                checks=list(sel.include),
                skip_checks=list(sel.exclude),
                min_severity=sel.min_severity.value if sel.min_severity else None,
                params=dict(params or {}),
            ),
        )

    # ------------------------------------------------------------------ after the outputs

    def finish(self, result: ScanResult, code: int, started: Any, quiet: bool = False) -> int:
        """Store, then metrics. Returns the exit code: `code`, or 2 when either failed."""
        if self.store_url:
            store = self._open()
            if store is not None:
                from auditor.store import StoreError

                try:
                    if self._store_error is None:  # else reading the trend failed: so would this
                        store.write(result, shard=self.shard.label if self.shard else None)
                        if not quiet:
                            err_console.print(
                                f"Stored as scan {result.scan.id} in {store.where}",
                                highlight=False,
                                soft_wrap=True,
                            )
                except StoreError as exc:
                    self._store_error = exc
                finally:
                    store.close()
            if self._store_error is not None:
                print_error(f"{self._store_error} (the outputs were written)")
                code = EXIT_USAGE
        if self.metrics_file or self.pushgateway:
            code = self._metrics(result, code, started)
        return code

    def _metrics(self, result: ScanResult, code: int, started: Any) -> int:
        from auditor.metrics import MetricsError, push, write_textfile

        duration = max(0.0, (utcnow() - started).total_seconds())
        success_at = time.time() if code in (EXIT_OK, EXIT_COLLECTION) else None
        try:
            if self.metrics_file:
                write_textfile(self.metrics_file, result, duration=duration, success_at=success_at)
            if self.pushgateway:
                grouping = {"shard": f"{self.shard.index}-of-{self.shard.count}"} if self.shard else {}
                push(self.pushgateway, result, duration=duration, success_at=success_at, grouping=grouping)
        except MetricsError as exc:
            print_error(str(exc))
            return EXIT_USAGE
        return code
