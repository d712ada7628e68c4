"""Evaluation and roll-up: every rule, and no path from a collection gap to `pass`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.catalog import Library
from auditor.checks import (
    CheckContext,
    CheckSet,
    Registry,
    Verdict,
    failed,
    need,
    not_applicable,
    param,
    passed,
)
from auditor.engine import evaluate, rollup
from auditor.models import (
    CollectionError,
    Control,
    ControlStatus,
    Framework,
    Location,
    Resource,
    Snapshot,
    Status,
)

cs = CheckSet("t")


@cs.check(
    id="t.flag", title="flag is on", severity="high", resource_types=["t.box"], rationale="r", remediation="m"
)
def flag_on(r: Resource, ctx: CheckContext) -> Verdict:
    if need(r, "flag") is None:
        return not_applicable("no flag on this kind of box")
    return passed("flag on") if need(r, "flag") else failed("flag off")


@cs.check(
    id="t.crash", title="crashes", severity="low", resource_types=["t.crashy"], rationale="r", remediation="m"
)
def crashes(r: Resource, ctx: CheckContext) -> Verdict:
    return {}["boom"]  # type: ignore[no-any-return]


@cs.check(
    id="t.other", title="other", severity="low", resource_types=["t.other"], rationale="r", remediation="m"
)
def other(r: Resource, ctx: CheckContext) -> Verdict:
    return passed("fine")


@cs.check(
    id="t.age",
    title="young",
    severity="low",
    resource_types=["t.box"],
    rationale="r",
    remediation="m",
    params=[param("t.max_days", "integer", 30, "youngest age that fails")],
)
def young(r: Resource, ctx: CheckContext) -> Verdict:
    born = datetime.fromisoformat(need(r, "born"))
    return passed("young") if (ctx.now - born).days < ctx.param("t.max_days") else failed("old")


REG = Registry(cs)
T0 = datetime(2026, 1, 31, tzinfo=UTC)


def box(id_: str, **attrs: object) -> Resource:
    gaps = attrs.pop("gaps", {})
    return Resource(
        provider="t",
        type="t.box",
        id=id_,
        location=Location(account="acct", region="r1"),
        attributes={"born": "2026-01-30T00:00:00+00:00", **attrs},
        gaps=gaps,  # type: ignore[arg-type]
    )


def snap(*resources: Resource, errors: tuple[CollectionError, ...] = ()) -> Snapshot:
    return Snapshot(created_at=T0, resources=list(resources), errors=list(errors))


def by_id(findings: list, check_id: str) -> dict[str, Status]:  # type: ignore[type-arg]
    return {f.resource_id: f.status for f in findings if f.check_id == check_id}


def lib(*checks: tuple[str, ...]) -> Library:
    controls = {}
    for i, mapped in enumerate(checks):
        cid = f"C{i}"
        controls[(Framework.SOC2, cid)] = Control(
            framework=Framework.SOC2,
            id=cid,
            title=cid,
            group="g",
            objective="o" * 20,
            automation="auto" if mapped else "manual",
            evidence_request="ask for the policy document",
            checks=mapped,
        )
    return Library(frameworks={}, controls=controls, crosswalk={}, crosswalk_files={}, problems=())


def control_status(library: Library, findings: list, registry: Registry = REG) -> list[ControlStatus]:  # type: ignore[type-arg]
    return [c.status for c in rollup(library, findings, registry)]


def test_checks_visit_only_their_types_and_judge_each_resource() -> None:
    s = snap(box("good", flag=True), box("bad", flag=False), Resource(provider="t", type="t.other", id="o"))
    f = evaluate(s, REG)
    assert by_id(f, "t.flag") == {"good": Status.PASS, "bad": Status.FAIL}
    assert by_id(f, "t.other") == {"o": Status.PASS}


def test_finding_carries_resource_location_and_evidence() -> None:
    r = box("b", flag=True).model_copy(update={"evidence": ("ev1", "ev2"), "name": "nice"})
    (f,) = [x for x in evaluate(snap(r), REG) if x.check_id == "t.flag"]
    assert (f.account, f.region, f.evidence, f.resource_name, f.severity.value) == (
        "acct",
        "r1",
        ("ev1", "ev2"),
        "nice",
        "high",
    )


def test_missing_attribute_is_error_not_pass() -> None:
    f = evaluate(
        snap(Resource(provider="t", type="t.box", id="x", attributes={"born": "2026-01-30T00:00:00+00:00"})),
        REG,
    )
    assert by_id(f, "t.flag") == {"x": Status.ERROR}


def test_attribute_gap_is_error_with_reason() -> None:
    f = evaluate(snap(box("x", flag=True, gaps={"flag": "AccessDenied"})), REG)
    (finding,) = [x for x in f if x.check_id == "t.flag"]
    assert finding.status == Status.ERROR and "AccessDenied" in finding.message
    assert by_id(f, "t.age") == {"x": Status.PASS}  # other checks on the same resource still run


def test_crashing_check_is_error_naming_the_exception() -> None:
    f = evaluate(snap(Resource(provider="t", type="t.crashy", id="c")), REG)
    (finding,) = f
    assert finding.status == Status.ERROR and "KeyError" in finding.message


def test_collection_error_becomes_error_for_exactly_the_affected_checks() -> None:
    err = CollectionError(
        provider="t",
        operation="svc.ListBoxes",
        scope=Location(account="acct", region="r2"),
        resource_types=("t.box",),
        kind="access_denied",
        message="AccessDenied",
    )
    f = evaluate(snap(box("good", flag=True), errors=(err,)), REG)
    assert by_id(f, "t.flag") == {"good": Status.PASS, "t/acct/r2": Status.ERROR}
    assert by_id(f, "t.age") == {"good": Status.PASS, "t/acct/r2": Status.ERROR}
    assert by_id(f, "t.other") == {}  # unaffected type
    scope_err = next(x for x in f if x.resource_id == "t/acct/r2" and x.check_id == "t.flag")
    assert "svc.ListBoxes" in scope_err.message and scope_err.region == "r2"


def test_collection_error_without_types_affects_every_check_of_the_provider() -> None:
    err = CollectionError(provider="t", operation="connect", message="unreachable", kind="unreachable")
    f = evaluate(snap(errors=(err,)), REG)
    assert {x.check_id for x in f} == {"t.flag", "t.crash", "t.other", "t.age"}
    assert {x.status for x in f} == {Status.ERROR}


def test_error_from_another_provider_does_not_leak() -> None:
    err = CollectionError(provider="zz", operation="connect", message="down")
    assert evaluate(snap(errors=(err,)), REG) == []


def test_age_checks_use_snapshot_time_and_params() -> None:
    s = snap(box("b", flag=True, born="2025-12-01T00:00:00+00:00"))
    assert by_id(evaluate(s, REG), "t.age") == {"b": Status.FAIL}
    assert by_id(evaluate(s, REG, params={"t.max_days": 90}), "t.age") == {"b": Status.PASS}


# ------------------------------------------------------------------- roll-up rules


def test_rollup_any_fail_is_fail() -> None:
    f = evaluate(snap(box("a", flag=True), box("b", flag=False)), REG)
    assert control_status(lib(("t.flag", "t.age")), f) == [ControlStatus.FAIL]


def test_rollup_fail_wins_over_error() -> None:
    err = CollectionError(provider="t", operation="x", resource_types=("t.box",), message="denied")
    f = evaluate(snap(box("b", flag=False), errors=(err,)), REG)
    assert control_status(lib(("t.flag",)), f) == [ControlStatus.FAIL]


def test_rollup_error_without_fail_is_error() -> None:
    err = CollectionError(provider="t", operation="x", resource_types=("t.box",), message="denied")
    f = evaluate(snap(box("a", flag=True), errors=(err,)), REG)
    assert control_status(lib(("t.flag",)), f) == [ControlStatus.ERROR]


def test_rollup_mapped_check_that_is_not_available_is_error() -> None:
    f = evaluate(snap(box("a", flag=True)), REG)
    assert control_status(lib(("t.flag", "t.gone")), f) == [ControlStatus.ERROR]


def test_rollup_all_pass_is_pass() -> None:
    f = evaluate(snap(box("a", flag=True), Resource(provider="t", type="t.other", id="o")), REG)
    assert control_status(lib(("t.flag", "t.other")), f) == [ControlStatus.PASS]


def test_rollup_pass_with_some_checks_out_of_scope_is_pass() -> None:
    f = evaluate(snap(box("a", flag=True)), REG)
    assert control_status(lib(("t.flag", "t.other")), f) == [ControlStatus.PASS]


def test_rollup_nothing_in_scope_is_not_applicable() -> None:
    f = evaluate(
        snap(
            Resource(
                provider="t",
                type="t.box",
                id="n",
                attributes={"flag": None, "born": "2026-01-30T00:00:00+00:00"},
            )
        ),
        REG,
    )
    assert control_status(lib(("t.other",), ("t.flag",)), f) == [
        ControlStatus.NOT_APPLICABLE,
        ControlStatus.NOT_APPLICABLE,
    ]


def test_rollup_no_automated_checks_is_manual_and_keeps_the_request() -> None:
    (c,) = rollup(lib(()), [], REG)
    assert c.status == ControlStatus.MANUAL and c.manual_evidence == "ask for the policy document"


def test_rollup_passing_control_still_carries_its_manual_evidence_request() -> None:
    f = evaluate(snap(box("a", flag=True)), REG)
    (c,) = rollup(lib(("t.flag",)), f, REG)
    assert c.status == ControlStatus.PASS and c.manual_evidence


@pytest.mark.parametrize(
    "kind", ["access_denied", "throttled", "timeout", "unreachable", "not_collected", "error"]
)
def test_no_kind_of_collection_error_can_yield_pass(kind: str) -> None:
    err = CollectionError(provider="t", operation="x", kind=kind, message="gap")
    f = evaluate(snap(errors=(err,)), REG)
    assert f and all(x.status == Status.ERROR for x in f)
    assert control_status(lib(("t.other",)), f) == [ControlStatus.ERROR]


def test_lookup_finds_related_resources_by_field_or_attribute() -> None:
    a = box("a", flag=True, owner="team-1")
    b = box("b", flag=True, owner="team-1")
    c = box("c", flag=True, owner=["unhashable"])
    ctx = CheckContext(snap(a, b, c))
    assert ctx.lookup("t.box", "owner", "team-1") == [a, b]
    assert ctx.lookup("t.box", "id", "c") == [c]
    assert ctx.lookup("t.box", "owner", "nobody") == []
    assert ctx.lookup("t.nothing", "id", "a") == []


def test_lookup_within_an_account_or_region_sees_only_the_judged_resources_scope() -> None:
    def at(id_: str, account: str, region: str) -> Resource:
        return box(id_, flag=True, owner="prod").model_copy(
            update={"location": Location(account=account, region=region)}
        )

    here, same_account, same_region, elsewhere = (
        at("a", "111", "eu"),
        at("b", "111", "us"),
        at("c", "111", "eu"),
        at("d", "222", "eu"),
    )
    ctx = CheckContext(snap(here, same_account, same_region, elsewhere))
    assert ctx.lookup("t.box", "owner", "prod") == [here, same_account, same_region, elsewhere]
    with pytest.raises(ValueError, match="needs a resource being judged"):
        ctx.lookup("t.box", "owner", "prod", within="account")
    ctx.resource = here
    assert ctx.lookup("t.box", "owner", "prod", within="account") == [here, same_account, same_region]
    assert ctx.lookup("t.box", "owner", "prod", within="region") == [here, same_region]
    ctx.resource = elsewhere
    assert ctx.lookup("t.box", "owner", "prod", within="region") == [elsewhere]
    assert ctx.lookup("t.box", "owner", ["unhashable"], within="account") == []


def test_a_scoped_lookup_of_another_account_fails_closed_on_that_accounts_gap() -> None:
    """`of` decides the account a lookup answers for, so it decides whose collection gap refuses it."""
    from auditor.checks import MissingData

    judged = box("a", flag=True).model_copy(update={"location": Location(account="111", region="eu")})
    other = box("b", flag=True).model_copy(update={"location": Location(account="222", region="eu")})
    gap = CollectionError(
        provider="t",
        operation="x",
        scope=Location(account="222"),
        resource_types=("t.box",),
        message="denied",
    )
    ctx = CheckContext(snap(judged, other, errors=(gap,)))
    ctx.resource = judged
    assert ctx.lookup("t.box", "id", "a", within="account") == [judged]  # 111 was read in full
    with pytest.raises(MissingData, match="222"):
        ctx.lookup("t.box", "id", "nothing", within="account", of=other)
    with pytest.raises(MissingData, match="222"):
        ctx.lookup("t.box", "id", "nothing", of=other)


def test_memo_computes_once_per_key_and_evaluation() -> None:
    calls: list[str] = []

    def parse(text: str) -> str:
        calls.append(text)
        return text.upper()

    ctx = CheckContext(snap())
    assert [ctx.memo(("t", s), lambda s=s: parse(s)) for s in ("a", "b", "a", "a")] == ["A", "B", "A", "A"]
    assert calls == ["a", "b"]
    assert CheckContext(snap()).memo(("t", "a"), lambda: parse("a")) == "A" and calls == ["a", "b", "a"]
