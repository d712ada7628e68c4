"""ECR: repositories, with scanning (their scan-on-push and the registry's enhanced scanning rules),
tag mutability, encryption, repository policy and lifecycle policy."""

from __future__ import annotations

import fnmatch
from functools import partial
from typing import Any

from auditor.providers.aws import resources as T
from auditor.providers.aws.common import Account, Collection, Results, Service, policy_doc, take
from auditor.runtime import CallFailed


def collect(c: Collection, acct: Account, region: str) -> None:
    c.gather(
        acct,
        region,
        {
            "repositories": lambda: c.call(acct, region, "ecr", "DescribeRepositories"),
            "scanning": lambda: c.call(acct, region, "ecr", "GetRegistryScanningConfiguration"),
        },
        lambda res: _repositories(c, acct, region, res),
    )


def enhanced_rules(scanning: dict[str, Any]) -> list[str]:
    """The repository name patterns the registry scans with enhanced (Inspector) scanning."""
    cfg = scanning.get("scanningConfiguration") or {}
    if cfg.get("scanType") != "ENHANCED":
        return []
    return [
        str(f.get("filter"))
        for rule in cfg.get("rules") or []
        for f in rule.get("repositoryFilters") or []
        if f.get("filterType", "WILDCARD") == "WILDCARD"
    ]


def _repositories(c: Collection, acct: Account, region: str, res: Results) -> None:
    listed = res["repositories"]
    if isinstance(listed, CallFailed):
        c.gap(listed, acct, region, (T.ECR_REPOSITORY,))
        return
    gaps: dict[str, str] = {}
    evs = [listed.evidence]
    scanning = take(res, "scanning", gaps, ("enhanced_scanning",), evs)
    patterns = enhanced_rules(scanning) if scanning is not None else None
    for repo in listed.body.get("repositories", []):
        name = repo["repositoryName"]
        c.gather(
            acct,
            region,
            {
                "policy": partial(
                    c.call,
                    acct,
                    region,
                    "ecr",
                    "GetRepositoryPolicy",
                    {"repositoryName": name},
                    absent={"RepositoryPolicyNotFoundException"},
                ),
                "lifecycle": partial(
                    c.call,
                    acct,
                    region,
                    "ecr",
                    "GetLifecyclePolicy",
                    {"repositoryName": name},
                    absent={"LifecyclePolicyNotFoundException"},
                ),
            },
            partial(_build, c, acct, region, repo, patterns, evs, gaps),
        )


def _build(
    c: Collection,
    acct: Account,
    region: str,
    repo: dict[str, Any],
    patterns: list[str] | None,
    list_evs: list[str],
    list_gaps: dict[str, str],
    res: Results,
) -> None:
    name = repo["repositoryName"]
    gaps = dict(list_gaps)
    evs = list(list_evs)
    enc = repo.get("encryptionConfiguration") or {}
    attrs: dict[str, Any] = {
        "scan_on_push": bool((repo.get("imageScanningConfiguration") or {}).get("scanOnPush")),
        "tag_mutability": repo.get("imageTagMutability"),
        "encryption_type": enc.get("encryptionType"),
        "kms_key": enc.get("kmsKey"),
    }
    if patterns is not None:
        attrs["enhanced_scanning"] = any(fnmatch.fnmatchcase(name, p) for p in patterns)
    policy = take(res, "policy", gaps, ("policy",), evs)
    if "policy" not in gaps:
        text = (policy or {}).get("policyText")
        attrs["policy"] = policy_doc(text) if text else None
    lifecycle = take(res, "lifecycle", gaps, ("has_lifecycle_policy",), evs)
    if "has_lifecycle_policy" not in gaps:
        attrs["has_lifecycle_policy"] = bool((lifecycle or {}).get("lifecyclePolicyText"))
    c.add(T.ECR_REPOSITORY, repo["repositoryArn"], acct, region, attrs, evs, name=name, gaps=gaps)


SERVICE = Service(
    name="ecr",
    fanout="regional",
    operations=(
        "DescribeRepositories",
        "GetRegistryScanningConfiguration",
        "GetRepositoryPolicy",
        "GetLifecyclePolicy",
    ),
    produces=(T.ECR_REPOSITORY,),
    collect=collect,
)
