"""Attestations: evidence for the manual part of controls, which no API shows.

`attestations.yaml` (`--attestations FILE`, or `attestations:` in audit.yaml):

    version: 1
    attestations:
      - framework: soc2
        control: CC1.1
        owner: Dana Reyes, CISO
        statement: The code of conduct was re-approved by the board and acknowledged by all staff.
        evidence:
          - file: evidence/code-of-conduct-2026.pdf   # relative to this file; hashed and copied
          - url: https://intranet.example.com/policies/coc
        attested_at: 2026-03-01
        valid_for: 365d                                # days (d) or weeks (w)

Strictly validated: an unknown control, a missing owner, statement or evidence, a bad date or
duration, a missing evidence file, a URL that is not http(s), or a credential in a URL, owner or
statement (`auditor.redact.secret_value_kind`) is a ConfigError (exit 2) naming the file and the entry.

Attestations are a roll-up input, not a stage: stages transform findings (verdicts on
resources), and an attestation judges no resource. The roll-up computes each control's
automated status from findings alone, then pairs it with the manual part (`ManualPart`) into
its `Assurance`, so an attestation can never turn an automated failure into anything else.
Freshness is judged against the scan's collection time, so re-evaluating a snapshot later gives
the same answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from auditor.catalog import Library
from auditor.errors import ConfigError, error_path, first_problem
from auditor.inputs import read_bytes, read_yaml_mapping
from auditor.models import (
    Assurance,
    Attestation,
    AttestedEvidence,
    ControlStatus,
    Framework,
    ManualPart,
)
from auditor.outputs import ensure_dir, write_bytes
from auditor.redact import SECRET_VALUE_KINDS, secret_value_kind

PACKAGE_DIR = "evidence/attestations"
_DURATION = re.compile(r"^([1-9][0-9]{0,4})([dw])$")


def _no_secret(text: str) -> None:
    """An attestation is copied into results, reports and OSCAL: it must carry no credential.
    (The message names the kind, never the value.)"""
    kind = secret_value_kind(text)
    if kind:
        raise ValueError(
            f"holds {SECRET_VALUE_KINDS[kind]}: leave the credential out (auditor keeps no secret)"
        )


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str | None = Field(None, min_length=1)
    url: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one(self) -> EvidenceItem:
        if (self.file is None) == (self.url is None):
            raise ValueError("give exactly one of 'file' or 'url'")
        if self.url is not None:
            _no_secret(self.url)  # first: the next message quotes the URL
            if not re.match(r"^https?://[^\s/]+", self.url):
                raise ValueError(f"url {self.url!r} is not an http(s) URL")
        return self


class AttestationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    framework: Framework
    control: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    evidence: list[EvidenceItem] = Field(min_length=1)
    attested_at: date
    valid_for: str

    @field_validator("control", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) else v  # ISO ids such as 5.1 load as numbers

    @field_validator("attested_at", mode="before")
    @classmethod
    def _date_only(cls, v: Any) -> Any:
        if isinstance(v, datetime):
            raise ValueError("give a date (YYYY-MM-DD), not a date and time")
        return v

    @field_validator("owner", "statement")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        _no_secret(v)
        return v.strip()

    @field_validator("valid_for")
    @classmethod
    def _duration(cls, v: str) -> str:
        if not _DURATION.match(v):
            raise ValueError(f"{v!r} is not a duration such as 365d or 52w")
        return v

    @property
    def validity(self) -> timedelta:
        m = _DURATION.match(self.valid_for)
        assert m is not None
        n = int(m.group(1))
        return timedelta(days=n * 7 if m.group(2) == "w" else n)


class AttestationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    attestations: list[AttestationEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class EvidenceFile:
    source: Path
    name: str
    sha256: str
    size: int

    @property
    def package_path(self) -> str:
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in self.name) or "file"
        return f"{PACKAGE_DIR}/{self.sha256[:16]}-{safe}"


@dataclass(frozen=True)
class LoadedAttestation:
    entry: AttestationEntry
    control_id: str  # as the library spells it
    files: tuple[EvidenceFile, ...]


@dataclass(frozen=True)
class Attestations:
    """A loaded, validated attestations file."""

    path: Path
    items: tuple[LoadedAttestation, ...]

    @property
    def files(self) -> list[EvidenceFile]:
        return list({f.sha256 + f.name: f for item in self.items for f in item.files}.values())


def _entry_name(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and raw.get("framework") and raw.get("control"):
        return f"attestations[{index}] ({raw['framework']}/{raw['control']})"
    return f"attestations[{index}]"


def _file(base: Path, rel: str, path: Path, entry: str) -> EvidenceFile:
    source = (base / rel).resolve() if not Path(rel).is_absolute() else Path(rel)
    if not source.is_file():
        raise ConfigError(path, f"evidence file {rel!r} does not exist (relative to this file)", entry=entry)
    data = read_bytes(source, "attestation evidence", gunzip=False)
    return EvidenceFile(source, source.name, hashlib.sha256(data).hexdigest(), len(data))


def load_attestations(path: Path, library: Library) -> Attestations:
    raw = read_yaml_mapping(path, "an attestations file (version: 1, attestations: [...])")
    try:
        parsed = AttestationFile.model_validate(raw)
    except ValidationError as exc:
        loc, msg = first_problem(exc)
        err = exc.errors()[0]["loc"]
        entry = loc
        if len(err) >= 2 and err[0] == "attestations" and isinstance(err[1], int):
            rest = error_path(err[2:])
            entry = _entry_name(raw["attestations"][err[1]], err[1]) + (f".{rest}" if rest else "")
        raise ConfigError(path, msg, entry=entry) from None
    items = []
    for i, a in enumerate(parsed.attestations):
        entry = f"attestations[{i}] ({a.framework.value}/{a.control})"
        found = library.find(a.control, a.framework)
        if not found:
            raise ConfigError(
                path, f"no {a.framework.value} control {a.control!r} in the library", entry=entry
            )
        files = tuple(
            _file(path.parent, ev.file, path, f"{entry}.evidence[{j}]")
            for j, ev in enumerate(a.evidence)
            if ev.file is not None
        )
        items.append(LoadedAttestation(a, found[0].id, files))
    return Attestations(path, tuple(items))


def copy_evidence(attestations: Attestations, root: Path) -> list[Path]:
    """Copy every evidence file into the package (`evidence/attestations/`), checking that it
    still has the hash it was loaded with."""
    written: list[Path] = []
    for f in attestations.files:
        target = root / f.package_path
        ensure_dir(target.parent, "attestation evidence")
        data = read_bytes(f.source, "attestation evidence", gunzip=False)
        if hashlib.sha256(data).hexdigest() != f.sha256:
            raise ConfigError(
                f.source, "changed while the scan ran (its SHA-256 differs from when it was read)"
            )
        written.append(write_bytes(target, data))
    return written


def _judge(item: LoadedAttestation, at: date) -> Attestation:
    a = item.entry
    expires = a.attested_at + a.validity
    state: Literal["fresh", "expired", "not_yet_valid"]
    if a.attested_at > at:
        state = "not_yet_valid"
    elif at >= expires:
        state = "expired"
    else:
        state = "fresh"
    evidence = [
        AttestedEvidence(file=f.package_path, name=f.name, sha256=f.sha256, size=f.size) for f in item.files
    ] + [AttestedEvidence(url=ev.url) for ev in a.evidence if ev.url is not None]
    return Attestation(
        owner=a.owner,
        statement=a.statement,
        attested_at=a.attested_at,
        valid_for=a.valid_for,
        expires=expires,
        state=state,
        evidence=tuple(evidence),
    )


def judge(attestations: Attestations | None, at: datetime) -> dict[tuple[Framework, str], ManualPart]:
    """The manual part of every attested control, as of `at` (the scan's collection time)."""
    day = at.date()
    by_control: dict[tuple[Framework, str], list[Attestation]] = {}
    for item in attestations.items if attestations else ():
        by_control.setdefault((item.entry.framework, item.control_id), []).append(_judge(item, day))
    out: dict[tuple[Framework, str], ManualPart] = {}
    for key, judged in by_control.items():
        judged.sort(key=lambda x: (x.attested_at, x.expires), reverse=True)
        if any(x.state == "fresh" for x in judged):
            out[key] = ManualPart(state="attested", attestations=tuple(judged))
        else:
            expired = [x.expires for x in judged if x.state == "expired"]
            out[key] = ManualPart(
                state="due", due_since=max(expired) if expired else None, attestations=tuple(judged)
            )
    return out


def assurance(status: ControlStatus, manual: ManualPart) -> Assurance:
    """A control's automated status and its manual part, together. The automated part decides
    first: a failure, an error, an exclusion or a provider not scanned is never hidden."""
    attested = manual.state == "attested"
    if status == ControlStatus.FAIL:
        return Assurance.FAILING
    if status == ControlStatus.ERROR:
        return Assurance.NOT_EVALUATED
    if status == ControlStatus.EXCLUDED:
        return Assurance.NOT_FULLY_EVALUATED
    if status == ControlStatus.NOT_ASSESSED:
        return Assurance.NOT_ASSESSED
    if status == ControlStatus.PASS:
        return Assurance.FULLY_EVIDENCED if attested else Assurance.AUTOMATED_ONLY
    return Assurance.ATTESTED if attested else Assurance.MANUAL_DUE  # manual, or nothing in scope


ASSURANCE_LABELS: Mapping[Assurance, str] = {
    Assurance.FULLY_EVIDENCED: "fully evidenced",
    Assurance.AUTOMATED_ONLY: "automated only (manual part due)",
    Assurance.ATTESTED: "attested (no automated result)",
    Assurance.MANUAL_DUE: "manual evidence due",
    Assurance.FAILING: "failing",
    Assurance.NOT_EVALUATED: "not evaluated (error)",
    Assurance.NOT_FULLY_EVALUATED: "not fully evaluated (checks excluded)",
    Assurance.NOT_ASSESSED: "not assessed (provider not scanned)",
}
