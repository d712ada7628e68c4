"""Runtime settings for bulk work. A scan creates millions of small objects (resources, findings,
JSON nodes), and CPython's cyclic garbage collector would otherwise walk them again and again as
they accumulate: at 100k resources, loading and evaluating ran 2-4 times slower, and at a
million resources the collector's passes over the young generation alone cost about 18 s.

- `bulk_allocation()` (the CLI's whole command) makes young-generation collections rare.
- `acyclic()` (loading a snapshot, evaluating, writing the outputs) turns the cyclic collector
  off for work that creates no reference cycles: parsed JSON, frozen models, findings, bytes.
  Reference counting frees everything as usual; a cycle made meanwhile (a caught exception's
  traceback is broken by `except ... as`) waits for the next collection once it is back on.

Both put the previous settings back afterwards, so a library caller's own settings survive."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLDS = (200_000, 50, 1_000)


@contextmanager
def bulk_allocation() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def acyclic() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
