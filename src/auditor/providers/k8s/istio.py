"""Istio objects (PeerAuthentication, DestinationRule, AuthorizationPolicy) as attributes, and the
predicates the mesh and KServe checks share over them. Pure: no I/O, no SDK.

Semantics followed (istio.io/latest/docs/reference/config/security/):
- a PeerAuthentication or AuthorizationPolicy in the root namespace with no selector applies to
  the whole mesh; elsewhere without a selector to its namespace; with one, to matching pods;
- an ALLOW policy with no rules matches nothing ("allow-nothing"): together with the rule that a
  workload any ALLOW policy applies to refuses what none allows, it denies by default;
- a rule with no `from` (and no `when`) admits any caller, authenticated or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DISABLED_MTLS = ("PERMISSIVE", "DISABLE")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def selector_of(spec: Mapping[str, Any]) -> dict[str, str] | None:
    """`selector.matchLabels` (None when the object selects no pods in particular)."""
    labels = _dict(_dict(spec.get("selector")).get("matchLabels"))
    return {str(k): str(v) for k, v in labels.items()} or None


def mode_of(value: Any) -> str | None:
    mode = _dict(value).get("mode")
    return str(mode).upper() if mode else None


def peer_authentication(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "selector": selector_of(spec),
        "mode": mode_of(spec.get("mtls")),
        "port_modes": {
            str(port): m for port, v in _dict(spec.get("portLevelMtls")).items() if (m := mode_of(v))
        },
    }


def destination_rule(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The TLS mode of every traffic policy in the rule, named by where it is set."""
    modes: list[dict[str, Any]] = []

    def policy(where: str, tp: Any) -> None:
        tp = _dict(tp)
        if mode := mode_of(tp.get("tls")):
            modes.append({"where": where, "mode": mode})
        for pls in _list(tp.get("portLevelSettings")):
            port = _dict(_dict(pls).get("port")).get("number")
            if mode := mode_of(_dict(pls).get("tls")):
                modes.append({"where": f"{where}.portLevelSettings[{port}]", "mode": mode})

    policy("trafficPolicy", spec.get("trafficPolicy"))
    for subset in _list(spec.get("subsets")):
        policy(f"subsets[{_dict(subset).get('name')}].trafficPolicy", _dict(subset).get("trafficPolicy"))
    return {"host": str(spec.get("host") or ""), "tls_modes": modes}


def authorization_policy(spec: Mapping[str, Any]) -> dict[str, Any]:
    target_refs = [_dict(spec.get("targetRef"))] if spec.get("targetRef") else []
    target_refs += [_dict(t) for t in _list(spec.get("targetRefs"))]
    return {
        "action": str(spec.get("action") or "ALLOW").upper(),
        "selector": selector_of(spec),
        "target_refs": target_refs,
        "provider": _dict(spec.get("provider")).get("name"),
        "rules": [_dict(r) for r in _list(spec.get("rules"))],
    }


# ------------------------------------------------------------------- predicates over attributes


def applies_to(policy: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A policy of the pod's own namespace (or the root namespace) applies to a pod with `labels`."""
    if policy.get("target_refs"):
        return False  # bound to a gateway or service, not selected pods
    selector = policy.get("selector") or {}
    return all(labels.get(k) == v for k, v in selector.items())


def _is_empty(rule: Mapping[str, Any]) -> bool:
    return not rule.get("from") and not rule.get("to") and not rule.get("when")


def default_deny(policy: Mapping[str, Any]) -> bool:
    """Namespace-wide (or mesh-wide) and denies what nothing else allows: allow-nothing (ALLOW,
    no rules) or deny-all (DENY with a rule that matches every request)."""
    if policy.get("selector") or policy.get("target_refs"):
        return False
    rules = list(policy.get("rules") or [])
    if policy.get("action") == "ALLOW":
        return not rules
    return policy.get("action") == "DENY" and any(_is_empty(r) for r in rules)


def _sources(rule: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [_dict(_dict(f).get("source")) for f in _list(rule.get("from"))]


def open_rules(policy: Mapping[str, Any]) -> list[str]:
    """The rules of an ALLOW policy that admit any caller: no `from` (or only empty sources) and
    no `when`; each named by its index and what it allows."""
    if policy.get("action") != "ALLOW":
        return []
    out = []
    for i, rule in enumerate(policy.get("rules") or []):
        if rule.get("when") or any(_sources(rule)):
            continue
        ops = [_dict(_dict(t).get("operation")) for t in _list(rule.get("to"))]
        what = "; ".join(
            " ".join(f"{k}={','.join(map(str, v))}" for k, v in sorted(op.items()) if isinstance(v, list))
            for op in ops
        )
        out.append(f"rules[{i}] ({what or 'any request'})")
    return out


def rule_authenticated(rule: Mapping[str, Any]) -> bool:
    """An ALLOW rule that matches only requests with an end-user (JWT) principal: every source
    names requestPrincipals (even `*`: any validated token), or a `when` conditions on request.auth."""
    sources = _sources(rule)
    if sources and all(_list(s.get("requestPrincipals")) for s in sources):
        return True
    return any(str(_dict(w).get("key", "")).startswith("request.auth.") for w in _list(rule.get("when")))


def blocks_unauthenticated(policy: Mapping[str, Any]) -> bool:
    """CUSTOM (an external authorizer decides), or DENY of requests without a request principal
    (`from: [{source: {notRequestPrincipals: ["*"]}}]`)."""
    if policy.get("action") == "CUSTOM":
        return True
    return policy.get("action") == "DENY" and any(
        _list(s.get("notRequestPrincipals")) == ["*"] and len(s) == 1
        for r in policy.get("rules") or []
        for s in _sources(r)
    )


def unauthenticated_access(policies: Sequence[Mapping[str, Any]]) -> str | None:
    """Why an unauthenticated request may reach a pod the given policies apply to (None: it
    cannot). Istio denies when a CUSTOM or DENY policy matches, and, once any ALLOW policy
    applies, whatever no ALLOW rule matches."""
    if any(blocks_unauthenticated(p) for p in policies):
        return None
    allow = [p for p in policies if p.get("action") == "ALLOW"]
    if not allow:
        return "no AuthorizationPolicy applies, so every request is allowed"
    open_ = [
        f"{p.get('namespace')}/{p.get('name')} rules[{i}]"
        for p in allow
        for i, r in enumerate(p.get("rules") or [])
        if not rule_authenticated(r)
    ]
    if open_:
        return f"ALLOW rules that do not require a request principal: {', '.join(open_)}"
    return None
