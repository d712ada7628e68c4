"""Check selection: which checks a scan runs (`--checks`, `--skip-checks`, `--min-severity`).

A check left out is not silently dropped: the exclusion stage records it as `excluded` with
the reason, so results, the report and the control roll-up all say it was not evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from auditor.checks import Check, Registry
from auditor.errors import UsageError
from auditor.models import Severity


@dataclass(frozen=True)
class CheckSelection:
    include: tuple[str, ...] = ()  # check ids or globs (aws.s3.*); empty: every check
    exclude: tuple[str, ...] = ()
    min_severity: Severity | None = None

    @classmethod
    def of(
        cls,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        min_severity: str | Severity | None = None,
    ) -> CheckSelection:
        try:
            sev = Severity(str(min_severity).lower()) if min_severity else None
        except ValueError:
            raise UsageError(
                f"unknown severity {min_severity!r}; choose from {', '.join(s.value for s in Severity)}"
            ) from None
        return cls(tuple(include), tuple(exclude), sev)

    @property
    def is_all(self) -> bool:
        return not (self.include or self.exclude or self.min_severity)

    def reason(self, check: Check) -> str | None:
        """Why `check` is left out, or None when it runs."""
        cid = check.id
        if self.include and not any(fnmatchcase(cid, p) for p in self.include):
            return f"not selected by --checks {','.join(self.include)}"
        hit = next((p for p in self.exclude if fnmatchcase(cid, p)), None)
        if hit is not None:
            return f"skipped by --skip-checks {hit}"
        if self.min_severity and check.meta.severity.rank < self.min_severity.rank:
            return f"severity {check.meta.severity.value} is below --min-severity {self.min_severity.value}"
        return None

    def validate(self, registry: Registry) -> None:
        """A pattern that matches no check is a typo, not an empty selection."""
        ids = registry.ids()
        for p in (*self.include, *self.exclude):
            if not any(fnmatchcase(i, p) for i in ids):
                raise UsageError(f"no check matches {p!r} (see `auditor checks list`)")

    def split(self, registry: Registry) -> tuple[Registry, dict[str, str]]:
        """(the checks that run, {check id: why excluded} for the rest)."""
        run: list[Check] = []
        left: dict[str, str] = {}
        for c in registry:
            why = self.reason(c)
            if why is None:
                run.append(c)
            else:
                left[c.id] = why
        return Registry(run), left
