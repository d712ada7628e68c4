"""`audit.yaml`: the targets of a scheduled audit job, validated with the providers' option models.

version: 1
frameworks: [soc2, hipaa, iso27001]     # optional, default all
formats: [html, json, csv]              # optional, default html,json
checks: ["aws.*"]                       # optional: only these checks (ids or globs)
skip_checks: [aws.s3.bucket_versioning] # optional: leave these out (reported as excluded)
min_severity: medium                    # optional: leave out checks below this severity
params:                                 # optional check parameters (`auditor checks params`)
  aws.iam.access_key_max_age_days: 90
waivers:                                # optional accepted exceptions (see auditor.waivers)
  - {check: aws.s3.bucket_versioning, resource: "*logs*", reason: ..., approver: ..., expires: 2027-03-31}
waiver_max_days: 90                     # optional: latest a waiver may expire, in days after the scan
attestations: attestations.yaml         # optional: evidence for manual controls (relative to this file)
store: /var/lib/auditor/history.db      # optional results store (--store; AUDITOR_STORE for URLs with passwords)
metrics_file: /var/lib/node_exporter/auditor.prom   # optional (--metrics-file)
pushgateway: http://pushgateway:9091    # optional (--pushgateway)
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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auditor.checks import Registry, validate_params
from auditor.errors import ConfigError, first_problem
from auditor.inputs import read_yaml_mapping
from auditor.models import JSON, Framework, Severity
from auditor.providers import ProviderSpec
from auditor.selection import CheckSelection
from auditor.waivers import DEFAULT_MAX_DAYS, Waiver, parse_waivers
from auditor.writers import format_names


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
    checks: list[str] = Field(default_factory=list)
    skip_checks: list[str] = Field(default_factory=list)
    min_severity: Severity | None = None
    params: dict[str, JSON] = Field(default_factory=dict)
    attestations: str | None = None  # attestations.yaml, relative to this file
    targets: list[TargetConfig] = Field(default_factory=list)
    waivers: list[Any] = Field(default_factory=list)
    waiver_max_days: int = Field(DEFAULT_MAX_DAYS, ge=1)
    # optional, each overridden by its flag: results store URL (keep passwords out: use
    # AUDITOR_STORE), Prometheus textfile path, Pushgateway URL
    store: str | None = None
    metrics_file: str | None = None
    pushgateway: str | None = None

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, v: list[str]) -> list[str]:
        known = format_names()
        for f in v:
            if f not in known:
                raise ValueError(f"unknown format {f!r}; choose from {', '.join(known)}")
        return v

    @property
    def selection(self) -> CheckSelection:
        return CheckSelection(tuple(self.checks), tuple(self.skip_checks), self.min_severity)


def config_waivers(cfg: AuditConfig, path: Path) -> list[Waiver]:
    """The config's `waivers:` list, validated as strictly as a waivers file."""
    return parse_waivers(cfg.waivers, path.as_posix(), path) if cfg.waivers else []


class ResolvedTarget(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    spec: ProviderSpec
    name: str
    options: BaseModel


def load_params(path: Path, registry: Registry) -> dict[str, JSON]:
    """A YAML file of check parameters (`--params FILE`), validated against the declarations."""
    return validate_params(read_yaml_mapping(path, "a params file"), registry, path, prefix="")


def load_config(
    path: Path, providers: dict[str, ProviderSpec], registry: Registry | None = None
) -> tuple[AuditConfig, list[ResolvedTarget]]:
    # dates stay text: an impossible one (a waiver expiring 2026-02-30) is then its entry's problem
    raw = read_yaml_mapping(path, "the config (with a 'targets' list)", dates_as_text=True)
    try:
        cfg = AuditConfig.model_validate(raw)
    except ValidationError as exc:
        entry, msg = first_problem(exc)
        raise ConfigError(path, msg, entry=entry) from None
    if cfg.version != 1:
        raise ConfigError(
            path, f"unsupported config version {cfg.version} (this auditor reads 1)", entry="version"
        )
    if not cfg.targets:
        raise ConfigError(path, "no targets: list at least one provider to scan", entry="targets")
    config_waivers(cfg, path)  # an invalid waiver is exit 2 before anything is collected
    if registry is not None:
        cfg = cfg.model_copy(update={"params": validate_params(cfg.params, registry, path)})
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
            loc, msg = first_problem(exc)
            raise ConfigError(
                path, msg, entry=f"targets[{i}].options.{loc}" if loc else f"targets[{i}].options"
            ) from None
        resolved.append(ResolvedTarget(spec=spec, name=t.name or f"{t.provider}#{i}", options=options))
    return cfg, resolved
