"""`auditor merge DIR... --out DIR`: join the outputs of a sharded scan into one result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor import scan as scan_api
from auditor.cli.common import (
    EXIT_COLLECTION,
    EXIT_OK,
    err_console,
    library_and_registry,
    parse_formats,
    progress_display,
    run_command,
)
from auditor.cli.publish import Publisher, publish_options
from auditor.errors import UsageError
from auditor.models import Framework
from auditor.snapshot import save_snapshot
from auditor.writers import formats_help


@click.command()
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out", "-o", type=click.Path(path_type=Path), help="[required] Directory for the merged outputs."
)
@click.option("--format", "formats", multiple=True, help=formats_help(["html", "json"]))
@click.option(
    "--save-snapshot",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[PATH]",
    help="Also save the merged snapshot (to PATH, or OUT/snapshot).",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=0,
    help="Wait up to this many seconds for every DIR to hold a finished shard (its shard.json).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@publish_options
def merge(dirs: tuple[Path, ...], **p: Any) -> None:
    """Merge the outputs of `auditor scan --shard I/N` (every shard, one tool version, one control
    library) into one result: the shards' snapshots are united and evaluated again, so the
    control roll-up covers everything and every evidence record is present."""

    def body() -> int:
        from auditor.merge import merge_shards, wait_for

        out: Path | None = p.get("out")
        if out is None:
            raise UsageError("--out DIR is required")
        if not dirs:
            raise UsageError("give the output directories of the shards: auditor merge DIR... --out DIR")
        if p["wait_seconds"]:
            wait_for(list(dirs), p["wait_seconds"])
        library, registry = library_and_registry()
        merged = merge_shards(list(dirs), library, registry)
        for w in merged.warnings:
            err_console.print(f"warning: {w}", style="yellow", markup=False, highlight=False)
        m = merged.manifest
        fws = [Framework(f) for f in m.frameworks] if m.frameworks else None
        with progress_display(p["quiet"], "evaluating") as prog:
            result = scan_api.evaluate_snapshot(
                merged.snapshot,
                library=library,
                registry=registry,
                frameworks=fws,
                params=m.params,
                selection=m.selection,
                progress=lambda i, n: prog.step(f"evaluating checks {i}/{n}", 0),
            )
        publisher = Publisher.from_params(p)
        fmts = parse_formats(p["formats"], ["html", "json"])
        trend = publisher.trend(result)
        scan_api.write_outputs(result, out, fmts, snapshot=merged.snapshot, library=library, trend=trend)
        if p.get("save_snapshot") is not None:
            save_snapshot(
                merged.snapshot, Path(p["save_snapshot"]) if p["save_snapshot"] else out / "snapshot"
            )
        if not p["quiet"]:
            s = result.summary.findings
            err_console.print(
                f"merged {len(merged.shards)} shard(s): {len(merged.snapshot.resources)} resources, "
                f"{len(merged.snapshot.evidence)} evidence records; {s.get('fail', 0)} fail, {s.get('error', 0)} error, "
                f"{s.get('pass', 0)} pass; results in {out / 'results.json'}",
                highlight=False,
                soft_wrap=True,
            )
        code = EXIT_COLLECTION if result.has_collection_errors else EXIT_OK
        return publisher.finish(result, code, merged.snapshot.created_at, p["quiet"])

    run_command(body)
