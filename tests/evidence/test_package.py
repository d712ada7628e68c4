"""The signed evidence package: `auditor verify` accepts what a scan wrote, and catches every
way of tampering with it: an edited byte in a record, in results.json or in the report, a file
deleted or added, a swapped signature, a package re-signed with another key, a missing one."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.catalog import load_library
from auditor.data import data_dir
from auditor.evidence import canonical_json
from auditor.package import MANIFEST, build_manifest, package_files, sign_manifest, verify_package
from auditor.signing import KeyFileSigner, load_public_key

from .util import run

Keys = dict[str, tuple[Path, Path]]


def _verify(package: Path, key: Path | None = None) -> tuple[int, dict[str, object]]:
    args = ["verify", str(package), "--format", "json"]
    if key is not None:
        args += ["--public-key", str(key)]
    code, out, _ = run(*args)
    return code, json.loads(out)


def _flip_byte(path: Path, needle: bytes) -> None:
    data = path.read_bytes()
    at = data.index(needle) + 1
    path.write_bytes(data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :])


def test_signed_demo_verifies_with_the_signers_public_key(signed_demo: Path, keys: Keys) -> None:
    code, report = _verify(signed_demo, keys["auditee"][1])
    assert code == 0, report["problems"]
    assert report["intact"] and report["signature"] == "valid"
    assert report["fingerprint"] == report["expected_fingerprint"]
    code, out, _ = run("verify", str(signed_demo))
    assert code == 0 and "intact" in out and "give --public-key" in out


def test_manifest_lists_every_output_and_every_record(signed_demo: Path) -> None:
    manifest = json.loads((signed_demo / MANIFEST).read_text())
    listed = {e["path"]: e for e in manifest["files"]}
    on_disk = {p.relative_to(signed_demo).as_posix() for p in signed_demo.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {MANIFEST.as_posix()}
    for name in ("results.json", "report.html", "findings.csv", "controls.csv", "findings.ocsf.jsonl"):
        assert name in listed, name
    assert any(p.startswith("oscal/") for p in listed)
    assert any(p.startswith("evidence/attestations/") for p in listed)
    for entry in manifest["evidence"]:
        assert f"evidence/{entry['file']}" in listed
    some = listed["results.json"]
    assert some["sha256"] == hashlib.sha256((signed_demo / "results.json").read_bytes()).hexdigest()
    assert some["size"] == (signed_demo / "results.json").stat().st_size


def test_manifest_carries_the_chain_of_custody(signed_demo: Path) -> None:
    manifest = json.loads((signed_demo / MANIFEST).read_text())
    c = manifest["custody"]
    assert c["tool"]["name"] == "auditor" and c["tool"]["version"]
    assert c["host"]["name"]
    times = c["times"]
    assert times["collection_started"] <= times["collection_finished"] <= times["packaged"]
    assert {t["provider"] for t in c["targets"]} == {"aws", "azure", "gcp", "k8s", "vault"}
    aws = [x for x in c["collectors"] if x["provider"] == "aws"]
    assert {x["identity"] for x in aws} >= {"arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"}
    assert all(x["records"] > 0 for x in c["collectors"])
    # the control-library version is the documented `sha256sum` recipe over controls/
    root = data_dir("controls")
    lines = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n"
        for p in sorted(root.rglob("*.yaml"), key=lambda p: p.relative_to(root).as_posix())
    )
    assert c["control_library"]["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    sig = manifest["signature"]
    assert sig["algorithm"] == "ed25519" and sig["public_key_fingerprint"].startswith("SHA256:")
    assert sig["key_source"]["type"] == "key-file"


def test_target_options_are_redacted_in_the_custody(tmp_path: Path) -> None:
    from auditor.custody import chain_of_custody
    from auditor.models import Snapshot, Target
    from auditor.results import ScanInfo, ScanResult

    snap = Snapshot(targets=[Target(provider="x", label="x", options={"password": "hunter2", "region": "r"})])
    c = chain_of_custody(ScanResult(scan=ScanInfo(tool_version="t")), snap, load_library())
    assert "hunter2" not in json.dumps(c)
    assert c["targets"][0]["options"]["region"] == "r"
    assert c["identity_missing"] == ["x"]


def test_target_options_are_redacted_before_the_snapshot_keeps_them() -> None:
    """Not only in the custody: the snapshot (and so results.json and the report) never holds
    a secret a provider's options carried."""
    from auditor.evidence import SnapshotBuilder
    from auditor.models import Target
    from auditor.results import ScanInfo

    b = SnapshotBuilder()
    b.add_target(Target(provider="x", label="x", options={"api_token": "s3cr3t-value", "region": "r"}))
    snap = b.build()
    assert "s3cr3t-value" not in snap.model_dump_json()
    assert snap.targets[0].options["region"] == "r"
    assert "s3cr3t-value" not in ScanInfo(tool_version="t", targets=snap.targets).model_dump_json()


def _edit_record(p: Path) -> str:
    record = next(f for f in sorted((p / "evidence").glob("aws.*.json")))
    _flip_byte(record, b'"collected_at": "')  # a byte of the record outside the hashed body
    return f"evidence/{record.name}"


def _edit_record_body(p: Path) -> str:
    record = next(f for f in sorted((p / "evidence").glob("aws.iam.*.json")))
    doc = json.loads(record.read_text())
    doc["body"] = {"edited": True}
    record.write_text(json.dumps(doc, indent=2))
    return f"evidence/{record.name}"


def _edit_results(p: Path) -> str:
    _flip_byte(p / "results.json", b'"fail"')
    return "results.json"


def _edit_report(p: Path) -> str:
    _flip_byte(p / "report.html", b"<title>")
    return "report.html"


def _edit_attested_file(p: Path) -> str:
    f = next((p / "evidence" / "attestations").iterdir())
    f.write_bytes(f.read_bytes() + b"\n")
    return f"evidence/attestations/{f.name}"


@pytest.mark.parametrize(
    "tamper", [_edit_record, _edit_record_body, _edit_results, _edit_report, _edit_attested_file]
)
def test_an_edited_byte_is_caught(
    package_copy: Callable[[], Path], keys: Keys, tamper: Callable[[Path], str]
) -> None:
    p = package_copy()
    rel = tamper(p)
    for key in (keys["auditee"][1], None):
        code, report = _verify(p, key)
        assert code == 1 and not report["intact"]
        assert rel in report["changed"]
        assert report["signature"] == "valid"  # the manifest itself is untouched: the file is what changed


def test_a_deleted_file_is_caught(package_copy: Callable[[], Path], keys: Keys) -> None:
    p = package_copy()
    (p / "findings.csv").unlink()
    code, report = _verify(p, keys["auditee"][1])
    assert code == 1 and report["missing"] == ["findings.csv"]


def test_an_added_file_is_caught(package_copy: Callable[[], Path], keys: Keys) -> None:
    p = package_copy()
    (p / "evidence" / "aws.iam.extra.json").write_text("{}")
    code, report = _verify(p, keys["auditee"][1])
    assert code == 1 and report["added"] == ["evidence/aws.iam.extra.json"]


def test_an_added_link_to_a_file_elsewhere_is_caught(
    package_copy: Callable[[], Path], keys: Keys, tmp_path: Path
) -> None:
    p = package_copy()
    (tmp_path / "elsewhere.json").write_text("{}")
    (p / "evidence" / "aws.iam.link.json").symlink_to(tmp_path / "elsewhere.json")
    code, report = _verify(p, keys["auditee"][1])
    assert code == 1 and report["added"] == ["evidence/aws.iam.link.json"]


def _edit_manifest(p: Path, edit: Callable[[dict[str, Any]], object]) -> None:
    manifest = json.loads((p / MANIFEST).read_text())
    edit(manifest)
    (p / MANIFEST).write_text(json.dumps(manifest))


def test_a_record_the_manifest_places_outside_the_package_is_caught(package_copy: Callable[[], Path]) -> None:
    p = package_copy()
    _edit_manifest(p, lambda m: m["evidence"][0].update(file="../../results.json"))
    code, report = _verify(p)
    assert code == 1 and report["records_changed"]


def test_a_record_that_is_neither_there_nor_listed_is_missing(package_copy: Callable[[], Path]) -> None:
    p = package_copy()
    _edit_manifest(p, lambda m: m["evidence"][0].update(file="aws.iam.nowhere.json"))
    code, report = _verify(p)
    assert code == 1 and report["missing"] == ["evidence/aws.iam.nowhere.json"]


def test_a_swapped_signature_is_caught(package_copy: Callable[[], Path], keys: Keys, tmp_path: Path) -> None:
    """The signature of another package signed by the same key does not fit this manifest."""
    p = package_copy()
    other = tmp_path / "other"
    code, _, _ = run("demo", "--out", str(other), "--sign-key", str(keys["auditee"][0]), "-q")
    assert code == 0
    theirs = json.loads((other / MANIFEST).read_text())["signature"]
    ours = json.loads((p / MANIFEST).read_text())
    assert theirs["value"] != ours["signature"]["value"]
    ours["signature"] = theirs
    (p / MANIFEST).write_text(json.dumps(ours))
    for key in (keys["auditee"][1], None):
        code, report = _verify(p, key)
        assert code == 1 and report["signature"] == "invalid"


def test_an_edited_manifest_is_caught(package_copy: Callable[[], Path], keys: Keys) -> None:
    """Editing a file and its hash in the manifest breaks the signature."""
    p = package_copy()
    (p / "results.json").write_text("{}")
    manifest = json.loads((p / MANIFEST).read_text())
    for e in manifest["files"]:
        if e["path"] == "results.json":
            e["sha256"] = hashlib.sha256(b"{}").hexdigest()
            e["size"] = 2
    (p / MANIFEST).write_text(json.dumps(manifest))
    code, report = _verify(p)
    assert code == 1 and report["changed"] == [] and report["signature"] == "invalid"


def test_a_package_re_signed_with_another_key_is_caught(package_copy: Callable[[], Path], keys: Keys) -> None:
    """An attacker edits results.json, rebuilds the manifest and signs it with their own key:
    the files and signature agree with each other, but not with the key the auditor trusts."""
    p = package_copy()
    _flip_byte(p / "results.json", b'"fail"')
    old = json.loads((p / MANIFEST).read_text())
    evidence_part = {k: old[k] for k in ("hash_algorithm", "hash_input", "evidence")}
    files = package_files(p, [f for f in p.rglob("*") if f.is_file()])
    forged = sign_manifest(
        build_manifest(p, evidence_part, files, old["custody"]), KeyFileSigner(keys["attacker"][0])
    )
    (p / MANIFEST).write_text(json.dumps(forged))
    code, report = _verify(p, keys["auditee"][1])
    assert code == 1 and report["signature"] == "wrong-key"
    assert report["fingerprint"] != report["expected_fingerprint"]
    # Without the trusted key the forgery is consistent, and verify says whose key signed it.
    code, out, _ = run("verify", str(p))
    assert code == 0 and json.loads((p / MANIFEST).read_text())["signature"]["public_key_fingerprint"] in out


def test_a_signature_claiming_the_trusted_key_is_caught(package_copy: Callable[[], Path], keys: Keys) -> None:
    """Re-signed with another key but carrying the trusted public key: the signature is bad."""
    p = package_copy()
    manifest = json.loads((p / MANIFEST).read_text())
    trusted = manifest["signature"]["public_key"]
    forged = sign_manifest(
        {k: v for k, v in manifest.items() if k != "signature"}, KeyFileSigner(keys["attacker"][0])
    )
    forged["signature"]["public_key"] = trusted
    (p / MANIFEST).write_text(json.dumps(forged))
    assert _verify(p, keys["auditee"][1])[1]["signature"] == "invalid"
    assert _verify(p)[1]["signature"] == "invalid"


def test_an_unsigned_package_fails_only_when_a_key_is_expected(
    package_copy: Callable[[], Path], keys: Keys
) -> None:
    p = package_copy()
    manifest = json.loads((p / MANIFEST).read_text())
    del manifest["signature"]
    (p / MANIFEST).write_text(json.dumps(manifest))
    code, report = _verify(p)
    assert code == 0 and report["signature"] == "absent"
    code, report = _verify(p, keys["auditee"][1])
    assert code == 1 and "unsigned" in " ".join(report["problems"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: (p / MANIFEST).write_text("{not json"), "not valid JSON"),
        (lambda p: (p / MANIFEST).unlink(), "no such evidence manifest"),
        (lambda p: (p / MANIFEST).write_text('{"evidence": []}'), "lists no `files`"),
        (lambda p: _edit_manifest(p, lambda m: m["evidence"].insert(1, "x")), "evidence[1]"),
        (lambda p: _edit_manifest(p, lambda m: m["evidence"][0].pop("sha256")), "evidence[0]"),
    ],
)
def test_an_unreadable_package_is_exit_2(
    package_copy: Callable[[], Path], setup: Callable[[Path], object], message: str
) -> None:
    p = package_copy()
    setup(p)
    code, _, err = run("verify", str(p))
    assert code == 2 and message in err and "manifest.json" in err


def test_a_bad_public_key_file_is_exit_2(signed_demo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "key.pub"
    bad.write_text("not a key")
    code, _, err = run("verify", str(signed_demo), "--public-key", str(bad))
    assert code == 2 and "key.pub" in err


def test_vaults_base64_public_key_form_is_accepted(signed_demo: Path, tmp_path: Path) -> None:
    raw = json.loads((signed_demo / MANIFEST).read_text())["signature"]["public_key"]
    f = tmp_path / "vault.pub"
    f.write_text(raw + "\n")
    key = load_public_key(f)
    assert verify_package(signed_demo, key).intact


def test_sign_key_errors_are_named_before_anything_is_written(tmp_path: Path) -> None:
    not_a_key = tmp_path / "k.pem"
    not_a_key.write_text("hello")
    code, _, err = run("demo", "--out", str(tmp_path / "o"), "--sign-key", str(not_a_key), "-q")
    assert code == 2 and "k.pem" in err and "PEM" in err
    assert not (tmp_path / "o").exists()
    code, _, err = run("demo", "--out", str(tmp_path / "o"), "--sign-key", str(tmp_path / "missing.pem"))
    assert code == 2 and "missing.pem" in err


def test_signed_bytes_are_the_canonical_manifest_without_signature(signed_demo: Path, keys: Keys) -> None:
    """What the docs promise: anyone can check the signature with any Ed25519 implementation."""
    manifest = json.loads((signed_demo / MANIFEST).read_text())
    sig = manifest.pop("signature")
    key = load_public_key(keys["auditee"][1])
    key.verify(base64.b64decode(sig["value"]), canonical_json(manifest))


def test_stray_files_from_an_earlier_run_are_named(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "old.txt").write_text("left over")
    code, _, err = run("demo", "--out", str(out))
    assert code == 0 and "old.txt" in err
    code, report = _verify(out)
    assert code == 1 and report["added"] == ["old.txt"]
    shutil.rmtree(out)


def test_re_rendering_a_signed_package_shows_as_changed(package_copy: Callable[[], Path], keys: Keys) -> None:
    """`auditor report DIR` writes new files into the package: they are no longer what was signed."""
    p = package_copy()
    code, _, _ = run("report", str(p), "--format", "html,oscal")
    assert code == 0
    code, report = _verify(p, keys["auditee"][1])
    assert code == 1 and "report.html" in report["changed"]
    # the re-rendered OSCAL still links the package's evidence records (read from its manifest)
    ar = json.loads((p / "oscal" / "assessment-results.json").read_text())["assessment-results"]
    assert len(ar["back-matter"]["resources"]) > 300
    # and their files' hashes are the ones the manifest vouches for
    listed = {e["path"]: e["sha256"] for e in json.loads((p / MANIFEST).read_text())["files"]}
    rlink = next(
        r for r in ar["back-matter"]["resources"] if r["rlinks"][0]["href"].startswith("../evidence/")
    )
    href = rlink["rlinks"][0]["href"].removeprefix("../")
    assert rlink["rlinks"][0]["hashes"][0]["value"] == listed[href]


def test_re_rendering_with_a_malformed_manifest_renders_without_its_records(
    package_copy: Callable[[], Path],
) -> None:
    """A manifest whose records cannot be read is left out, as an unreadable one is: no internal error."""
    p = package_copy()
    _edit_manifest(p, lambda m: m["evidence"][0].pop("provider"))
    code, _, err = run("report", str(p), "--format", "html,oscal")
    assert code == 0, err
    ar = json.loads((p / "oscal" / "assessment-results.json").read_text())["assessment-results"]
    assert not any(
        r["rlinks"][0]["href"].startswith("../evidence/aws") for r in ar["back-matter"]["resources"]
    )


def test_package_files_are_the_files_under_the_root_links_where_they_are(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "evidence" / "sub").mkdir(parents=True)
    (out / "results.json").write_text("{}")
    (out / "evidence" / "a.json").write_text("{}")
    (out / "evidence" / "sub" / "b.json").write_text("{}")
    (out / MANIFEST).write_text("{}")  # never lists itself
    (tmp_path / "elsewhere.json").write_text("{}")
    (out / "evidence" / "link.json").symlink_to(tmp_path / "elsewhere.json")
    (out / "evidence" / "linked-dir").symlink_to(tmp_path, target_is_directory=True)  # not walked
    via = out / "evidence" / ".." / "results.json"  # a written path that is not plain
    outside = tmp_path / "elsewhere.json"  # a snapshot saved outside --out: not in the package
    files = package_files(out, [out / "evidence", via, out / "results.json", outside])
    real = out.resolve()
    assert files == [
        real / p for p in ("evidence/a.json", "evidence/link.json", "evidence/sub/b.json", "results.json")
    ]
    manifest = build_manifest(out, {"evidence": []}, files, {})
    assert [e["path"] for e in manifest["files"]] == [
        "evidence/a.json",
        "evidence/link.json",
        "evidence/sub/b.json",
        "results.json",
    ]


def test_a_snapshot_saved_outside_the_output_directory_is_no_internal_error(tmp_path: Path) -> None:
    # the package listed it by a path relative to --out, which it has none of: exit 4
    code, _, err = run(
        "scan", "k8s", "--manifests", str(Path(__file__).parents[2] / "fixtures" / "k8s" / "estate"), "--out",
        str(tmp_path / "out"), "--format", "json", "--save-snapshot", str(tmp_path / "snap.json.gz"), "-q",
    )  # fmt: skip
    assert code in (0, 3), err
    assert (tmp_path / "snap.json.gz").exists()
    assert run("verify", str(tmp_path / "out"))[0] == 0
