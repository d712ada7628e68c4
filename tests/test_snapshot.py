"""Snapshots round-trip; evidence is redacted, hashed and traceable; bad files are named."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import ConfigError
from auditor.evidence import SnapshotBuilder, canonical_json, sha256_of
from auditor.models import CollectionError, Location, Resource, Target
from auditor.redact import REDACTED, Redactor
from auditor.snapshot import load_snapshot, save_snapshot

CANARY = "CANARY-7f3a9c-do-not-store"


def _built() -> SnapshotBuilder:
    b = SnapshotBuilder(tool_version="t")
    b.add_target(Target(provider="aws", label="acct", options={"regions": ["r1"]}))
    ev = b.record(
        "aws",
        "lambda.ListFunctions",
        {
            "Functions": [
                {"FunctionName": "f", "Environment": {"Variables": {"DB_URL": CANARY, "MODE": "prod"}}}
            ]
        },
        parameters={"Region": "r1"},
        scope=Location(account="1", region="r1"),
        extra_secret_paths=["Functions.*.Environment.Variables"],
    )
    b.add_resource(
        Resource(
            provider="aws",
            type="aws.lambda.function",
            id="arn:f",
            name="f",
            location=Location(account="1", region="r1"),
            attributes={"runtime": "python3.12"},
            evidence=(ev,),
        )
    )
    b.add_error(
        CollectionError(provider="aws", operation="s3.ListBuckets", kind="access_denied", message="denied")
    )
    return b


@pytest.mark.parametrize("name", ["snapdir", "snap.json", "snap.json.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    s = _built().build()
    loaded = load_snapshot(save_snapshot(s, tmp_path / name))
    assert loaded == s


def _three(tmp_path: Path) -> tuple[Any, Path]:
    b = _built()
    for i in (2, 3):
        b.add_resource(
            Resource(provider="aws", type="aws.lambda.function", id=f"arn:f{i}", attributes={"i": i})
        )
    s = b.build()
    return s, save_snapshot(s, tmp_path / "snap.json")


def test_a_saved_snapshot_is_one_json_document_with_one_resource_per_line(tmp_path: Path) -> None:
    s, path = _three(tmp_path)
    lines = path.read_bytes().splitlines()
    assert lines[0].endswith(b',"resources":[') and lines[-1] == b"]}" and len(lines) == 2 + len(s.resources)
    assert [json.loads(line.rstrip(b","))["id"] for line in lines[1:-1]] == [r.id for r in s.resources]
    whole = json.loads(path.read_bytes())  # ordinary JSON to any reader
    assert [r["id"] for r in whole["resources"]] == [r.id for r in s.resources] and whole["counts"]
    # the same content laid out any other way (pretty-printed, an item over two lines) loads the same
    path.write_text(json.dumps(whole, indent=1))
    assert load_snapshot(path) == s
    text = b"\n".join(lines).replace(b'"id":"arn:f2",', b'"id":"arn:f2",\n')
    path.write_bytes(text)
    assert load_snapshot(path) == s


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda ls: [*ls[:-2], ls[-2] + b",", ls[-1]], "not valid JSON"),  # a comma before the end
        (lambda ls: ls[:-1], "not valid JSON"),  # cut short: no closing line
        (lambda ls: [*ls[:-3], ls[-3].rstrip(b","), ls[-1]], "holds 2 aws.lambda.function"),  # a line lost
        (lambda ls: [*ls, b'{"x": 1}'], "not valid JSON"),  # something after the document
        (
            lambda ls: [ls[0], ls[1].replace(b'"provider":"aws"', b'"provider":5'), *ls[2:]],
            "resources[0].provider",
        ),
    ],
)
def test_an_edited_line_layout_is_refused_as_the_whole_document_would_be(
    tmp_path: Path, edit: Any, problem: str
) -> None:
    _, path = _three(tmp_path)
    path.write_bytes(b"\n".join(edit(path.read_bytes().splitlines())))
    with pytest.raises(ConfigError) as exc:
        load_snapshot(path)
    assert problem in str(exc.value) and str(path) in str(exc.value), str(exc.value)


def test_a_gzipped_snapshot_cut_short_is_named(tmp_path: Path) -> None:
    s = _built().build()
    path = save_snapshot(s, tmp_path / "snap.json.gz")
    assert gzip.decompress(path.read_bytes()).splitlines()[-1] == b"]}"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ConfigError, match="corrupt or truncated gzip"):
        load_snapshot(path)


def test_evidence_hash_is_sha256_of_canonical_body() -> None:
    (ev,) = _built().build().evidence
    assert ev.sha256 == hashlib.sha256(canonical_json(ev.body)).hexdigest() == sha256_of(ev.body)
    assert ev.collected_at.tzinfo is not None and ev.operation == "lambda.ListFunctions"


def test_evidence_ids_are_named_by_what_was_read_not_call_order() -> None:
    a, b = SnapshotBuilder(), SnapshotBuilder()
    a.record("aws", "s3.GetBucketPolicy", {"x": 1}, parameters={"Bucket": "one"})
    ida = a.record("aws", "s3.GetBucketPolicy", {"x": 2}, parameters={"Bucket": "two"})
    idb = b.record("aws", "s3.GetBucketPolicy", {"x": 2}, parameters={"Bucket": "two"})
    assert ida == idb and ida.startswith("aws.s3.GetBucketPolicy.")


def test_directory_snapshot_writes_manifest_with_hashes(tmp_path: Path) -> None:
    s = _built().build()
    save_snapshot(s, tmp_path / "d")
    manifest = json.loads((tmp_path / "d" / "evidence" / "manifest.json").read_text())
    (entry,) = manifest["evidence"]
    record = json.loads((tmp_path / "d" / "evidence" / entry["file"]).read_text())
    assert entry["sha256"] == sha256_of(record["body"]) == record["sha256"]


def test_canary_never_reaches_disk(tmp_path: Path) -> None:
    s = _built().build()
    save_snapshot(s, tmp_path / "d")
    save_snapshot(s, tmp_path / "one.json")
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert CANARY not in f.read_text("utf-8", errors="replace"), f
    body = s.evidence[0].body
    assert body["Functions"][0]["Environment"]["Variables"] == {"DB_URL": REDACTED, "MODE": REDACTED}
    assert s.evidence[0].redactions == 2


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("password", CANARY),
        ("MasterUserPassword", CANARY),
        ("client_secret", CANARY),
        ("SecretString", CANARY),
        ("private_key", CANARY),
        ("UserData", CANARY),
        ("token", CANARY),
        ("api-key", CANARY),
        ("secret_id", CANARY),
    ],
)
def test_secret_keys_are_redacted_by_name(key: str, value: str) -> None:
    out, n = Redactor().redact({"outer": [{key: value, "name": "kept"}]})
    assert out == {"outer": [{key: REDACTED, "name": "kept"}]} and n == 1


@pytest.mark.parametrize(
    "key", ["secret_id_ttl", "token_policies", "PasswordReusePrevention", "accessor", "password_enabled"]
)
def test_secret_metadata_is_kept(key: str) -> None:
    out, n = Redactor().redact({key: 24})
    assert out == {key: 24} and n == 0


def test_resource_attributes_are_redacted_too() -> None:
    b = SnapshotBuilder()
    b.add_resource(
        Resource(
            provider="k8s", type="k8s.x", id="x", attributes={"env": [{"name": "A", "password": CANARY}]}
        )
    )
    assert CANARY not in b.build().model_dump_json()


# ------------------------------------------------------------------ bad snapshots


def test_missing_snapshot_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_snapshot(tmp_path / "nope.json")


def test_unreadable_json_is_named(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text("{not json")
    with pytest.raises(ConfigError) as exc:
        load_snapshot(p)
    assert str(p) in str(exc.value) and "JSON" in str(exc.value)


def test_wrong_schema_version_is_named(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(ConfigError, match="schema_version 99"):
        load_snapshot(p)


def test_invalid_entry_is_located(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"schema_version": 1, "resources": [{"provider": "aws", "type": "t"}]}))
    with pytest.raises(ConfigError) as exc:
        load_snapshot(p)
    assert "resources[0].id" in str(exc.value) and str(p) in str(exc.value)


def test_a_bad_resource_after_good_ones_is_located_and_so_is_a_bad_list(tmp_path: Path) -> None:
    good = {"provider": "aws", "type": "t", "id": "a"}
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"schema_version": 1, "resources": [good, good, {**good, "tags": {"k": 1}}]}))
    with pytest.raises(ConfigError) as exc:
        load_snapshot(p)
    assert "resources[2].tags.k" in str(exc.value) and str(p) in str(exc.value)
    p.write_text(json.dumps({"schema_version": 1, "resources": {"not": "a list"}}))
    with pytest.raises(ConfigError) as exc:
        load_snapshot(p)
    assert "resources" in str(exc.value) and "list" in str(exc.value)
    p.write_text(json.dumps({"schema_version": 1, "resources": [good, good]}))
    assert [r.id for r in load_snapshot(p).resources] == ["a", "a"]


def test_resources_of_one_scope_share_one_location_and_bad_ones_are_still_refused(tmp_path: Path) -> None:
    def res(i: int, location: object) -> dict[str, object]:
        return {"provider": "aws", "type": "t", "id": f"r{i}", "location": location}

    here, there = {"account": "1", "region": "eu-west-1"}, {"account": "1", "region": None}
    p = tmp_path / "s.json"
    p.write_text(
        json.dumps(
            {"schema_version": 1, "resources": [res(0, here), res(1, there), res(2, here), res(3, {})]}
        )
    )
    a, b, c, d = load_snapshot(p).resources
    assert a.location is c.location and a.location == Location(account="1", region="eu-west-1")
    assert b.location is not a.location and b.location == Location(account="1")
    assert d.location == Location()
    for bad, where in (
        ({"account": 1, "region": None}, "resources[1].location.account"),
        ({"account": "1", "zone": "a"}, "resources[1].location.zone"),
        ("eu-west-1", "resources[1].location"),
    ):
        p.write_text(json.dumps({"schema_version": 1, "resources": [res(0, here), res(1, bad)]}))
        with pytest.raises(ConfigError) as exc:
            load_snapshot(p)
        assert where in str(exc.value), str(exc.value)
