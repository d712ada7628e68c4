"""docs/permissions/gcp-auditor-role.yaml holds every permission the collector's requests need."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .util import SCANNER, start_gcp

ROOT = Path(__file__).parents[2]
ROLE = ROOT / "docs" / "permissions" / "gcp-auditor-role.yaml"
DOC = ROOT / "docs" / "permissions" / "gcp.md"


def role_permissions() -> list[str]:
    return list(yaml.safe_load(ROLE.read_text("utf-8"))["includedPermissions"])


def test_the_role_is_a_valid_custom_role_file() -> None:
    role = yaml.safe_load(ROLE.read_text("utf-8"))
    assert set(role) == {"title", "description", "stage", "includedPermissions"}
    assert role["stage"] == "GA" and role["includedPermissions"] == sorted(set(role["includedPermissions"]))
    text = DOC.read_text("utf-8")
    for p in role["includedPermissions"]:
        assert f"`{p}`" in text


@pytest.mark.integration
def test_a_scan_with_exactly_the_role_needs_nothing_else(tmp_path: Path) -> None:
    g = start_gcp(tmp_path, grants={SCANNER: set(role_permissions())})
    try:
        snap = g.scan()
        assert snap.errors == []
        checked = set(g.fake.permissions)
        assert checked and checked <= set(role_permissions())
    finally:
        g.fake.stop()


@pytest.mark.integration
def test_without_a_permission_that_content_is_access_denied(tmp_path: Path) -> None:
    perms = set(role_permissions()) - {"cloudasset.assets.listIamPolicy"}
    g = start_gcp(tmp_path, grants={SCANNER: perms})
    try:
        snap = g.scan({"organization": "111111111111"})
    finally:
        g.fake.stop()
    assert {(e.kind.value, e.resource_types) for e in snap.errors} == {("access_denied", ("gcp.iam.policy",))}
