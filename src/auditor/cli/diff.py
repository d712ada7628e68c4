"""`auditor diff A B`: what changed between two scans (store ids or results directories)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.cli.common import EXIT_FINDINGS, EXIT_OK, err_console, run_command
from auditor.cli.publish import store_option
from auditor.errors import UsageError
from auditor.history import ScanRecord, record_from_result, scans_back
from auditor.models import Severity
from auditor.outputs import write_text
from auditor.results import read_results

if TYPE_CHECKING:
    from auditor.store import Store

WEBHOOK_LISTED = 50  # findings per list in the webhook's JSON (the counts cover them all)


def _looks_like_path(ref: str) -> bool:
    p = Path(ref)
    return p.exists() or "/" in ref or ref.endswith(".json")


def load_record(ref: str, store_url: str | None, stores: dict[str, Store]) -> ScanRecord:
    """A results directory (or results.json) when `ref` is a path, else a scan in the store:
    an id, a unique prefix, `latest`, `previous` or `latest~N`. With a store, a bare `latest`
    that is also a directory here is ambiguous, and refused rather than guessed."""
    if store_url and scans_back(ref) is not None and Path(ref).exists():
        raise UsageError(
            f"{ref!r} names both a stored scan and the directory ./{ref}: write ./{ref} for the directory, "
            "or run from elsewhere for the stored scan"
        )
    if _looks_like_path(ref):
        return record_from_result(read_results(Path(ref)), origin=str(ref))
    if not store_url:
        raise UsageError(f"{ref!r} is not a results directory; to name a stored scan give --store URL")
    from auditor.store import open_store

    store = stores.get(store_url)
    if store is None:
        store = stores[store_url] = open_store(store_url)
    return store.load(ref)


@click.command()
@click.argument("a")
@click.argument("b")
@store_option("store_url")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown", "html"]),
    default="table",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.option(
    "--fail-on-new",
    type=click.Choice([s.value for s in Severity], case_sensitive=False),
    help="Exit 1 when B has a new failure at or above this severity.",
)
@click.option("--webhook", metavar="URL", help="POST the drift summary as JSON to this https:// URL.")
@click.option(
    "--webhook-ca-file", type=click.Path(path_type=Path, exists=True), help="CA bundle for the webhook."
)
@click.option("--webhook-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
def diff(
    a: str,
    b: str,
    store_url: str | None,
    fmt: str,
    output: Path | None,
    fail_on_new: str | None,
    webhook: str | None,
    webhook_ca_file: Path | None,
    webhook_timeout: float,
) -> None:
    """Compare scan A (before) with scan B (after): new, resolved and still-failing findings,
    control status changes per framework, resources added and removed. A and B are results
    directories or stored scans (id, prefix, latest, previous, latest~N)."""

    def body() -> int:
        from auditor.drift import diff as compute
        from auditor.drift_report import headline, render_html, render_markdown, render_table

        hook = None
        if webhook:
            from auditor.notify import Webhook

            hook = Webhook(webhook, timeout=webhook_timeout, ca_file=webhook_ca_file)
        stores: dict[str, Store] = {}
        try:
            drift = compute(load_record(a, store_url, stores), load_record(b, store_url, stores))
        finally:
            for s in stores.values():
                s.close()
        if fmt == "json":
            text = json.dumps(drift.as_json(), indent=2) + "\n"
        elif fmt == "markdown":
            text = render_markdown(drift)
        elif fmt == "html":
            text = render_html(drift)
        else:
            text = render_table(drift)
        if output:
            write_text(output, text)
            err_console.print(headline(drift), highlight=False, markup=False)
        else:
            click.echo(text, nl=False)
        if hook is not None:
            hook.post({"event": "auditor.drift", **drift.as_json(limit=WEBHOOK_LISTED)})
        if fail_on_new and drift.new_at_or_above(Severity(fail_on_new.lower())):
            return EXIT_FINDINGS
        return EXIT_OK

    run_command(body)
