"""`audit.yaml`: the targets of a scheduled audit job, validated with the providers' option models.

version: 1
frameworks: [soc2, hipaa, iso27001]     # optional, default all
formats: [html, json, csv]              # optional, default html,json
params:                                 # optional check parameters
  aws.iam.max_key_age_days: 90
targets:
  - provider: aws
    name: production                    # optional label
    options: {regions: [eu-west-1], org_role: OrganizationAccountAccessRole}
  - provider: vault
    options: {addr: "https://vault.internal:8200"}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.errors import ConfigError
from auditor.models import JSON, Framework
from auditor.providers import ProviderSpec

FORMATS = ("html", "json", "csv")


class TargetConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    name: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    frameworks: list[Framework] = Field(default_factory=lambda: list(Framework))
    formats: list[str] = Field(default_factory=lambda: ["html", "json"])
    params: dict[str, JSON] = Field(default_factory=dict)
    targets: list[TargetConfig] = Field(default_factory=list)


class ResolvedTarget(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    spec: ProviderSpec
    name: str
    options: BaseModel


def load_config(path: Path, providers: dict[str, ProviderSpec]) -> tuple[AuditConfig, list[ResolvedTarget]]:
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            path,
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            entry=f"line {mark.line + 1}" if mark else None,
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(path, "the config is a mapping with a 'targets' list")
    try:
        cfg = AuditConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(path, err["msg"], entry=".".join(str(p) for p in err["loc"])) from None
    if cfg.version != 1:
        raise ConfigError(
            path, f"unsupported config version {cfg.version} (this auditor reads 1)", entry="version"
        )
    bad = [f for f in cfg.formats if f not in FORMATS]
    if bad:
        raise ConfigError(
            path, f"unknown format {bad[0]!r}; choose from {', '.join(FORMATS)}", entry="formats"
        )
    if not cfg.targets:
        raise ConfigError(path, "no targets: list at least one provider to scan", entry="targets")
    resolved = []
    for i, t in enumerate(cfg.targets):
        spec = providers.get(t.provider)
        if spec is None:
            raise ConfigError(
                path,
                f"unknown provider {t.provider!r}; known: {', '.join(providers)}",
                entry=f"targets[{i}].provider",
            )
        try:
            options = spec.options.model_validate(t.options)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise ConfigError(
                path, err["msg"], entry=f"targets[{i}].options.{loc}" if loc else f"targets[{i}].options"
            ) from None
        resolved.append(ResolvedTarget(spec=spec, name=t.name or f"{t.provider}#{i}", options=options))
    return cfg, resolved
