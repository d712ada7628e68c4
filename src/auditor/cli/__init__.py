"""`auditor`: a thin command line over the library API. Only this module decides exit codes.

Exit codes:
    0  the scan ran and every check could be evaluated
    1  `auditor gate`: a failing finding at or above --fail-on, or an error finding;
       `auditor verify`: the evidence package was tampered with (or is unsigned while a key was expected);
       `auditor diff --fail-on-new SEVERITY`: a new failure at or above it
    2  usage or configuration error (bad flag, malformed config/snapshot/control file, lint failure),
       or a results store, metrics target or webhook that could not be reached or written
    3  collection errors made some results `error` (the outputs are written all the same)
    4  internal error (a bug in auditor; AUDITOR_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from auditor.redact import RedactingFilter
from auditor.version import __version__

# SDK loggers whose debug records are whole requests (signed headers, session tokens) or response
# bodies (a Lambda's environment, a Secret's data): no redaction can know what in them is secret
_DUMPS_BODIES = ("botocore.auth", "botocore.endpoint", "botocore.parsers", "kubernetes.client.rest")

# command name -> "module:attribute", imported only when that command runs (or --help lists it),
# so `auditor gate` does not pay for building every provider's `scan` subcommands
_COMMANDS = {
    "scan": "auditor.cli.scan:scan",
    "report": "auditor.cli.report:report",
    "checks": "auditor.cli.checks:checks",
    "controls": "auditor.cli.controls:controls",
    "demo": "auditor.cli.demo:demo",
    "gate": "auditor.cli.gate:gate",
    "verify": "auditor.cli.verify:verify",
    "merge": "auditor.cli.merge:merge",
    "diff": "auditor.cli.diff:diff",
    "history": "auditor.cli.history:history",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            module, _, attr = _COMMANDS[cmd_name].partition(":")
            loaded = importlib.import_module(module)
            if cmd_name == "scan":
                loaded.register_providers()
            self.add_command(getattr(loaded, attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 ran fine; 1 `auditor gate` failed (findings at or above --fail-on, or errors) or "
    "`auditor verify` found the package not intact; 2 usage or configuration error; "
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
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    for name in _DUMPS_BODIES:  # even at debug: these log whole requests (credentials) and responses
        logging.getLogger(name).setLevel(max(level, logging.INFO))
