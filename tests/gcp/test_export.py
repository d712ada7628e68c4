"""--asset-export: gcloud export NDJSON (snake_case) and `gcloud asset list --format=json` (camelCase)
give the same resources and findings as a live scan of the same state; bad lines are named."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from auditor.models import ErrorKind, Snapshot
from auditor.providers import discover_providers
from auditor.providers.gcp import GcpOptions
from auditor.scan import collect
from auditor_testkit.gcp_fake import export_records
from auditor_testkit.netguard import guarded_cli

from .util import ORGS, Gcp, gcp_findings

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "fixtures" / "gcp"
CONTENTS = ("RESOURCE", "IAM_POLICY", "ORG_POLICY")


def read_exports(*files: Path) -> Snapshot:
    spec = discover_providers()["gcp"]
    return collect([(spec, "gcp", GcpOptions(asset_export=[str(f) for f in files]))])


def write_exports(assets: list[dict[str, object]], out: Path, spelling: str) -> list[Path]:
    """One file per organization and content type, as `gcloud asset export --organization` writes."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for org in ORGS:
        mine = [a for a in assets if f"organizations/{org}" in a.get("ancestors", ())]  # type: ignore[operator]
        for content in CONTENTS:
            records = export_records(mine, content, spelling)
            path = out / f"{org}-{content.lower()}.{'json' if spelling == 'camel' else 'ndjson'}"
            if spelling == "camel":
                path.write_text(json.dumps(records, indent=2), "utf-8")  # gcloud asset list --format=json
            else:
                path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
            files.append(path)
    return files


def _view(snap: Snapshot) -> set[tuple[object, ...]]:
    return {
        (f.key, f.check_id, f.resource_type, f.resource_id, f.account, f.region, f.status.value, f.message)
        for f in gcp_findings(snap)
    }


@pytest.mark.integration
@pytest.mark.parametrize("spelling", ["snake", "camel"])
def test_an_export_gives_the_same_findings_as_a_live_scan(
    clean: tuple[Gcp, Snapshot], tmp_path: Path, spelling: str
) -> None:
    g, live = clean
    offline = read_exports(*write_exports(g.fake.assets, tmp_path, spelling))
    assert offline.errors == []
    assert {(r.type, r.id, json.dumps(r.attributes, sort_keys=True)) for r in offline.resources} == {
        (r.type, r.id, json.dumps(r.attributes, sort_keys=True)) for r in live.resources
    }
    assert [(x.scope, x.reason) for x in offline.skipped] == [(x.scope, x.reason) for x in live.skipped]
    assert _view(offline) == _view(live)
    assert {e.operation for e in offline.evidence} == {"asset_export.read"}


@pytest.mark.integration
def test_a_malformed_line_is_named_and_the_rest_is_read(clean: tuple[Gcp, Snapshot], tmp_path: Path) -> None:
    g, _ = clean
    files = write_exports(g.fake.assets, tmp_path, "snake")
    resource = files[0]
    lines = resource.read_text("utf-8").splitlines(keepends=True)
    whole = read_exports(resource)
    broken = [
        *lines[:2],
        '{"name": "//storage.googleapis.com/x", "asset_type": "storage.googleapis.com/Bucket", \n',
        *lines[2:],
    ]
    resource.write_text("".join(broken), "utf-8")
    snap = read_exports(resource)
    (err,) = [e for e in snap.errors if e.kind == ErrorKind.ERROR]
    assert err.message.startswith(f"{resource}:3: not valid JSON") and err.resource_types == (
        "gcp.storage.bucket",
    )
    assert len(snap.resources) == len(whole.resources)


def test_the_recorded_fixtures_in_both_spellings() -> None:
    snap = read_exports(*sorted(FIXTURES.glob("*.*json")))
    types = {r.type for r in snap.resources}
    assert {
        "gcp.resourcemanager.project",
        "gcp.storage.bucket",
        "gcp.iam.policy",
        "gcp.orgpolicy.policy",
    } <= types
    assert {"gcp.compute.instance", "gcp.resourcemanager.organization"} <= types
    bad = [e for e in snap.errors if e.kind == ErrorKind.ERROR]
    assert len(bad) == 1 and "export-broken.ndjson:2:" in bad[0].message
    camel = {(r.type, r.id) for r in read_exports(FIXTURES / "list-iam-policy.json").resources}
    snake = {(r.type, r.id) for r in read_exports(FIXTURES / "export-iam-policy.ndjson").resources}
    assert camel == snake and camel


def test_content_types_no_file_holds_are_not_collected(tmp_path: Path) -> None:
    snap = read_exports(FIXTURES / "export-resource.ndjson")
    missing = {e.resource_types for e in snap.errors if e.kind == ErrorKind.NOT_COLLECTED}
    assert missing == {("gcp.iam.policy",), ("gcp.orgpolicy.policy",)}
    public = [f for f in gcp_findings(snap) if f.check_id == "gcp.storage.bucket_not_public"]
    assert public and {f.status.value for f in public} == {"error"}


def test_a_missing_export_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ndjson"
    done = subprocess.run(
        [
            *guarded_cli(),
            "scan",
            "gcp",
            "--asset-export",
            str(missing),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and str(missing) in done.stderr and "no such" in done.stderr


def test_export_and_live_options_do_not_mix() -> None:
    with pytest.raises(ValueError, match="asset-export"):
        GcpOptions(asset_export=["a.ndjson"], organization="1")
