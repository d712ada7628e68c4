"""report.pdf: the report printed by headless Chromium: a cover with the overview, then every
control on its own page with its population, failing resources, evidence records and manual
part. The browser is `$AUDITOR_CHROMIUM`, else `chromium` / `chromium-browser` / `google-chrome`
on PATH, else /usr/bin/chromium; without one the format fails with an error naming it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from auditor.errors import AuditorError
from auditor.outputs import write_text
from auditor.writers import WriteContext, Writer
from auditor.writers.html import render_html

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_SECONDS = 600
# A fresh profile, no background services, and no network at all: no host name resolves, and
# every request (loopback too) goes to a proxy on a port where nothing answers. The page needs
# none: it is one self-contained file whose CSP refuses any fetch.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--no-pdf-header-footer", "--virtual-time-budget=60000", "--run-all-compositor-stages-before-draw",
)  # fmt: skip


class BrowserMissing(AuditorError):
    """--format pdf needs a Chromium it cannot find, or the browser failed."""


DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


def find_browser(env: Mapping[str, str] | None = None, fallback: Path = DEBIAN_CHROMIUM) -> str:
    env = os.environ if env is None else env
    configured = env.get("AUDITOR_CHROMIUM")
    if configured:
        if not Path(configured).is_file():
            raise BrowserMissing(f"--format pdf: AUDITOR_CHROMIUM={configured} does not exist")
        return configured
    for name in BROWSERS:
        found = shutil.which(name, path=env.get("PATH", ""))
        if found:
            return found
    if fallback.is_file():
        return str(fallback)
    raise BrowserMissing(
        "--format pdf prints the report with headless Chromium, and none was found (looked for "
        f"$AUDITOR_CHROMIUM, {', '.join(BROWSERS)} on PATH, {fallback}): install it "
        "(apt-get install chromium) or leave pdf out of --format"
    )


def print_to_pdf(html_file: Path, pdf: Path, browser: str) -> Path:
    with tempfile.TemporaryDirectory(prefix="auditor-chromium-") as profile:
        cmd = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            html_file.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BrowserMissing(f"--format pdf: {browser} failed: {exc}") from None
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise BrowserMissing(f"--format pdf: {browser} exited {proc.returncode}: {' | '.join(tail)}")
    return pdf


def write_pdf(ctx: WriteContext) -> Path:
    browser = find_browser()
    evidence = ctx.snapshot.evidence if ctx.snapshot is not None else ()
    html = render_html(
        ctx.result, library=ctx.library, evidence=evidence, manifest=ctx.evidence_manifest(), print_all=True
    )
    # The page is printed from a private temporary directory next to nothing else.
    with tempfile.TemporaryDirectory(prefix="auditor-pdf-") as tmp:
        page = write_text(Path(tmp) / "report.html", html)
        return print_to_pdf(page, ctx.out / "report.pdf", browser)


WRITER = Writer(
    "pdf",
    "report.pdf",
    "the report printed by headless Chromium: every control on its own page",
    write_pdf,
    check=find_browser,
)
