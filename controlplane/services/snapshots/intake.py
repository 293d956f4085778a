"""Checks that a stream of bytes is a snapshot document while it streams past, never holding it.

A 200 MB snapshot is not parsed into one Python value (that would take
gigabytes): ijson's push parser (yajl, in C) turns each chunk into events and
this walks them with a little state, building only the small parts whole (the
metadata, each secret reference) and, of each object, only its name and
namespace. So the shape is checked and the objects counted in memory that stays
flat, and the first problem found says where it is ("objects.pods.3.metadata.name").

Most events lie deep inside objects (specs, statuses) and are only counted in and
out by the hot loop in `_walk`; the rest go through `_shallow`. On the way the words
search finds a snapshot by are gathered: each object's name and namespace, its labels
(keys and values), and every container image (any `image` field inside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ijson
from pydantic import BaseModel, ValidationError

from controlplane.services.errors import FieldError, Invalid
from shared.wire.snapshots import SNAPSHOT_KINDS, ObjectMeta, SecretName, SnapshotMetadata

TOP_LEVEL = ("metadata", "objects", "secrets")
_OPENS = frozenset(("start_map", "start_array"))
_CLOSES = frozenset(("end_map", "end_array"))
# Depths of the document's containers: 1 the document, 2 `objects`, 3 a kind's list,
# 4 one object, 5 a field of it (its metadata, its spec…), 6 and deeper what those hold.
OBJECT, FIELD = 4, 5
LABELS = FIELD + 1  # inside an object's metadata.labels
# The distinct names, labels and images a snapshot is found by, at most (the first ones
# seen): memory stays flat however large the document, and so does its index entry.
MAX_TERMS = 20_000
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """How search splits text, on both databases alike: lower-case runs of letters and
    digits (`nginx:1.25` is nginx, 1, 25), so PostgreSQL's and SQLite's own tokenizers
    see the same plain words."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Summary:
    """What the database keeps of a document: its metadata and what it holds."""

    metadata: SnapshotMetadata
    object_counts: dict[str, int]
    secret_count: int
    # The search words, space-separated and sorted.
    terms: str = ""


def _refuse(path: str, message: str) -> Invalid:
    return Invalid(f"Not a snapshot: {path}: {message}", [FieldError(path, message)])


def _validated(model: type[BaseModel], value: Any, path: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        inner = ".".join(str(p) for p in first["loc"])
        raise _refuse(f"{path}.{inner}" if inner else path, str(first["msg"])) from None


class Intake:
    """Feed it the document's bytes in order, then `finish()` for its summary."""

    def __init__(self) -> None:
        self._events = ijson.sendable_list()
        self._parser = ijson.basic_parse_coro(self._events, use_float=True)
        self._depth = 0
        self._started = False
        self._top: str | None = None  # the top-level field being read
        self._seen: set[str] = set()
        self._counts: dict[str, int] = {}
        self._kind = ""
        self._secrets = 0
        self._metadata: SnapshotMetadata | None = None
        # A small value built whole: the metadata or one secret reference.
        self._builder: Any = None
        self._built_at = 0
        # The object being read: its last field name, and its metadata's.
        self._field: str | None = None
        self._meta_field: str | None = None
        self._in_meta = False
        self._has_meta = False
        self._name: Any = None
        self._namespace: Any = None
        # What search finds the snapshot by (raw: split into words at the end).
        self._terms: set[str] = set()
        self._image_next = False

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
        found: set[str] = set()
        for term in self._terms:
            found.update(words(term))
        terms = " ".join(sorted(found))
        return Summary(self._metadata, counts, self._secrets, terms)

    def _walk(self) -> None:
        # Inside objects, most events are handled right here on locals: a method call
        # per event would cost more than the parsing itself.
        depth = self._depth
        opens, closes = _OPENS, _CLOSES
        in_objects, in_meta = self._top == "objects", self._in_meta
        field, meta_field = self._field, self._meta_field
        terms = self._terms
        # The last key was `image`: its string is a container's image (the key and its
        # value may arrive in two pieces of the stream).
        image_next = self._image_next
        for event, value in self._events:
            if in_objects:
                if depth > FIELD or (depth == FIELD and not in_meta):
                    # Deep inside an object: counted, and its labels and images kept.
                    if event in opens:
                        depth += 1
                    elif event in closes:
                        depth -= 1
                    elif in_meta and depth == LABELS and meta_field == "labels":
                        if len(terms) < MAX_TERMS:
                            terms.add(str(value))  # a label's key, or its value
                    elif event == "map_key":
                        image_next = value == "image"
                        continue
                    elif image_next and event == "string" and len(terms) < MAX_TERMS:
                        terms.add(value)
                    image_next = False
                    continue
                if depth == FIELD:  # in the object's metadata
                    if event == "map_key":
                        meta_field = value
                        continue
                    if event in opens:
                        depth += 1
                        continue
                    if event not in closes:
                        if meta_field == "name":
                            self._name = value
                        elif meta_field == "namespace":
                            self._namespace = value
                        continue
                elif depth == OBJECT and field != "metadata":
                    if event == "map_key":
                        field = value
                        continue
                    if event in opens:
                        depth += 1
                        continue
                    if event not in closes:
                        continue  # a plain field's value
            self._depth, self._field, self._meta_field = depth, field, meta_field
            self._shallow(event, value)
            depth, field, meta_field = self._depth, self._field, self._meta_field
            in_objects, in_meta = self._top == "objects", self._in_meta
        self._depth, self._field, self._meta_field = depth, field, meta_field
        self._image_next = image_next
        del self._events[:]

    def _shallow(self, event: str, value: Any) -> None:
        depth = self._depth
        if event in _OPENS:
            self._depth += 1
        elif event in _CLOSES:
            self._depth -= 1
        if self._builder is not None:
            self._build(event, value)
            return
        if depth == 0:
            if event != "start_map":
                raise _refuse("body", "a snapshot is a JSON object")
            self._started = True
        elif depth == 1:
            self._document(event, value)
        elif self._top == "objects":
            self._objects(depth, event, value)
        else:
            self._secret_list(event)

    def _document(self, event: str, value: Any) -> None:
        if event == "map_key":
            if value not in TOP_LEVEL:
                raise _refuse(str(value), f"unknown field (a snapshot has {', '.join(TOP_LEVEL)})")
            if value in self._seen:
                raise _refuse(str(value), "given twice")
            self._seen.add(value)
            self._top = value
        elif event == "end_map":
            self._top = None
        elif self._top == "metadata":
            if event != "start_map":
                raise _refuse("metadata", "must be an object")
            self._start_building(event)
        elif self._top == "objects" and event != "start_map":
            raise _refuse("objects", "must be an object of lists by kind")
        elif self._top == "secrets" and event != "start_array":
            raise _refuse("secrets", "must be a list of {namespace, name}")

    def _secret_list(self, event: str) -> None:
        if event == "start_map":
            self._start_building(event)
        elif event != "end_array":
            raise _refuse(f"secrets.{self._secrets}", "must be an object {namespace, name}")

    def _objects(self, depth: int, event: str, value: Any) -> None:
        if depth == 2:  # inside `objects`: kinds and their lists
            if event == "map_key":
                self._kind = self._check_kind(value)
            elif event != "start_array" and event != "end_map":
                raise _refuse(f"objects.{self._kind}", "must be a list of objects")
        elif depth == 3:  # inside a kind's list: its objects
            if event == "start_map":
                self._field, self._has_meta, self._name, self._namespace = None, False, None, None
            elif event != "end_array":
                raise _refuse(self._object_path(), "must be an object")
        elif depth == OBJECT:  # inside an object: its fields
            self._object_field(event, value)
        else:  # depth == FIELD, inside the object's metadata
            if event == "map_key":
                self._meta_field = value
            elif event == "end_map":
                self._in_meta = False
            elif self._meta_field == "name" and event not in _OPENS:
                self._name = value
            elif self._meta_field == "namespace" and event not in _OPENS:
                self._namespace = value

    def _object_field(self, event: str, value: Any) -> None:
        if event == "map_key":
            self._field = value
        elif event == "end_map":
            self._close_object()
        elif self._field == "metadata":
            if event != "start_map":
                raise _refuse(f"{self._object_path()}.metadata", "must be an object")
            self._in_meta, self._has_meta, self._meta_field = True, True, None

    def _check_kind(self, kind: Any) -> str:
        if kind == "secrets":
            raise _refuse(
                "objects.secrets",
                "secrets are never stored in a snapshot; list their names under "
                "`secrets` as {namespace, name}",
            )
        if kind not in SNAPSHOT_KINDS:
            raise _refuse(f"objects.{kind}", f"unknown kind; one of {', '.join(SNAPSHOT_KINDS)}")
        if kind in self._counts:
            raise _refuse(f"objects.{kind}", "given twice")
        self._counts[kind] = 0
        return str(kind)

    def _object_path(self) -> str:
        return f"objects.{self._kind}.{self._counts[self._kind]}"

    def _close_object(self) -> None:
        path = self._object_path()
        if not self._has_meta:
            raise _refuse(f"{path}.metadata", "Field required")
        meta = {"name": self._name, "namespace": self._namespace}
        _validated(ObjectMeta, meta, f"{path}.metadata")
        if len(self._terms) < MAX_TERMS:
            self._terms.add(self._name)
            if self._namespace:
                self._terms.add(self._namespace)
        self._counts[self._kind] += 1

    def _start_building(self, event: str) -> None:
        self._builder = ijson.ObjectBuilder()
        self._built_at = self._depth - 1
        self._builder.event(event, None)

    def _build(self, event: str, value: Any) -> None:
        self._builder.event(event, value)
        if self._depth > self._built_at:
            return
        built, self._builder = self._builder.value, None
        if self._top == "metadata":
            self._metadata = _validated(SnapshotMetadata, built, "metadata")
        else:
            _validated(SecretName, built, f"secrets.{self._secrets}")
            self._secrets += 1


def _not_json(exc: Exception) -> Invalid:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "malformed"
    return Invalid("Malformed JSON body", [FieldError("body", f"not valid JSON: {first}")])
