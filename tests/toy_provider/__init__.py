"""A whole provider in one small package, outside `auditor`: the proof that adding a provider
needs no edit anywhere else. It registers through AUDITOR_PROVIDERS, collects widgets from a
local fake API through the shared runtime, and is evaluated, mapped and reported like the rest.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from auditor.providers import ProviderSpec


class ToyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint: str = Field(description="Base URL of the widget API.")
    page_size: int = Field(2, ge=1, description="Widgets per page.")


PROVIDER = ProviderSpec(
    name="toy",
    title="Toy widget service",
    options=ToyOptions,
    collector="toy_provider.collector:collect",
    package="toy_provider",
    types="toy_provider.resources:TYPES",
    crosswalk=Path(__file__).with_name("crosswalk.yaml"),
)
