"""The web dashboard at `/`: served from the package alone under a strict Content-Security-
Policy, and, in real headless chromium, a signed-out visitor gets the login page, the keyboard
alone signs in, and an expired access token is refreshed without the reader noticing."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, Request, expect

from controlplane.api.dashboard import ASSET_PREFIX, TYPES, assets
from controlplane.config import Config
from tests.conftest import (
    ADMIN_PASSWORD,
    TEST_SECRETS_KEY,
    USER_PASSWORD,
    AppFactory,
    FakeClock,
    create_account,
)

ACCESS_TOKEN_TTL = 10  # the shortest the control plane accepts


@pytest.fixture
def dialect() -> str:
    # The pages only read accounts: one database kind is enough.
    return "sqlite"


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    return await make_client(access_token_ttl=ACCESS_TOKEN_TTL)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_script += data.strip()


def policy(header: str) -> dict[str, list[str]]:
    directives = (d.split() for d in header.split(";") if d.strip())
    return {name: values for name, *values in directives}


async def test_the_page_allows_script_only_from_its_own_files(client: TestClient) -> None:
    resp = await client.get("/")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    csp = policy(resp.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]

    parsed = _Tags()
    parsed.feed(await resp.text())
    assert parsed.inline_script == ""
    loaded = [a.get("src") or a.get("href") for t, a in parsed.tags if t in ("script", "link")]
    assert loaded and all(str(url).startswith(ASSET_PREFIX) for url in loaded)
    handlers = [(t, k) for t, a in parsed.tags for k in a if k.startswith("on")]
    assert handlers == []


async def test_every_file_the_page_needs_is_served_from_the_package(client: TestClient) -> None:
    names = assets()
    assert {"main.js", "api.js", "dashboard.css", "favicon.svg"} <= set(names)
    for name, path in names.items():
        resp = await client.get(ASSET_PREFIX + name)
        assert resp.status == 200, name
        assert resp.headers["Content-Type"] == TYPES[path.suffix]
        assert await resp.read() == path.read_bytes()
    # Only the files listed: not the page's source, not this module, nothing by a path.
    for name in ("index.html", "dashboard.py", "..%2Fdashboard.py", "missing.js"):
        resp = await client.get(ASSET_PREFIX + name)
        assert resp.status == 404, name
        assert (await resp.json())["code"] == "NOT_FOUND"


async def test_nothing_the_dashboard_serves_holds_a_secret(
    client: TestClient, config: Config
) -> None:
    served = (await (await client.get("/")).read()).decode()
    for name in assets():
        served += (await (await client.get(ASSET_PREFIX + name)).read()).decode()
    assert config.jwt_secret not in served
    assert TEST_SECRETS_KEY not in served
    assert "eyJ" not in served, "a JWT is baked into the page"


async def open_dashboard(browser: Browser, client: TestClient, hash_: str = "") -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Script errors; the browser's own notes on 4xx answers are not (an expired token is one).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(str(client.make_url("/")) + hash_)
    return page


async def test_a_signed_out_visitor_gets_the_login_page(
    client: TestClient, browser: Browser
) -> None:
    api_calls: list[Request] = []
    page = await browser.new_page()
    page.on("request", lambda r: api_calls.append(r) if "/api/v1/" in r.url else None)
    # Deep links to administrators' pages lead to the login page, not to a half-drawn view.
    await page.goto(str(client.make_url("/")) + "#/fleet")
    await expect(page.locator("#login-title")).to_have_text("Sign in to MinisPod")
    await expect(page.get_by_label("Email")).to_be_visible()
    await expect(page.get_by_label("Password")).to_be_visible()
    assert await page.locator("#nav a").count() == 0
    assert await page.locator("#sign-out").count() == 0
    assert api_calls == [], "nothing is asked of the API before signing in"
    await page.close()


async def test_the_keyboard_alone_signs_in_with_a_visible_focus(
    client: TestClient, browser: Browser
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD, "USER", "Una User")
    page = await open_dashboard(browser, client)
    await page.locator("#login-title").wait_for()

    order = []
    for _ in range(4):
        await page.keyboard.press("Tab")
        order.append(await page.evaluate("document.activeElement.id"))
        outline = await page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        assert outline[0] != "none" and outline[1] >= 2, (order[-1], outline)
        if order[-1] == "email":
            await page.keyboard.type("user@paas.com")
        elif order[-1] == "password":
            await page.keyboard.type(USER_PASSWORD)
    assert order == ["skip", "email", "password", "sign-in"]
    await page.keyboard.press("Enter")

    await expect(page.locator("h1")).to_have_text("Catalog")
    await expect(page.locator("#whoami")).to_contain_text("Una User")
    # A customer is offered the customer's sections only.
    labels = await page.locator("#nav a").all_inner_texts()
    assert labels == ["Catalog", "My apps", "Wallet", "Invoices"]
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()


async def sign_in_as_admin(browser: Browser, client: TestClient) -> Page:
    await create_account(client, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR", "Ada Admin")
    page = await open_dashboard(browser, client)
    await page.get_by_label("Email").fill("admin@paas.com")
    await page.get_by_label("Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("h1")).to_have_text("Fleet")
    return page


async def test_an_expired_access_token_is_refreshed_and_the_page_goes_on(
    client: TestClient, browser: Browser, clock: FakeClock
) -> None:
    page = await sign_in_as_admin(browser, client)
    first_refresh_token = await page.evaluate("sessionStorage.getItem('minispod.refreshToken')")
    refreshes: list[int] = []
    page.on(
        "response",
        lambda r: refreshes.append(r.status) if r.url.endswith("/auth/refresh") else None,
    )

    clock.advance(ACCESS_TOKEN_TTL + 1)
    await page.locator("#nav").get_by_role("link", name="Users").click()

    await expect(page.locator("h1")).to_have_text("Users")
    await expect(page.locator("tbody")).to_contain_text("admin@paas.com")
    assert refreshes == [200]
    # The spent refresh token was replaced by its successor; the access token is nowhere stored.
    stored = await page.evaluate(
        "Object.values(sessionStorage).concat(Object.values(localStorage))"
    )
    assert first_refresh_token not in stored
    assert len(stored) == 1
    assert page.errors == []  # type: ignore[attr-defined]

    # A reload of the tab signs in again with the stored refresh token.
    await page.reload()
    await expect(page.locator("h1")).to_have_text("Users")
    await page.close()


async def test_a_session_ended_elsewhere_leads_back_to_the_login_page(
    client: TestClient, browser: Browser, clock: FakeClock
) -> None:
    page = await sign_in_as_admin(browser, client)
    # "Sign out everywhere" from another client: every refresh token of the account is revoked.
    login = await client.post(
        "/api/v1/auth/login", json={"email": "admin@paas.com", "password": ADMIN_PASSWORD}
    )
    token = (await login.json())["data"]["accessToken"]
    ended = await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert ended.status == 200

    clock.advance(ACCESS_TOKEN_TTL + 1)
    await page.locator("#nav").get_by_role("link", name="Users").click()

    await expect(page.locator("#login-title")).to_be_visible()
    await expect(page.locator("#login-error")).to_contain_text("session has ended")
    assert await page.evaluate("sessionStorage.length") == 0
    await page.close()


async def test_signing_out_forgets_the_tokens(client: TestClient, browser: Browser) -> None:
    page = await sign_in_as_admin(browser, client)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#login-title")).to_be_visible()
    assert await page.evaluate("sessionStorage.length") == 0
    await page.reload()
    await expect(page.locator("#login-title")).to_be_visible()
    await page.close()
