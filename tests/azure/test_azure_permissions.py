"""docs/permissions/azure-role.json holds exactly the actions the collector needs: derived from its
declarations, and equal to every RBAC action the fake saw a full scan need (the fake's estate
names its API versions and actions by hand, so these are two independent sources)."""

from __future__ import annotations

import json
from typing import Any

from azure_fixtures import *  # noqa: F403  (the fixtures fake, scan, reference)
from azure_helpers import ROOT

from auditor.providers.azure import resources as T
from auditor.providers.azure.permissions import KEYVAULT_METADATA, actions, role_definition

ROLE = ROOT / "docs" / "permissions" / "azure-role.json"


def shipped() -> dict[str, Any]:
    role: dict[str, Any] = json.loads(ROLE.read_text("utf-8"))
    return role


def test_the_shipped_role_is_the_derived_one() -> None:
    assert shipped() == role_definition(), (
        "regenerate docs/permissions/azure-role.json from auditor.providers.azure.permissions.role_definition()"
    )


def test_the_role_covers_exactly_what_a_full_scan_needs(reference: Any) -> None:
    fake, snap, _ = reference
    role = {a.lower() for a in shipped()["Actions"]}
    used = {a.lower() for a in fake.actions}
    assert used - role == set(), "the collector needs actions the role does not grant"
    assert role - used == set(), "the role grants actions the collector never needs"
    operations = {op.lower() for op in snap.targets[0].options["api_operations_called"]}
    assert operations <= role  # the collector names each call by the action it needs


def test_every_declared_read_names_a_read_action() -> None:
    for source, read in T.SOURCES.reads():
        assert read.action.endswith("/read"), f"{source.type}.{read.name}: {read.action}"
    assert all(a.endswith("/read") for a in actions())


def test_the_role_is_read_only_and_the_data_plane_part_is_metadata_only() -> None:
    role = shipped()
    assert role["IsCustom"] is True and role["NotActions"] == []
    assert all(a.endswith("/read") for a in role["Actions"])
    assert not any("*" in a for a in role["Actions"])
    assert set(role["DataActions"]) == set(KEYVAULT_METADATA)
    assert not any(
        word in a.lower() for a in role["DataActions"] for word in ("getsecret", "decrypt", "sign", "unwrap")
    )
    assert "optional" in role["Description"].lower()
