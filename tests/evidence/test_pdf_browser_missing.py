"""--format pdf without a browser: a clear error that names what was looked for, before
anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.writers.pdf import BrowserMissing, find_browser

from .util import run


def test_no_browser_anywhere_names_what_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(BrowserMissing) as err:
        find_browser({"PATH": str(tmp_path)}, fallback=tmp_path / "chromium")
    text = str(err.value)
    assert "chromium" in text and "AUDITOR_CHROMIUM" in text and "apt-get install chromium" in text


def test_a_configured_browser_that_is_missing_is_named(tmp_path: Path) -> None:
    with pytest.raises(BrowserMissing, match="AUDITOR_CHROMIUM=/nonexistent/chrome does not exist"):
        find_browser({"AUDITOR_CHROMIUM": "/nonexistent/chrome"})


def test_the_cli_fails_before_writing_anything(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    r = CliRunner().invoke(
        main,
        ["demo", "--out", str(tmp_path / "out"), "--format", "html,pdf", "-q"],
        env={"AUDITOR_CHROMIUM": "/nonexistent/chrome"},
        catch_exceptions=False,
    )
    assert r.exit_code == 2 and "/nonexistent/chrome" in r.stderr
    assert not (tmp_path / "out").exists()
    assert run("demo", "--help")[0] == 0
