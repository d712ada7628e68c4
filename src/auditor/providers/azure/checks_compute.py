"""Compute: managed disks, disk encryption, unattached disks, public IPs on VMs."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, param, passed, summarize
from auditor.models import Resource
from auditor.providers.azure import resources as T

checks = CheckSet("azure")
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: Virtual Machines"
CMK_TYPES = ("EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys")


@checks.check(
    id="azure.compute.vm_managed_disks",
    title="Virtual machines use managed disks",
    severity="medium",
    resource_types=[T.VM],
    rationale="Unmanaged VHDs live in storage accounts whose keys open them; managed disks are encrypted and access-controlled by ARM.",
    remediation="Convert the VM: az vm convert -g RG -n VM (deallocate it first).",
    references=[CIS],
)
def vm_managed_disks(vm: Resource, ctx: CheckContext) -> Verdict:
    os_managed = need(vm, "os_disk_managed")
    unmanaged = need(vm, "unmanaged_data_disks")
    if os_managed and not unmanaged:
        return passed("every disk is a managed disk")
    parts = ([] if os_managed else ["the OS disk"]) + ([f"{unmanaged} data disk(s)"] if unmanaged else [])
    return failed(f"{' and '.join(parts)} are VHD blobs: convert the VM to managed disks")


@checks.check(
    id="azure.compute.disk_encryption",
    title="Disks are encrypted at host or with a customer-managed key",
    severity="medium",
    resource_types=[T.DISK],
    rationale="Platform-key encryption alone leaves temp disks and caches unencrypted and the key out of your control.",
    remediation="Enable encryption at host on the VM (az vm update --set securityProfile.encryptionAtHost=true), or use a disk encryption set with a customer-managed key.",
    references=[CIS],
    params=[
        param(
            "azure.compute.require_cmk",
            "boolean",
            False,
            "Require a customer-managed key on every disk (encryption at host alone then fails).",
        )
    ],
)
def disk_encryption(disk: Resource, ctx: CheckContext) -> Verdict:
    kind = need(disk, "encryption_type")
    if kind in CMK_TYPES:
        return passed(f"encrypted with a customer-managed key ({kind})")
    if ctx.param("azure.compute.require_cmk"):
        return failed(
            f"encrypted with {kind or 'platform keys'}: customer-managed keys are required, use a disk encryption set"
        )
    vm_id = need(disk, "managed_by")
    vm = ctx.get(T.VM, vm_id) if vm_id else None
    if vm is not None and vm.attributes.get("encryption_at_host") is True:
        return passed(f"platform keys, and VM {vm.name} encrypts at host")
    where = f"VM {vm.name} does not encrypt at host" if vm is not None else "the disk is not attached to a VM"
    return failed(f"platform keys only and {where}: enable encryption at host or use a customer-managed key")


@checks.check(
    id="azure.compute.unattached_disk",
    title="No disk is left unattached",
    severity="low",
    resource_types=[T.DISK],
    rationale="Unattached disks keep data (often copies of production) with nobody watching them, and cost money.",
    remediation="Snapshot it if needed, then delete it, or attach it to the VM that owns it.",
    references=[CIS],
)
def unattached_disk(disk: Resource, ctx: CheckContext) -> Verdict:
    state = need(disk, "disk_state")
    if state == "Unattached":
        return failed("the disk is unattached: delete it (after a snapshot if its data is needed)")
    return passed(f"the disk is {state or 'in use'}")


@checks.check(
    id="azure.compute.vm_public_ip",
    title="Virtual machines have no public IP address (unless allowed)",
    severity="medium",
    resource_types=[T.VM],
    rationale="A public IP exposes the VM to the Internet; reach VMs through Bastion, a load balancer or a VPN.",
    remediation="Dissociate the public IP from the VM's NIC, or list the VM in azure.compute.public_ip_allowed_vms.",
    references=[CIS],
    params=[
        param(
            "azure.compute.public_ip_allowed_vms",
            "string_list",
            [],
            "VM names (or lower-case ids) allowed a public IP address, such as bastion hosts.",
        )
    ],
)
def vm_public_ip(vm: Resource, ctx: CheckContext) -> Verdict:
    ips = sorted(
        {
            ip
            for nic in ctx.lookup(T.NIC, "virtual_machine_id", vm.id)
            for ip in nic.attributes.get("public_ip_ids", [])
        }
    )
    if not ips:
        return passed("no public IP address on any NIC")
    allowed = set(ctx.param("azure.compute.public_ip_allowed_vms"))
    names = [ip.rsplit("/", 1)[-1] for ip in ips]
    if vm.name in allowed or vm.id in allowed:
        return passed(f"public IP {summarize(names)} allowed by azure.compute.public_ip_allowed_vms")
    return failed(
        f"public IP {summarize(names)} attached: remove it or allow this VM in azure.compute.public_ip_allowed_vms"
    )
