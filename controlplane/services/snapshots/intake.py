"""Checks that a stream of bytes is a snapshot document while it streams past, never holding it.

A 200 MB snapshot is not parsed into one Python value (that would take
gigabytes): ijson's push parser (yajl, in C) turns each chunk into events and
this walks them with a little state, building only the small parts whole
(the metadata, each secret reference) and, of each object, only its name.
So the shape is checked and the objects counted in memory that stays flat,
and the first problem found says where it is ("objects.pods.3.metadata.name").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ijson
from pydantic import BaseModel, ValidationError

from controlplane.services.errors import FieldError, Invalid
from shared.wire.snapshots import SNAPSHOT_KINDS, ObjectMeta, SecretName, SnapshotMetadata

TOP_LEVEL = ("metadata", "objects", "secrets")
_OPENS = ("start_map", "start_array")
_CLOSES = ("end_map", "end_array")


@dataclass(frozen=True)
class Summary:
    """What the database keeps of a document: its metadata and what it holds."""

    metadata: SnapshotMetadata
    object_counts: dict[str, int]
    secret_count: int


def _refuse(path: str, message: str) -> Invalid:
    return Invalid(f"Not a snapshot: {path}: {message}", [FieldError(path, message)])


def _validated(model: type[BaseModel], value: Any, path: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        inner = ".".join(str(p) for p in first["loc"])
        raise _refuse(f"{path}.{inner}" if inner else path, str(first["msg"])) from None


@dataclass
class _Whole:
    """A small value built whole (the metadata, one secret reference)."""

    what: str  # "metadata" or "secret"
    path: str
    builder: Any = field(default_factory=ijson.ObjectBuilder)
    depth: int = 0


@dataclass
class _Object:
    """One object of a kind: only its depth and its metadata's name and namespace are kept."""

    kind: str
    path: str
    prefix: str
    depth: int = 0
    has_metadata: bool = False
    name: Any = None
    namespace: Any = None


class Intake:
    """Feed it the document's bytes in order, then `finish()` for its summary."""

    def __init__(self) -> None:
        self._events = ijson.sendable_list()
        self._parser = ijson.parse_coro(self._events, use_float=True)
        self._started = False
        self._ended = False
        self._seen: set[str] = set()
        self._kinds: set[str] = set()
        self._counts: dict[str, int] = {}
        self._secrets = 0
        self._metadata: SnapshotMetadata | None = None
        self._unit: _Whole | _Object | None = None

    def feed(self, data: bytes) -> None:
        try:
            self._parser.send(data)
        except ijson.JSONError as exc:
            raise _not_json(exc) from None
        self._walk()

    def finish(self) -> Summary:
        try:
            self._parser.close()
        except ijson.JSONError as exc:
            raise _not_json(exc) from None
        self._walk()
        if not self._started:
            raise _refuse("body", "empty: a snapshot is a JSON object")
        if self._metadata is None:
            raise _refuse("metadata", "Field required")
        counts = {kind: self._counts[kind] for kind in SNAPSHOT_KINDS if kind in self._counts}
        return Summary(self._metadata, counts, self._secrets)

    def _walk(self) -> None:
        for prefix, event, value in self._events:
            if self._unit is not None:
                self._inside(prefix, event, value)
            else:
                self._outside(prefix, event, value)
        del self._events[:]

    def _outside(self, prefix: str, event: str, value: Any) -> None:
        if not self._started:
            if event != "start_map":
                raise _refuse("body", "a snapshot is a JSON object")
            self._started = True
            return
        if prefix == "":
            if event == "map_key":
                if value not in TOP_LEVEL:
                    raise _refuse(
                        str(value), f"unknown field (a snapshot has {', '.join(TOP_LEVEL)})"
                    )
                if value in self._seen:
                    raise _refuse(str(value), "given twice")
                self._seen.add(value)
            elif event == "end_map":
                self._ended = True
            return
        if prefix == "metadata":
            if event != "start_map":
                raise _refuse("metadata", "must be an object")
            self._unit = _Whole("metadata", "metadata")
            self._inside(prefix, event, value)
            return
        if prefix == "secrets":
            if event not in ("start_array", "end_array"):
                raise _refuse("secrets", "must be a list of {namespace, name}")
            return
        if prefix == "secrets.item":
            if event != "start_map":
                raise _refuse(f"secrets.{self._secrets}", "must be an object {namespace, name}")
            self._unit = _Whole("secret", f"secrets.{self._secrets}")
            self._inside(prefix, event, value)
            return
        if prefix == "objects":
            if event == "map_key":
                if value == "secrets":
                    raise _refuse(
                        "objects.secrets",
                        "secrets are never stored in a snapshot; list their names under "
                        "`secrets` as {namespace, name}",
                    )
                if value not in SNAPSHOT_KINDS:
                    raise _refuse(
                        f"objects.{value}", f"unknown kind; one of {', '.join(SNAPSHOT_KINDS)}"
                    )
                if value in self._kinds:
                    raise _refuse(f"objects.{value}", "given twice")
                self._kinds.add(value)
                self._counts[value] = 0
            elif event not in ("start_map", "end_map"):
                raise _refuse("objects", "must be an object of lists by kind")
            return
        kind, _, rest = prefix.removeprefix("objects.").partition(".")
        if rest == "" and event in ("start_array", "end_array"):
            return
        if rest == "":
            raise _refuse(f"objects.{kind}", "must be a list of objects")
        if rest == "item":
            index = self._counts[kind]
            if event != "start_map":
                raise _refuse(f"objects.{kind}.{index}", "must be an object")
            self._unit = _Object(kind, f"objects.{kind}.{index}", prefix)
            self._inside(prefix, event, value)
            return
        raise _refuse(prefix, "unexpected")  # unreachable: every deeper event is in a unit

    def _inside(self, prefix: str, event: str, value: Any) -> None:
        unit = self._unit
        assert unit is not None
        if event in _OPENS:
            unit.depth += 1
        elif event in _CLOSES:
            unit.depth -= 1
        if isinstance(unit, _Whole):
            unit.builder.event(event, value)
        else:
            self._note(unit, prefix, event, value)
        if unit.depth == 0:
            self._unit = None
            self._close(unit)

    @staticmethod
    def _note(unit: _Object, prefix: str, event: str, value: Any) -> None:
        if unit.depth > 2:
            return  # deeper than metadata's own fields: kept as it is, not looked at
        field_name = prefix[len(unit.prefix) + 1 :]
        if field_name == "metadata":
            if event == "start_map":
                unit.has_metadata = True
            elif event != "map_key" and event != "end_map":
                raise _refuse(f"{unit.path}.metadata", "must be an object")
        elif field_name == "metadata.name":
            unit.name = value
        elif field_name == "metadata.namespace":
            unit.namespace = value

    def _close(self, unit: _Whole | _Object) -> None:
        if isinstance(unit, _Object):
            if not unit.has_metadata:
                raise _refuse(f"{unit.path}.metadata", "Field required")
            meta = {"name": unit.name, "namespace": unit.namespace}
            _validated(ObjectMeta, meta, f"{unit.path}.metadata")
            self._counts[unit.kind] += 1
        elif unit.what == "metadata":
            self._metadata = _validated(SnapshotMetadata, unit.builder.value, "metadata")
        else:
            _validated(SecretName, unit.builder.value, unit.path)
            self._secrets += 1


def _not_json(exc: Exception) -> Invalid:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "malformed"
    return Invalid("Malformed JSON body", [FieldError("body", f"not valid JSON: {first}")])
