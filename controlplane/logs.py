"""Structured logging: JSON lines in production, readable lines in development, with request ids."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# The request id of the request being served; a contextvar is how a log
# record learns it without every call passing it along.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "minispod_request_id", default=None
)

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# C0 and C1 control characters and DEL: a client's path or header that reaches a log line
# must not move the cursor, recolour the terminal or start a forged line of its own.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str, keep_newlines: bool = False) -> str:
    def named(match: re.Match[str]) -> str:
        char = match.group()
        if keep_newlines and char == "\n":
            return char
        return _NAMED.get(char) or f"\\x{ord(char):02x}"

    return _CONTROL.sub(named, text)


class TextFormatter(logging.Formatter):
    """One line per record for people reading a terminal; what came from outside is escaped.
    (The JSON formatter needs none of this: JSON escapes control characters itself.)"""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have formatted (and cached) the traceback already, unescaped.
        msg, args, exc_text = record.msg, record.args, record.exc_text
        record.msg, record.args, record.exc_text = escape_controls(record.getMessage()), None, None
        try:
            base = super().format(record)
        finally:
            record.msg, record.args, record.exc_text = msg, args, exc_text
        extras = {k: v for k, v in vars(record).items() if k not in _RESERVED and v is not None}
        if extras:
            base += " " + " ".join(f"{k}={escape_controls(str(v))}" for k, v in extras.items())
        return base

    def formatException(self, ei: Any) -> str:
        # A traceback keeps its own line breaks; an exception message could still carry escapes.
        return escape_controls(super().formatException(ei), keep_newlines=True)


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's own access log would duplicate ours, which carries the request id.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
