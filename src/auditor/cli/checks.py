"""`auditor checks`: browse the registered checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from auditor.catalog import Library, load_library
from auditor.checks import load_registry, params_markdown
from auditor.cli.common import (
    EXIT_OK,
    run_command,
)
from auditor.contracts import check_reads, load_contracts
from auditor.errors import UsageError
from auditor.models import Framework

# -------------------------------------------------------------------------- checks


@click.group()
def checks() -> None:
    """Browse the registered checks: metadata, attributes read, parameters, controls."""


def _checks_fmt(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")(f)


def _controls_of(lib: Library, check_id: str) -> dict[str, list[str]]:
    entry = lib.crosswalk.get(check_id)
    out: dict[str, list[str]] = {fw.value: [] for fw in Framework}
    for fw, cid in entry.items() if entry else ():
        out[fw.value].append(cid)
    return out


@checks.command("list")
@click.option("--provider", help="Only this provider's checks.")
@_checks_fmt
def checks_list(provider: str | None, fmt: str) -> None:
    """List every check: id, severity, resource types, title."""

    def body() -> int:
        rows = [c for c in load_registry() if provider is None or c.meta.provider == provider]
        if provider and not rows:
            raise UsageError(f"no checks for provider {provider!r}")
        if fmt == "json":
            click.echo(json.dumps([c.meta.model_dump(mode="json") for c in rows], indent=2))
            return EXIT_OK
        table = Table("id", "severity", "resource types", "title", box=None)
        for c in rows:
            table.add_row(c.id, c.meta.severity.value, ", ".join(c.meta.resource_types), c.meta.title)
        Console(soft_wrap=False, width=200).print(table)
        return EXIT_OK

    run_command(body)


@checks.command("show")
@click.argument("check_id")
@_checks_fmt
def checks_show(check_id: str, fmt: str) -> None:
    """One check: metadata, the attributes it reads, its parameters and its controls."""

    def body() -> int:
        registry, lib, contracts = load_registry(), load_library(), load_contracts()
        check = registry.get(check_id)
        if check is None:
            raise UsageError(f"no check {check_id!r} (see `auditor checks list`)")
        m = check.meta
        reads = sorted(check_reads(check), key=lambda r: (not r.own, r.type_ or "", r.key))
        attrs = []
        for r in reads:
            types = list(m.resource_types) if r.own else ([r.type_] if r.type_ else [])
            meaning = next(
                (
                    found.meaning
                    for t in types
                    if (contract := contracts.get(t)) and (found := contract.attributes.get(r.key))
                ),
                "",
            )
            attrs.append({"attribute": r.key, "of": " / ".join(types) or "(related)", "meaning": meaning})
        controls = _controls_of(lib, m.id)
        if fmt == "json":
            doc = m.model_dump(mode="json") | {"reads": attrs, "controls": controls}
            click.echo(json.dumps(doc, indent=2))
            return EXIT_OK
        click.echo(f"{m.id}: {m.title}")
        click.echo(f"  severity: {m.severity.value}   provider: {m.provider}")
        click.echo(f"  resource types: {', '.join(m.resource_types)}")
        click.echo(f"  rationale: {m.rationale}")
        click.echo(f"  remediation: {m.remediation}")
        click.echo("  reads:" if attrs else "  reads: (no attribute read statically)")
        for a in attrs:
            click.echo(f"    - {a['of']}.{a['attribute']}" + (f": {a['meaning']}" if a["meaning"] else ""))
        click.echo("  parameters:" if m.params else "  parameters: none")
        for prm in m.params:
            click.echo(f"    - {prm.name} ({prm.type}, default {json.dumps(prm.default)}): {prm.meaning}")
        click.echo("  controls:")
        for fw, ids in controls.items():
            click.echo(f"    {fw}: {', '.join(ids) or '-'}")
        for ref in m.references:
            click.echo(f"  reference: {ref}")
        return EXIT_OK

    run_command(body)


@checks.command("params")
@click.option("--provider", help="Only this provider's parameters.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def checks_params(provider: str | None, fmt: str) -> None:
    """Every declared check parameter: name, type, default, meaning, checks reading it."""

    def body() -> int:
        registry = load_registry()
        specs = [
            p for p in registry.params().values() if provider is None or p.name.startswith(provider + ".")
        ]
        if fmt == "json":
            click.echo(
                json.dumps(
                    [p.model_dump(mode="json") | {"checks": registry.checks_reading(p.name)} for p in specs],
                    indent=2,
                )
            )
        elif fmt == "markdown":
            click.echo(params_markdown(registry, provider))
        else:
            table = Table("name", "type", "default", "meaning", box=None)
            for prm in specs:
                table.add_row(prm.name, prm.type, json.dumps(prm.default), prm.meaning)
            Console(soft_wrap=False, width=200).print(table)
        return EXIT_OK

    run_command(body)
