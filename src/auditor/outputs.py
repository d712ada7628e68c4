"""Every output file is written through here: a directory that is a file, a path that cannot be
created, a full disk or a read-only place is one `OutputError` (exit 2) naming the path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from auditor.errors import AuditorError


class OutputError(AuditorError):
    """An output could not be written where it was asked for."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}")


def _why(exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "a file is in the way (expected a directory)"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if getattr(exc, "errno", None) == 28:
        return "no space left on the device"
    return exc.strerror or str(exc)


def ensure_dir(path: Path, what: str = "output") -> Path:
    if path.exists() and not path.is_dir():
        raise OutputError(path, f"is a file, not a directory for the {what}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(path, f"cannot create the {what} directory: {_why(exc)}") from None
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {_why(exc)}") from None
    return path


def write_text(path: Path, text: str) -> Path:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from an input that slipped through
        data = text.encode("utf-8", "backslashreplace")
    return write_bytes(path, data)


@contextmanager
def open_binary(path: Path) -> Iterator[BinaryIO]:
    """A binary file for streaming writes; any OSError becomes an OutputError."""
    try:
        with path.open("wb") as fh:
            yield fh
    except OSError as exc:
        raise OutputError(path, f"cannot write: {_why(exc)}") from None


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """A text file for streaming writes (CSV, JSON lines); any OSError becomes an OutputError."""
    try:
        with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
            yield fh
    except OSError as exc:
        raise OutputError(path, f"cannot write: {_why(exc)}") from None
