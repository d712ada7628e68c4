"""Secrets Manager: secret metadata and rotation (ListSecrets only; GetSecretValue is never called)."""

from __future__ import annotations

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Service, iso, tags


def collect(c: Collection, acct: Account, region: str) -> None:
    # ListSecrets returns metadata only; GetSecretValue is never called.
    got = c.listing(acct, region, "secretsmanager", "ListSecrets", types=(T.SECRET,))
    if got is None:
        return
    for s in got.body.get("SecretList", []):
        c.add(
            T.SECRET,
            s["ARN"],
            acct,
            region,
            {
                "rotation_enabled": bool(s.get("RotationEnabled")),
                "rotation_days": (s.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
                "last_rotated": iso(s.get("LastRotatedDate")),
                "last_accessed": iso(s.get("LastAccessedDate")),
                "created": iso(s.get("CreatedDate")),
            },
            [got.evidence],
            name=s.get("Name"),
            tags=tags(s.get("Tags")),
        )


SERVICE = Service(
    name="secretsmanager",
    fanout="regional",
    operations=("ListSecrets",),
    produces=(T.SECRET,),
    collect=collect,
)
