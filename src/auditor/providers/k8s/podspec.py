"""Helpers over a normalised pod spec (API JSON shape) shared by the workload checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

CONTAINER_KEYS = ("initContainers", "containers", "ephemeralContainers")


def containers(spec: Mapping[str, Any], *, ephemeral: bool = True) -> Iterator[dict[str, Any]]:
    """Every container of a pod spec (init, regular, ephemeral), whatever shape the spec has:
    a container list that is not a list, and an entry that is not a mapping, are passed over."""
    for key in CONTAINER_KEYS:
        if key == "ephemeralContainers" and not ephemeral:
            continue
        cs = spec.get(key)
        for c in cs if isinstance(cs, list) else ():
            if isinstance(c, dict):
                yield c


def sc(c: Mapping[str, Any]) -> dict[str, Any]:
    v = c.get("securityContext")
    return v if isinstance(v, dict) else {}


def pod_sc(spec: Mapping[str, Any]) -> dict[str, Any]:
    v = spec.get("securityContext")
    return v if isinstance(v, dict) else {}


def effective(spec: Mapping[str, Any], c: Mapping[str, Any], key: str) -> Any:
    """A setting that the container's securityContext overrides from the pod's."""
    own = sc(c)
    return own[key] if key in own else pod_sc(spec).get(key)


def cname(c: Mapping[str, Any]) -> str:
    return str(c.get("name", "?"))


def split_image(image: str) -> tuple[str, str, str | None, str | None]:
    """(registry, repository, tag, digest); Docker Hub is `docker.io`, a missing tag is None."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repo = first, rest
    else:
        registry, repo = "docker.io", image
    tag = None
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = repo.rsplit(":", 1)
    return registry, repo, tag, digest
