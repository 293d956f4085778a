"""What valid JSON may carry that our databases and encoder cannot: NUL and huge integers.

PostgreSQL refuses U+0000 in text (SQLite stores it), and orjson writes no
integer beyond 64 bits, so either would turn a well-formed request into a 500
later, and differently on each database. Every body and query is checked here
before it is validated, with one byte search each on the fast path; only a
body that might hold one is parsed again to say which field does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from controlplane.services.errors import FieldError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_NUL = b"\\u0000"  # the only way JSON can spell U+0000 (a raw NUL is not valid JSON)
_LONG_NUMBER = re.compile(rb"\d{19}")  # 2**63 has 19 digits: anything shorter fits
NUL_MESSAGE = "must not contain the NUL character (U+0000)"
INT_MESSAGE = f"must be an integer from {INT64_MIN} to {INT64_MAX}"


def body_problems(raw: bytes) -> list[FieldError]:
    if _NUL not in raw and not _LONG_NUMBER.search(raw):
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []  # malformed JSON: the validator says so
    return [FieldError(path or "body", message) for path, message in _walk(value, "")]


def query_problems(query: Mapping[str, str]) -> list[FieldError]:
    return [
        FieldError(name, NUL_MESSAGE)
        for name, value in query.items()
        if "\x00" in name or "\x00" in value
    ]


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path, NUL_MESSAGE
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield path, INT_MESSAGE
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                yield inner, NUL_MESSAGE
            yield from _walk(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}" if path else str(i))
