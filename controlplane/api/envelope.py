"""The response envelope (docs/api.md), for successes and errors alike."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web
from pydantic import BaseModel


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _now() -> str:
    return _iso_ms(time.time_ns() // 1_000_000)


# Responses come thousands a second: most share their millisecond with the one before.
@functools.lru_cache(maxsize=1)
def _iso_ms(epoch_ms: int) -> str:
    seconds, ms = divmod(epoch_ms, 1000)
    at = datetime.fromtimestamp(seconds, UTC).replace(microsecond=ms * 1000)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _response(body: dict[str, Any], status: int, headers: dict[str, str] | None) -> web.Response:
    return web.Response(
        body=orjson.dumps(body, default=_default),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def ok(data: Any = None, message: str = "OK", status: int = 200) -> web.Response:
    body = {
        "success": True,
        "message": message,
        "data": data,
        "timestamp": _now(),
        "statusCode": status,
    }
    return _response(body, status, None)


def error(
    status: int,
    code: str,
    message: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "success": False,
        "message": message,
        "code": code,
        "timestamp": _now(),
        "statusCode": status,
    }
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return _response(body, status, headers)
