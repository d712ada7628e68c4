"""`auditor demo`: the bundled sample estate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import (
    EXIT_OK,
    library_and_registry,
    load_snapshots,
    parse_formats,
    run_command,
)
from auditor.cli.scan import evaluate_and_write, package_inputs, package_options
from auditor.data import data_dir
from auditor.errors import UsageError
from auditor.writers import formats_help

# ---------------------------------------------------------------------------- demo


def _package_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for o in reversed(package_options()):
        f = o(f)
    return f


@click.command()
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("out/demo"), show_default=True)
@click.option("--format", "formats", multiple=True, help=formats_help(["html", "json", "csv"]))
@click.option("-q", "--quiet", is_flag=True)
@_package_options
def demo(out: Path, formats: tuple[str, ...], quiet: bool, **package: Any) -> None:
    """Evaluate the bundled sample estate (no credentials, no network) and write the report.
    The demo's own attestations (fixtures/demo/attestations.yaml) apply unless --attestations is given."""

    def body() -> int:
        root = data_dir("demo")
        files = sorted(p for p in root.glob("*.json*") if p.is_file())
        if not files:
            raise UsageError(f"no demo snapshots in {root}")
        p = {"out": out, "quiet": quiet, "save_snapshot": None, **package}
        fmts = parse_formats(formats, ["html", "json", "csv"])
        lib_reg = library_and_registry()
        bundled = root / "attestations.yaml"
        extra = package_inputs(p, lib_reg[0], bundled if bundled.exists() else None)
        snap = load_snapshots(tuple(files))
        evaluate_and_write(snap, p, None, fmts, lib_reg, from_snapshot=True, **extra)
        if not quiet:
            click.echo(f"Demo report: {(out / 'report.html').resolve()}")
        # The demo estate records deliberate collection errors to show them; that is not a failure.
        return EXIT_OK

    run_command(body)
