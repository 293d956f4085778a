"""Every kind of failure reaches the client as the error envelope of docs/api.md, never HTML."""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

import asyncpg
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from controlplane.db.database import DatabaseUnusable
from tests.conftest import USER_PASSWORD, AppFactory, Postgres, create_account

API = "/api/v1"
LOGIN = {"email": "user@paas.com", "password": USER_PASSWORD}


async def error_envelope(resp: ClientResponse, status: int, code: str) -> dict[str, Any]:
    """Checks the shape every error shares and returns the body."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert body["success"] is False
    assert body["statusCode"] == status
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00")).tzinfo is not None
    assert "<html" not in body["message"].lower() and "Traceback" not in body["message"]
    assert resp.headers.get("X-Request-ID")
    return dict(body)


@pytest.mark.parametrize(
    "path", [f"{API}/nothing-here", f"{API}/users/x/y/z", "/nothing-here", "/index.html"]
)
async def test_unknown_routes_are_not_found(client: TestClient, path: str) -> None:
    body = await error_envelope(await client.get(path), 404, "NOT_FOUND")
    assert "errors" not in body


async def test_wrong_method_is_refused_with_the_allowed_ones(client: TestClient) -> None:
    resp = await client.delete(f"{API}/auth/login")
    await error_envelope(resp, 405, "METHOD_NOT_ALLOWED")
    assert resp.headers["Allow"] == "POST"

    resp = await client.patch(f"{API}/auth/profile", json={"name": "x"})
    await error_envelope(resp, 405, "METHOD_NOT_ALLOWED")
    assert set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD", "PUT"}


@pytest.mark.parametrize(
    "raw",
    [b'{"email": "a@b.c", "password": ', b"{'single': 'quotes'}", b"\xff\xfe not utf-8"],
    ids=["truncated", "not-json", "binary"],
)
async def test_malformed_json_is_a_validation_error(client: TestClient, raw: bytes) -> None:
    resp = await client.post(
        f"{API}/auth/login", data=raw, headers={"Content-Type": "application/json"}
    )
    body = await error_envelope(resp, 400, "VALIDATION_ERROR")
    assert [e["field"] for e in body["errors"]] == ["body"]


@pytest.mark.parametrize("payload", ["[]", '"a string"', "42", "null"])
async def test_json_that_is_not_an_object_is_a_validation_error(
    client: TestClient, payload: str
) -> None:
    resp = await client.post(
        f"{API}/auth/login", data=payload, headers={"Content-Type": "application/json"}
    )
    body = await error_envelope(resp, 400, "VALIDATION_ERROR")
    assert body["errors"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_a_body_that_is_not_json_is_unsupported(
    client: TestClient, content_type: str
) -> None:
    resp = await client.post(
        f"{API}/auth/login",
        data=b"email=user@paas.com&password=x",
        headers={"Content-Type": content_type},
    )
    await error_envelope(resp, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_json_with_a_charset_parameter_is_accepted(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    resp = await client.post(
        f"{API}/auth/login",
        data=b'{"email": "user@paas.com", "password": "' + USER_PASSWORD.encode() + b'"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert resp.status == 200, await resp.text()


async def test_an_oversize_body_is_refused(make_client: AppFactory) -> None:
    client = await make_client(max_body_bytes=2048)
    resp = await client.post(
        f"{API}/auth/register",
        json={"name": "x" * 4096, "email": "a@b.co", "password": "p", "confirmPassword": "p"},
    )
    await error_envelope(resp, 413, "PAYLOAD_TOO_LARGE")
    # A body under the limit on the same server is served normally.
    resp = await client.post(f"{API}/auth/login", json={"email": "a@b.co", "password": "Wr0ng!pw"})
    await error_envelope(resp, 401, "UNAUTHORIZED")


async def test_validation_errors_list_each_field_with_a_message(client: TestClient) -> None:
    resp = await client.post(
        f"{API}/auth/register",
        json={"name": "", "email": "nope", "password": "x", "confirmPassword": "y", "extra": 1},
    )
    body = await error_envelope(resp, 400, "VALIDATION_ERROR")
    # Every problem at once, the password policy and the confirmation included (issue 11.14).
    assert {e["field"] for e in body["errors"]} == {
        "name",
        "email",
        "extra",
        "password",
        "confirmPassword",
    }
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
        assert isinstance(error["message"], str) and error["message"]


async def test_a_body_sent_to_an_endpoint_that_takes_none_is_refused(
    client: TestClient, user_headers: dict[str, str]
) -> None:
    resp = await client.get(f"{API}/auth/profile", headers=user_headers, json={"name": "x"})
    await error_envelope(resp, 400, "VALIDATION_ERROR")


async def test_ready_answers_while_the_database_does(client: TestClient) -> None:
    resp = await client.get("/ready")
    assert resp.status == 200
    body = await resp.json()
    assert body["success"] is True
    assert body["data"]["database"] == "ok"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_unreachable_database_is_service_unavailable(
    make_client: AppFactory, dialect: str, tmp_path: Any
) -> None:
    if dialect != "postgres":
        pytest.skip("a database server that is down exists only for PostgreSQL; see below")
    unreachable = f"asyncpg://postgres@127.0.0.1:{_closed_port()}/minispod?connect_timeout=2"
    # No background jobs: they would only add their own failures to the log.
    client = await make_client(database_url=unreachable, run_jobs=False)

    resp = await client.get("/ready")
    await error_envelope(resp, 503, "SERVICE_UNAVAILABLE")
    assert int(resp.headers["Retry-After"]) > 0
    # The process itself is alive.
    assert (await client.get("/health")).status == 200


async def test_a_sqlite_file_that_cannot_open_stops_the_start(
    make_client: AppFactory, dialect: str
) -> None:
    """An embedded database that cannot be opened is a configuration error: the
    control plane refuses to start, saying why, instead of serving 503 forever."""
    if dialect != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(DatabaseUnusable, match="cannot open SQLite database"):
        await make_client(database_url="sqlite:///dev/null/minispod.sqlite3", run_jobs=False)


async def test_a_database_that_goes_away_is_service_unavailable(
    client: TestClient, dialect: str, database_url: str, request: pytest.FixtureRequest
) -> None:
    if dialect != "postgres":
        pytest.skip("an open SQLite file cannot be taken away from a process running as root")
    await create_account(client, "user@paas.com", USER_PASSWORD)
    assert (await client.post(f"{API}/auth/login", json=LOGIN)).status == 200

    pg: Postgres = request.getfixturevalue("postgres")
    name = database_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(pg.admin_url)
    try:
        # FORCE ends the app's pooled connections as well.
        await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await conn.close()

    for method, path, payload in (("POST", f"{API}/auth/login", LOGIN), ("GET", "/ready", None)):
        resp = await client.request(method, path, json=payload)
        await error_envelope(resp, 503, "SERVICE_UNAVAILABLE")
        assert int(resp.headers["Retry-After"]) > 0
