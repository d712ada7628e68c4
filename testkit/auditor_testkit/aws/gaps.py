"""moto, plus the API operations it does not answer, on one loopback endpoint.

moto 5 answers a few read operations the scanner needs with an HTML 404/500 page (Security Hub
GetEnabledStandards, GuardDuty ListPublishingDestinations, SSM DescribeInstanceInformation and
ListResourceComplianceSummaries, SageMaker GetModelPackageGroupPolicy, Bedrock ListGuardrails,
Redshift ModifyClusterParameterGroup), and refuses the DocumentDB engine. `MotoGaps` is a
`FakeAPI` in front of moto that answers exactly those operations (and the writes that set them
up: BatchEnableStandards, CreatePublishingDestination, PutComplianceItems,
PutModelPackageGroupPolicy, CreateGuardrail, CreateDBCluster for docdb) from its own state, in
the real wire shape (botocore models through moto's serializers), and forwards every other
request to moto unchanged. State is per (account, region); the account of a request is the
one moto's STS gave its access key (learned from the AssumeRole answers passing through), or
the default account for the base credentials. What the SSM agent would report (managed
instances) has no API: `register_instance` says it.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from auditor_testkit.aws import wire
from auditor_testkit.fakeapi import FakeAPI, Request, Response

__all__ = ["MotoGaps"]

DEFAULT_ACCOUNT = "123456789012"  # moto's account for credentials it did not issue
_ASSUMED = re.compile(r"<AccessKeyId>([^<]+)</AccessKeyId>.*?arn:aws:sts::(\d{12}):assumed-role", re.S)
# signing names of the REST-JSON services whose routes are matched to tell the operation
_REST = {"securityhub": "securityhub", "guardduty": "guardduty", "bedrock": "bedrock"}
_REDSHIFT_DEFAULTS = {"require_ssl": "false", "enable_user_activity_logging": "false"}


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class RegionState:
    """What the fake holds for one account and region."""

    standards: list[dict[str, Any]] = field(default_factory=list)
    destinations: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    compliance: dict[tuple[str, str], str] = field(default_factory=dict)  # (resource, type) -> status
    package_group_policies: dict[str, str] = field(default_factory=dict)
    guardrails: list[dict[str, Any]] = field(default_factory=list)
    docdb: dict[str, dict[str, Any]] = field(default_factory=dict)
    redshift_parameters: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))


Where = tuple[str, str]  # (account, region)


class MotoGaps(FakeAPI):
    """Started on construction, like `FaultProxy`; `url` is the endpoint to give the SDK."""

    name = "moto-gaps"

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self._target = upstream.removeprefix("http://")
        self._state_lock = threading.Lock()
        self._accounts: dict[str, str] = {}  # access key id -> account (from STS answers)
        self._state: dict[Where, RegionState] = defaultdict(RegionState)
        self.answered: list[str] = []  # "service.Operation" of every request answered here
        self._handlers: Mapping[
            tuple[str, str], tuple[str, Callable[[RegionState, Where, dict[str, Any]], Any]]
        ]
        self._handlers = MappingProxyType(
            {
                ("securityhub", "BatchEnableStandards"): ("securityhub", self._enable_standards),
                ("securityhub", "GetEnabledStandards"): ("securityhub", self._enabled_standards),
                ("guardduty", "CreatePublishingDestination"): ("guardduty", self._create_destination),
                ("guardduty", "ListPublishingDestinations"): ("guardduty", self._destinations),
                ("ssm", "DescribeInstanceInformation"): ("ssm", self._instance_information),
                ("ssm", "PutComplianceItems"): ("ssm", self._put_compliance),
                ("ssm", "ListResourceComplianceSummaries"): ("ssm", self._compliance_summaries),
                ("sagemaker", "PutModelPackageGroupPolicy"): ("sagemaker", self._put_group_policy),
                ("sagemaker", "GetModelPackageGroupPolicy"): ("sagemaker", self._group_policy),
                ("bedrock", "CreateGuardrail"): ("bedrock", self._create_guardrail),
                ("bedrock", "ListGuardrails"): ("bedrock", self._guardrails),
                ("rds", "CreateDBCluster"): ("docdb", self._create_docdb),
                ("rds", "DescribeDBClusters"): ("docdb", self._docdb_clusters),
                ("redshift", "ModifyClusterParameterGroup"): ("redshift", self._modify_parameters),
                ("redshift", "DescribeClusterParameters"): ("redshift", self._parameters),
            }
        )
        self.add_route("*", "{path:path}", self._dispatch, name="aws")
        self.start()

    # ------------------------------------------------------------------ what the agents report

    def register_instance(
        self, account: str, region: str, instance_id: str, *, name: str | None = None, platform: str = "Linux"
    ) -> None:
        """The SSM agent of `instance_id` checked in (DescribeInstanceInformation lists it)."""
        with self._state_lock:
            self._state[(account, region)].instances[instance_id] = {
                "InstanceId": instance_id,
                "PingStatus": "Online",
                "PlatformType": platform,
                "ComputerName": name or instance_id,
                "ResourceType": "EC2Instance" if instance_id.startswith("i-") else "ManagedInstance",
                "LastPingDateTime": datetime.now(UTC),
            }

    # ------------------------------------------------------------------ dispatch

    def account_of(self, access_key: str) -> str:
        with self._state_lock:
            return self._accounts.get(access_key, DEFAULT_ACCOUNT)

    def _dispatch(self, request: Request) -> Response:
        call = wire.identify(request, _REST)
        handler = self._handlers.get((call.signing, call.operation or ""))
        if handler is not None and call.operation is not None:
            model, fn = handler
            where = (self.account_of(call.access_key), call.region)
            params = wire.parse(model, call.operation, request)
            try:
                with self._state_lock:
                    result = fn(self._state[where], where, params)
            except _Refused as err:
                return wire.aws_error(request, err.status, call.signing, err.code, err.message)
            if result is not None:
                with self._state_lock:
                    self.answered.append(f"{model}.{call.operation}")
                return wire.answer(model, call.operation, result)
        response = wire.forward(self._target, request)
        if call.signing == "sts" and call.operation == "AssumeRole" and response.status == 200:
            m = _ASSUMED.search(response.body.decode("utf-8", "replace"))
            if m:
                with self._state_lock:
                    self._accounts[m.group(1)] = m.group(2)
        return response

    # ------------------------------------------------------------------ Security Hub

    def _enable_standards(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        added = []
        for req in p.get("StandardsSubscriptionRequests", []):
            arn = req["StandardsArn"]
            sub = {
                "StandardsSubscriptionArn": f"arn:aws:securityhub:{where[1]}:{where[0]}:subscription/{uuid.uuid4()}",
                "StandardsArn": arn,
                "StandardsInput": {},
                "StandardsStatus": "READY",
            }
            st.standards = [s for s in st.standards if s["StandardsArn"] != arn] + [sub]
            added.append(sub)
        return {"StandardsSubscriptions": added}

    def _enabled_standards(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        return {"StandardsSubscriptions": list(st.standards)}

    # ------------------------------------------------------------------ GuardDuty

    def _create_destination(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        dest = {
            "DestinationId": uuid.uuid4().hex,
            "DestinationType": p.get("DestinationType", "S3"),
            "Status": "PUBLISHING",
        }
        st.destinations[p["DetectorId"]].append(dest)
        return {"DestinationId": dest["DestinationId"]}

    def _destinations(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        return {"Destinations": list(st.destinations.get(p["DetectorId"], []))}

    # ------------------------------------------------------------------ Systems Manager

    def _instance_information(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        return {"InstanceInformationList": list(st.instances.values())}

    def _put_compliance(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        statuses = {item.get("Status") for item in p.get("Items", [])}
        status = "NON_COMPLIANT" if "NON_COMPLIANT" in statuses else "COMPLIANT"
        st.compliance[(p["ResourceId"], p["ComplianceType"])] = status
        return {}

    def _compliance_summaries(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        wanted = {
            v for f in p.get("Filters", []) if f.get("Key") == "ComplianceType" for v in f.get("Values", [])
        }
        return {
            "ResourceComplianceSummaryItems": [
                {
                    "ComplianceType": kind,
                    "ResourceType": "ManagedInstance",
                    "ResourceId": rid,
                    "Status": status,
                }
                for (rid, kind), status in sorted(st.compliance.items())
                if not wanted or kind in wanted
            ]
        }

    # ------------------------------------------------------------------ SageMaker

    def _put_group_policy(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        name = p["ModelPackageGroupName"]
        st.package_group_policies[name] = p["ResourcePolicy"]
        return {"ModelPackageGroupArn": f"arn:aws:sagemaker:{where[1]}:{where[0]}:model-package-group/{name}"}

    def _group_policy(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        name = p["ModelPackageGroupName"]
        if name not in st.package_group_policies:
            raise _Refused(400, "ValidationException", f"Cannot find resource policy for {name}")
        return {"ResourcePolicy": st.package_group_policies[name]}

    # ------------------------------------------------------------------ Bedrock

    def _create_guardrail(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        gid = uuid.uuid4().hex[:12]
        now = datetime.now(UTC)
        arn = f"arn:aws:bedrock:{where[1]}:{where[0]}:guardrail/{gid}"
        st.guardrails.append(
            {
                "id": gid,
                "arn": arn,
                "status": "READY",
                "name": p["name"],
                "version": "DRAFT",
                "createdAt": now,
                "updatedAt": now,
            }
        )
        return {"guardrailId": gid, "guardrailArn": arn, "version": "DRAFT", "createdAt": now}

    def _guardrails(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        return {"guardrails": list(st.guardrails)}

    # ------------------------------------------------------------------ DocumentDB (the rds endpoint)

    def _create_docdb(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        if p.get("Engine") != "docdb":
            return None  # moto's own engines
        cid = p["DBClusterIdentifier"]
        cluster = {
            "DBClusterIdentifier": cid,
            "DBClusterArn": f"arn:aws:rds:{where[1]}:{where[0]}:cluster:{cid}",
            "Engine": "docdb",
            "EngineVersion": p.get("EngineVersion", "5.0.0"),
            "Status": "available",
            "StorageEncrypted": bool(p.get("StorageEncrypted")),
            "KmsKeyId": p.get("KmsKeyId"),
            "BackupRetentionPeriod": int(p.get("BackupRetentionPeriod") or 1),
            "DeletionProtection": bool(p.get("DeletionProtection")),
            "EnabledCloudwatchLogsExports": list(p.get("EnableCloudwatchLogsExports") or []),
        }
        st.docdb[cid] = {k: v for k, v in cluster.items() if v is not None}
        return {"DBCluster": st.docdb[cid]}

    def _docdb_clusters(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        engines = {v for f in p.get("Filters", []) if f.get("Name") == "engine" for v in f.get("Values", [])}
        if engines != {"docdb"}:
            return None  # moto's own clusters
        return {"DBClusters": list(st.docdb.values())}

    # ------------------------------------------------------------------ Redshift parameter groups

    def _modify_parameters(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        group = p["ParameterGroupName"]
        for item in p.get("Parameters", []):
            st.redshift_parameters[group][item["ParameterName"]] = str(item.get("ParameterValue"))
        return {"ParameterGroupName": group, "ParameterGroupStatus": "Your parameter group has been updated."}

    def _parameters(self, st: RegionState, where: Where, p: dict[str, Any]) -> Any:
        values = {**_REDSHIFT_DEFAULTS, **st.redshift_parameters.get(p["ParameterGroupName"], {})}
        return {
            "Parameters": [
                {"ParameterName": k, "ParameterValue": v, "Source": "user", "DataType": "boolean"}
                for k, v in sorted(values.items())
            ]
        }
