"""Log lines: what a client sent cannot forge a line or drive the terminal that reads it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient

from controlplane.logs import TextFormatter, escape_controls


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    """Everything the control plane logs, as the development (text) format writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_control_characters_are_escaped_and_newlines_cannot_start_a_line(text_log) -> None:
    logging.getLogger("minispod.test").warning(
        "path %s", "/x\x1b[2J\nINFO minispod.http: forged", extra={"agent": "a\rb\x07"}
    )
    line = text_log.getvalue()
    assert line.count("\n") == 1, line
    assert "\x1b" not in line and "\r" not in line and "\x07" not in line
    assert "\\x1b[2J\\nINFO minispod.http: forged" in line
    assert "agent=a\\rb\\x07" in line


def test_a_traceback_keeps_its_lines_but_not_the_escapes_in_its_message(text_log) -> None:
    try:
        raise ValueError("bad \x1b]0;title\x07 value")
    except ValueError:
        logging.getLogger("minispod.test").exception("failed")
    text = text_log.getvalue()
    assert "Traceback (most recent call last):\n" in text
    assert "\x1b" not in text and "\\x1b]0;title\\x07" in text


def test_printable_text_is_left_alone() -> None:
    assert escape_controls("GET /api/v1/workers?search=zürich 200") == (
        "GET /api/v1/workers?search=zürich 200"
    )


async def test_a_request_path_with_escapes_is_logged_escaped(
    client: TestClient, text_log: io.StringIO
) -> None:
    resp = await client.get("/api/v1/x%1B%5B31mred%0Aforged")
    assert resp.status == 404
    logged = [line for line in text_log.getvalue().splitlines() if "minispod.http" in line]
    assert logged and all("\x1b" not in line for line in logged)
    assert any("\\x1b[31mred\\nforged" in line for line in logged)
