"""Redaction does not depend on well-formedness: by position (env, Secret data) whatever the
shape, by name/value pairs, and by value pattern wherever a secret-looking value sits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.evidence import SnapshotBuilder
from auditor.models import Resource
from auditor.redact import REDACTED, Redactor, secret_value_kind, shannon_entropy

CANARY = "CANARY-redact-61f0a2"


def _clean(value: Any) -> tuple[Any, int]:
    return Redactor().redact(value)


def _assert_gone(value: Any) -> str:
    text = json.dumps(value)
    assert CANARY not in text, text
    return text


@pytest.mark.parametrize(
    "env",
    [
        [["DB_PASSWORD", CANARY]],  # a list of pairs
        [f"DB_PASSWORD={CANARY}"],  # docker-style strings
        [{"name": "X", "valueFrom": CANARY}],  # a string where a reference belongs
        [{"name": "X", "vaule": CANARY}],  # a mistyped key
        [{"name": "X", "value": {"nested": CANARY}}],
        [{"name": CANARY + " not a name", "value": "v"}],
        {"DB_PASSWORD": CANARY},  # a mapping instead of a list
        CANARY,  # a scalar
        [[{"deep": [CANARY]}]],
    ],
    ids=[
        "pairs",
        "strings",
        "string-valueFrom",
        "mistyped",
        "nested",
        "bad-name",
        "mapping",
        "scalar",
        "deep",
    ],
)
def test_env_is_redacted_whatever_its_shape(env: Any) -> None:
    out, n = _clean({"spec": {"containers": [{"name": "c", "env": env}]}})
    _assert_gone(out)
    assert n >= 1


def test_env_keeps_names_and_references() -> None:
    env = [
        {"name": "MODE", "value": "prod"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        "LOG_LEVEL=debug",
    ]
    out, n = _clean({"env": env})
    assert out["env"] == [
        {"name": "MODE", "value": REDACTED},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        f"LOG_LEVEL={REDACTED}",
    ]
    assert n == 2
    again, n2 = _clean(out)
    assert again == out and n2 == 0, "redacting twice changes nothing and counts nothing"


@pytest.mark.parametrize(
    "data",
    [[CANARY], [{"k": CANARY}], CANARY, {"k": CANARY}, {"k": {"deeper": CANARY}}],
    ids=["list", "list-of-maps", "string", "mapping", "nested"],
)
def test_secret_data_is_redacted_whatever_its_shape(data: Any) -> None:
    for key in ("data", "stringData"):
        out, _ = _clean({"items": [{"kind": "Secret", "metadata": {"name": "s"}, key: data}]})
        _assert_gone(out)
    mapping, _ = _clean({"kind": "Secret", "data": {"password": "x", "user": "y"}})
    assert mapping["data"] == {"password": REDACTED, "user": REDACTED}, "data key names stay"


def test_data_of_other_objects_is_not_masked_by_position() -> None:
    out, n = _clean({"data": {"policies": ["default"], "ttl": 3600}})  # a Vault response
    assert out == {"data": {"policies": ["default"], "ttl": 3600}} and n == 0


@pytest.mark.parametrize(
    "pair",
    [
        {"name": "DB_PASSWORD", "value": CANARY},
        {"Name": "api_token", "Value": CANARY},
        {"Key": "client_secret", "Value": CANARY},
    ],
)
def test_name_value_pairs_with_a_secret_name_are_redacted(pair: dict[str, str]) -> None:
    out, n = _clean({"environment": [pair]})  # not under `env`: the pair rule alone
    _assert_gone(out)
    assert n == 1


SECRET_VALUES = {
    "aws_access_key_id": "AKIA2CANARY7K8SENV1X",
    "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlktand0In0.c2lnbmF0dXJl",
    "vendor_token": "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "auth_header": "Bearer 1a2b3c4d5e6f7a8b9c0d",
    "url_password": "postgres://app:Sup3r-S3cret@db:5432/app",
    "connection_string_password": "Server=db;User Id=sa;Password=Sup3r-S3cret;",
}


@pytest.mark.parametrize(("kind", "value"), sorted(SECRET_VALUES.items()))
def test_secret_values_are_recognised_and_redacted_anywhere(kind: str, value: str) -> None:
    assert secret_value_kind(value) == kind
    out, n = _clean({"metadata": {"annotations": {"note": f"{value}"}}, "list": [value]})
    assert value not in json.dumps(out) and n == 2


@pytest.mark.parametrize(
    "value",
    [
        "postgres://app:$(DB_PASSWORD)@db:5432/app",  # a Kubernetes variable reference
        "Password=${DB_PASSWORD};Server=db",
        "https://example.com/path?x=1",
        "Basic authentication is enabled",
        "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "--token-auth-file=/etc/kubernetes/tokens.csv",
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        "arn:aws:iam::123456789012:role/AIDAEXAMPLE",
    ],
)
def test_ordinary_values_are_not_secrets(value: str) -> None:
    assert secret_value_kind(value) is None
    assert _clean({"v": value}) == ({"v": value}, 0)


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("ab") == 1.0
    assert (
        shannon_entropy("Zr8Qp2Lx9Vd4Tn7Wk1Hs6Jm3Fb5Gc0Ya") > 4.5 > shannon_entropy("LOG_LEVEL_DEBUG_VERBOSE")
    )


def test_snapshot_builder_redacts_evidence_and_attributes_by_shape() -> None:
    b = SnapshotBuilder()
    b.record("k8s", "x.list", {"items": [{"kind": "Secret", "data": [CANARY]}, {"env": [["A", CANARY]]}]})
    b.add_resource(Resource(provider="k8s", type="k8s.x", id="x", attributes={"pod_spec": {"env": CANARY}}))
    assert CANARY not in b.build().model_dump_json()


def test_free_text_loses_every_secret_shaped_part() -> None:
    from auditor.redact import redact_text

    line = (
        "Sending http request: <AWSPreparedRequest headers={'X-Amz-Security-Token': b'IQoJb3JpZ2luX2VjEJr//secret',"
        " 'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3'}>"
        " url=postgres://app:hunter2hunter2@db:5432/x?password=s3cr3tvalue"
        " jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        " -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done"
    )
    clean = redact_text(line)
    for secret in (
        "IQoJb3JpZ2lu",
        "AKIAIOSFODNN7EXAMPLE",
        "hunter2hunter2",
        "s3cr3tvalue",
        "eyJhbGci",
        "MIIEow",
    ):
        assert secret not in clean, secret
    assert "Sending http request" in clean and "done" in clean and "@db:5432" in clean
    assert redact_text("postgres://app:$(DB_PASSWORD)@db") == "postgres://app:$(DB_PASSWORD)@db"
    assert redact_text("Basic authentication is enabled") == "Basic authentication is enabled"


def test_cli_logs_are_redacted_and_sdk_dumps_stay_off_at_debug(capsys: pytest.CaptureFixture[str]) -> None:
    """-vv turns on every library's debug log: none may print a credential or a response body."""
    import logging

    from auditor.cli import main

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        main.callback(verbose=2, log_level=None)  # type: ignore[misc]
        logging.getLogger("urllib3.connectionpool").debug("GET /v1/x?token=%s", "hvs.CAESIabcdefgh")
        logging.getLogger("botocore.parsers").debug("Response body:\n%s", b'{"Variables":{"K":"plain"}}')
        logging.getLogger("botocore.retryhandler").debug("No retry needed.")
        err = capsys.readouterr().err
    finally:
        for h in root.handlers:
            if h not in before:
                root.removeHandler(h)
        for name in (
            "auditor",
            "botocore.auth",
            "botocore.endpoint",
            "botocore.parsers",
            "kubernetes.client.rest",
        ):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert "No retry needed." in err  # debug logs are on
    assert "hvs.CAESIabcdefgh" not in err and "GET /v1/x?token=[REDACTED]" in err
    assert "plain" not in err and "Response body" not in err


@pytest.mark.parametrize(
    "key",
    ["storageAccountAccessKey", "accountKey", "primaryKey", "secondary_key", "primaryMasterKey",
     "secondaryReadonlyMasterKey", "primary_access_key", "sharedAccessKey"],
)  # fmt: skip
def test_storage_and_database_keys_are_secret_by_name(key: str) -> None:
    from auditor.redact import is_secret_key

    assert is_secret_key(key)
    masked, _ = Redactor().redact({"properties": {key: "s3cr3t-v4lue"}, "name": "db"})
    assert masked == {"properties": {key: REDACTED}, "name": "db"}


@pytest.mark.parametrize("key", ["access_keys", "AccessKeyId", "KeySchema", "primaryLocation", "key_id"])
def test_key_metadata_is_not_secret_by_name(key: str) -> None:
    from auditor.redact import is_secret_key

    assert not is_secret_key(key)
