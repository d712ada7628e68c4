"""Fixtures for the Kubernetes tests: the local HTTPS fake (session) and the real
kube-apiserver (session, seeded once through the admin identity)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.providers.k8s.manifests import read_manifests
from auditor_testkit.k8s_fake import FakeKube

from .util import NEWER

SCANNER_TOKEN = "scanner-token-fake"
LIMITED_TOKEN = "limited-token-fake"


@pytest.fixture(scope="session")
def fake_kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeKube]:
    docs, problems = read_manifests([str(NEWER)])
    assert not problems
    fake = FakeKube(
        objects=[d.obj for d in docs],
        tokens={SCANNER_TOKEN: "auditor-scanner", LIMITED_TOKEN: "limited"},
        forbidden={
            "limited": {
                ("networking.k8s.io", "networkpolicies"),
                ("batch", "cronjobs"),
                ("security.istio.io", "authorizationpolicies"),
            }
        },
    )
    fake.start(tmp_path_factory.mktemp("fake-kube"))
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_kubeconfig(fake_kube: FakeKube, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_kube.kubeconfig(
        tmp_path_factory.mktemp("fake-kubeconfig") / "config",
        {"modern": SCANNER_TOKEN, "limited": LIMITED_TOKEN, "expired": "no-such-token"},
    )
