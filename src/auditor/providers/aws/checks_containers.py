"""Containers: ECR repositories (scanning, immutability, encryption, policy, lifecycle) and EKS
clusters and node groups."""

from __future__ import annotations

from auditor.checks import (
    CheckContext,
    CheckSet,
    Verdict,
    failed,
    need,
    not_applicable,
    param,
    passed,
    summarize,
)
from auditor.models import Resource
from auditor.providers.aws import resources as T
from auditor.providers.aws.checks_ec2 import world_open
from auditor.providers.aws.policy import public_statements
from auditor.providers.aws.verdicts import required

checks = CheckSet("aws")
WORLD = ("0.0.0.0/0", "::/0")
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


# ----------------------------------------------------------------------------- ECR


@checks.check(
    id="aws.ecr.image_scanning",
    title="ECR repositories scan images for vulnerabilities",
    severity="medium",
    resource_types=[T.ECR_REPOSITORY],
    rationale="Images with known vulnerabilities should be found when pushed, not after deployment.",
    remediation="PutImageScanningConfiguration scanOnPush=true, or PutRegistryScanningConfiguration ENHANCED "
    "with a rule matching the repository.",
)
def ecr_scanning(repo: Resource, ctx: CheckContext) -> Verdict:
    if need(repo, "enhanced_scanning"):
        return passed("enhanced (Inspector) scanning covers the repository")
    return required(
        repo,
        "scan_on_push",
        "images are scanned on push",
        "repository {name} scans no images: enable scanOnPush or an enhanced scanning rule for it",
    )


@checks.check(
    id="aws.ecr.tag_immutability",
    title="ECR repositories have immutable tags",
    severity="medium",
    resource_types=[T.ECR_REPOSITORY],
    rationale="With mutable tags, a pushed image can silently replace what a deployment's tag points to.",
    remediation="PutImageTagMutability imageTagMutability=IMMUTABLE.",
)
def ecr_immutable(repo: Resource, ctx: CheckContext) -> Verdict:
    mode = str(need(repo, "tag_mutability") or "MUTABLE")
    if mode.startswith("IMMUTABLE"):
        return passed(f"tags are {mode.lower()}")
    return failed(f"repository {repo.name} has mutable tags: PutImageTagMutability IMMUTABLE")


@checks.check(
    id="aws.ecr.kms",
    title="ECR repositories are encrypted with a KMS key",
    severity="low",
    resource_types=[T.ECR_REPOSITORY],
    rationale="A KMS key adds a key policy and CloudTrail records in front of the image layers.",
    remediation="Create the repository with encryptionConfiguration encryptionType=KMS (it cannot be changed later).",
)
def ecr_kms(repo: Resource, ctx: CheckContext) -> Verdict:
    if str(need(repo, "encryption_type") or "").startswith("KMS"):
        return passed("encrypted with a KMS key")
    return failed(f"repository {repo.name} uses AES256 only: recreate it with encryptionType=KMS")


@checks.check(
    id="aws.ecr.not_public",
    title="ECR repository policies do not grant access to everyone",
    severity="critical",
    resource_types=[T.ECR_REPOSITORY],
    rationale="A repository policy for principal '*' lets any AWS account pull (or push) images.",
    remediation="SetRepositoryPolicy naming the accounts or organization, or DeleteRepositoryPolicy.",
)
def ecr_public(repo: Resource, ctx: CheckContext) -> Verdict:
    public = public_statements(need(repo, "policy"))
    if public:
        return failed(
            f"repository {repo.name} is open to everyone ({summarize(public)}): restrict its policy"
        )
    return passed("the policy names its principals" if need(repo, "policy") else "no repository policy")


@checks.check(
    id="aws.ecr.lifecycle_policy",
    title="ECR repositories have a lifecycle policy",
    severity="low",
    resource_types=[T.ECR_REPOSITORY],
    rationale="Without one, old and vulnerable images pile up and stay deployable.",
    remediation="PutLifecyclePolicy expiring untagged and old images.",
)
def ecr_lifecycle(repo: Resource, ctx: CheckContext) -> Verdict:
    return required(
        repo,
        "has_lifecycle_policy",
        "a lifecycle policy is set",
        "repository {name} keeps every image: PutLifecyclePolicy",
    )


# ----------------------------------------------------------------------------- EKS


@checks.check(
    id="aws.eks.endpoint_not_public",
    title="EKS API endpoints are private, or public to listed CIDRs only",
    severity="high",
    resource_types=[T.EKS_CLUSTER],
    rationale="A Kubernetes API open to 0.0.0.0/0 is one stolen credential or API bug away from compromise.",
    remediation="UpdateClusterConfig with endpointPrivateAccess=true and endpointPublicAccess=false, or "
    "publicAccessCidrs limited to known ranges.",
)
def eks_endpoint(cl: Resource, ctx: CheckContext) -> Verdict:
    if not need(cl, "endpoint_public_access"):
        return passed("the API endpoint is private")
    open_to = [c for c in need(cl, "public_access_cidrs") if c in WORLD]
    if open_to:
        return failed(
            f"EKS cluster {cl.name} serves its API to {summarize(open_to)}: make it private or set publicAccessCidrs"
        )
    return passed(f"public endpoint limited to {summarize(need(cl, 'public_access_cidrs'))}")


@checks.check(
    id="aws.eks.secrets_encryption",
    title="EKS clusters envelope-encrypt Secrets with KMS",
    severity="medium",
    resource_types=[T.EKS_CLUSTER],
    rationale="Envelope encryption protects Kubernetes Secrets in etcd with a key you control.",
    remediation="AssociateEncryptionConfig with resources=[secrets] and a KMS key.",
)
def eks_secrets(cl: Resource, ctx: CheckContext) -> Verdict:
    return required(
        cl,
        "secrets_key_arn",
        "Secrets are envelope-encrypted with KMS",
        "EKS cluster {name} does not encrypt Secrets with KMS: AssociateEncryptionConfig for secrets",
    )


@checks.check(
    id="aws.eks.control_plane_logging",
    title="EKS clusters send every control plane log type to CloudWatch",
    severity="medium",
    resource_types=[T.EKS_CLUSTER],
    rationale="The audit and authenticator logs are the record of who did what in the cluster.",
    remediation="UpdateClusterConfig logging enabling api, audit, authenticator, controllerManager and scheduler.",
)
def eks_logging(cl: Resource, ctx: CheckContext) -> Verdict:
    enabled = set(need(cl, "enabled_log_types"))
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        return failed(
            f"EKS cluster {cl.name} does not log {summarize(missing)}: enable them in UpdateClusterConfig"
        )
    return passed("every control plane log type is enabled")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:2] if p.isdigit())


@checks.check(
    id="aws.eks.supported_version",
    title="EKS clusters run a Kubernetes version in standard support",
    severity="medium",
    resource_types=[T.EKS_CLUSTER],
    rationale="Versions past standard support get no fixes without the extended-support fee, and fall behind on security.",
    remediation="UpdateClusterVersion (one minor version at a time) to at least parameter aws.eks.oldest_supported_version.",
    params=[
        param(
            "aws.eks.oldest_supported_version",
            "string",
            "1.34",
            "Oldest Kubernetes minor version in EKS standard support (update as the EKS calendar moves).",
        )
    ],
)
def eks_version(cl: Resource, ctx: CheckContext) -> Verdict:
    oldest = str(ctx.param("aws.eks.oldest_supported_version"))
    version = str(need(cl, "version") or "")
    if not _version(version):
        return not_applicable(f"version {version or 'unknown'} is not a Kubernetes version")
    if _version(version) < _version(oldest):
        return failed(
            f"EKS cluster {cl.name} runs Kubernetes {version}, older than {oldest}: UpdateClusterVersion"
        )
    return passed(f"Kubernetes {version}")


@checks.check(
    id="aws.eks.nodegroup_remote_access",
    title="EKS node groups allow no SSH from the internet",
    severity="high",
    resource_types=[T.EKS_NODEGROUP],
    rationale="A node group with an SSH key and no source security groups opens port 22 to 0.0.0.0/0.",
    remediation="Recreate the node group without remoteAccess (use SSM Session Manager), or with "
    "sourceSecurityGroups that admit only a bastion.",
)
def nodegroup_remote(ng: Resource, ctx: CheckContext) -> Verdict:
    if not need(ng, "ssh_key"):
        return passed("no remote access")
    sources = need(ng, "source_security_groups")
    if not sources:
        return failed(
            f"node group {ng.name} allows SSH from 0.0.0.0/0: recreate it with sourceSecurityGroups or none"
        )
    open_groups = [
        str(sg.name)
        for gid in sources
        for sg in ctx.lookup(T.EC2_SECURITY_GROUP, "group_id", gid, within="region", of=ng)
        if world_open(sg, 22)
    ]
    if open_groups:
        return failed(
            f"node group {ng.name} admits SSH through {summarize(open_groups)}, open to the internet"
        )
    return passed(f"SSH only from {summarize(sources)}")
