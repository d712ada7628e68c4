"""Typed errors. Library code raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError


class AuditorError(Exception):
    """Base class. `exit_code` is what the CLI exits with when this reaches it."""

    exit_code = 2


class ConfigError(AuditorError):
    """A configuration, snapshot, control or waiver file is malformed. Names the file and the entry."""

    def __init__(self, path: Path | str | None, problem: str, entry: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.entry = entry
        self.problem = problem
        where = str(self.path) if self.path is not None else "<input>"
        if entry:
            where = f"{where}: {entry}"
        super().__init__(f"{where}: {problem}")


class LintError(AuditorError):
    """The control library or the check registry is inconsistent. Carries every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class UsageError(AuditorError):
    pass


class MissingData(Exception):
    """Raised inside a check when an attribute it needs was not collected: the finding is `error`."""

    def __init__(self, attribute: str, why: str | None = None) -> None:
        self.attribute = attribute
        self.why = why
        super().__init__(f"'{attribute}' was not collected" + (f": {why}" if why else ""))


def error_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location in one notation: `targets[1].options.regions`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def first_problem(exc: ValidationError, within: Sequence[int | str] = ()) -> tuple[str, str]:
    """(entry, message) of the first validation error, saying how many more there are; `within`
    is where the validated value sits in its file (`("resources", 3)`)."""
    err = exc.errors()[0]
    more = exc.error_count() - 1
    return error_path((*within, *err["loc"])), err["msg"] + (f" (and {more} more)" if more else "")
