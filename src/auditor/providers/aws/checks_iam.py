"""IAM checks."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource

checks = CheckSet("aws")

ACCOUNT = "aws.iam.account_summary"


@checks.check(
    id="aws.iam.root_mfa",
    title="The root user has MFA enabled",
    severity="critical",
    resource_types=[ACCOUNT],
    rationale="The root user can do anything in the account, including closing it; a password alone is "
    "not enough to protect it.",
    remediation="Sign in as root and enable a hardware or virtual MFA device.",
)
def root_mfa(summary: Resource, ctx: CheckContext) -> Verdict:
    if need(summary, "AccountMFAEnabled") == 1:
        return passed("root user has MFA")
    return failed("root user has no MFA device")
