"""/api/docs renders every operation of the OpenAPI 3.1 document in a real headless browser."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser

from tests.conftest import AppFactory


@pytest.fixture
def dialect() -> str:
    # The page reads no table: one database kind is enough.
    return "sqlite"


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    return await make_client()


async def test_the_docs_page_renders_every_operation_from_this_server_alone(
    client: TestClient, browser: Browser
) -> None:
    spec = await (await client.get("/api/v1/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    operations = sum(
        1 for item in spec["paths"].values() for method in item if method not in ("parameters",)
    )
    origin = str(client.make_url("/")).rstrip("/")

    page = await browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )

    await page.goto(f"{origin}/api/docs")
    await page.wait_for_selector(".opblock", timeout=20_000)

    assert await page.locator(".opblock").count() == operations
    text = await page.inner_text("body")
    assert "Unable to render this definition" not in text
    assert "MinisPod" in await page.inner_text(".info .title")
    # An operation of each kind of caller is on the page, with its path.
    for path in ("/api/v1/auth/login", "/api/v1/workers", "/api/v1/workers/{nodeId}/heartbeat"):
        assert await page.locator(f'.opblock-summary-path[data-path="{path}"]').count() >= 1, path
    assert problems == []
    assert requests and all(url.startswith(origin) or url.startswith("data:") for url in requests)
    await page.close()


async def test_an_operation_opens_with_its_schema(client: TestClient, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(str(client.make_url("/api/docs")))
    login = page.locator('.opblock-summary-path[data-path="/api/v1/auth/login"]').first
    await login.wait_for(timeout=20_000)
    await login.click()
    body = page.locator(".opblock.is-open .opblock-section-request-body")
    await body.wait_for(timeout=10_000)
    # The request body's example carries the wire names of LoginRequest.
    assert "email" in await body.inner_text()
    assert "password" in await body.inner_text()
    await page.close()
