"""Shapes shared by the GCP checks of several services."""

from __future__ import annotations

from auditor.checks import CheckContext, Verdict, failed, need, not_applicable, passed
from auditor.models import Resource

CIS = "CIS Google Cloud Platform Foundation Benchmark v3.0"


def cmek_required(resource: Resource, ctx: CheckContext, switch: str, fix: str) -> Verdict:
    """Customer-managed encryption where the boolean parameter `switch` asks for it."""
    if not ctx.param(switch):
        return not_applicable(f"CMEK is not required ({switch})")
    if not need(resource, "kms_key"):
        return failed(f"{fix} {resource.name} with a customer-managed key")
    return passed("CMEK")
