"""`auditor verify DIR`: is this evidence package what the scan wrote, and who signed it?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from auditor.cli.common import EXIT_FINDINGS, EXIT_OK, err_console, run_command
from auditor.package import Verification, verify_package
from auditor.signing import load_public_key

# -------------------------------------------------------------------------- verify


def _describe_signature(v: Verification) -> str:
    if v.signature == "valid":
        where = v.key_source.get("type", "key")
        if v.key_source.get("type") == "vault-transit":
            where = (
                f"Vault transit key {v.key_source.get('mount')}/keys/{v.key_source.get('key')} "
                f"version {v.key_source.get('key_version')} at {v.key_source.get('address')}"
            )
        trust = (
            "the expected key"
            if v.expected_fingerprint
            else "the key the manifest carries (give --public-key to check who signed)"
        )
        return f"signature: valid, by {v.fingerprint} ({where}); checked against {trust}"
    if v.signature == "absent":
        return "signature: none (the package is not signed)"
    return ""


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(path_type=Path),
    help="The signer's Ed25519 public key (PEM, or Vault's base64 form): the package must be signed by it.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def verify(directory: Path, public_key: Path | None, fmt: str) -> None:
    """Re-hash every file of an evidence package (a scan's --out directory) and check its signature.

    Exit 0: intact (and signed by --public-key when given); 1: a file changed, went missing or was
    added, a record no longer matches its hash, the signature is bad, or the package is unsigned
    while --public-key expected a signature; 2: the package or the key cannot be read."""

    def body() -> int:
        key = load_public_key(public_key) if public_key else None
        v = verify_package(directory, key)
        problems = v.problems()
        if fmt == "json":
            doc = {
                "intact": v.intact,
                "files": v.files,
                "changed": v.changed,
                "missing": v.missing,
                "added": v.added,
                "records_changed": v.records_changed,
                "signature": v.signature,
                "fingerprint": v.fingerprint,
                "expected_fingerprint": v.expected_fingerprint,
                "key_source": v.key_source,
                "problems": problems,
            }
            click.echo(json.dumps(doc, indent=2))
        else:
            for line in problems:
                err_console.print(line, style="red", markup=False, highlight=False, soft_wrap=True)
            note = _describe_signature(v)
            if note:
                click.echo(note)
            verdict = "intact" if v.intact else "NOT INTACT"
            click.echo(f"{directory}: {verdict}: {v.files} files listed, {len(problems)} problem(s)")
        return EXIT_OK if v.intact else EXIT_FINDINGS

    run_command(body)
