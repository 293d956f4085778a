"""Requests aiohttp refuses before any route sees them are answered with the envelope too,
by the real server process."""

from __future__ import annotations

import json
import shutil
import signal
import socket
from pathlib import Path

import pytest

from tests.processes import ControlPlane

pytestmark = pytest.mark.slow


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path):
    database = tmp_path / "server.sqlite3"
    shutil.copyfile(sqlite_template, database)
    process = ControlPlane(f"sqlite://{database}", tmp_path)
    process.start()
    try:
        yield process
    finally:
        process.kill()


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
        b"GET /health HTTP/9.9.9\r\n\r\n",
    ],
    ids=["request-line-too-long", "header-too-long", "not-http"],
)
def test_a_request_aiohttp_cannot_read_gets_an_envelope(server, request_bytes) -> None:
    status, headers, body = raw_exchange(server.port, request_bytes)
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    answer = json.loads(body)
    assert answer["success"] is False and answer["statusCode"] == 400
    assert answer["code"] == "VALIDATION_ERROR"


def test_the_server_still_stops_cleanly_on_sigterm(server) -> None:
    server.signal(signal.SIGTERM)
    assert server.wait(15) == 0
    assert "Traceback" not in server.log()
