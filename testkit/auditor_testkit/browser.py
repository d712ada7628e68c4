"""A headless Chromium driven through selenium and Debian's chromedriver, for the report's
browser tests and bench/report_bench.py. Loopback only: background networking, component
updates and sync are off, and a fresh profile is used each time."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--disable-quic", "--window-size=1400,1000",
    # no network at all, as the PDF printer: the report is one file whose CSP refuses any fetch
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
)  # fmt: skip


def chromium_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@contextmanager
def chromium() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # selenium's own manager would send usage statistics over the network: never let it
    os.environ["SE_AVOID_STATS"] = "true"
    paths = chromium_paths()
    if paths is None:
        raise RuntimeError("chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    with tempfile.TemporaryDirectory(prefix="auditor-selenium-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = paths[0]
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=Service(paths[1]), options=opts)
        try:
            yield driver
        finally:
            driver.quit()


def open_page(driver: Any, url: str, timeout: float = 60) -> None:
    """Load `url` with fresh logs and wait until the report's script has rendered."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(url)
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return !!window.__report"))


def requests_made(driver: Any) -> list[str]:
    """Every URL the page asked for since `open_page` (the document itself included)."""
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            out.append(msg["params"]["request"]["url"])
    return out


def page_url(path: Path, route: str = "") -> str:
    return path.resolve().as_uri() + route
