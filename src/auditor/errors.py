"""Typed errors. Library code raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

from pathlib import Path


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
