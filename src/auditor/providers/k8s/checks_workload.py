"""Workload security: one resource type (`k8s.workload`) for Pods and every pod template
(Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, PodTemplates, Jobs,
CronJobs, DeploymentConfigs, and pod templates of other kinds), so each is judged the same way."""

from __future__ import annotations

from typing import Any

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
from auditor.providers.k8s.normalize import secret_like_name
from auditor.providers.k8s.podspec import cname, containers, effective, sc, split_image
from auditor.providers.k8s.resources import WORKLOAD
from auditor.redact import SECRET_VALUE_KINDS

checks = CheckSet("k8s")

PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SC_DOC = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"


def _spec(w: Resource) -> dict[str, Any]:
    spec = need(w, "pod_spec")
    return spec if isinstance(spec, dict) else {}


def _where(w: Resource) -> str:
    return (
        f"{w.attributes.get('kind', 'workload')} {w.attributes.get('namespace')}/{w.attributes.get('name')}"
    )


def _per_container(w: Resource, bad: list[str], what: str, good: str) -> Verdict:
    if bad:
        return failed(f"{_where(w)}: {what}: {summarize(bad)}")
    return passed(f"{_where(w)}: {good}")


@checks.check(
    id="k8s.workload.privileged",
    title="No privileged containers",
    severity="critical",
    resource_types=[WORKLOAD],
    rationale="A privileged container has every capability and all host devices: it is root on the node.",
    remediation="Remove securityContext.privileged (or set it to false); grant the specific capability needed instead.",
    references=[PSS],
)
def privileged(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = [cname(c) for c in containers(spec) if sc(c).get("privileged") is True]
    return _per_container(w, bad, "privileged containers", "no container is privileged")


@checks.check(
    id="k8s.workload.host_pid_ipc",
    title="Pods do not share the host's PID or IPC namespace",
    severity="high",
    resource_types=[WORKLOAD],
    rationale="hostPID lets a container see and signal every process on the node; hostIPC exposes the "
    "host's shared memory.",
    remediation="Remove hostPID and hostIPC from the pod spec.",
    references=[PSS],
)
def host_pid_ipc(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    on = [k for k in ("hostPID", "hostIPC") if spec.get(k) is True]
    if on:
        return failed(f"{_where(w)}: shares the host's namespaces: {', '.join(on)}")
    return passed(f"{_where(w)}: no hostPID/hostIPC")


@checks.check(
    id="k8s.workload.host_network",
    title="Pods do not use the host network or host ports",
    severity="high",
    resource_types=[WORKLOAD],
    rationale="hostNetwork bypasses NetworkPolicies and lets the pod bind and sniff the node's interfaces; "
    "hostPort exposes the pod on every node address.",
    remediation="Remove hostNetwork and hostPort; expose the workload through a Service.",
    references=[PSS],
)
def host_network(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    problems = ["hostNetwork"] if spec.get("hostNetwork") is True else []
    for c in containers(spec):
        for p in c.get("ports") or []:
            if isinstance(p, dict) and p.get("hostPort"):
                problems.append(f"hostPort {p['hostPort']} on {cname(c)}")
    if problems:
        return failed(f"{_where(w)}: {summarize(problems)}")
    return passed(f"{_where(w)}: no host network or host ports")


@checks.check(
    id="k8s.workload.host_path",
    title="Pods do not mount host paths",
    severity="high",
    resource_types=[WORKLOAD],
    rationale="A hostPath volume gives the container the node's filesystem (the container runtime socket "
    "or / is a full node takeover).",
    remediation="Use persistent volumes, emptyDir, ConfigMaps or projected volumes instead of hostPath.",
    references=[PSS],
)
def host_path(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    paths = [
        f"{v.get('name')}={(v.get('hostPath') or {}).get('path')}"
        for v in spec.get("volumes") or []
        if isinstance(v, dict) and "hostPath" in v
    ]
    if paths:
        return failed(f"{_where(w)}: hostPath volumes: {summarize(paths)}")
    return passed(f"{_where(w)}: no hostPath volumes")


@checks.check(
    id="k8s.workload.privilege_escalation",
    title="Containers set allowPrivilegeEscalation: false",
    severity="medium",
    resource_types=[WORKLOAD],
    rationale="Unless disabled, a process can gain more privileges than its parent (setuid binaries); the "
    "default is to allow it.",
    remediation="Set securityContext.allowPrivilegeEscalation: false on every container.",
    references=[PSS, SC_DOC],
)
def privilege_escalation(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = [
        cname(c)
        for c in containers(spec)
        if sc(c).get("allowPrivilegeEscalation") is not False or sc(c).get("privileged") is True
    ]
    return _per_container(
        w, bad, "allowPrivilegeEscalation is not false", "privilege escalation is off in every container"
    )


@checks.check(
    id="k8s.workload.run_as_non_root",
    title="Containers run as a non-root user",
    severity="medium",
    resource_types=[WORKLOAD],
    rationale="Root in a container is root on the node after any container escape.",
    remediation="Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser.",
    references=[PSS, SC_DOC],
)
def run_as_non_root(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = []
    for c in containers(spec):
        uid = effective(spec, c, "runAsUser")
        if uid == 0 or (
            effective(spec, c, "runAsNonRoot") is not True and not (isinstance(uid, int) and uid > 0)
        ):
            bad.append(cname(c) + (" (runAsUser 0)" if uid == 0 else ""))
    return _per_container(w, bad, "may run as root", "every container runs as non-root")


_DEFAULT_ALLOWED_CAPS = ["NET_BIND_SERVICE"]


@checks.check(
    id="k8s.workload.added_capabilities",
    title="Containers add no Linux capabilities beyond the allowed list",
    severity="high",
    resource_types=[WORKLOAD],
    rationale="Capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE are most of root's power.",
    remediation="Remove capabilities.add entries; if one is truly needed, add it to the parameter "
    "k8s.allowed_added_capabilities after review.",
    references=[PSS],
    params=[
        param(
            "k8s.allowed_added_capabilities",
            "string_list",
            list(_DEFAULT_ALLOWED_CAPS),
            "Linux capabilities a container may add.",
        )
    ],
)
def added_capabilities(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    allowed = {str(x).upper() for x in ctx.param("k8s.allowed_added_capabilities")}
    bad = []
    for c in containers(spec):
        caps = (sc(c).get("capabilities") or {}).get("add") or []
        extra = sorted({str(x).upper().removeprefix("CAP_") for x in caps} - allowed)
        if extra:
            bad.append(f"{cname(c)} adds {'/'.join(extra)}")
    return _per_container(w, bad, "capabilities added", "no capability added beyond the allowed list")


@checks.check(
    id="k8s.workload.capabilities_drop_all",
    title="Containers drop ALL capabilities",
    severity="medium",
    resource_types=[WORKLOAD],
    rationale="The runtime's default capability set (NET_RAW, CHOWN, SETUID...) is more than most workloads "
    "need; the restricted Pod Security Standard requires dropping ALL.",
    remediation="Set securityContext.capabilities.drop: [ALL] on every container (add back only what is needed).",
    references=[PSS],
)
def capabilities_drop_all(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = [
        cname(c)
        for c in containers(spec)
        if "ALL" not in {str(x).upper() for x in (sc(c).get("capabilities") or {}).get("drop") or []}
    ]
    return _per_container(w, bad, "do not drop ALL capabilities", "every container drops ALL capabilities")


@checks.check(
    id="k8s.workload.read_only_root_fs",
    title="Containers have a read-only root filesystem",
    severity="low",
    resource_types=[WORKLOAD],
    rationale="A writable root filesystem lets an intruder drop tools and persist changes inside the container.",
    remediation="Set securityContext.readOnlyRootFilesystem: true; mount emptyDir volumes where writes are needed.",
    references=[SC_DOC],
)
def read_only_root_fs(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = [cname(c) for c in containers(spec) if sc(c).get("readOnlyRootFilesystem") is not True]
    return _per_container(w, bad, "writable root filesystem", "every root filesystem is read-only")


_SECCOMP_OK = {"RuntimeDefault", "Localhost"}
_LEGACY_OK = ("runtime/default", "docker/default", "localhost/")


@checks.check(
    id="k8s.workload.seccomp",
    title="Containers run with a seccomp profile",
    severity="medium",
    resource_types=[WORKLOAD],
    rationale="Without seccomp (Unconfined is the Kubernetes default) a container can call every syscall, "
    "which widens the kernel attack surface.",
    remediation="Set securityContext.seccompProfile.type: RuntimeDefault at pod level (or Localhost per container).",
    references=[PSS, "https://kubernetes.io/docs/tutorials/security/seccomp/"],
)
def seccomp(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    ann = w.attributes.get("pod_annotations") or {}
    pod_legacy = str(ann.get("seccomp.security.alpha.kubernetes.io/pod", ""))
    bad = []
    for c in containers(spec):
        profile = effective(spec, c, "seccompProfile") or {}
        legacy = str(ann.get(f"container.seccomp.security.alpha.kubernetes.io/{cname(c)}", pod_legacy))
        ok = (profile.get("type") in _SECCOMP_OK) if profile else legacy.startswith(_LEGACY_OK)
        if not ok:
            bad.append(f"{cname(c)} ({profile.get('type') or 'unset'})")
    return _per_container(w, bad, "no seccomp profile", "every container runs with a seccomp profile")


@checks.check(
    id="k8s.workload.resource_requests",
    title="Containers request CPU and memory",
    severity="low",
    resource_types=[WORKLOAD],
    rationale="Without requests the scheduler cannot place pods safely and a noisy neighbour can starve "
    "the node (availability).",
    remediation="Set resources.requests.cpu and resources.requests.memory on every container.",
)
def resource_requests(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = []
    for c in containers(spec, ephemeral=False):
        req = (c.get("resources") or {}).get("requests") or {}
        missing = [k for k in ("cpu", "memory") if k not in req]
        if missing:
            bad.append(f"{cname(c)} (no {'/'.join(missing)})")
    return _per_container(w, bad, "missing resource requests", "every container requests cpu and memory")


@checks.check(
    id="k8s.workload.resource_limits",
    title="Containers set a memory limit",
    severity="low",
    resource_types=[WORKLOAD],
    rationale="A container without a memory limit can exhaust the node's memory and take other workloads "
    "down with it. (CPU limits are not required: throttling is a tuning choice.)",
    remediation="Set resources.limits.memory on every container (or a LimitRange default in the namespace).",
)
def resource_limits(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    bad = [
        cname(c)
        for c in containers(spec, ephemeral=False)
        if "memory" not in (((c.get("resources") or {}).get("limits")) or {})
    ]
    return _per_container(w, bad, "no memory limit", "every container has a memory limit")


def _images(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(cname(c), str(c.get("image", ""))) for c in containers(spec)]


@checks.check(
    id="k8s.workload.image_digest",
    title="Images are pinned by digest",
    severity="low",
    resource_types=[WORKLOAD],
    rationale="A tag can be moved to different content; a digest names exactly the image that was reviewed "
    "and scanned.",
    remediation="Reference images as registry/repo@sha256:<digest> (CI can resolve tags to digests).",
)
def image_digest(w: Resource, ctx: CheckContext) -> Verdict:
    bad = [f"{n}: {img}" for n, img in _images(_spec(w)) if split_image(img)[3] is None]
    return _per_container(w, bad, "images not pinned by digest", "every image is pinned by digest")


@checks.check(
    id="k8s.workload.image_not_latest",
    title="Images do not use the latest tag",
    severity="medium",
    resource_types=[WORKLOAD],
    rationale="`:latest` (or no tag at all) means whatever was pushed last: the running software is unknown "
    "and changes without a deployment.",
    remediation="Use an immutable version tag or, better, a digest.",
)
def image_not_latest(w: Resource, ctx: CheckContext) -> Verdict:
    bad = []
    for n, img in _images(_spec(w)):
        _reg, _repo, tag, digest = split_image(img)
        if digest is None and (tag is None or tag == "latest"):
            bad.append(f"{n}: {img}" + ("" if tag else " (no tag means latest)"))
    return _per_container(w, bad, "images on latest", "no image uses latest")


@checks.check(
    id="k8s.workload.allowed_registries",
    title="Images come from allowed registries",
    severity="high",
    resource_types=[WORKLOAD],
    rationale="Pulling from arbitrary registries bypasses the organisation's image scanning and provenance.",
    remediation="Mirror images into an approved registry and reference them there; list the approved "
    "registries (or registry/path prefixes) in the parameter k8s.allowed_registries.",
    params=[
        param(
            "k8s.allowed_registries",
            "string_list",
            [],
            "Registries workloads may pull from: hosts (registry.example.com) or host/path prefixes "
            "(ghcr.io/acme); empty: the check is not applicable.",
        )
    ],
)
def allowed_registries(w: Resource, ctx: CheckContext) -> Verdict:
    allowed = [str(x).rstrip("/") for x in ctx.param("k8s.allowed_registries") or []]
    spec = _spec(w)
    if not allowed:
        return not_applicable("no allowed registry list configured (parameter k8s.allowed_registries)")
    bad = []
    for n, img in _images(spec):
        reg, repo, _tag, _digest = split_image(img)
        full = f"{reg}/{repo}"
        if not any(full == a or full.startswith(a + "/") or reg == a for a in allowed):
            bad.append(f"{n}: {img}")
    return _per_container(
        w, bad, "images from registries not allowed", "every image comes from an allowed registry"
    )


ENTROPY_PARAM = "k8s.secret_env_entropy_threshold"
MIN_RANDOM_LENGTH = 20  # shorter values are too short to tell random from chosen


def _secret_literal(env: dict[str, Any], threshold: float) -> str | None:
    """Why a literal env value is a secret (by its name, or by its value), or None."""
    detected = env.get("detected")
    if detected:
        return SECRET_VALUE_KINDS.get(str(detected), str(detected))
    entropy, length = env.get("entropy"), env.get("length")
    if (
        threshold > 0
        and env.get("opaque")
        and isinstance(entropy, int | float)
        and isinstance(length, int)
        and length >= MIN_RANDOM_LENGTH
        and entropy >= threshold
    ):
        return f"a random-looking value, {entropy:.2f} bits per character"
    if secret_like_name(str(env.get("name", ""))):
        return "a secret-looking name"
    return None


@checks.check(
    id="k8s.workload.secret_env_literals",
    title="No secret-looking literal values in container env",
    severity="high",
    resource_types=[WORKLOAD],
    rationale="A password or token written as a literal env value is in the manifest, in Git, in every "
    "`kubectl get -o yaml` and readable by anyone who can read the workload. Judged by the variable's "
    "name (DB_PASSWORD, API_TOKEN; not TOKEN_PATH or SECRET_FILE, which name where a secret is) and by "
    "its value: AWS access key ids, private keys, JWTs, vendor tokens, credentials and URLs or "
    "connection strings with a password, and random-looking values.",
    remediation="Move the value to a Secret (or an external secret store) and reference it with "
    "valueFrom.secretKeyRef; rotate the exposed value.",
    params=[
        param(
            ENTROPY_PARAM,
            "number",
            4.5,
            f"Shannon entropy (bits per character) from which a literal env value of {MIN_RANDOM_LENGTH} or "
            "more characters with no spaces, not a path or URL, counts as a secret (random base64 is near "
            "6, hex at most 4, words and host names lower); 0 turns the test off.",
        )
    ],
)
def secret_env_literals(w: Resource, ctx: CheckContext) -> Verdict:
    _spec(w)  # a workload without a pod spec is an error, never a pass
    threshold = float(ctx.param(ENTROPY_PARAM))
    bad = []
    for env in need(w, "env_literals"):
        why = _secret_literal(env, threshold) if isinstance(env, dict) else None
        if why:
            bad.append(f"{env.get('container')}: {env.get('name')} ({why})")
    if bad:  # names only: the values were redacted at collection and are never reported
        return failed(f"{_where(w)}: secret literal values in env: {summarize(bad)}")
    return passed(f"{_where(w)}: no secret literal values in env")


@checks.check(
    id="k8s.workload.dedicated_service_account",
    title="Workloads run under a dedicated ServiceAccount",
    severity="low",
    resource_types=[WORKLOAD],
    rationale="Workloads sharing the namespace's default ServiceAccount share every permission granted to "
    "it, so least privilege per workload is impossible.",
    remediation="Create a ServiceAccount per workload and set spec.serviceAccountName.",
)
def dedicated_service_account(w: Resource, ctx: CheckContext) -> Verdict:
    spec = _spec(w)
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    if sa == "default":
        return failed(f"{_where(w)}: runs as the namespace's default ServiceAccount")
    return passed(f"{_where(w)}: runs as ServiceAccount {sa}")
