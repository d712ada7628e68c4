"""What every command shares: the stderr console, progress, option parsing, error handling and
exit codes. Only the CLI decides exit codes."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

from auditor.catalog import Library, lint, load_library
from auditor.checks import Registry, load_registry
from auditor.errors import AuditorError, LintError, UsageError
from auditor.models import Framework, Snapshot
from auditor.perf import bulk_allocation
from auditor.providers import NullProgress, Progress
from auditor.selection import CheckSelection
from auditor.snapshot import load_snapshot
from auditor.writers import check_formats

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_COLLECTION, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
EXIT_PIPE_CLOSED = 141  # stdout closed early (`auditor ... | head`), as shells report SIGPIPE

# soft_wrap: when stderr is not a terminal (CI logs), lines are not hard-wrapped at 80 columns
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class RichSteps:
    """Thread-safe Progress for collectors: a spinner with the latest step and a counter."""

    def __init__(self, progress: RichProgress, task: Any) -> None:
        self._progress, self._task, self._lock, self._n = progress, task, threading.Lock(), 0

    def step(self, message: str, advance: int = 1) -> None:
        with self._lock:
            self._n += advance
            self._progress.update(self._task, description=f"[{self._n}] {message}")


@contextmanager
def progress_display(quiet: bool, label: str) -> Iterator[Progress]:
    if quiet or not err_console.is_terminal:
        yield NullProgress()
        return
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as p:
        yield RichSteps(p, p.add_task(label, total=None))


def split_list(values: tuple[str, ...] | list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def parse_frameworks(values: tuple[str, ...]) -> list[Framework] | None:
    names = split_list(values)
    if not names:
        return None
    try:
        return list(dict.fromkeys(Framework(n.lower()) for n in names))
    except ValueError:
        raise UsageError(
            f"unknown framework in {', '.join(names)}; choose from {', '.join(f.value for f in Framework)}"
        ) from None


def parse_formats(values: tuple[str, ...], default: list[str]) -> list[str]:
    return check_formats(split_list(values) or default)


def parse_selection(p: dict[str, Any], base: CheckSelection | None = None) -> CheckSelection:
    """--checks / --skip-checks / --min-severity, over what the config file selected."""
    base = base or CheckSelection()
    include = split_list(p.get("checks")) or list(base.include)
    exclude = [*base.exclude, *split_list(p.get("skip_checks"))]
    return CheckSelection.of(include, exclude, p.get("min_severity") or base.min_severity)


def print_error(text: str) -> None:
    # markup off: messages quote user input and entries such as "targets[0]" or "[REDACTED]"
    err_console.print(f"error: {text}", soft_wrap=True, markup=False, highlight=False, style="red")


def run_command(fn: Callable[[], int]) -> None:
    """Run a command body; typed errors become a message and their exit code."""
    try:
        with bulk_allocation():
            code = fn()
    except LintError as exc:
        for p in exc.problems:
            print_error(p)
        sys.exit(EXIT_USAGE)
    except AuditorError as exc:
        print_error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away: not a bug. Point stdout at /dev/null so the flush at exit is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_PIPE_CLOSED)
    except Exception as exc:  # a bug: say so, and keep exit code 1 free for the findings gate
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc} (set AUDITOR_DEBUG=1 for the traceback; please report it)",
            soft_wrap=True,
            markup=False,
            style="red",
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)


def library_and_registry() -> tuple[Library, Registry]:
    library, registry = load_library(), load_registry()
    problems = lint(library, registry)
    if problems:
        raise LintError(problems)
    return library, registry


def load_snapshots(paths: tuple[Path, ...]) -> Snapshot:
    snap = load_snapshot(paths[0])
    for extra in paths[1:]:
        snap = snap.merge(load_snapshot(extra))
    return snap
