"""`auditor report`: re-render outputs from a saved results directory."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.catalog import load_library
from auditor.cli.common import (
    EXIT_OK,
    parse_formats,
    run_command,
)
from auditor.results import read_results
from auditor.writers import WriteContext, formats_help, write_formats

# -------------------------------------------------------------------------- report


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, help=formats_help(["html"]))
def report(directory: Path, formats: tuple[str, ...]) -> None:
    """Re-render reports from a saved results directory."""

    def body() -> int:
        result = read_results(directory)
        fmts = parse_formats(formats, ["html"])
        out = directory if directory.is_dir() else directory.parent
        written = write_formats(WriteContext(result=result, library=load_library(), out=out), fmts)
        for path in written.values():
            click.echo(str(path))
        return EXIT_OK

    run_command(body)
