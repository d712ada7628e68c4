"""Adding a provider needs no edit outside its package: a tiny provider that lives in the tests
registers, collects from a local fake through the shared runtime, is evaluated and is reported."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.catalog import lint, load_library
from auditor.checks import load_registry
from auditor.contracts import load_contracts
from auditor.providers import discover_providers
from auditor.scan import collect, evaluate_snapshot, write_outputs
from auditor_testkit.fakeapi import FakeAPI, Request, Response, paginate
from auditor_testkit.netguard import guarded_cli

HERE = Path(__file__).resolve().parent
WIDGETS = [{"name": f"w{i}", "locked": i % 2 == 0} for i in range(5)]


class WidgetAPI(FakeAPI):
    name = "widgets"

    def __init__(self) -> None:
        super().__init__()
        self.add_route("GET", "/widgets", self.list, name="widgets.list")

    def list(self, request: Request) -> Response:
        page = paginate(WIDGETS, request.arg("pageToken"), request.int_arg("pageSize"), scope="widgets")
        return Response(
            200, {"widgets": page.items} | ({"nextPageToken": page.next_token} if page.next_token else {})
        )


@pytest.fixture()
def api() -> Iterator[WidgetAPI]:
    with WidgetAPI() as fake:
        yield fake


@pytest.fixture()
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("AUDITOR_PROVIDERS", "toy_provider:PROVIDER")


def test_a_provider_package_registers_collects_evaluates_and_reports(
    toy: None, api: WidgetAPI, tmp_path: Path
) -> None:
    providers = discover_providers()
    spec = providers["toy"]
    registry = load_registry(providers)
    library = load_library(providers=providers)
    assert "toy.widget.locked" in registry and lint(library, registry) == []
    snap = collect([(spec, "toy", spec.options.model_validate({"endpoint": api.url}))])
    assert api.count(route="widgets.list") == 3  # 5 widgets, 2 per page, through the runtime
    assert load_contracts(providers).validate_snapshot(snap) == []
    result = evaluate_snapshot(snap, library=library, registry=registry, providers=providers)
    verdicts = {f.resource_id: f.status.value for f in result.findings if f.check_id == "toy.widget.locked"}
    assert verdicts == {"w0": "pass", "w1": "fail", "w2": "pass", "w3": "fail", "w4": "pass"}
    soc2 = next(c for c in result.controls if c.framework.value == "soc2" and c.control_id == "CC6.1")
    assert "toy.widget.locked" in [s.check_id for s in soc2.checks] and soc2.status.value == "fail"
    written = write_outputs(result, tmp_path / "out", ["html", "json", "csv"], snapshot=snap, library=library)
    assert "Widgets are locked" in written["html"].read_text()
    assert "toy.widget.locked" in written["csv"].read_text()


def test_the_runtime_records_a_denied_list_for_its_scope(toy: None, api: WidgetAPI) -> None:
    providers = discover_providers()
    spec = providers["toy"]
    api.fail("widgets.list", 403, times=None)
    snap = collect([(spec, "toy", spec.options.model_validate({"endpoint": api.url}))])
    (err,) = snap.errors
    assert (err.kind.value, err.operation, err.resource_types) == (
        "access_denied",
        "widgets.list",
        ("toy.widget",),
    )
    result = evaluate_snapshot(snap, registry=load_registry(providers), providers=providers)
    assert {f.status.value for f in result.findings if f.check_id == "toy.widget.locked"} == {"error"}


def test_the_cli_scans_a_plugin_provider(api: WidgetAPI, tmp_path: Path) -> None:
    path = os.pathsep.join(
        p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p
    )  # this checkout's auditor
    env = {**os.environ, "AUDITOR_PROVIDERS": "toy_provider:PROVIDER", "PYTHONPATH": path}
    out = tmp_path / "cli"
    proc = subprocess.run(
        guarded_cli("scan", "toy", "--endpoint", api.url, "--out", str(out), "-q"),
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "results.json").read_text())
    assert {f["check_id"] for f in data["findings"]} == {"toy.widget.locked"}
    assert data["scan"]["targets"][0]["provider"] == "toy"
