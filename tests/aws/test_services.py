"""The service declarations (providers/aws/services/*.py) are the one list of what is read: the
collector runs them, the permission policy is derived from them, and these tests keep them whole."""

from __future__ import annotations

import json
import pkgutil
from pathlib import Path
from typing import Any

from auditor.providers.aws import accounts, iam_actions, services
from auditor.providers.aws.resources import TYPES
from auditor.providers.aws.services import REGIONAL_TYPES, SERVICES

ROOT = Path(__file__).parents[2]


def test_every_service_module_is_declared_once() -> None:
    modules = {m.name for m in pkgutil.iter_modules(services.__path__)}
    declared = {s.collect.__module__.rsplit(".", 1)[-1] for s in SERVICES}
    assert declared == modules, "a module of providers/aws/services/ is missing from SERVICES"
    assert len({s.name for s in SERVICES}) == len(SERVICES)
    for s in SERVICES:
        assert s.collect.__name__ == "collect" and s.operations and s.produces, s.name
        assert len(set(s.operations)) == len(s.operations), s.name
        assert set(s.conditional) <= set(s.operations), s.name


def test_every_collected_type_has_exactly_one_producer() -> None:
    produced = [t for s in SERVICES for t in s.produces]
    assert len(produced) == len(set(produced))
    collected = {t.name for t in TYPES if not t.derived}
    assert set(produced) == collected
    regional = {t.name for t in TYPES if t.scope == "region" and not t.derived}
    # S3 buckets live in regions but are listed once per account, by a global service
    assert set(REGIONAL_TYPES) == regional - {"aws.s3.bucket"}


def test_operations_are_what_the_declarations_say() -> None:
    ops = iam_actions.OPERATIONS
    for s in SERVICES:
        assert set(s.operations) <= set(ops[s.name])
    for svc, names in accounts.OPERATIONS.items():
        assert set(names) <= set(ops[svc])
    assert sum(len(v) for v in ops.values()) == len(
        {(s.name, o) for s in SERVICES for o in s.operations}
        | {(k, o) for k, v in accounts.OPERATIONS.items() for o in v}
    )
    for (svc, op), why in iam_actions.CONDITIONAL.items():
        assert op in ops[svc] and why


def test_the_shipped_policy_is_the_derived_one() -> None:
    shipped = (ROOT / "docs" / "permissions" / "aws-readonly.json").read_text("utf-8")
    assert shipped == json.dumps(iam_actions.policy_document(), indent=2) + "\n", (
        "regenerate: .venv/bin/python -m auditor.providers.aws.iam_actions > docs/permissions/aws-readonly.json"
    )
    actions = iam_actions.required_actions()
    assert "s3:ListAllMyBuckets" in actions and "sts:AssumeRole" in actions
    for action in actions:
        verb = action.split(":")[1]
        assert verb.startswith(("Get", "List", "Describe")) or action in iam_actions.READ_ONLY_EXCEPTIONS, (
            action
        )


def test_an_undeclared_operation_is_refused() -> None:
    import pytest

    from auditor.evidence import SnapshotBuilder
    from auditor.providers.aws import AwsOptions
    from auditor.providers.aws.common import Account, Collection, UndeclaredOperation
    from auditor.runtime import CollectRun, Session

    calls: list[str] = []
    with Session("aws", CollectRun(SnapshotBuilder())) as session:
        c = Collection(session, AwsOptions(), lambda *a: calls.append(a[3]) or {}, iam_actions.OPERATIONS)
        acct = Account(id="111122223333")
        assert c.call(acct, "us-east-1", "sns", "ListTopics").body == {}
        with pytest.raises(UndeclaredOperation):
            c.call(acct, "us-east-1", "secretsmanager", "GetSecretValue")
    assert calls == ["ListTopics"]


def test_aws_managed_keys_cost_no_describe_key() -> None:
    """ListAliases names the AWS-managed keys (alias/aws/...): they are added as such, and only
    the customer keys are described (and their rotation and policy read)."""
    from auditor.evidence import SnapshotBuilder
    from auditor.providers.aws import AwsOptions
    from auditor.providers.aws.common import Account, Collection
    from auditor.providers.aws.services import kms
    from auditor.runtime import CollectRun, Session

    answers = {
        "ListKeys": {
            "Keys": [{"KeyId": "aws-1", "KeyArn": "arn:aws:kms:us-east-1:1:key/aws-1"}, {"KeyId": "cmk-1"}]
        },
        "ListAliases": {
            "Aliases": [{"AliasName": "alias/aws/s3", "TargetKeyId": "aws-1"}, {"AliasName": "alias/app"}]
        },
        "DescribeKey": {
            "KeyMetadata": {"KeyManager": "CUSTOMER", "KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT"}
        },
        "GetKeyRotationStatus": {"KeyRotationEnabled": True},
        "GetKeyPolicy": {"Policy": "{}"},
    }
    called: list[tuple[str, str]] = []

    def api(acct: Any, service: str, region: str, op: str, params: Any) -> Any:
        called.append((op, str(params.get("KeyId", ""))))
        return answers[op]

    sink = SnapshotBuilder()
    with Session("aws", CollectRun(sink)) as session:
        c = Collection(session, AwsOptions(), api, iam_actions.OPERATIONS)
        kms.collect(c, Account(id="111122223333"), "us-east-1")
        session.wait()
    assert ("DescribeKey", "cmk-1") in called and ("DescribeKey", "aws-1") not in called
    keys = {r.id: r for r in sink.build().resources}
    assert keys["arn:aws:kms:us-east-1:1:key/aws-1"].attributes == {"manager": "AWS"}
    assert keys["arn:aws:kms:us-east-1:1:key/aws-1"].name == "alias/aws/s3"
    assert keys["cmk-1"].attributes["rotation_enabled"] is True


def test_a_role_session_renews_before_it_expires() -> None:
    from auditor.providers.aws.common import RoleSession

    now = [0.0]
    issued: list[str] = []

    def renew() -> tuple[dict[str, str], float]:
        issued.append(f"key-{len(issued)}")
        return {"aws_access_key_id": issued[-1]}, 100.0

    session = RoleSession(renew, clock=lambda: now[0])
    assert session.credentials()["aws_access_key_id"] == "key-0"
    now[0] = 74.0  # 26 s left of 100: more than a quarter
    assert session.credentials()["aws_access_key_id"] == "key-0"
    now[0] = 76.0  # 24 s left: renewed
    assert session.credentials()["aws_access_key_id"] == "key-1" and session.renewals == 1
    now[0] = 150.0
    assert session.credentials()["aws_access_key_id"] == "key-1"


def test_peering_routes_name_the_other_side_of_the_peering() -> None:
    """A route table's peering route leads to the VPC on the other side of the connection, from
    either end; the peerings are indexed once per region, not walked per route table."""
    from auditor.providers.aws.services.ec2 import _peer_cidrs, _peer_sides

    sides = _peer_sides(
        {
            "VpcPeeringConnections": [
                {
                    "VpcPeeringConnectionId": "pcx-1",
                    "RequesterVpcInfo": {"VpcId": "vpc-a", "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}]},
                    "AccepterVpcInfo": {
                        "VpcId": "vpc-b",
                        "CidrBlock": "10.1.0.0/16",
                        "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "2600:1f18::/56"}],
                    },
                }
            ]
        }
    )
    assert _peer_cidrs(sides, "pcx-1", "vpc-a") == ["2600:1f18::/56"]
    assert _peer_cidrs(sides, "pcx-1", "vpc-b") == ["10.0.0.0/16"]
    assert _peer_cidrs(sides, "pcx-2", "vpc-a") is None  # not listed: unknown, not "no blocks"
    assert _peer_sides(None) == {}


def test_a_validation_exception_is_no_policy_only_when_it_says_so() -> None:
    # SageMaker answers a group without a resource policy with ValidationException; the same
    # code for a refused or malformed request used to read as "no policy" (a silent pass)
    from botocore.exceptions import ClientError

    from auditor.providers.aws.common import _absent
    from auditor.providers.aws.services.sagemaker import _NO_GROUP_POLICY

    def refused(code: str, message: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": message}}, "GetModelPackageGroupPolicy")

    marker = _absent([_NO_GROUP_POLICY, "NoSuchEntity"])
    no_policy = marker(refused("ValidationException", "Cannot find resource policy for mpg-1"))
    assert no_policy == {
        "Error": {"Code": "ValidationException", "Message": "Cannot find resource policy for mpg-1"}
    }
    constraint = "1 validation error detected: Value at 'modelPackageGroupName' failed to satisfy constraint"
    assert marker(refused("ValidationException", constraint)) is None
    assert marker(refused("AccessDeniedException", "Cannot find resource policy")) is None
    assert marker(refused("NoSuchEntity", "whatever it says")) is not None
