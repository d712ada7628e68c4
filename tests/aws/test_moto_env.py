"""The environment the tests, the demo recorder and the benchmarks give boto3 (moto_env) keeps it
off the EC2 instance metadata service: a credential chain that finds nothing else stops instead
of probing 169.254.169.254."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.httpsession
import botocore.session
import pytest

from auditor_testkit.aws.moto import moto_env


def test_no_instance_metadata_probe(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = moto_env()
    env.pop("AWS_ACCESS_KEY_ID")
    env.pop("AWS_SECRET_ACCESS_KEY")  # nothing before the metadata service in the chain
    monkeypatch.setattr("os.environ", {
        **env,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    })  # fmt: skip
    sent: list[str] = []

    def send(self: Any, request: Any) -> Any:
        sent.append(request.url)
        raise AssertionError(f"boto3 sent a request to {request.url}")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", send)
    session = botocore.session.Session()
    assert session.get_credentials() is None
    assert session.get_config_variable("region") == "us-east-1"
    assert sent == []
