"""Subscription-wide views no single read answers, derived from the snapshot.

One resource per scanned subscription (per `azure.subscription`) for each view:
- `azure.network.watcher_coverage`: the regions the subscription uses and those with a Network Watcher;
- `azure.defender.plans`: the pricing tier of each Defender for Cloud plan;
- `azure.monitor.alert_coverage`: the operations enabled activity-log alerts watch.

A view whose inputs were not fully collected in that subscription carries a gap, so its checks
report `error` rather than judging half a picture.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from auditor.derive import DeriveInput, Deriver
from auditor.models import CollectionError, Resource
from auditor.providers.azure import resources as T

_SOURCE_TYPES = tuple(t.name for t in T.TYPES if not t.derived)
# the regional types Resource Graph lists: their locations say which regions a subscription uses
_GRAPH_TYPES = tuple(t.name for t in T.TYPES if t.scope == "region" and T.SOURCES.get(t.name).table)


def _by_subscription(resources: Iterable[Resource]) -> dict[str, list[Resource]]:
    out: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        if r.location.account:
            out[r.location.account].append(r)
    return out


class _Unread:
    """The Azure collection errors by subscription (None: every subscription), indexed once per
    view, so a view over many subscriptions reads only each one's own errors."""

    def __init__(self, inp: DeriveInput) -> None:
        self._by_account: dict[str | None, list[tuple[int, CollectionError]]] = defaultdict(list)
        for i, e in enumerate(inp.errors):
            if e.provider == "azure":
                self._by_account[e.scope.account].append((i, e))

    def first(self, sub: str, types: Sequence[str]) -> CollectionError | None:
        """The first collection error (in snapshot order) that left any of `types` unread in
        `sub`, or in every subscription."""
        wanted = set(types)
        hits = (
            (i, e)
            for account in (None, sub)
            for i, e in self._by_account.get(account, ())
            if not e.resource_types or wanted.intersection(e.resource_types)
        )
        return min(hits, key=lambda hit: hit[0], default=(0, None))[1]


def _why(err: CollectionError) -> str:
    return f"{err.operation} failed ({err.kind.value}): {err.message}"


def _view(
    sub: Resource, type_: str, attrs: Mapping[str, object], gaps: dict[str, str], evidence: Iterable[str]
) -> Resource:
    return Resource(
        provider="azure",
        type=type_,
        id=sub.id,
        name=sub.name,
        location=sub.location,
        attributes={"subscription_id": sub.attributes.get("subscription_id", sub.location.account), **attrs},
        gaps=gaps,
        evidence=tuple(sorted(set(evidence))),
    )


def watcher_coverage(inp: DeriveInput) -> list[Resource]:
    used: dict[str, set[str]] = defaultdict(set)
    for t in _SOURCE_TYPES:
        for r in inp.resources(t):
            if r.location.account and r.location.region and r.location.region != "global":
                used[r.location.account].add(r.location.region)
    watchers_of = _by_subscription(inp.resources(T.NETWORK_WATCHER))
    unread = _Unread(inp)
    out = []
    for sub in inp.resources(T.SUBSCRIPTION):
        sid = sub.location.account or ""
        watchers = watchers_of.get(sid, [])
        gaps = {}
        if (err := unread.first(sid, _GRAPH_TYPES)) is not None:
            gaps["used_regions"] = _why(err)
        if (err := unread.first(sid, [T.NETWORK_WATCHER])) is not None:
            gaps["watcher_regions"] = _why(err)
        attrs = {
            "used_regions": sorted(used.get(sid, ())),
            "watcher_regions": sorted({r.location.region for r in watchers if r.location.region}),
        }
        ev = [e for w in watchers for e in w.evidence] + list(sub.evidence)
        out.append(_view(sub, T.WATCHER_COVERAGE, attrs, gaps, ev))
    return out


Build = Callable[[Resource, list[Resource]], tuple[dict[str, object], list[Resource]]]


def _views(inp: DeriveInput, type_: str, source: str, attr: str, build: Build) -> list[Resource]:
    """One `type_` view per subscription over its resources of `source`: `build(subscription,
    resources)` returns the view's attributes and the resources it relied on (their evidence);
    `attr` is a gap when `source` was not fully read there."""
    by_sub = _by_subscription(inp.resources(source))
    unread = _Unread(inp)
    out = []
    for sub in inp.resources(T.SUBSCRIPTION):
        sid = sub.location.account or ""
        gaps = {}
        if (err := unread.first(sid, [source])) is not None:
            gaps[attr] = _why(err)
        attrs, used = build(sub, by_sub.get(sid, []))
        out.append(_view(sub, type_, attrs, gaps, [e for r in used for e in r.evidence]))
    return out


def _tiers(sub: Resource, pricings: list[Resource]) -> tuple[dict[str, object], list[Resource]]:
    return {"tiers": {str(p.name): p.attributes.get("pricing_tier") for p in pricings if p.name}}, pricings


def _watched(sub: Resource, alerts: list[Resource]) -> tuple[dict[str, object], list[Resource]]:
    whole = f"/subscriptions/{sub.location.account}"
    operations: set[str] = set()
    used: list[Resource] = []
    for a in alerts:
        attrs = a.attributes
        if (
            not attrs.get("enabled")
            or not attrs.get("action_groups")
            or whole not in (attrs.get("scopes") or [])
        ):
            continue
        found = {c["equals"] for c in attrs.get("conditions") or [] if c.get("field") == "operationName"}
        if found:
            operations |= found
            used.append(a)
    return {"operations": sorted(operations)}, used


def defender_plans(inp: DeriveInput) -> list[Resource]:
    return _views(inp, T.DEFENDER_PLANS, T.DEFENDER_PRICING, "tiers", _tiers)


def alert_coverage(inp: DeriveInput) -> list[Resource]:
    return _views(inp, T.ALERT_COVERAGE, T.ACTIVITY_LOG_ALERT, "operations", _watched)


DERIVERS = (
    Deriver("azure.watcher_coverage", (T.WATCHER_COVERAGE,), _SOURCE_TYPES, watcher_coverage),
    Deriver(
        "azure.defender_plans", (T.DEFENDER_PLANS,), (T.SUBSCRIPTION, T.DEFENDER_PRICING), defender_plans
    ),
    Deriver(
        "azure.alert_coverage", (T.ALERT_COVERAGE,), (T.SUBSCRIPTION, T.ACTIVITY_LOG_ALERT), alert_coverage
    ),
)
