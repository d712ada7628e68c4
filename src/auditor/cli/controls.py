"""`auditor controls`: browse and validate the control library."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from auditor.catalog import coverage, lint, load_library
from auditor.checks import load_registry
from auditor.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    parse_frameworks,
    print_error,
    run_command,
)
from auditor.errors import ConfigError, LintError, UsageError
from auditor.oscal.catalog import write_catalogs

# ------------------------------------------------------------------------ controls


@click.group()
def controls() -> None:
    """Browse and validate the control library."""


def _fw_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")(f)
    return click.option(
        "--framework",
        "framework",
        multiple=True,
        help="Limit to soc2, hipaa, iso27001 (comma-separated, any case).",
    )(f)


@controls.command("list")
@_fw_option
def controls_list(framework: tuple[str, ...], fmt: str) -> None:
    """List controls with their automation and mapped checks."""

    def body() -> int:
        lib = load_library()
        fws = parse_frameworks(framework)
        rows = [c for c in lib.controls.values() if fws is None or c.framework in fws]
        if fmt == "json":
            click.echo(json.dumps([c.model_dump(mode="json") for c in rows], indent=2))
            return EXIT_OK
        table = Table("framework", "id", "title", "automation", "checks", box=None)
        for c in rows:
            table.add_row(
                c.framework.value, c.id, c.title, c.automation, str(len(c.checks)) if c.checks else "manual"
            )
        Console(soft_wrap=False, width=200).print(table)
        return EXIT_OK

    run_command(body)


@controls.command("show")
@click.argument("control_id")
@_fw_option
def controls_show(control_id: str, framework: tuple[str, ...], fmt: str) -> None:
    """Show one control: objective, checks, manual evidence request."""

    def body() -> int:
        lib, reg = load_library(), load_registry()
        fws = parse_frameworks(framework)
        found = [c for c in lib.find(control_id) if fws is None or c.framework in fws]
        if not found:
            where = f" in {', '.join(f.value for f in fws)}" if fws else ""
            raise UsageError(f"no control {control_id!r}{where}")
        if fmt == "json":
            click.echo(json.dumps([c.model_dump(mode="json") for c in found], indent=2))
            return EXIT_OK
        for c in found:
            click.echo(f"{c.framework.value} {c.id}: {c.title}")
            if c.requirement:
                click.echo(f"  requirement: {c.requirement}" + (f" (under {c.parent})" if c.parent else ""))
            click.echo(f"  automation: {c.automation}")
            click.echo(f"  objective: {c.objective}")
            click.echo("  checks:" if c.checks else "  checks: none (manual evidence only)")
            for cid in c.checks:
                chk = reg.get(cid)
                click.echo(f"    - {cid}: {chk.meta.title if chk else '(not registered)'}")
            click.echo(f"  evidence to request: {c.evidence_request}")
        return EXIT_OK

    run_command(body)


@controls.command("coverage")
@_fw_option
def controls_coverage(framework: tuple[str, ...], fmt: str) -> None:
    """Per framework: total controls, automated, manual, and the checks behind them."""

    def body() -> int:
        lib = load_library()
        cov = coverage(lib, parse_frameworks(framework))
        if fmt == "json":
            click.echo(json.dumps({"frameworks": cov}, indent=2))
            return EXIT_OK
        table = Table("framework", "controls", "automated", "manual", "checks", box=None)
        for row in cov:
            table.add_row(
                row["framework"],
                str(row["total"]),
                str(row["automated"]),
                str(row["manual"]),
                str(len(row["checks"])),
            )
        Console().print(table)
        return EXIT_OK

    run_command(body)


@controls.command("lint")
@_fw_option
def controls_lint(framework: tuple[str, ...], fmt: str) -> None:
    """Validate control files, the crosswalk and the check registry against each other."""

    def body() -> int:
        try:
            problems = lint(load_library(), load_registry())
        except ConfigError as exc:
            problems = [str(exc)]
        except LintError as exc:
            problems = exc.problems
        if fmt == "json":
            click.echo(json.dumps({"ok": not problems, "problems": problems}, indent=2))
        elif problems:
            for p in problems:
                print_error(p)
        else:
            click.echo("control library OK")
        return EXIT_USAGE if problems else EXIT_OK

    run_command(body)


@controls.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["oscal-catalog"]),
    default="oscal-catalog",
    show_default=True,
    help="oscal-catalog: an OSCAL 1.1.2 catalog per framework plus the crosswalk as a profile.",
)
@click.option(
    "--out", "-o", "out", type=click.Path(path_type=Path), required=True, help="Directory to write into."
)
def controls_export(fmt: str, out: Path) -> None:
    """Export the control library (one catalog per framework, the crosswalk as a profile)."""

    def body() -> int:
        for path in write_catalogs(load_library(), out):
            click.echo(str(path))
        return EXIT_OK

    run_command(body)
