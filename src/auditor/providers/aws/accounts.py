"""Which accounts and regions an AWS scan covers: the collector's own calls (STS,
Organizations, EC2 DescribeRegions), and the fan-out of every declared service over them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from auditor.models import ErrorKind, Location
from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Credentials, RoleSession, Service
from auditor.providers.aws.services import GLOBAL_TYPES, REGIONAL_TYPES
from auditor.runtime import CallFailed

# Declared like a service's operations: iam_actions.OPERATIONS and the permission policy add them.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "sts": ("GetCallerIdentity", "AssumeRole"),
    "organizations": ("ListAccounts",),
    "ec2": ("DescribeRegions",),
}
CONDITIONAL: dict[tuple[str, str], str] = {
    ("sts", "AssumeRole"): "only with --role-arn or --org-role",
    ("organizations", "ListAccounts"): "only with --org-role",
}


def _assume(c: Collection, base: RoleSession | None, role_arn: str, account_hint: str | None) -> RoleSession:
    """The role's session, through `base` (None: the credential chain); renewed before it expires."""
    acct = Account(id=account_hint or "unknown", role=base)

    def renew() -> tuple[Credentials, float]:
        body = c.call(
            acct,
            c.home,
            "sts",
            "AssumeRole",
            {"RoleArn": role_arn, "RoleSessionName": "auditor-scan"},
            record=False,  # the answer holds temporary credentials: never stored
            allow_repeat=True,  # a renewal asks again with the same parameters
        ).body
        got = body["Credentials"]
        expires = got.get("Expiration")
        left = (expires - datetime.now(UTC)).total_seconds() if isinstance(expires, datetime) else 3600.0
        keys = {
            "aws_access_key_id": got["AccessKeyId"],
            "aws_secret_access_key": got["SecretAccessKey"],
            "aws_session_token": got["SessionToken"],
        }
        return keys, max(left, 1.0)

    return RoleSession(renew)


def discover(c: Collection) -> list[Account]:
    """The accounts to scan: the caller's (after --role-arn), or every active account of the
    organization (--org-role), limited to --accounts. What cannot be reached is recorded."""
    opts = c.opts
    base: RoleSession | None = None
    try:
        if opts.role_arn:
            base = _assume(c, None, opts.role_arn, None)
        me = Account(id="unknown", role=base)
        ident = c.call(me, c.home, "sts", "GetCallerIdentity", record=False).body
    except CallFailed as err:
        c.session.gap(err, scope=Location())
        return []
    caller = Account(id=ident["Account"], identity=ident.get("Arn"), role=base)
    if not opts.org_role:
        if opts.accounts and caller.id not in opts.accounts:
            c.error(
                "sts.GetCallerIdentity",
                ErrorKind.NOT_COLLECTED,
                f"the credentials are for account {caller.id}, not one of --accounts "
                f"{', '.join(opts.accounts)}; use --org-role to reach other accounts",
                Location(account=caller.id),
            )
            return []
        return [caller]
    try:
        org = c.call(caller, c.home, "organizations", "ListAccounts").body
    except CallFailed as err:
        c.gap(err, caller, None, ())
        return []
    wanted = set(opts.accounts or ())
    members = [
        a
        for a in org.get("Accounts", [])
        if (a.get("State") or a.get("Status")) == "ACTIVE" and (not wanted or a["Id"] in wanted)
    ]
    if opts.regions:  # a shard assumes no role in an account where it owns no unit
        members = [a for a in members if _owns_any(c, a["Id"], opts.regions)]
    for missing in sorted(wanted - {a["Id"] for a in members}):
        c.error(
            "organizations.ListAccounts",
            ErrorKind.NOT_COLLECTED,
            f"account {missing} is not an active account of the organization",
            Location(account=missing),
        )
    out: list[Account] = []
    lock = threading.Lock()

    def assume(meta: dict[str, Any]) -> None:
        arn = f"arn:aws:iam::{meta['Id']}:role/{opts.org_role}"
        acct = Account(id=meta["Id"], identity=arn, name=meta.get("Name"))
        try:
            acct.role = _assume(c, base, arn, meta["Id"])
        except CallFailed as err:
            c.gap(err, acct, None, ())
            return
        with lock:
            out.append(acct)

    for meta in members:
        c.session.submit(assume, meta, scope=Location(account=meta["Id"]))
    c.session.wait()
    return sorted(out, key=lambda a: a.id)


def _owns_any(c: Collection, account: str, regions: Sequence[str]) -> bool:
    run = c.session.run
    return any(run.owns(Location(account=account, region=r)) for r in [None, *regions])


def regions(c: Collection, acct: Account) -> list[str]:
    """The regions to scan in `acct`: the enabled ones, or those of --regions that are enabled
    (a requested region that is not is recorded as not collected)."""
    opts = c.opts
    try:
        body = c.call(acct, c.home, "ec2", "DescribeRegions", {"AllRegions": True}).body
        enabled = {r["RegionName"] for r in body.get("Regions", []) if r.get("OptInStatus") != "not-opted-in"}
        known = {r["RegionName"] for r in body.get("Regions", [])}
    except CallFailed as err:
        if not opts.regions:
            c.gap(err, acct, None, REGIONAL_TYPES)
        else:  # the requested regions are scanned as given, but that they are enabled is unconfirmed
            c.error(
                err.operation,
                err.kind,
                f"{err.message} (the requested regions {', '.join(opts.regions)} are scanned "
                "without knowing whether they are enabled)",
                Location(account=acct.id),
                (T.EC2_REGION,),
            )
        enabled = set(opts.regions or [c.home])
        known = set(enabled)
    if not opts.regions:
        return sorted(enabled)
    out = []
    for r in opts.regions:
        if r in enabled:
            out.append(r)
            continue
        why = "is not enabled (opt-in) for" if r in known else "is not a known region of"
        c.error(
            "ec2.DescribeRegions",
            ErrorKind.NOT_COLLECTED,
            f"region {r} {why} account {acct.id}: nothing there was scanned",
            Location(account=acct.id, region=r),
            REGIONAL_TYPES,
        )
    return out


def scan_account(c: Collection, acct: Account, services: Sequence[Service]) -> None:
    """Every global service once (with the home region), every regional one in each region.

    Sharded (`--shard I/N`), the units are (account, region) and (account, None) for the global
    services: each is collected by the one shard that owns it and recorded as excluded by the
    others (`Session.owns`)."""
    acct.regions = regions(c, acct)
    c.session.progress.step(f"aws {acct.id}: {len(acct.regions)} regions")
    if c.session.owns(Location(account=acct.id), GLOBAL_TYPES):
        for s in services:
            if s.fanout == "global":
                c.submit(acct, None, s.collect, c, acct, c.home)
    for region in acct.regions:
        if not c.session.owns(Location(account=acct.id, region=region), REGIONAL_TYPES):
            continue
        for s in services:
            if s.fanout == "regional":
                c.submit(acct, region, s.collect, c, acct, region)
