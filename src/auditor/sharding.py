"""Sharded scans: which units of work one `auditor scan --shard I/N` process collects.

The unit is target x scope x region: the audit.yaml target's name, the account / project /
subscription / cluster / server, and the region (or `None` for what is read once per scope,
such as AWS's global services). A unit belongs to exactly one shard, decided by a stable hash
of its key alone, so every shard decides the same way without talking to the others, and a
list discovered at run time (an organization's accounts) is partitioned after discovery.

Providers ask `CollectRun.owns(scope)` (or `Session.owns(...)`, which also records the unit
as excluded by design when another shard owns it, so no check reads its absence as an error).
`auditor merge` drops those exclusions again once every shard's output is present.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from auditor.errors import UsageError
from auditor.models import CollectionExclusion

# Exclusions a shard records for units another shard owns start with this; `auditor merge`
# removes them from the union (see auditor.merge).
SHARD_EXCLUSION_PREFIX = "collected by shard "

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def unit_key(target: str, scope: str | None, region: str | None = None) -> str:
    """The text that is hashed: `target/scope/region` (`-` for an absent part)."""
    return "/".join(part if part else "-" for part in (target, scope, region))


def _bucket(key: str, count: int) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (0-based). `Shard()` is the whole scan: it owns every unit."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise UsageError(f"shard {self.index}/{self.count}: need 0 <= I < N")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`I/N`, 0-based (`0/4` .. `3/4`), as `--shard` and JOB_COMPLETION_INDEX give it."""
        m = _SPEC.match(text)
        if not m:
            raise UsageError(f"--shard {text!r}: expected I/N, such as 0/4 (0-based index of N shards)")
        index, count = int(m.group(1)), int(m.group(2))
        if count < 1 or index >= count:
            raise UsageError(
                f"--shard {text}: the index must be 0 to {max(count - 1, 0)} for {count} shard(s)"
            )
        return cls(index, count)

    @property
    def whole(self) -> bool:
        return self.count == 1

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def owner(self, key: str) -> int:
        return 0 if self.count == 1 else _bucket(key, self.count)

    def owns(self, key: str) -> bool:
        """Whether this shard collects the unit `key` (see `unit_key`)."""
        return self.count == 1 or _bucket(key, self.count) == self.index

    def exclusion_reason(self, key: str) -> str:
        return (
            f"{SHARD_EXCLUSION_PREFIX}{self.owner(key)}/{self.count} (unit {key}; this is shard {self.label})"
        )


def is_shard_exclusion(exclusion: CollectionExclusion) -> bool:
    return exclusion.reason.startswith(SHARD_EXCLUSION_PREFIX)


_REASON = re.compile(
    re.escape(SHARD_EXCLUSION_PREFIX) + r"(\d+)/\d+ \(unit (.*); this is shard \d+/\d+\)$", re.S
)


def shard_exclusion_unit(exclusion: CollectionExclusion) -> tuple[int, str] | None:
    """(owning shard's index, unit key) of an exclusion `Shard.exclusion_reason` wrote, else None."""
    m = _REASON.match(exclusion.reason)
    return (int(m.group(1)), m.group(2)) if m else None
