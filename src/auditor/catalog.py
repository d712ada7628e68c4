"""The control library: framework catalogs plus the crosswalk from checks to controls.

Layout of `controls/`:
    soc2.yaml, hipaa.yaml, iso27001.yaml   one file per framework: every control with its
                                           objective, automation class and manual evidence request
    crosswalk/<provider>.yaml              check id -> {soc2: [...], hipaa: [...], iso27001: [...]}

One check serves many controls across frameworks; the crosswalk is where that is said,
one file per provider so each provider's mapping has one home. `lint()` ties both to the
check registry and reports every inconsistency, naming the file and the entry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auditor.checks import Registry
from auditor.data import data_dir
from auditor.errors import ConfigError, LintError
from auditor.inputs import read_yaml
from auditor.models import Control, Framework

if TYPE_CHECKING:
    from auditor.providers import ProviderSpec

FRAMEWORK_FILES = {
    Framework.SOC2: "soc2.yaml",
    Framework.HIPAA: "hipaa.yaml",
    Framework.ISO27001: "iso27001.yaml",
}


class ControlEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    group: str = Field(min_length=1)
    objective: str = Field(min_length=10)
    automation: Literal["auto", "partial", "manual"]
    evidence_request: str = Field(min_length=10)
    requirement: Literal["standard", "required", "addressable"] | None = None
    parent: str | None = None


class FrameworkFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: Framework
    name: str
    version: str
    source_note: str = ""
    controls: list[ControlEntry]


class CrosswalkEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    soc2: list[str] = Field(default_factory=list)
    hipaa: list[str] = Field(default_factory=list)
    iso27001: list[str] = Field(default_factory=list)

    @field_validator("soc2", "hipaa", "iso27001", mode="before")
    @classmethod
    def _stringify(cls, v: Any) -> Any:
        # ISO ids such as 8.5 are numbers to YAML when unquoted; accept and keep the text.
        if isinstance(v, list):
            return [str(x) for x in v]
        return v

    def items(self) -> Iterator[tuple[Framework, str]]:
        for fw in Framework:
            for cid in getattr(self, fw.value):
                yield fw, cid


@dataclass(frozen=True)
class FrameworkInfo:
    framework: Framework
    name: str
    version: str
    path: Path


@dataclass(frozen=True)
class Library:
    frameworks: dict[Framework, FrameworkInfo]
    controls: dict[tuple[Framework, str], Control]
    crosswalk: dict[str, CrosswalkEntry]
    crosswalk_files: dict[str, Path]
    problems: tuple[str, ...]  # found while loading; lint() reports them with the rest

    def by_framework(self, framework: Framework) -> list[Control]:
        return [c for (fw, _), c in self.controls.items() if fw == framework]

    def find(self, control_id: str, framework: Framework | None = None) -> list[Control]:
        """Controls with this id (case-insensitive; ISO ids may carry their `A.` prefix)."""
        wanted = control_id.strip().lower()
        bare = wanted[2:] if wanted.startswith("a.") else wanted
        return [
            c
            for (fw, cid), c in self.controls.items()
            if (cid.lower() == wanted or (fw == Framework.ISO27001 and cid.lower() == bare))
            and (framework is None or fw == framework)
        ]


def _read_yaml(path: Path) -> Any:
    return read_yaml(path, "control library file")


def _describe(exc: ValidationError, raw: Any) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = list(err["loc"])
    entry = ".".join(str(p) for p in loc)
    # Name the control by id rather than by list index when we can.
    if len(loc) >= 2 and loc[0] == "controls" and isinstance(loc[1], int) and isinstance(raw, dict):
        try:
            cid = raw["controls"][loc[1]].get("id")
            entry = f"control {cid or '#' + str(loc[1])}" + (
                f" field '{'.'.join(str(p) for p in loc[2:])}'" if loc[2:] else ""
            )
        except (KeyError, IndexError, AttributeError, TypeError):
            pass
    return entry, err["msg"]


def load_framework(path: Path) -> FrameworkFile:
    raw = _read_yaml(path)
    try:
        return FrameworkFile.model_validate(raw)
    except ValidationError as exc:
        entry, msg = _describe(exc, raw)
        raise ConfigError(path, msg, entry=entry) from None


def load_crosswalk(path: Path) -> dict[str, CrosswalkEntry]:
    raw = _read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(
            path, "a crosswalk file maps check ids to {soc2: [...], hipaa: [...], iso27001: [...]}"
        )
    out: dict[str, CrosswalkEntry] = {}
    for check_id, entry in raw.items():
        try:
            out[str(check_id)] = CrosswalkEntry.model_validate(entry or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise ConfigError(
                path, err["msg"], entry=f"check {check_id}" + (f" field '{field}'" if field else "")
            ) from None
    return out


def _crosswalk_paths(root: Path, providers: Mapping[str, ProviderSpec] | None) -> list[Path]:
    """`controls/crosswalk/*.yaml`, plus the crosswalk a plug-in provider ships in its package."""
    cw_dir = root / "crosswalk"
    paths = sorted(cw_dir.glob("*.yaml")) if cw_dir.is_dir() else []
    if providers is None:
        from auditor.providers import discover_providers

        providers = discover_providers()
    for spec in providers.values():
        if spec.crosswalk is not None and spec.crosswalk not in paths:
            paths.append(spec.crosswalk)
    return paths


def load_library(root: Path | None = None, providers: Mapping[str, ProviderSpec] | None = None) -> Library:
    """Load and cross-link the library. Malformed files raise ConfigError naming file and entry;
    inconsistencies between files are collected in `problems` (see `lint`)."""
    root = root or data_dir("controls")
    problems: list[str] = []
    frameworks: dict[Framework, FrameworkInfo] = {}
    entries: dict[tuple[Framework, str], tuple[ControlEntry, Path]] = {}
    for fw, fname in FRAMEWORK_FILES.items():
        path = root / fname
        if not path.exists():
            problems.append(f"{path}: framework file missing")
            continue
        ff = load_framework(path)
        if ff.framework != fw:
            problems.append(f"{path}: declares framework '{ff.framework.value}', expected '{fw.value}'")
        frameworks[fw] = FrameworkInfo(fw, ff.name, ff.version, path)
        for c in ff.controls:
            if (fw, c.id) in entries:
                problems.append(f"{path}: control {c.id}: duplicate id")
            entries[(fw, c.id)] = (c, path)
        for c in ff.controls:
            if fw == Framework.HIPAA and c.parent and (fw, c.parent) not in entries:
                problems.append(f"{path}: control {c.id}: parent '{c.parent}' is not a control of this file")
            if fw != Framework.HIPAA and (c.requirement or c.parent):
                problems.append(f"{path}: control {c.id}: 'requirement'/'parent' are HIPAA-only fields")

    crosswalk: dict[str, CrosswalkEntry] = {}
    crosswalk_files: dict[str, Path] = {}
    checks_by_control: dict[tuple[Framework, str], list[str]] = defaultdict(list)
    for path in _crosswalk_paths(root, providers):
        for check_id, entry in load_crosswalk(path).items():
            if check_id in crosswalk:
                problems.append(
                    f"{path}: check {check_id}: already mapped in {crosswalk_files[check_id]}; map a check in one file"
                )
                continue
            if not any(True for _ in entry.items()):
                problems.append(f"{path}: check {check_id}: maps to no control")
            crosswalk[check_id] = entry
            crosswalk_files[check_id] = path
            for fw, cid in entry.items():
                if (fw, cid) not in entries:
                    problems.append(f"{path}: check {check_id}: unknown {fw.value} control '{cid}'")
                    continue
                if check_id not in checks_by_control[(fw, cid)]:
                    checks_by_control[(fw, cid)].append(check_id)

    controls = {
        key: Control(
            framework=key[0],
            id=c.id,
            title=c.title,
            group=c.group,
            objective=c.objective.strip(),
            automation=c.automation,
            evidence_request=c.evidence_request.strip(),
            requirement=c.requirement,
            parent=c.parent,
            checks=tuple(sorted(checks_by_control.get(key, ()))),
        )
        for key, (c, _path) in entries.items()
    }
    return Library(frameworks, controls, crosswalk, crosswalk_files, tuple(problems))


def lint(library: Library, registry: Registry) -> list[str]:
    """Every inconsistency between the library and the registered checks, one line each.

    Beyond ids and files: a control's automation class must agree with its mapped checks
    (`auto`/`partial` need one, `manual` has none), and its texts may promise scanner evidence
    only as "Scanner results cover <item>, <item> and <item>.", on a control with mapped checks,
    each item named by the id, title or resource types of one of those checks."""
    problems = list(library.problems)
    for check_id in sorted(library.crosswalk):
        if check_id not in registry:
            problems.append(
                f"{library.crosswalk_files[check_id]}: check {check_id}: no such check is registered (dangling id)"
            )
    for check in registry:
        if check.id not in library.crosswalk:
            problems.append(
                f"check {check.id} ({check.func.__module__}): registered but mapped to no control; "
                f"add it to controls/crosswalk/{check.meta.provider}.yaml"
            )
    vocabulary = _check_vocabulary(registry)
    for (fw, cid), control in library.controls.items():
        where = f"{library.frameworks[fw].path}: control {cid}"
        if control.automation != "manual" and not control.checks:
            problems.append(
                f"{where}: automation '{control.automation}' but no check is mapped; map a check or mark it manual"
            )
        if control.automation == "manual" and control.checks:
            problems.append(
                f"{where}: automation 'manual' but checks are mapped ({', '.join(control.checks)}); "
                "mark it partial if they evidence part of it, or remove the mapping"
            )
        for field, text in (("objective", control.objective), ("evidence request", control.evidence_request)):
            problems.extend(
                f"{where}: {field} {p}"
                for p in _scanner_claim_problems(
                    text, [vocabulary.get(c, frozenset()) for c in control.checks]
                )
            )
    return problems


# A text promises scanner evidence when it speaks of the scanner's results, evidence, output...
_SCANNER_CLAIM = re.compile(
    r"\bscanner(?:'s)?\s+(?:results?|evidence|output|inventory|run\s+history|signals?|findings|data"
    r"|shows?|covers?|confirms?|provides?|flags?|feeds?)\b"
    r"|\bthe\s+scan\s+(?:shows?|covers?|confirms?)\b"
    r"|\bautomated\s+(?:results?|evidence)\b",
    re.IGNORECASE,
)
# ... and the one form that may say so: a sentence listing what the mapped checks cover.
_COVERS = re.compile(r"\bScanner results cover (.+?)\.(?=\s|$)", re.IGNORECASE | re.DOTALL)
_ITEM_SEPARATOR = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+|\s+plus\s+")
# Words that carry no coverage ("the IAM password policy" names the same checks as "IAM password policy").
_FILLER = frozenset(
    "a an the and or of on in for to by with from at across all each every their its that is are be no not".split()  # noqa: SIM905
)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FILLER]


def _check_vocabulary(registry: Registry) -> dict[str, frozenset[str]]:
    """Per check, the words that may name what it covers: its id, title and resource types, and
    its provider's title (so "Kubernetes" names a `k8s.*` check)."""
    from auditor.providers import discover_providers

    provider_titles = {name: spec.title for name, spec in discover_providers().items()}
    return {
        c.id: frozenset(
            _words(
                " ".join(
                    (c.id, c.meta.title, *c.meta.resource_types, provider_titles.get(c.meta.provider, ""))
                )
            )
        )
        for c in registry
    }


def _same_word(a: str, b: str) -> bool:
    """One word in two forms: equal, or sharing their first five letters (rotate/rotation),
    or a short word starting the other (log/logging, key/keys)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 3:
        return False
    return a[:5] == b[:5] if len(short) >= 5 else long.startswith(short)


def _scanner_claim_problems(text: str, vocabularies: list[frozenset[str]]) -> list[str]:
    claims = list(_SCANNER_CLAIM.finditer(text))
    if not claims:
        return []
    if not vocabularies:
        return [
            f"cites scanner results ('{claims[0].group(0)}') but no check is mapped; "
            "say plainly what the auditor must request instead"
        ]
    covers = list(_COVERS.finditer(text))
    starts = {m.start() for m in covers}
    problems = [
        f"words scanner evidence as '{m.group(0)}'; write 'Scanner results cover ...' naming what the mapped checks cover"
        for m in claims
        if m.start() not in starts
    ]
    for m in covers:
        for item in _ITEM_SEPARATOR.split(m.group(1).strip()):
            words = _words(item)
            if words and not any(
                all(any(_same_word(w, v) for v in vocab) for w in words) for vocab in vocabularies
            ):
                problems.append(
                    f"says scanner results cover '{item}', but no mapped check's id or title names it; "
                    "name what the mapped checks cover, or say what the auditor must request"
                )
    return problems


def lint_or_raise(library: Library, registry: Registry) -> None:
    problems = lint(library, registry)
    if problems:
        raise LintError(problems)


def coverage(library: Library, frameworks: Iterable[Framework] | None = None) -> list[dict[str, Any]]:
    out = []
    for fw in frameworks or Framework:
        if fw not in library.frameworks:
            continue
        controls = library.by_framework(fw)
        automated = [c for c in controls if c.checks]
        checks = sorted({cid for c in controls for cid in c.checks})
        out.append(
            {
                "framework": fw.value,
                "name": library.frameworks[fw].name,
                "total": len(controls),
                "automated": len(automated),
                "manual": len(controls) - len(automated),
                "with_manual_evidence": sum(1 for c in controls if c.evidence_request),
                "checks": checks,
                "controls": {c.id: list(c.checks) for c in automated},
            }
        )
    return out
