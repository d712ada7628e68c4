"""Compute Engine checks: external IPs, service accounts, metadata switches, Shielded VM, disks."""

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
from auditor.providers.gcp import resources as T
from auditor.providers.gcp.adapters import CLOUD_PLATFORM_SCOPE
from auditor.providers.gcp.common import CIS, cmek_required

checks = CheckSet("gcp")


def _default_sa(email: str) -> bool:
    return email.endswith("-compute@developer.gserviceaccount.com")


def _flag(ctx: CheckContext, vm: Resource, key: str) -> tuple[str | None, str]:
    """The VM's metadata switch `key`, else its project's (value, where it was set)."""
    own = need(vm, "metadata_flags")
    if key in own:
        return own[key], "the instance"
    project = ctx.get(T.COMPUTE_PROJECT, f"//compute.googleapis.com/projects/{vm.location.account}")
    if project is not None:
        flags = need(project, "metadata_flags")
        if key in flags:
            return flags[key], "the project"
    return None, "nowhere"


@checks.check(
    id="gcp.compute.instance_external_ip",
    title="VM instances have no external IP",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="A VM with an external address is reachable from the internet whenever a firewall rule allows it.",
    remediation="Remove the access config (external IP); reach the VM through IAP and the internet through Cloud NAT.",
    references=[f"{CIS} 4.9"],
)
def instance_external_ip(vm: Resource, ctx: CheckContext) -> Verdict:
    if need(vm, "gke_node"):
        return not_applicable("a GKE node (judged by the cluster's private nodes setting)")
    ips = need(vm, "external_ips")
    if ips:
        return failed(f"remove the external IP of {vm.name} ({summarize(ips)})")
    return passed("no external IP")


@checks.check(
    id="gcp.compute.default_service_account",
    title="VM instances do not run as the default compute service account",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="The default compute service account holds Editor on the project in most organizations.",
    remediation="Create a service account for the workload with only the roles it needs and attach it instead.",
    references=[f"{CIS} 4.1"],
)
def default_service_account(vm: Resource, ctx: CheckContext) -> Verdict:
    if need(vm, "gke_node"):
        return not_applicable("a GKE node")
    used = [sa["email"] for sa in need(vm, "service_accounts") if _default_sa(sa.get("email", ""))]
    if used:
        return failed(f"attach a dedicated service account to {vm.name} instead of {used[0]}")
    return passed("not the default service account")


@checks.check(
    id="gcp.compute.default_sa_full_access",
    title="No VM runs as the default service account with the cloud-platform scope",
    severity="high",
    resource_types=[T.INSTANCE],
    rationale="The default service account with full API access turns any code on the VM into a project Editor.",
    remediation="Attach a dedicated service account, or at least narrow the access scopes.",
    references=[f"{CIS} 4.2"],
)
def default_sa_full_access(vm: Resource, ctx: CheckContext) -> Verdict:
    if need(vm, "gke_node"):
        return not_applicable("a GKE node")
    for sa in need(vm, "service_accounts"):
        if _default_sa(sa.get("email", "")) and CLOUD_PLATFORM_SCOPE in sa.get("scopes", ()):
            return failed(
                f"{vm.name} runs as {sa['email']} with full cloud-platform access: attach a dedicated account"
            )
    return passed("no default service account with full access")


@checks.check(
    id="gcp.compute.block_project_ssh_keys",
    title="VM instances block project-wide SSH keys",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="A project-wide SSH key opens every VM of the project to whoever holds it.",
    remediation="Set metadata block-project-ssh-keys=true on the instance (or use OS Login).",
    references=[f"{CIS} 4.3"],
)
def block_project_ssh_keys(vm: Resource, ctx: CheckContext) -> Verdict:
    if need(vm, "gke_node"):
        return not_applicable("a GKE node")
    if need(vm, "metadata_flags").get("block-project-ssh-keys") != "true":
        return failed(f"set metadata block-project-ssh-keys=true on {vm.name}")
    return passed("project-wide SSH keys blocked")


@checks.check(
    id="gcp.compute.os_login",
    title="VM instances use OS Login",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="OS Login ties SSH access to IAM identities (and their removal) instead of keys in metadata.",
    remediation="Set metadata enable-oslogin=TRUE on the project (and do not turn it off per instance).",
    references=[f"{CIS} 4.4"],
)
def os_login(vm: Resource, ctx: CheckContext) -> Verdict:
    value, where = _flag(ctx, vm, "enable-oslogin")
    if value != "true":
        return failed(f"set enable-oslogin=TRUE for {vm.name} (now {value or 'unset'} on {where})")
    return passed(f"OS Login on ({where})")


@checks.check(
    id="gcp.compute.project_os_login",
    title="Projects turn OS Login on for every VM",
    severity="medium",
    resource_types=[T.COMPUTE_PROJECT],
    rationale="Project metadata is inherited by every VM created later.",
    remediation="Set project metadata enable-oslogin=TRUE (gcloud compute project-info add-metadata).",
    references=[f"{CIS} 4.4"],
)
def project_os_login(project: Resource, ctx: CheckContext) -> Verdict:
    if need(project, "metadata_flags").get("enable-oslogin") != "true":
        return failed(f"set project metadata enable-oslogin=TRUE on {project.name}")
    return passed("OS Login on for the project")


@checks.check(
    id="gcp.compute.serial_port_disabled",
    title="Interactive serial port access is off",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="The serial console accepts connections from any IP address and ignores firewall rules.",
    remediation="Set metadata serial-port-enable=false (or remove it) on the instance and the project.",
    references=[f"{CIS} 4.5"],
)
def serial_port_disabled(vm: Resource, ctx: CheckContext) -> Verdict:
    value, where = _flag(ctx, vm, "serial-port-enable")
    if value in ("true", "1"):
        return failed(f"turn off serial-port-enable for {vm.name} (set on {where})")
    return passed("serial port access off")


@checks.check(
    id="gcp.compute.ip_forwarding",
    title="VM instances do not forward IP packets",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="IP forwarding lets a VM send and receive packets for other addresses, bypassing routes and rules.",
    remediation="Recreate the instance without --can-ip-forward unless it is a network appliance.",
    references=[f"{CIS} 4.6"],
)
def ip_forwarding(vm: Resource, ctx: CheckContext) -> Verdict:
    if need(vm, "gke_node"):
        return not_applicable("a GKE node (forwards pod traffic by design)")
    if need(vm, "can_ip_forward"):
        return failed(f"turn IP forwarding off on {vm.name}")
    return passed("IP forwarding off")


@checks.check(
    id="gcp.compute.shielded_vm",
    title="VM instances are Shielded VMs",
    severity="medium",
    resource_types=[T.INSTANCE],
    rationale="vTPM and integrity monitoring detect boot-level and kernel-level malware; Secure Boot blocks it.",
    remediation="Stop the VM and turn on vTPM, integrity monitoring and Secure Boot (gcloud compute instances update).",
    references=[f"{CIS} 4.8"],
)
def shielded_vm(vm: Resource, ctx: CheckContext) -> Verdict:
    cfg = need(vm, "shielded_vm")
    off = [k.replace("_", " ") for k in ("secure_boot", "vtpm", "integrity_monitoring") if not cfg.get(k)]
    if off:
        return failed(f"turn on {', '.join(off)} on {vm.name}")
    return passed("Secure Boot, vTPM and integrity monitoring on")


@checks.check(
    id="gcp.compute.disk_cmek",
    title="Disks are encrypted with customer-managed keys where required",
    severity="medium",
    resource_types=[T.DISK],
    rationale="Customer-managed keys let you revoke access to the data and prove who used the key.",
    remediation="Recreate the disk (from a snapshot) with --kms-key.",
    references=[f"{CIS} 4.7"],
    params=[
        param(
            "gcp.compute.require_cmek",
            "boolean",
            False,
            "Require customer-managed keys (CMEK) on persistent disks.",
        )
    ],
)
def disk_cmek(disk: Resource, ctx: CheckContext) -> Verdict:
    return cmek_required(disk, ctx, "gcp.compute.require_cmek", "recreate disk")
