"""Resource contracts and the static analysis of what checks read: each can fail, shown here."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.checks import CheckContext, CheckSet, Registry, Verdict, need, param, passed
from auditor.contracts import (
    Contracts,
    TypeSet,
    attr,
    check_reads,
    param_problems,
    undeclared_reads,
)
from auditor.models import Resource

TYPES = TypeSet("t")
BOX = TYPES.declare(
    "t.box",
    "A box",
    {
        "size": attr(int, "Size in litres."),
        "color": attr(str | None, "Paint colour, or null when unpainted."),
        "tags": attr(list, "Labels.", optional=True),
    },
)
LID = TYPES.declare(
    "t.lid", "A lid", {"box": attr(str, "The box it closes."), "locked": attr(bool, "Locked?")}
)
CONTRACTS = Contracts([TYPES])


def box(**attrs: Any) -> Resource:
    gaps = attrs.pop("gaps", {})
    return Resource(provider="t", type=BOX, id="b1", attributes=attrs, gaps=gaps)


def test_a_resource_that_keeps_its_contract_validates() -> None:
    assert CONTRACTS.validate(box(size=3, color=None)) == []
    assert CONTRACTS.validate(box(size=3, color="red", tags=["a"])) == []
    assert CONTRACTS.validate(box(color="red", gaps={"size": "svc.Get failed (access_denied): no"})) == []


@pytest.mark.parametrize(
    ("resource", "problem"),
    [
        (box(size=3, color=None, weight=2), "attribute 'weight' is not declared by t.box"),
        (box(size="3", color=None), "attribute 'size' is string, declared integer"),
        (box(size=True, color=None), "attribute 'size' is boolean, declared integer"),
        (box(color=None), "always-present attribute 'size' is missing (and not a gap)"),
        (box(size=1, color=None, gaps={"weight": "x"}), "gap 'weight' names an attribute"),
        (Resource(provider="t", type="t.cup", id="c"), "resource type 't.cup' is not declared"),
    ],
)
def test_each_broken_resource_is_named(resource: Resource, problem: str) -> None:
    problems = CONTRACTS.validate(resource)
    assert len(problems) == 1 and problem in problems[0]


def test_declarations_refuse_foreign_and_duplicate_types() -> None:
    ts = TypeSet("t")
    ts.declare("t.a", "A", {})
    with pytest.raises(ValueError, match="declared twice"):
        ts.declare("t.a", "A", {})
    with pytest.raises(ValueError, match=r"must start with t\."):
        ts.declare("u.a", "A", {})
    with pytest.raises(TypeError):
        attr(set, "no JSON type for sets")


cs = CheckSet("t")


def _color_of(r: Resource) -> Any:
    return r.attributes.get("colour")  # a typo inside a helper the check calls


@cs.check(
    id="t.box.ok",
    title="reads declared",
    severity="low",
    resource_types=[BOX],
    rationale="r",
    remediation="m",
)
def reads_declared(b: Resource, ctx: CheckContext) -> Verdict:
    lids = ctx.lookup(LID, "box", b.id)
    return passed(f"{need(b, 'size')} {b.attributes.get('color')} {len(lids)}")


@cs.check(
    id="t.box.typo",
    title="reads a typo",
    severity="low",
    resource_types=[BOX],
    rationale="r",
    remediation="m",
)
def reads_typo(b: Resource, ctx: CheckContext) -> Verdict:
    _ = ctx.lookup(LID, "lockd", True)
    return passed(f"{need(b, 'sizes')} {_color_of(b)}")


@cs.check(
    id="t.box.params",
    title="reads params",
    severity="low",
    resource_types=[BOX],
    rationale="r",
    remediation="m",
    params=[param("t.max", "integer", 3, "most"), param("t.unused", "integer", 1, "never read")],
)
def reads_params(b: Resource, ctx: CheckContext) -> Verdict:
    return passed(str(ctx.param("t.max")) + str(ctx.param("t.undeclared")))


def test_reads_are_found_in_checks_and_their_helpers() -> None:
    reg = Registry(cs)
    ok = reg.get("t.box.ok")
    typo = reg.get("t.box.typo")
    assert ok is not None and typo is not None
    assert {(r.key, r.own, r.type_) for r in check_reads(ok)} == {
        ("size", True, None),
        ("color", True, None),
        ("box", False, LID),
    }
    assert ("colour", True, None) in {(r.key, r.own, r.type_) for r in check_reads(typo)}


def test_undeclared_reads_name_the_check_and_the_attribute() -> None:
    problems = undeclared_reads(Registry(cs), CONTRACTS)
    assert problems == [
        "check t.box.typo: reads attribute 'colour', not declared by t.box",
        "check t.box.typo: reads attribute 'lockd', not declared by t.lid",
        "check t.box.typo: reads attribute 'sizes', not declared by t.box",
    ]


def test_parameters_read_must_be_declared_and_declared_ones_read() -> None:
    assert param_problems(Registry(cs)) == [
        "check t.box.params: reads parameter 't.undeclared' without declaring it",
        "check t.box.params: declares parameter 't.unused' but never reads it",
    ]


def test_the_shipped_checks_read_only_declared_attributes_and_parameters() -> None:
    from auditor.checks import load_registry
    from auditor.contracts import load_contracts

    registry, contracts = load_registry(), load_contracts()
    assert {c.meta.provider for c in registry} <= {t.provider for t in contracts}, (
        "every provider declares types"
    )
    assert undeclared_reads(registry, contracts) == []
    assert param_problems(registry) == []


def test_every_demo_snapshot_keeps_the_contracts() -> None:
    from pathlib import Path

    from auditor.contracts import load_contracts
    from auditor.snapshot import load_snapshot

    demo = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
    contracts = load_contracts()
    for path in sorted(demo.glob("*.json*")):
        assert contracts.validate_snapshot(load_snapshot(path)) == [], path.name


def test_a_scope_cut_short_is_an_error_for_that_scope() -> None:
    from auditor.models import CollectionError, Location, Snapshot

    ts = TypeSet("t")
    ts.declare("t.account", "Account settings", {}, per_scope=True)
    ts.declare("t.box", "A box", {})
    contracts = Contracts([ts])

    def r(type_: str, account: str) -> Resource:
        return Resource(provider="t", type=type_, id=f"{type_}-{account}", location=Location(account=account))

    whole = Snapshot(resources=[r("t.account", "a1"), r("t.box", "a1"), r("t.account", "a2")])
    assert contracts.missing_per_scope(whole) == []
    cut = Snapshot(resources=[r("t.account", "a1"), r("t.box", "a1"), r("t.box", "a2")])
    (err,) = contracts.missing_per_scope(cut)
    assert err.scope.account == "a2" and err.resource_types == ("t.account",) and "cut short" in err.message
    said = cut.model_copy(
        update={
            "errors": [
                CollectionError(provider="t", operation="x.Get", scope=Location(account="a2"), message="no")
            ]
        }
    )
    assert contracts.missing_per_scope(said) == []  # the snapshot says why: nothing to add
