"""`auditor demo`: the bundled sample estate."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import (
    EXIT_OK,
    library_and_registry,
    load_snapshots,
    parse_formats,
    run_command,
)
from auditor.cli.scan import evaluate_and_write
from auditor.data import data_dir
from auditor.errors import UsageError
from auditor.writers import formats_help

# ---------------------------------------------------------------------------- demo


@click.command()
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("out/demo"), show_default=True)
@click.option("--format", "formats", multiple=True, help=formats_help(["html", "json", "csv"]))
@click.option("-q", "--quiet", is_flag=True)
def demo(out: Path, formats: tuple[str, ...], quiet: bool) -> None:
    """Evaluate the bundled sample estate (no credentials, no network) and write the report."""

    def body() -> int:
        root = data_dir("demo")
        files = sorted(p for p in root.glob("*.json*") if p.is_file())
        if not files:
            raise UsageError(f"no demo snapshots in {root}")
        snap = load_snapshots(tuple(files))
        p = {"out": out, "quiet": quiet, "save_snapshot": None}
        fmts = parse_formats(formats, ["html", "json", "csv"])
        evaluate_and_write(snap, p, None, fmts, library_and_registry(), from_snapshot=True)
        if not quiet:
            click.echo(f"Demo report: {(out / 'report.html').resolve()}")
        # The demo estate records deliberate collection errors to show them; that is not a failure.
        return EXIT_OK

    run_command(body)
