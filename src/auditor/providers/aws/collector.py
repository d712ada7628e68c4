"""AWS collector (placeholder until the boto3 collector lands)."""

from __future__ import annotations

from pydantic import BaseModel

from auditor.evidence import SnapshotBuilder
from auditor.providers import Progress


def collect(options: BaseModel, sink: SnapshotBuilder, progress: Progress) -> None:
    raise NotImplementedError("the AWS collector is not implemented yet")
