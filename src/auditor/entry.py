"""The `auditor` console script: answers `--version` without importing the scanner, so the
answer is instant; everything else goes to the CLI (`auditor.cli`)."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from auditor.version import __version__

        print(f"auditor, version {__version__}")
        return
    from auditor.cli import main as cli

    cli()
