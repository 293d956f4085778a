"""Operations endpoints and cross-cutting headers: health, request ids, Prometheus, CORS."""

from __future__ import annotations

import re

import asyncpg
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import AppFactory

API = "/api/v1"


async def test_health_says_the_process_is_alive(client: TestClient) -> None:
    resp = await client.get("/health")
    assert resp.status == 200
    body = await resp.json()
    assert body["success"] is True and body["statusCode"] == 200
    assert body["data"] == {"status": "ok"}


async def test_ready_says_the_database_answers(client: TestClient) -> None:
    resp = await client.get("/ready")
    assert resp.status == 200
    assert (await resp.json())["data"]["status"] == "ready"


async def test_ready_says_whether_the_database_promises_durable_commits(
    client: TestClient, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        expected: list[str] = []  # WAL with synchronous=FULL, as the app opens it
    else:
        conn = await asyncpg.connect("postgresql://" + database_url.removeprefix("asyncpg://"))
        try:
            expected = [
                f"{name}={value}"
                for name in ("fsync", "full_page_writes", "synchronous_commit")
                if (value := await conn.fetchval(f"SHOW {name}")) == "off"
            ]
        finally:
            await conn.close()
    data = (await (await client.get("/ready")).json())["data"]
    assert data["status"] == "ready"
    assert data["durable"] is (not expected)
    assert sorted(data.get("durabilityProblems", [])) == expected
    metrics = await (await client.get("/metrics")).text()
    assert f"minispod_database_durable {0.0 if expected else 1.0}" in metrics


async def test_every_response_carries_a_request_id(client: TestClient) -> None:
    seen = set()
    for path in ("/health", f"{API}/nothing-here", f"{API}/auth/profile"):
        resp = await client.get(path)
        request_id = resp.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        seen.add(request_id)
    assert len(seen) == 3


async def test_a_client_request_id_is_echoed(client: TestClient) -> None:
    resp = await client.get("/health", headers={"X-Request-ID": "trace-42.abc:1"})
    assert resp.headers["X-Request-ID"] == "trace-42.abc:1"
    resp = await client.get(f"{API}/nothing-here", headers={"X-Request-ID": "trace-43"})
    assert resp.status == 404
    assert resp.headers["X-Request-ID"] == "trace-43"


async def test_an_unsafe_request_id_is_replaced(client: TestClient) -> None:
    for unsafe in ("has spaces", "x" * 200, "new\\nline", "<script>"):
        resp = await client.get("/health", headers={"X-Request-ID": unsafe})
        assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"]), unsafe


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def test_metrics_count_requests_by_method_route_template_and_status(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    profile = await client.get(f"{API}/auth/profile", headers=admin_headers)
    admin_id = (await profile.json())["data"]["id"]
    for _ in range(2):
        assert (await client.get(f"{API}/users/{admin_id}", headers=admin_headers)).status == 200
    assert (await client.get(f"{API}/users/{admin_id}")).status == 401
    assert (await client.get(f"{API}/no/such/{admin_id}")).status == 404

    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.content_type.startswith("text/plain")
    text = await resp.text()
    counts = _samples(text, "minispod_http_requests_total")

    def count(method: str, route: str, code: str) -> float:
        return counts.get((("code", code), ("method", method), ("route", route)), 0.0)

    assert count("GET", f"{API}/users/{{userId}}", "200") == 2
    assert count("GET", f"{API}/users/{{userId}}", "401") == 1
    assert count("POST", f"{API}/auth/login", "200") == 1
    # Concrete ids never become label values: unmatched paths share one label.
    assert admin_id not in text
    assert count("GET", "unmatched", "404") == 1

    buckets = _samples(text, "minispod_http_request_duration_seconds_count")
    assert buckets[(("method", "GET"), ("route", f"{API}/users/{{userId}}"))] == 3


async def test_metrics_carry_the_standard_process_and_platform_series(client: TestClient) -> None:
    text = await (await client.get("/metrics")).text()
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {"process_resident_memory_bytes", "process_cpu_seconds", "python_info"} <= names
    assert "python_gc_collections" in names


async def test_cors_preflight_is_answered_for_allowed_origins_only(
    make_client: AppFactory,
) -> None:
    client = await make_client(cors_origins=("https://app.example",))
    preflight = {"Access-Control-Request-Method": "POST"}

    resp = await client.options(
        f"{API}/auth/login", headers={"Origin": "https://app.example", **preflight}
    )
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]

    resp = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    resp = await client.get("/health", headers={"Origin": "https://app.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "https://app.example"
    # Errors too, or the frontend could not read why it was refused.
    resp = await client.get(f"{API}/auth/profile", headers={"Origin": "https://app.example"})
    assert resp.status == 401
    assert resp.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Retry-After" in resp.headers["Access-Control-Expose-Headers"]


async def test_responses_and_errors_carry_defensive_headers(client: TestClient) -> None:
    for path in ("/health", f"{API}/auth/profile", f"{API}/nothing-here"):
        resp = await client.get(path)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["Cache-Control"] == "no-store", path


async def test_head_is_answered_wherever_get_is(client):
    resp = await client.head("/health")
    assert resp.status == 200
    assert await resp.read() == b""
    assert (await client.head("/api/v1/users")).status == 401


async def test_unknown_methods_do_not_grow_the_metric_labels(client):
    for verb in ("PROPFIND", "MKCOL", "PURGE"):  # valid HTTP, not ours
        resp = await client.request(verb, "/health")
        assert resp.status == 405, await resp.text()
    text = await (await client.get("/metrics")).text()
    assert 'method="OTHER"' in text
    assert 'method="PROPFIND"' not in text and 'method="PURGE"' not in text
