"""Upstream Kubernetes minor versions and their end of support (end of patch releases),
from https://kubernetes.io/releases/ . Override per platform (extended support on managed
services) with the parameter `k8s.version_eol` ({"1.30": "2026-07-31", ...})."""

from __future__ import annotations

import re
from datetime import date

UPSTREAM_EOL: dict[str, str] = {
    "1.19": "2021-10-28",
    "1.20": "2022-02-28",
    "1.21": "2022-06-28",
    "1.22": "2022-10-28",
    "1.23": "2023-02-28",
    "1.24": "2023-07-28",
    "1.25": "2023-10-28",
    "1.26": "2024-02-28",
    "1.27": "2024-06-28",
    "1.28": "2024-10-28",
    "1.29": "2025-02-28",
    "1.30": "2025-06-28",
    "1.31": "2025-10-28",
    "1.32": "2026-02-28",
    "1.33": "2026-06-28",
    "1.34": "2026-10-27",
    "1.35": "2027-02-28",
    "1.36": "2027-06-28",
}

_VERSION = re.compile(r"v?(\d+)\.(\d+)")


def minor_of(version: str | None) -> tuple[int, int] | None:
    m = _VERSION.match(version or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def eol_of(major: int, minor: int, overrides: dict[str, str] | None = None) -> tuple[date | None, bool]:
    """(end-of-support date or None, known). Older than the table: long past end of support."""
    key = f"{major}.{minor}"
    table = {**UPSTREAM_EOL, **(overrides or {})}
    if key in table:
        return date.fromisoformat(str(table[key])), True
    oldest = min(minor_of(k) or (1, 0) for k in table)
    if (major, minor) < oldest:
        return date(2021, 1, 1), True
    return None, False
