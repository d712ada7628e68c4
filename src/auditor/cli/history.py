"""`auditor history`: the scans in a results store, with compliance per framework."""

from __future__ import annotations

import json

import click

from auditor.cli.common import EXIT_OK, EXIT_USAGE, print_error, run_command
from auditor.cli.publish import store_option
from auditor.errors import UsageError
from auditor.history import format_table, history_json, history_table


@click.command()
@store_option("store_url")
@click.option(
    "--target", metavar="T", help="Only scans of this target: provider, label, or a glob over the label."
)
@click.option("--framework", metavar="F", help="Only this framework's compliance (soc2, hipaa, iso27001).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Newest N scans.")
@click.option("--shards/--no-shards", default=False, help="Also list the partial scans of single shards.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def history(
    store_url: str | None, target: str | None, framework: str | None, limit: int, shards: bool, fmt: str
) -> None:
    """List the scans in the results store, newest first, with compliance per framework
    (controls passing over controls assessed)."""

    def body() -> int:
        if not store_url:
            raise UsageError("--store URL (or AUDITOR_STORE) is required")
        from auditor.store import open_store

        fw = framework.lower() if framework else None
        with open_store(store_url) as store:
            entries = store.history(target=target, framework=fw, limit=limit, include_shards=shards)
        if fmt == "json":
            click.echo(json.dumps(history_json(entries), indent=2))
            return EXIT_OK
        if not entries:
            print_error("no scans in the store" + (" match" if target or framework else ""))
            return EXIT_USAGE if (target or framework) else EXIT_OK
        click.echo(format_table(history_table(entries, [fw] if fw else None)))
        return EXIT_OK

    run_command(body)
