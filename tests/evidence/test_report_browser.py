"""The HTML report in a real browser (headless Chromium through selenium and chromedriver):
no console errors and no network request but the page itself; hostile names stay inert text;
deep links, filters and print work; 12,000 findings stay quick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from auditor.catalog import load_library
from auditor.checks import load_registry
from auditor.engine import rollup
from auditor.models import (
    Attestation,
    AttestedEvidence,
    Finding,
    Framework,
    ManualPart,
    Severity,
    Status,
)
from auditor.results import ScanInfo, ScanResult
from auditor.writers.html import write_html
from auditor_testkit.browser import chromium, chromium_paths, open_page, page_url, requests_made

pytestmark = pytest.mark.slow

HOSTILE = {
    "script": "<script>window.__pwned='script'</script>",
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "js_link": "javascript:window.__pwned='link'",
    "rtl": "invoice\u202efdp.exe",
    "zero_width": "adm\u200bin",
}


def _result(n_extra: int = 0) -> ScanResult:
    registry = load_registry()
    library = load_library()
    check = registry.get("aws.iam.root_mfa")
    assert check is not None
    findings = [
        Finding(
            check_id="aws.iam.root_mfa",
            status=Status.FAIL if i % 2 else Status.PASS,
            severity=Severity.CRITICAL,
            provider="aws",
            resource_type="aws.iam.account",
            resource_id=f"{name}-{kind}" if kind != "js_link" else name,
            resource_name=name,
            account="111122223333",
            region="us-east-1",
            message=f"{name} said </script><script>window.__pwned='message'</script>",
            evidence=("aws.iam.unknown.0001",),
        )
        for i, (kind, name) in enumerate(HOSTILE.items())
    ]
    statuses = [Status.FAIL, Status.PASS, Status.PASS, Status.ERROR, Status.NOT_APPLICABLE]
    findings += [
        Finding(
            check_id="aws.s3.bucket_versioning",
            status=statuses[i % 5],
            severity=Severity.MEDIUM,
            provider="aws",
            resource_type="aws.s3.bucket",
            resource_id=f"bucket-{i}",
            account=f"acct{i % 3}",
            region=f"r{i % 4}",
            message=f"message {i}",
        )
        for i in range(n_extra)
    ]
    manual = {
        (Framework.SOC2, "CC1.1"): ManualPart(
            state="attested",
            attestations=(
                Attestation(
                    owner=HOSTILE["img"],
                    statement=HOSTILE["script"],
                    attested_at=date(2026, 1, 1),
                    valid_for="365d",
                    expires=date(2027, 1, 1),
                    state="fresh",
                    evidence=(
                        AttestedEvidence(url="javascript:window.__pwned='att'"),
                        AttestedEvidence(url="https://example.com/p"),
                    ),
                ),
            ),
        )
    }
    controls = rollup(library, findings, registry, assessed={"aws"}, manual=manual)
    meta = [c.meta for c in registry if c.id in ("aws.iam.root_mfa", "aws.s3.bucket_versioning")]
    r = ScanResult(scan=ScanInfo(tool_version="test"), checks=meta, findings=findings, controls=controls)
    r.summary = r.compute_summary()
    return r


@pytest.fixture(scope="module")
def browser(skip_or_fail: Any) -> Iterator[Any]:
    if chromium_paths() is None:
        skip_or_fail("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_html(_result(200), tmp_path_factory.mktemp("report") / "report.html", library=load_library())


def _visit(browser: Any, report: Path, route: str) -> None:
    open_page(browser, page_url(report, route))
    assert_clean(browser, report)


def assert_clean(browser: Any, report: Path) -> None:
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    assert set(requests_made(browser)) <= {page_url(report)}
    assert browser.execute_script("return window.__pwned === undefined")
    assert (
        browser.execute_script(
            "return document.querySelectorAll('#app img, #app script, #app iframe').length"
        )
        == 0
    )


def test_markup_that_got_into_the_page_does_not_run(browser: Any, report: Path, tmp_path: Path) -> None:
    """The CSP allows the page's own script and style by hash, not every inline one: a script
    or handler slipped into the file (by a bug in the shell, or an edit) stays inert."""
    page = report.read_text("utf-8")
    assert "'unsafe-inline'" not in page
    hostile = "<script>window.__pwned='inline'</script><p onclick=\"window.__pwned='handler'\" id=h>x</p>"
    tampered = tmp_path / "report.html"
    tampered.write_text(page.replace('<main id="app">', hostile + '<main id="app">', 1), "utf-8")
    open_page(browser, page_url(tampered))
    browser.execute_script("document.getElementById('h').click()")
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return document.querySelector('#app').children.length") > 0


def _text(browser: Any, css: str) -> str:
    return str(browser.execute_script(f"return document.querySelector({css!r}).textContent"))


@pytest.mark.parametrize(
    "route",
    ["", "#/", "#/framework/soc2", "#/control/soc2/CC6.1", "#/control/soc2/CC1.1", "#/checks",
     "#/check/aws.iam.root_mfa", "#/resources", "#/findings", "#/findings?status=fail", "#/nowhere",
     "#/findings?q=%E0%A4%A&status=%"],  # the last: a bad %-escape (a hand-edited link) still renders
)  # fmt: skip
def test_every_view_renders_with_no_errors_and_no_requests(browser: Any, report: Path, route: str) -> None:
    _visit(browser, report, route)
    assert browser.execute_script("return document.querySelector('#app').children.length") > 0


def test_deep_link_to_a_control_page(browser: Any, report: Path) -> None:
    _visit(browser, report, "#/control/soc2/CC6.1")
    assert "CC6.1" in _text(browser, "#app h2")
    headings = browser.execute_script(
        "return [...document.querySelectorAll('#app h2')].map(h => h.textContent)"
    )
    for needed in ("Objective", "Manual part and attestation", "Automated checks", "Population in scope"):
        assert any(h.startswith(needed) for h in headings), (needed, headings)
    assert any(h.startswith("Failing and unevaluated resources") for h in headings)
    # the evidence behind a verdict opens inline
    browser.execute_script("document.querySelector('#app details.ev').open = true")
    assert "not in this package" in _text(browser, "#app details.ev")


def test_deep_links_to_checks_and_resources_follow_the_page_links(browser: Any, report: Path) -> None:
    _visit(browser, report, "#/check/aws.iam.root_mfa")
    hrefs = browser.execute_script(
        "return [...document.querySelectorAll('#app a')].map(a => a.getAttribute('href'))"
    )
    resource = next(h for h in hrefs if h.startswith("#/resource/"))
    _visit(browser, report, resource)
    assert "Every verdict on this resource (1)" in _text(browser, "#app")
    controls = [h for h in hrefs if h.startswith("#/control/")]
    assert "#/control/soc2/CC6.1" in controls


def test_hostile_names_stay_inert_text(browser: Any, report: Path) -> None:
    _visit(browser, report, "#/check/aws.iam.root_mfa")
    text = _text(browser, "#app")
    assert HOSTILE["script"] in text and HOSTILE["img"] in text and HOSTILE["js_link"] in text
    hrefs = browser.execute_script(
        "return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))"
    )
    assert all(h.startswith(("#/", "evidence/", "https://")) for h in hrefs), hrefs
    # direction overrides and zero-width characters are shown, and cannot reorder their neighbours
    markers = browser.execute_script(
        "return [...document.querySelectorAll('#app .cc')].map(m => m.textContent)"
    )
    assert "U+202E" in markers and "U+200B" in markers
    assert browser.execute_script(
        "return [...document.querySelectorAll('#app .cc')].every(m => m.closest('bdi'))"
    )
    _visit(browser, report, "#/control/soc2/CC1.1")
    text = _text(browser, "#app")
    assert HOSTILE["img"] in text and HOSTILE["script"] in text
    links = browser.execute_script(
        "return [...document.querySelectorAll('#app .manual a')].map(a => a.getAttribute('href'))"
    )
    assert links == ["https://example.com/p"]  # the javascript: URL is shown as text, not linked
    assert "javascript:window.__pwned='att'" in text


def test_filters_narrow_the_findings(browser: Any, report: Path) -> None:
    _visit(browser, report, "#/findings")
    total = int(browser.execute_script("return document.body.getAttribute('data-filtered')"))
    assert total == 205

    def choose(label: str, value: str) -> int:
        browser.execute_script(
            "const s = document.querySelector(`select[aria-label='${arguments[0]}']`);"
            "s.value = arguments[1]; s.dispatchEvent(new Event('change'));",
            label,
            value,
        )
        return int(browser.execute_script("return document.body.getAttribute('data-filtered')"))

    assert choose("verdict", "fail") == 40 + 2
    assert choose("severity", "critical") == 2
    assert choose("severity", "") == 42
    assert choose("account", "acct1") == 13
    assert choose("region", "r1") == 3  # failing (i % 5 == 0) in acct1 (i % 3 == 1) and r1 (i % 4 == 1)
    assert choose("framework", "hipaa") == 3  # both checks map to HIPAA controls
    choose("framework", "")
    choose("account", "")
    choose("region", "")
    assert choose("provider", "aws") == 42
    browser.execute_script(
        "const q = document.getElementById('q'); q.value = 'BUCKET-10'; q.dispatchEvent(new Event('input'));"
    )
    # failing buckets whose text holds "bucket-10": bucket-10, bucket-100, bucket-105 (search ignores case)
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.body.getAttribute('data-filtered')") == "3"
    )
    _visit(browser, report, "#/findings?status=error")
    assert int(browser.execute_script("return document.body.getAttribute('data-filtered')")) == 40


def test_population_pages_and_filters_within_a_control(browser: Any, report: Path) -> None:
    _visit(browser, report, "#/check/aws.s3.bucket_versioning")
    count = _text(browser, "#app .population .count")
    assert count == "showing 100 of 200"
    browser.execute_script("document.querySelector('#app .population button.more').click()")
    assert _text(browser, "#app .population .count") == "showing 200 of 200"
    browser.execute_script(
        "const s = document.querySelector('#app .population select'); s.value = 'fail'; s.dispatchEvent(new Event('change'));"
    )
    assert _text(browser, "#app .population .count") == "showing 40 of 40 (of 200)"


def test_print_puts_every_control_on_its_own_page_untruncated(browser: Any, report: Path) -> None:
    _visit(browser, report, "#/")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
        pages = browser.execute_script("return document.querySelectorAll('#print-all .control-page').length")
        assert pages == 219
        assert (
            browser.execute_script("return getComputedStyle(document.getElementById('app')).display")
            == "none"
        )
        assert (
            browser.execute_script("return getComputedStyle(document.getElementById('print-all')).display")
            == "block"
        )
        breaks = browser.execute_script(
            "return [...document.querySelectorAll('#print-all .control-page')].map(p => getComputedStyle(p).breakBefore)"
        )
        assert set(breaks) == {"page"}
        # the whole population is there: CC6.1 maps both checks, so every verdict is printed
        cc61 = browser.execute_script(
            "return [...document.querySelectorAll('#print-all .control-page')].find(p => p.querySelector('h2').textContent.startsWith('CC6.1 ')).querySelectorAll('tr.f').length"
        )
        assert cc61 == 5
        clipped = browser.execute_script(
            "return [...document.querySelectorAll('#print-all *')].filter(e => { const s = getComputedStyle(e);"
            " return (s.overflow === 'hidden' || s.textOverflow === 'ellipsis') && e.scrollWidth > e.clientWidth + 1; }).length"
        )
        assert clipped == 0
        pdf = browser.print_page()
        assert len(pdf) > 10_000
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_twelve_thousand_findings_render_and_filter(browser: Any, tmp_path: Path) -> None:
    page = write_html(_result(12_000), tmp_path / "report.html", library=load_library())
    open_page(browser, page_url(page, "#/findings"))
    assert_clean(browser, page)
    assert int(browser.execute_script("return document.body.getAttribute('data-filtered')")) == 12_005
    assert browser.execute_script("return document.querySelectorAll('#app tr.f').length") == 100
    assert browser.execute_script("return window.__report.ready - window.__report.start") < 5000


def test_pdf_prints_every_control_through_chromium(browser: Any, tmp_path: Path) -> None:
    """(`browser` only to skip or fail with the others when Chromium is missing.)"""
    from auditor.writers import WriteContext
    from auditor.writers.pdf import write_pdf

    pdf = write_pdf(WriteContext(result=_result(), library=load_library(), out=tmp_path))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages >= 220  # a cover, then at least one page per control


def test_pdf_printing_reaches_no_network_not_even_loopback(browser: Any, tmp_path: Path) -> None:
    """A page with no CSP of its own that asks for a loopback URL and a host name: Chromium
    printing it asks nothing of either (the server below would hear it)."""
    import http.server
    import threading

    from auditor.writers.pdf import find_browser, print_to_pdf

    heard: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            heard.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        page = tmp_path / "probe.html"
        page.write_text(
            f'<p>probe</p><img src="http://127.0.0.1:{port}/loopback">'
            f'<img src="http://localhost:{port}/by-name">',
            "utf-8",
        )
        pdf = print_to_pdf(page, tmp_path / "probe.pdf", find_browser())
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert heard == []
