"""Record the GCP demo snapshot (fixtures/demo/gcp.json.gz) with the real collector, and with
--fixtures the export fixtures in fixtures/gcp/.

Starts the local Cloud Asset fake (auditor_testkit.gcp_fake) on 127.0.0.1 with the reference
estate (two organizations with folders and projects, pass-org configured well and fail-org badly,
one DELETE_REQUESTED project), writes a service-account key whose token_uri is the fake, scans
both organizations with the GCP collector through the real google-cloud-asset REST client and
google-auth, and saves the snapshot. It refuses to write a snapshot that holds the planted secret.

--fixtures also writes fixtures/gcp/: `gcloud asset export`-style NDJSON (snake_case, through the
real Asset protobuf message) per content type, a file with a broken line, and, when the gcloud CLI
is installed, `gcloud asset list --format=json` output recorded from the same fake (camelCase).

Run: .venv/bin/python scripts/record_demo_gcp.py [--fixtures]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.providers import discover_providers
from auditor.providers.gcp import GcpOptions
from auditor.scan import collect
from auditor.snapshot import save_snapshot
from auditor_testkit.gcp_fake import (
    CANARY,
    FAIL_ORG,
    NO_METADATA_SERVER,
    PASS_ORG,
    FakeCloudAsset,
    export_records,
    reference_estate,
    service_account_key_file,
)
from auditor_testkit.netguard import loopback_only

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "demo" / "gcp.json.gz"
FIXTURES = ROOT / "fixtures" / "gcp"
SCANNER = "auditor-demo@scanner-project.iam.gserviceaccount.com"
FIXTURE_TYPES = (
    "cloudresourcemanager.googleapis.com/Organization",
    "cloudresourcemanager.googleapis.com/Project",
    "storage.googleapis.com/Bucket",
    "compute.googleapis.com/Instance",
)
FIXED_NOW = datetime(2025, 6, 1, tzinfo=UTC)


def record_demo(workdir: Path) -> None:
    with FakeCloudAsset(reference_estate()) as fake:
        key = workdir / "key.json"
        fake.add_service_account(SCANNER, service_account_key_file(key, SCANNER, fake.token_uri))
        spec = discover_providers()["gcp"]
        targets = [
            (
                spec,
                f"gcp-{org}",
                GcpOptions(organization=org, credentials_file=str(key), api_endpoint=fake.url),
            )
            for org in (PASS_ORG, FAIL_ORG)
        ]
        snap = collect(targets)
    if CANARY in snap.model_dump_json():
        raise SystemExit("refusing to write the demo snapshot: it holds the planted secret")
    save_snapshot(snap, OUT)
    print(
        f"{OUT}: {len(snap.resources)} resources, {len(snap.evidence)} evidence records, {len(snap.errors)} errors"
    )


def _ndjson(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records), "utf-8")
    print(f"{path}: {len(records)} assets")


def _gcloud_list(fake: FakeCloudAsset, content: str, workdir: Path) -> list[dict[str, Any]] | None:
    if shutil.which("gcloud") is None:
        return None
    token = workdir / "token"
    token.write_text(fake.issue_token("recorder@scanner-project.iam.gserviceaccount.com"), "utf-8")
    env = {
        **os.environ,
        **NO_METADATA_SERVER,
        "CLOUDSDK_CONFIG": str(workdir / "gcloud"),
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDASSET": fake.url + "/",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    }
    out: list[dict[str, Any]] = []
    for org in (PASS_ORG, FAIL_ORG):
        done = subprocess.run(
            [
                "gcloud",
                "asset",
                "list",
                f"--organization={org}",
                f"--content-type={content}",
                "--format=json",
                f"--access-token-file={token}",
                f"--asset-types={','.join(FIXTURE_TYPES)}",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=True,
        )
        out.extend(json.loads(done.stdout))
    return out


def record_fixtures(workdir: Path) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    assets = [a for a in reference_estate(FIXED_NOW) if a["assetType"] in FIXTURE_TYPES]
    for content in ("RESOURCE", "IAM_POLICY", "ORG_POLICY"):
        _ndjson(
            FIXTURES / f"export-{content.lower().replace('_', '-')}.ndjson",
            export_records(assets, content, "snake"),
        )
    lines = (FIXTURES / "export-resource.ndjson").read_text("utf-8").splitlines()
    (FIXTURES / "export-broken.ndjson").write_text(
        lines[0] + "\n" + lines[1][:70] + "\n" + lines[2] + "\n", "utf-8"
    )
    with FakeCloudAsset(assets) as fake:
        for content in ("resource", "iam-policy"):
            listed = _gcloud_list(fake, content, workdir)
            if listed is None:
                print("gcloud is not installed: the list-*.json fixtures were not re-recorded")
                return
            path = FIXTURES / f"list-{content}.json"
            path.write_text(json.dumps(listed, indent=2) + "\n", "utf-8")
            print(f"{path}: {len(listed)} assets (gcloud asset list --format=json)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fixtures", action="store_true", help="also re-record fixtures/gcp/")
    args = parser.parse_args()
    os.environ.update(NO_METADATA_SERVER)
    # the fake and the scan stay on loopback: a metadata probe or any other host is refused
    # (gcloud, a child process, is kept off the metadata server by its environment alone)
    with tempfile.TemporaryDirectory(prefix="auditor-gcp-") as tmp, loopback_only():
        record_demo(Path(tmp))
        if args.fixtures:
            record_fixtures(Path(tmp))


if __name__ == "__main__":
    main()
