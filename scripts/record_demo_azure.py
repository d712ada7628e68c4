"""Record the Azure part of the demo estate (fixtures/demo/azure.json.gz) with the real collector.

Starts the local HTTPS fake of Resource Manager and Resource Graph (auditor_testkit.azure_fake) on
127.0.0.1 serving the reference estate (auditor_testkit.azure_estate): a tenant whose management
group `mg-root` holds `pass-prod` (resources that pass), `fail-dev` (resources that fail), a
Disabled subscription (excluded, with its reason) and `restricted-lab`, which the identity can list
but not read (an access_denied collection error, to show one). Scans it through `--management-groups
mg-root` with a static token over the real azure-mgmt clients, refuses to write a snapshot that
holds the planted canary, and saves it. Re-runnable:

    .venv/bin/python scripts/record_demo_azure.py
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from auditor.providers.azure import PROVIDER, AzureOptions
from auditor.providers.azure.clients import AzureClients
from auditor.scan import collect
from auditor.snapshot import save_snapshot
from auditor_testkit.azure_estate import CANARY, RESTRICTED, reference_estate
from auditor_testkit.azure_fake import FakeAzure, StaticToken
from auditor_testkit.netguard import loopback_only

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "demo" / "azure.json.gz"


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    estate = reference_estate(restricted=True)
    with (
        tempfile.TemporaryDirectory(prefix="auditor-azure-") as tmp,
        loopback_only(),
        FakeAzure(estate, list_page_size=3).start(Path(tmp)) as fake,
    ):
        fake.forbid(RESTRICTED)
        options = AzureOptions(arm_endpoint=fake.url, management_groups=["mg-root"], page_size=20)
        clients = AzureClients(StaticToken(), str(fake.ca_file))
        snap = collect([(PROVIDER, "azure", options)], clients={"azure": clients})
    if CANARY in snap.model_dump_json():
        raise SystemExit("refusing to write the demo snapshot: it holds the planted canary value")
    save_snapshot(snap, OUT)
    print(
        f"{OUT}: {len(snap.resources)} resources, {len(snap.evidence)} evidence records, "
        f"{len(snap.errors)} errors, {len(snap.exclusions)} exclusions"
    )


if __name__ == "__main__":
    main()
