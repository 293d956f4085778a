"""Drift: how the objects a cluster holds differ from the ones rendered for an instance.

The live object is what the API server returns: our fields plus defaults,
status and fields of other managers. So a live object matches when it holds
every field we render with the value we render (a subset), read the way the
API server writes it back (quantities in canonical form: "1000m" is "1").
Lists must match item by item and in length: a NetworkPolicy rule someone
added is drift, and our apply (atomic lists, force) takes it away again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kubernetes.utils import parse_quantity

JsonDict = dict[str, Any]
# kind, namespace ("" when cluster-scoped), name
ObjectKey = tuple[str, str, str]
# Maps whose values are quantities (container resources, quota, limit range defaults);
# elsewhere strings compare as written (a Secret's "1e3" is not "1000").
QUANTITY_MAPS = frozenset({"requests", "limits", "hard", "default", "defaultRequest"})


@dataclass(frozen=True)
class Drift:
    """One rendered object the cluster lacks, or holds otherwise than rendered."""

    kind: str
    name: str
    # "missing", or the path of the first field that differs ("spec.ingress").
    what: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}: {self.what}"


def key_of(obj: JsonDict) -> ObjectKey:
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))


def _quantity(value: str) -> Decimal | None:
    try:
        return Decimal(parse_quantity(value))
    except (ValueError, TypeError, ArithmeticError):
        return None


def _same_scalar(want: Any, have: Any, quantities: bool) -> bool:
    if want == have and type(want) is type(have):
        return True
    if quantities and isinstance(want, str) and isinstance(have, str):
        # The API server stores quantities canonically: "1000m" comes back as "1".
        a, b = _quantity(want), _quantity(have)
        return a is not None and a == b
    # JSON has one number type: 1 and 1.0 are the same number.
    numbers = (int, float)
    return (
        isinstance(want, numbers)
        and isinstance(have, numbers)
        and not isinstance(want, bool)
        and not isinstance(have, bool)
        and want == have
    )


def first_difference(
    want: Any, have: Any, path: str = "", *, quantities: bool = False
) -> str | None:
    """The path of the first rendered field `have` lacks or holds otherwise; None if none."""
    if isinstance(want, Mapping):
        if not isinstance(have, Mapping):
            return path or "."
        for key, value in want.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in have:
                return where
            below = quantities or key in QUANTITY_MAPS
            found = first_difference(value, have[key], where, quantities=below)
            if found is not None:
                return found
        return None
    if isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            return path or "."
        for i, (w, h) in enumerate(zip(want, have, strict=True)):
            found = first_difference(w, h, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if _same_scalar(want, have, quantities) else (path or ".")


def drift(rendered: Iterable[JsonDict], live: Mapping[ObjectKey, JsonDict]) -> list[Drift]:
    """Every rendered object that `live` (keyed by `key_of`) lacks or holds otherwise."""
    found = []
    for obj in rendered:
        kind, _, name = key_of(obj)
        current = live.get(key_of(obj))
        if current is None:
            found.append(Drift(kind, name, "missing"))
            continue
        # apiVersion and kind are the request's, not fields the object holds.
        body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
        where = first_difference(body, current)
        if where is not None:
            found.append(Drift(kind, name, f"{where} differs"))
    return found
