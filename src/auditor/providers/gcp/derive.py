"""Derived views: what an organization enforces at its own node, for every source of resources.

`gcp.orgpolicy.organization` folds the organization policies set on each organization node
(`gcp.orgpolicy.policy` with level `organization`) into one resource per organization, so the
checks say "enforced at org level" the same way for a live scan and an asset export. Where the
organization policies could not be read (a collection error, or an export without ORG_POLICY
content), its `constraints` is a gap and those checks report `error`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.derive import DeriveInput, Deriver
from auditor.models import Resource
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.inventory import PROVIDER

_KEPT = (
    "enforced",
    "allowed_values",
    "denied_values",
    "all_values",
    "inherit_from_parent",
    "restore_default",
)


def organization_policies(inp: DeriveInput) -> Iterator[Resource]:
    by_org: dict[str, dict[str, dict[str, object]]] = {}
    evidence: dict[str, list[str]] = {}
    for p in inp.resources(T.ORG_POLICY):
        if p.attributes.get("level") != "organization":
            continue
        org = str(p.attributes["resource"])
        by_org.setdefault(org, {})[str(p.attributes["constraint"])] = {k: p.attributes.get(k) for k in _KEPT}
        evidence.setdefault(org, []).extend(p.evidence)
    errors = [e for e in inp.errors_for(T.ORG_POLICY) if e.provider == PROVIDER]
    for node in inp.resources(T.ORGANIZATION):
        org_name = str(node.attributes.get("org_name") or node.id)
        mine = [e for e in errors if e.scope.account in (None, org_name)]
        gaps = {}
        if mine:
            e = mine[0]
            gaps["constraints"] = (
                f"organization policies not read: {e.operation} failed ({e.kind.value}): {e.message}"
            )
        yield Resource(
            provider=PROVIDER,
            type=T.ORG_POLICY_SUMMARY,
            id=f"{node.id}/orgPolicies",
            name=node.name,
            location=node.location,
            attributes={
                "organization": org_name,
                **({} if gaps else {"constraints": dict(sorted(by_org.get(node.id, {}).items()))}),
            },
            gaps=gaps,
            evidence=tuple(dict.fromkeys((*node.evidence, *evidence.get(node.id, ())))),
        )


DERIVERS = (
    Deriver(
        "gcp.orgpolicy.organization",
        produces=(T.ORG_POLICY_SUMMARY,),
        reads=(T.ORG_POLICY, T.ORGANIZATION),
        func=organization_policies,
    ),
)
