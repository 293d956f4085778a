"""What changed between two snapshots: objects added, removed and changed, field by field.

Both documents stream from the blob store and are never held whole: of the
older one each object is kept as a digest of its content (noise removed), of
the newer one each object is compared with that digest as it passes, and only
the objects that changed are read whole, in a second pass over the older one,
to say which fields changed. At most `limit` changed objects are detailed.

Noise, which changes without anyone changing anything, is left out of the
comparison: `metadata.resourceVersion` and `metadata.managedFields`, and the
heartbeat and probe times of status conditions (`lastHeartbeatTime`,
`lastProbeTime`) anywhere in an object.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

import ijson
import orjson

from shared.wire.snapshots import FieldChange, ObjectChange, ObjectRef

NOISE_METADATA = frozenset(("resourceVersion", "managedFields"))
NOISE_ANYWHERE = frozenset(("lastHeartbeatTime", "lastProbeTime"))
Key = tuple[str, str, str]  # kind, namespace ("" when cluster-scoped), name


async def objects_of(chunks: AsyncIterable[bytes]) -> AsyncIterator[tuple[Key, Any]]:
    """Each object of a stored (already validated) document, with its key."""
    events = ijson.sendable_list()
    parser = ijson.basic_parse_coro(events, use_float=True)
    depth, top, kind = 0, None, ""
    builder: Any = None

    def walk() -> list[tuple[Key, Any]]:
        nonlocal depth, top, kind, builder
        done = []
        for event, value in events:
            opened = event in ("start_map", "start_array")
            closed = event in ("end_map", "end_array")
            if builder is not None:
                builder.event(event, value)
                depth += opened - closed
                if depth == 3:
                    obj, builder = builder.value, None
                    meta = obj.get("metadata") or {}
                    done.append(((kind, meta.get("namespace") or "", meta["name"]), obj))
                continue
            if depth == 1 and event == "map_key":
                top = value
            elif depth == 2 and top == "objects" and event == "map_key":
                kind = value
            elif depth == 3 and top == "objects" and event == "start_map":
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
            depth += opened - closed
        del events[:]
        return done

    async for chunk in chunks:
        parser.send(chunk)
        for item in walk():
            yield item
    parser.close()
    for item in walk():
        yield item


def without_noise(value: Any, top: bool = True) -> Any:
    if isinstance(value, dict):
        kept = {k: without_noise(v, False) for k, v in value.items() if k not in NOISE_ANYWHERE}
        if top and isinstance(kept.get("metadata"), dict):
            kept["metadata"] = {
                k: v for k, v in kept["metadata"].items() if k not in NOISE_METADATA
            }
        return kept
    if isinstance(value, list):
        return [without_noise(v, False) for v in value]
    return value


def digest(obj: Any) -> bytes:
    return hashlib.blake2b(orjson.dumps(without_noise(obj), option=orjson.OPT_SORT_KEYS)).digest()


def field_changes(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """Leaf by leaf: maps by key, lists by position (a list that changed length is one change)."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in sorted(set(before) | set(after)):
            inner = f"{path}.{key}" if path else str(key)
            if key not in before:
                changes.append(FieldChange(path=inner, before=None, after=after[key]))
            elif key not in after:
                changes.append(FieldChange(path=inner, before=before[key], after=None))
            elif before[key] != after[key]:
                changes += field_changes(before[key], after[key], inner)
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        changes = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            if b != a:
                changes += field_changes(b, a, f"{path}[{i}]")
        return changes
    return [FieldChange(path=path or "(object)", before=before, after=after)]


def _ref(key: Key) -> ObjectRef:
    return ObjectRef(kind=key[0], namespace=key[1] or None, name=key[2])


async def compare(
    older: Callable[[], AsyncIterable[bytes]],
    newer: Callable[[], AsyncIterable[bytes]],
    limit: int,
) -> tuple[list[ObjectRef], list[ObjectRef], list[ObjectChange], bool]:
    """(added, removed, changed, truncated) going from `older` to `newer`; each a callable
    that streams a document's bytes afresh."""
    seen: dict[Key, bytes] = {}
    async for key, obj in objects_of(older()):
        seen[key] = digest(obj)
    added: list[Key] = []
    changed: dict[Key, Any] = {}
    truncated = False
    async for key, obj in objects_of(newer()):
        old = seen.pop(key, None)
        if old is None:
            added.append(key)
        elif old != digest(obj):
            if len(changed) < limit:
                changed[key] = without_noise(obj)
            else:
                truncated = True
    removed = sorted(seen)
    details: list[ObjectChange] = []
    if changed:
        async for key, obj in objects_of(older()):
            if key in changed:
                fields = field_changes(without_noise(obj), changed[key])
                details.append(ObjectChange(**_ref(key).model_dump(), fields=fields))
    details.sort(key=lambda c: (c.kind, c.namespace or "", c.name))
    return [_ref(k) for k in sorted(added)], [_ref(k) for k in removed], details, truncated
