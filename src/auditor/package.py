"""The evidence package: every file a scan wrote, hashed into `evidence/manifest.json`, signed.

`evidence/manifest.json` holds:

- `evidence`: every evidence record (id, file, provider, operation, collection time and the
  SHA-256 of its body's canonical JSON), as `auditor.snapshot.write_evidence_dir` lists them;
- `files`: every file of the package (results, reports, evidence records, attestation evidence,
  the snapshot when saved inside it) with its size and the SHA-256 of its bytes, by path
  relative to the package root (the scan's `--out` directory);
- `custody`: the chain of custody (`auditor.custody`);
- `signature` (when signed): Ed25519 over the canonical JSON of the manifest without its
  `signature` block, with the public key, its fingerprint, and where the key lives.

`verify_package(root)` re-hashes every file, re-hashes every evidence record's body, and checks
the signature; it reports changed, missing and added files and a bad or absent signature.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from auditor.custody import file_sha256
from auditor.errors import ConfigError
from auditor.evidence import canonical_json, sha256_of
from auditor.inputs import parse_json, read_bytes, read_json_object
from auditor.outputs import write_text
from auditor.signing import (
    ALGORITHM,
    Signer,
    fingerprint,
    public_key_from_b64,
    raw_public_key,
    signature_valid,
)

MANIFEST = Path("evidence") / "manifest.json"
MANIFEST_VERSION = 1
_RECORD_KEYS = ("id", "file", "provider", "operation", "collected_at", "sha256")
SIGNED_BYTES = "canonical JSON (sorted keys, no whitespace, UTF-8) of this manifest without `signature`"


def package_files(root: Path, written: Iterable[Path]) -> list[Path]:
    """The files a scan wrote under `root`: each written path, or every file below a written
    directory; the manifest itself excluded; absolute, sorted and de-duplicated. A directory is
    resolved once and its files taken by their paths below it (a link among them is listed where
    it is, as `stray_files` and `verify` see it); resolving each of 100,000 evidence files cost
    more than hashing them. A file outside `root` (a snapshot saved elsewhere with
    `--save-snapshot`) is not part of the package: nothing could name it relative to the root."""
    base = root.resolve()
    manifest = base / MANIFEST
    out: set[Path] = set()
    for p in written:
        found: Iterable[Path] = p.resolve().rglob("*") if p.is_dir() else [p.resolve()]
        out.update(f for f in found if f != manifest and f.is_relative_to(base) and f.is_file())
    return sorted(out)


def _relative(base: Path, path: Path) -> str:
    """`path` under the resolved `base`, as POSIX text; `path` is resolved unless it is already
    a plain absolute path below `base` (as `package_files` returns them)."""
    if path.is_absolute() and ".." not in path.parts and path.is_relative_to(base):
        return path.relative_to(base).as_posix()
    return path.resolve().relative_to(base).as_posix()


def signed_bytes(manifest: Mapping[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in manifest.items() if k != "signature"})


def build_manifest(
    root: Path, evidence_manifest: Mapping[str, Any], files: Iterable[Path], custody: Mapping[str, Any]
) -> dict[str, Any]:
    base = root.resolve()
    entries = [
        {"path": _relative(base, f), "size": f.stat().st_size, "sha256": file_sha256(f)} for f in files
    ]
    return {
        "manifest_version": MANIFEST_VERSION,
        **evidence_manifest,
        "files": sorted(entries, key=lambda e: e["path"]),
        "custody": dict(custody),
    }


def sign_manifest(manifest: dict[str, Any], signer: Signer) -> dict[str, Any]:
    sig = signer.sign(signed_bytes(manifest))
    return {
        **manifest,
        "signature": {
            "algorithm": ALGORITHM,
            "signed": SIGNED_BYTES,
            "value": sig.value,
            "public_key": sig.public_key,
            "public_key_fingerprint": sig.fingerprint,
            "key_source": sig.key_source,
        },
    }


def write_package(
    root: Path,
    evidence_manifest: Mapping[str, Any],
    written: Iterable[Path],
    custody: Mapping[str, Any],
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Hash every written file into `evidence/manifest.json` (signed when `signer` is given)."""
    manifest = build_manifest(root, evidence_manifest, package_files(root, written), custody)
    if signer is not None:
        manifest = sign_manifest(manifest, signer)
    write_text(root / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def stray_files(root: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Files under `root` that the manifest does not list (left by an earlier run, or added)."""
    listed = {e["path"] for e in manifest.get("files", [])} | {MANIFEST.as_posix()}
    # by the path under `root`, not where it resolves: a link to a file elsewhere is added too
    return sorted(
        rel for p in root.rglob("*") if p.is_file() and (rel := p.relative_to(root).as_posix()) not in listed
    )


# ------------------------------------------------------------------------------ verify


@dataclass
class Verification:
    """What `verify_package` found. `intact` means nothing changed, went missing or was added,
    every record still matches its hash, and the signature (if any) is good."""

    root: Path
    files: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    records_changed: list[str] = field(default_factory=list)  # evidence ids whose body no longer hashes
    signature: str = "absent"  # valid | invalid | absent | wrong-key
    fingerprint: str | None = None
    key_source: dict[str, Any] = field(default_factory=dict)
    expected_fingerprint: str | None = None

    @property
    def files_intact(self) -> bool:
        return not (self.changed or self.missing or self.added or self.records_changed)

    @property
    def intact(self) -> bool:
        """Files intact, and signed by the expected key when one was given; an unsigned package
        is intact only when no key was expected."""
        if not self.files_intact or self.signature in ("invalid", "wrong-key"):
            return False
        return self.signature == "valid" or self.expected_fingerprint is None

    def problems(self) -> list[str]:
        out = [f"changed: {p}" for p in self.changed]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"added: {p} (not in the manifest)" for p in self.added]
        out += [f"evidence record {i}: its body no longer matches its SHA-256" for i in self.records_changed]
        if self.signature == "invalid":
            out.append("signature: INVALID (the manifest was edited after signing, or the signature swapped)")
        elif self.signature == "wrong-key":
            out.append(
                f"signature: made with key {self.fingerprint}, not with the expected key {self.expected_fingerprint}"
            )
        elif self.signature == "absent" and self.expected_fingerprint is not None:
            out.append("signature: absent, but a public key was given: the package is unsigned")
        return out


def _check_signature(
    manifest: Mapping[str, Any], expected: Ed25519PublicKey | None, report: Verification
) -> None:
    sig = manifest.get("signature")
    if expected is not None:
        report.expected_fingerprint = fingerprint(raw_public_key(expected))
    if sig is None:
        report.signature = "absent"
        return
    if not isinstance(sig, dict) or sig.get("algorithm") != ALGORITHM:
        report.signature = "invalid"
        return
    source = sig.get("key_source")
    report.key_source = source if isinstance(source, dict) else {}
    try:
        embedded = public_key_from_b64(str(sig.get("public_key", "")))
    except ValueError:
        report.signature = "invalid"
        return
    report.fingerprint = fingerprint(raw_public_key(embedded))
    valid = signature_valid(embedded, str(sig.get("value", "")), signed_bytes(manifest))
    if not valid:
        report.signature = "invalid"
    elif expected is not None and raw_public_key(expected) != raw_public_key(embedded):
        report.signature = "wrong-key"  # a good signature, by a key other than the trusted one
    else:
        report.signature = "valid"


def _outside(rel: str) -> bool:
    return ".." in Path(rel).parts or Path(rel).is_absolute()


def _check_records(root: Path, manifest: Mapping[str, Any], report: Verification) -> None:
    listed = {e["path"] for e in manifest["files"]}
    for entry in manifest.get("evidence", []):
        rel = f"evidence/{entry['file']}"
        path = root / rel
        if _outside(entry["file"]):
            report.records_changed.append(entry["id"])  # a record outside the package: forged
            continue
        if not path.is_file():
            if rel not in listed:  # else reported as missing through `files`
                report.missing.append(rel)
            continue
        try:
            record = parse_json(read_bytes(path, "evidence record"), path)
        except ConfigError:
            report.records_changed.append(entry["id"])
            continue
        body = record.get("body") if isinstance(record, dict) else None
        if not isinstance(record, dict) or sha256_of(body) != entry["sha256"]:
            report.records_changed.append(entry["id"])


def read_evidence_manifest(path: Path) -> dict[str, Any]:
    """An evidence manifest whose `evidence` entries each have the strings
    `auditor.snapshot.write_evidence_dir` writes (id, file, provider, operation, collected_at, sha256)."""
    manifest = read_json_object(path, "evidence manifest")
    evidence = manifest.get("evidence", [])
    if not isinstance(evidence, list):
        raise ConfigError(path, "`evidence` is not a list", entry="evidence")
    for i, e in enumerate(evidence):
        if not (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in _RECORD_KEYS)):
            raise ConfigError(
                path, f"an evidence record needs {', '.join(_RECORD_KEYS)} (strings)", entry=f"evidence[{i}]"
            )
    return manifest


def load_manifest(root: Path) -> dict[str, Any]:
    """The package manifest of `root`: its evidence entries, and every file with path and sha256."""
    path = root / MANIFEST
    if not root.is_dir():
        raise ConfigError(root, "not a directory (give the scan's --out directory)")
    manifest = read_evidence_manifest(path)
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
        for e in files
    ):
        raise ConfigError(
            path, "lists no `files` with path and sha256: not an evidence package (written before 0.2?)"
        )
    return manifest


def verify_package(root: Path, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Re-hash every file and evidence record of the package at `root`, and check the signature
    (against `public_key` when given). Raises ConfigError when the manifest cannot be read."""
    manifest = load_manifest(root)
    report = Verification(root=root, files=len(manifest["files"]))
    for entry in manifest["files"]:
        rel = entry["path"]
        path = root / rel
        if _outside(rel):
            report.changed.append(rel)  # a manifest naming a path outside the package was forged
        elif not path.is_file():
            report.missing.append(rel)
        elif file_sha256(path) != entry["sha256"]:
            report.changed.append(rel)
    report.added = stray_files(root, manifest)
    _check_records(root, manifest, report)
    _check_signature(manifest, public_key, report)
    return report
