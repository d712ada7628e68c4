"""`auditor`: a thin command line over the library API. Only this module decides exit codes.

Exit codes:
    0  the scan ran and every check could be evaluated
    1  gating on findings (`auditor diff --fail-on-new SEVERITY`: a new failure at or above it)
    2  usage or configuration error (bad flag, malformed config/snapshot/control file, lint failure),
       or a results store, metrics target or webhook that could not be reached or written
    3  collection errors made some results `error` (the outputs are written all the same)
    4  internal error (a bug in auditor; AUDITOR_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import logging
import sys

import click

from auditor.version import __version__


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 ran fine; 2 usage or configuration error; "
    "3 collection errors made some results 'error' (outputs are still written); 4 internal error; "
    "130 interrupted.",
)
@click.version_option(__version__, prog_name="auditor")
@click.option("-v", "--verbose", count=True, help="More log detail on stderr (-v info, -vv debug).")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    help="Log level on stderr (default warning); overrides -v.",
)
def main(verbose: int, log_level: str | None) -> None:
    """Compliance-as-code audit scanner: collect configuration read-only, evaluate checks,
    and report against SOC 2, HIPAA and ISO 27001 with traceable evidence."""
    level = getattr(
        logging, log_level.upper() if log_level else ("WARNING", "INFO", "DEBUG")[min(verbose, 2)]
    )
    # auditor's own loggers at the chosen level; the SDKs' (urllib3 retries, botocore) only from debug on
    logging.basicConfig(
        level=level if level <= logging.DEBUG else logging.ERROR,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    logging.getLogger("auditor").setLevel(level)


def _register() -> None:
    from auditor.cli import checks, controls, demo, diff, history, merge, report, scan

    main.add_command(scan.scan)
    main.add_command(report.report)
    main.add_command(history.history)
    main.add_command(diff.diff)
    main.add_command(merge.merge)
    main.add_command(checks.checks)
    main.add_command(controls.controls)
    main.add_command(demo.demo)
    scan.register_providers()


_register()
