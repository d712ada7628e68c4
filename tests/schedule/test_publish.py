"""Metrics (textfile, and a push to a real Pushgateway), the drift webhook (HTTPS, retried,
with a timeout, against a local TLS server), and the trend section."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.results import read_results

from .conftest import DEMO_AWS, cli

METRICS = (
    "auditor_controls",
    "auditor_findings",
    "auditor_collection_errors",
    "auditor_scan_duration_seconds",
    "auditor_last_success_timestamp_seconds",
)


def _value(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{name}(\{{[^}}]*\}})?\s+(\S+)$" if not labels else rf"^{name}\{{{labels}\}}\s+(\S+)$"
    for line in text.splitlines():
        m = re.match(pattern, line)
        if m:
            return float(m.groups()[-1])
    raise AssertionError(f"{name}{{{labels}}} not in:\n{text}")


def test_the_textfile_holds_the_metrics_and_a_failed_scan_keeps_the_last_success(
    tmp_path: Path, demo_results: Path
) -> None:
    prom = tmp_path / "textfile" / "auditor.prom"
    r = cli(
        "scan",
        "--from-snapshot",
        str(DEMO_AWS),
        "--out",
        str(tmp_path / "o1"),
        "-q",
        "--metrics-file",
        str(prom),
    )
    assert r.exit_code == 3, r.output  # the demo estate has collection errors: still a completed scan
    text = prom.read_text()
    for name in METRICS:
        assert f"# TYPE {name} gauge" in text
    result = read_results(demo_results)
    fails = sum(1 for c in result.controls if c.framework.value == "soc2" and c.status.value == "fail")
    assert _value(text, "auditor_controls", 'framework="soc2",status="fail"') == fails
    assert _value(text, "auditor_collection_errors", 'kind="error",provider="aws"') == len(result.errors)
    first = _value(text, "auditor_last_success_timestamp_seconds")
    # a scan whose store cannot be written is no success: the previous timestamp stays
    bad = tmp_path / "not-a-dir"
    bad.write_text("x")
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(tmp_path / "o2"), "-q",
        "--metrics-file", str(prom), "--store", str(bad / "h.db"),
    )  # fmt: skip
    assert r.exit_code == 2
    assert _value(prom.read_text(), "auditor_last_success_timestamp_seconds") == first
    assert not list(prom.parent.glob("*.tmp*"))  # written atomically


@pytest.mark.integration
def test_metrics_are_pushed_to_a_real_pushgateway(pushgateway: Any, tmp_path: Path) -> None:
    r = cli(
        "scan",
        "--from-snapshot",
        str(DEMO_AWS),
        "--out",
        str(tmp_path / "o"),
        "-q",
        "--pushgateway",
        pushgateway.url,
    )
    assert r.exit_code == 3, r.output
    text = pushgateway.metrics()
    for name in METRICS:
        assert re.search(rf'^{name}\{{[^}}]*job="auditor"', text, re.M), name
    pushed = [
        line for line in text.splitlines() if line.startswith("auditor_last_success_timestamp_seconds{")
    ]
    assert len(pushed) == 1
    # a failing scan pushes its counts but leaves the last success where it was
    bad = tmp_path / "f"
    bad.write_text("x")
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(tmp_path / "o2"), "-q",
        "--pushgateway", pushgateway.url, "--store", str(bad / "h.db"),
    )  # fmt: skip
    assert r.exit_code == 2
    again = [
        line
        for line in pushgateway.metrics().splitlines()
        if line.startswith("auditor_last_success_timestamp_seconds{")
    ]
    assert again == pushed


def test_an_unreachable_pushgateway_fails_the_scan_after_its_outputs(tmp_path: Path) -> None:
    from auditor_testkit.local import closed_port_url

    out = tmp_path / "o"
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(out), "-q", "--pushgateway", closed_port_url()
    )
    assert r.exit_code == 2 and "push failed" in r.output
    assert (out / "results.json").exists()


# ---------------------------------------------------------------------------- webhook


class Hook:
    def __init__(self) -> None:
        from auditor_testkit.fakeapi import FakeAPI, Request, Response

        self.received: list[Any] = []

        def receive(request: Request) -> Response:
            self.received.append(request.json())
            return Response(204)

        self.api = FakeAPI(tls=True)
        self.api.add_route("POST", "/hooks/{token}", receive, name="hook")


@pytest.fixture
def hook(tmp_path: Path) -> Any:
    h = Hook()
    h.api.start(tmp_path)
    yield h
    h.api.stop()


def test_diff_posts_the_drift_summary_over_https_with_retries(
    hook: Any, demo_results: Path, tmp_path: Path
) -> None:
    hook.api.fail("hook", 503, times=2)  # two failures, then the real answer
    url = f"{hook.api.url}/hooks/t0ken?sig=abc"
    r = cli(
        "diff", str(demo_results), str(demo_results), "--webhook", url, "--webhook-ca-file", str(hook.api.ca_file),
        "--format", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert hook.api.count(route="hook") == 3
    [payload] = hook.received
    assert payload["event"] == "auditor.drift" and payload["counts"]["new_failures"] == 0
    assert payload["counts"]["still_failing"] == len(json.loads(r.output)["still_failing"])
    assert len(payload["still_failing"]) <= 50
    assert hook.api.requests[-1].header("content-type") == "application/json"


def test_the_webhook_gives_up_clearly(hook: Any) -> None:
    from auditor.notify import NotifyError, Webhook

    slept: list[float] = []
    hook.api.fail("hook", 400, times=None)
    with pytest.raises(NotifyError, match="refused: HTTP 400"):
        Webhook(f"{hook.api.url}/hooks/x", ca_file=hook.api.ca_file, sleep=slept.append).post({})
    assert hook.api.count(route="hook") == 1 and slept == []  # a 4xx is final
    hook.api.clear_faults()
    hook.api.throttle("hook", retry_after=7, times=None)
    with pytest.raises(NotifyError, match="after 3 attempt"):
        Webhook(f"{hook.api.url}/hooks/x", ca_file=hook.api.ca_file, attempts=3, sleep=slept.append).post({})
    assert slept == [7.0, 7.0]  # Retry-After honoured
    hook.api.clear_faults()
    hook.api.hang("hook", 3, times=None)
    with pytest.raises(NotifyError, match=r"Timeout|timed out"):
        Webhook(
            f"{hook.api.url}/hooks/x", ca_file=hook.api.ca_file, attempts=2, timeout=0.3, sleep=slept.append
        ).post({})
    with pytest.raises(NotifyError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        hook.api.clear_faults()
        Webhook(f"{hook.api.url}/hooks/x", attempts=1).post({})  # the test CA is not trusted by default


def test_the_webhook_needs_https() -> None:
    from auditor.errors import UsageError
    from auditor.notify import Webhook

    with pytest.raises(UsageError, match="https"):
        Webhook("http://127.0.0.1:1/x")


def test_credentials_in_a_webhook_or_pushgateway_url_are_basic_auth_not_a_host(
    hook: Any, tmp_path: Path
) -> None:
    """`https://user:pw@host/...`: urllib alone takes `user:pw@host` for the host name and looks
    it up in DNS; the credentials must go in an Authorization header, to the host named."""
    import base64

    from auditor.metrics import push
    from auditor.notify import Webhook
    from auditor_testkit.fakeapi import FakeAPI, Response

    host = hook.api.url.removeprefix("https://")
    Webhook(f"https://hook%20user:s3cr%3At@{host}/hooks/x", ca_file=hook.api.ca_file, attempts=1).post(
        {"a": 1}
    )
    [req] = hook.api.requests
    assert req.header("authorization") == "Basic " + base64.b64encode(b"hook user:s3cr:t").decode()
    assert hook.received == [{"a": 1}]

    gateway = FakeAPI()
    gateway.add_route("*", "/metrics/{rest:path}", lambda request: Response(200), name="push")
    gateway.start(tmp_path)
    try:
        push(
            gateway.url.replace("http://", "http://pusher:pushpw@"),
            _demo_result(tmp_path),
            duration=1.0,
            success_at=None,
        )
        [req] = gateway.requests
        assert req.header("authorization") == "Basic " + base64.b64encode(b"pusher:pushpw").decode()
        assert req.target.startswith("/metrics/job/auditor")
    finally:
        gateway.stop()


def _demo_result(tmp_path: Path) -> Any:
    out = tmp_path / "demo"
    r = cli("scan", "--from-snapshot", str(DEMO_AWS), "--out", str(out), "-q", "--format", "json")
    assert r.exit_code in (0, 3), r.output
    return read_results(out)


# ---------------------------------------------------------------------------- trend


def test_the_trend_section_draws_compliance_per_framework(tmp_path: Path, demo_results: Path) -> None:
    from auditor.store import open_store
    from auditor.trend import build_trend, trend_section

    result = read_results(demo_results)
    db = str(tmp_path / "h.db")
    with open_store(db) as store:
        for i in range(3):
            result.scan.id = f"{i:032d}"
            store.write(result)
        history = store.history()
    result.scan.id = "current"
    trend = build_trend(history, result)
    assert [p.scan_id for p in trend.points][-1] == "current" and len(trend.points) == 4
    assert trend.frameworks == ("hipaa", "iso27001", "soc2")
    html = str(trend_section(trend))
    assert html.count("<polyline") == 3 and html.count("<circle") == 12
    assert "<script" not in html and "style=" not in html and "http://www.w3.org/2000/svg" in html
    # a scan with --store hands the trend to the writers
    seen: list[Any] = []
    import auditor.scan as scan_api

    real = scan_api.write_outputs

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("trend"))
        return real(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(scan_api, "write_outputs", spy)
    try:
        r = cli("scan", "--from-snapshot", str(DEMO_AWS), "--out", str(tmp_path / "o"), "-q", "--store", db)
    finally:
        mp.undo()
    assert r.exit_code == 3 and seen and seen[0] is not None and len(seen[0].points) == 4


def test_text_in_the_trend_is_escaped() -> None:
    from datetime import UTC, datetime

    from auditor.trend import Trend, TrendPoint, trend_section

    trend = Trend(
        (TrendPoint("<script>x</script>", datetime(2025, 1, 1, tzinfo=UTC), {"<b>": 50.0}),), ("<b>",)
    )
    html = str(trend_section(trend))
    assert "<script>" not in html and "&lt;b&gt;" in html


def test_webhook_and_pushgateway_urls_are_shown_without_their_secrets(
    tmp_path: Path, demo_results: Path
) -> None:
    """A webhook's path and query are often its token, a Pushgateway URL may carry credentials:
    neither reaches a message, and a URL or CA bundle that cannot be used is exit 2, not 4."""
    from auditor.errors import UsageError
    from auditor.notify import Webhook, safe_url

    assert (
        safe_url("https://u:pw@hooks.example.com:8443/services/T0KEN?sig=abc")
        == "https://hooks.example.com:8443/..."
    )
    assert safe_url("http://127.0.0.1:9091") == "http://127.0.0.1:9091"
    assert safe_url("https://[::1/x") == "(a URL that cannot be parsed)"
    with pytest.raises(UsageError) as err:
        Webhook("http://hooks.example.com/services/T0KEN?sig=abc")
    assert "T0KEN" not in str(err.value) and "abc" not in str(err.value)
    for bad in ("https://hooks.example.com:port/T0KEN", "https://[::1/T0KEN"):
        with pytest.raises(UsageError, match="not a URL") as err:
            Webhook(bad)
        assert "T0KEN" not in str(err.value)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    r = cli("diff", str(demo_results), str(demo_results), "--webhook", "https://127.0.0.1:1/T0KEN",
            "--webhook-ca-file", str(junk))  # fmt: skip
    assert r.exit_code == 2 and "--webhook-ca-file" in r.output and "T0KEN" not in r.output
    r = cli(
        "scan", "--from-snapshot", str(DEMO_AWS), "--out", str(tmp_path / "o"), "-q",
        "--pushgateway", "http://user:pushpw@127.0.0.1:port",
    )  # fmt: skip
    assert r.exit_code == 2 and "push failed" in r.output and "pushpw" not in r.output
