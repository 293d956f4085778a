"""The dashboard acts in a team, in real headless chromium: someone in several teams picks one
with a labelled picker (the keyboard alone will do), every call then carries X-Team-ID and the
catalog, apps, wallet and invoices are that team's; the choice survives a reload and is dropped
once they leave the team; a viewer who tries to subscribe is told in the page why not; someone
in one team sees no picker; and administrators read subscribers by name and email, across
every team whichever they picked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, Page, Request, expect

from controlplane.db.models import Subscription, User
from shared.enums import TeamRole
from tests.conftest import ADMIN_PASSWORD, bearer, create_account, sign_in
from tests.controlplane.api.test_team_ownership import member

PASSWORD = "Customer1!x"
PREFIX = "/api/v1"
TEAM_FUNDS = 50_000


@pytest.fixture
def dialect() -> str:
    # The pages read what the API answers; the API's teams are tested on both databases.
    return "sqlite"


async def person(client: TestClient, email: str, name: str) -> dict[str, str]:
    await create_account(client, email, PASSWORD, "USER", name)
    return bearer((await sign_in(client, email, PASSWORD))["accessToken"])


async def api(
    client: TestClient, method: str, path: str, who: dict[str, str], body: Any = None
) -> Any:
    resp = await client.request(method, PREFIX + path, json=body, headers=who)
    envelope = await resp.json()
    assert resp.status < 300, envelope
    return envelope["data"]


async def acme_with_ghost(
    client: TestClient, admin: dict[str, str], services: dict[str, str]
) -> dict[str, Any]:
    """Olive Owner's team Acme, funded, with Ghost subscribed in it (paid by its wallet, so
    it has an invoice); Olive's own team has nothing."""
    olive = await person(client, "olive@example.com", "Olive Owner")
    team = await api(client, "POST", "/teams", olive, {"name": "Acme"})
    await api(
        client,
        "POST",
        "/admin/billing/credits",
        admin,
        {"userId": team["id"], "amount": TEAM_FUNDS, "reason": "team funds"},
    )
    in_acme = {**olive, "X-Team-ID": team["id"]}
    ghost = await api(client, "POST", "/subscriptions", in_acme, {"serviceId": services["ghost"]})
    wallet = await api(client, "GET", "/billing/wallet", in_acme)
    (invoice,) = (await api(client, "GET", "/billing/invoices", in_acme))["invoices"]
    return {"id": team["id"], "olive": olive, "ghost": ghost, "wallet": wallet, "invoice": invoice}


async def signed_in(browser: Browser, client: TestClient, email: str, password: str) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    calls: list[Request] = []
    page.on("request", lambda r: calls.append(r) if "/api/v1/" in r.url else None)
    page.calls = calls  # type: ignore[attr-defined]
    await page.goto(str(client.make_url("/")))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#whoami")).to_be_visible()
    return page


async def viewer_in_acme(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], browser: Browser
) -> tuple[dict[str, str], Page]:
    """Acme with Olive's Ghost, and Vic, a viewer there, signed in (in his personal team)."""
    acme = await acme_with_ghost(platform, admin, services)
    await person(platform, "vic@example.com", "Vic Viewer")
    await member(acme["id"], "vic@example.com", TeamRole.VIEWER)
    return acme, await signed_in(browser, platform, "vic@example.com", PASSWORD)


async def money(page: Page, minor: int, currency: str) -> str:
    """An amount as the page formats it (the browser's locale)."""
    return str(
        await page.evaluate(
            "([m, c]) => new Intl.NumberFormat(undefined, {style: 'currency', currency: c})"
            ".format(m / 100)",
            [minor, currency],
        )
    )


async def user_id(email: str) -> str:
    return str((await User.get(email=email)).id)


def team_headers(page: Page, since: int = 0) -> list[str | None]:
    return [r.headers.get("x-team-id") for r in page.calls[since:]]  # type: ignore[attr-defined]


async def test_a_member_of_two_teams_picks_one_with_the_keyboard_and_sees_its_things(
    platform: TestClient,
    admin: dict[str, str],
    services: dict[str, str],
    browser: Browser,
    artifacts: Path,
) -> None:
    acme = await acme_with_ghost(platform, admin, services)
    page = await signed_in(browser, platform, "olive@example.com", PASSWORD)
    await expect(page.locator("h1")).to_have_text("Catalog")
    picker = page.get_by_label("Team", exact=True)
    await expect(picker).to_have_value(await user_id("olive@example.com"))
    assert await picker.locator("option").all_inner_texts() == ["Personal", "Acme (owner)"]
    # In the personal team: no apps, and no header names a team.
    await page.locator("#nav").get_by_role("link", name="My apps").click()
    await expect(page.locator("h1")).to_have_text("My apps")
    await expect(page.locator("tbody")).to_contain_text("Nothing here yet")
    assert set(team_headers(page)) == {None}

    # The keyboard alone: focus the picker, arrow down to Acme.
    picked_at = len(page.calls)  # type: ignore[attr-defined]
    await picker.focus()
    await page.keyboard.press("ArrowDown")
    await expect(picker).to_have_value(acme["id"])
    await expect(page.locator("tbody tr").filter(has_text="Ghost")).to_be_visible()
    await expect(picker).to_be_focused()  # the view redrew around it, the focus stayed
    await page.screenshot(path=artifacts / "apps-of-acme-1280.png", full_page=True)

    await page.locator("#nav").get_by_role("link", name="Wallet").click()
    balance = await money(page, acme["wallet"]["balance"], acme["wallet"]["currency"])
    await expect(page.locator("#wallet")).to_contain_text(balance)
    await expect(page.locator("tbody")).to_contain_text("Ghost: first period")
    await page.locator("#nav").get_by_role("link", name="Invoices").click()
    invoice = page.locator(f'tr[data-invoice="{acme["invoice"]["number"]}"]')
    await expect(invoice).to_contain_text("Invoice")
    await expect(invoice).to_contain_text(
        await money(page, acme["invoice"]["total"], acme["invoice"]["currency"])
    )
    await page.locator("#nav").get_by_role("link", name="Catalog").click()
    await expect(page.locator("main")).to_contain_text(
        "Available in Acme's wallet: "
        + await money(page, acme["wallet"]["available"], acme["wallet"]["currency"])
    )
    # Every call since the pick named Acme.
    assert team_headers(page, picked_at) and set(team_headers(page, picked_at)) == {acme["id"]}

    # Remembered across a reload (in localStorage, for this account).
    await page.reload()
    await expect(page.locator("h1")).to_have_text("Catalog")
    await expect(page.get_by_label("Team", exact=True)).to_have_value(acme["id"])
    await page.locator("#nav").get_by_role("link", name="My apps").click()
    await expect(page.locator("tbody tr").filter(has_text="Ghost")).to_be_visible()

    # Back to the personal team: its (empty) apps, and nothing remembered any more.
    await page.get_by_label("Team", exact=True).select_option(label="Personal")
    await expect(page.locator("tbody")).to_contain_text("Nothing here yet")
    assert await page.evaluate("localStorage.length") == 0
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()


async def test_a_viewer_who_tries_to_subscribe_is_told_in_the_page_their_role_does_not_allow_it(
    platform: TestClient,
    admin: dict[str, str],
    services: dict[str, str],
    browser: Browser,
    artifacts: Path,
) -> None:
    acme, page = await viewer_in_acme(platform, admin, services, browser)
    await page.get_by_label("Team", exact=True).select_option(label="Acme (viewer)")
    await expect(page.get_by_label("Team", exact=True)).to_have_value(acme["id"])

    await page.get_by_role("button", name="Subscribe to Ghost").click()

    alert = page.get_by_role("alert").filter(has_text="viewer")
    await expect(alert).to_have_text(
        "As a viewer in Acme you cannot subscribe to services or change the team's "
        "subscriptions (it needs subscriptions:write). An owner of the team can give you "
        "another role."
    )
    await page.screenshot(path=artifacts / "viewer-refused-1280.png")
    await expect(page.locator("h1")).to_have_text("Catalog")  # not sent to an empty apps page
    await expect(page.get_by_role("button", name="Subscribe to Ghost")).to_be_enabled()
    assert await Subscription.filter(team_id=acme["id"]).count() == 1  # Olive's Ghost only
    # Moving on clears it.
    await page.locator("#nav").get_by_role("link", name="My apps").click()
    await expect(page.locator("tbody tr").filter(has_text="Ghost")).to_be_visible()
    await expect(page.locator("#page-alert")).to_be_empty()
    await expect(page.locator("#page-alert")).to_be_hidden()
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()


async def test_someone_in_one_team_sees_no_picker_and_names_no_team(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], browser: Browser
) -> None:
    await person(platform, "solo@example.com", "Sol Solo")
    page = await signed_in(browser, platform, "solo@example.com", PASSWORD)
    await expect(page.locator("h1")).to_have_text("Catalog")
    await page.locator("#nav").get_by_role("link", name="Wallet").click()
    await expect(page.locator("h1")).to_have_text("Wallet")

    assert await page.locator("#team-picker").count() == 0
    assert await page.get_by_label("Team", exact=True).count() == 0
    assert set(team_headers(page)) == {None}
    assert await page.evaluate("localStorage.length") == 0
    await page.close()


async def test_a_remembered_team_the_member_has_left_gives_way_to_the_personal_team(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], browser: Browser
) -> None:
    acme = await acme_with_ghost(platform, admin, services)
    await person(platform, "dev@example.com", "Dee Developer")
    await member(acme["id"], "dev@example.com", TeamRole.DEVELOPER)
    page = await signed_in(browser, platform, "dev@example.com", PASSWORD)
    await page.get_by_label("Team", exact=True).select_option(label="Acme (developer)")
    await page.locator("#nav").get_by_role("link", name="My apps").click()
    await expect(page.locator("tbody tr").filter(has_text="Ghost")).to_be_visible()
    assert await page.evaluate("localStorage.length") == 1

    dev_id = await user_id("dev@example.com")
    await api(platform, "DELETE", f"/teams/{acme['id']}/members/{dev_id}", acme["olive"])
    await page.reload()

    await expect(page.locator("h1")).to_have_text("My apps")
    await expect(page.locator("tbody")).to_contain_text("Nothing here yet")
    assert await page.locator("#team-picker").count() == 0
    assert await page.evaluate("localStorage.length") == 0
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()


async def test_administrators_read_subscribers_by_name_and_email_across_every_team(
    platform: TestClient,
    admin: dict[str, str],
    services: dict[str, str],
    browser: Browser,
    artifacts: Path,
) -> None:
    acme = await acme_with_ghost(platform, admin, services)
    # The administrator is in a team of their own besides the personal one, and picks it.
    ops = await api(platform, "POST", "/teams", admin, {"name": "Ops"})
    page = await signed_in(browser, platform, "admin@paas.com", ADMIN_PASSWORD)
    await page.get_by_label("Team", exact=True).select_option(label="Ops (owner)")
    await expect(page.get_by_label("Team", exact=True)).to_have_value(ops["id"])

    listed_at = len(page.calls)  # type: ignore[attr-defined]
    await page.locator("#nav").get_by_role("link", name="Subscriptions").click()

    row = page.locator(f'tr[data-subscription="{acme["ghost"]["id"]}"]')
    cell = row.locator('td[data-label="Subscriber"]')
    await expect(cell).to_have_text("Olive Owner <olive@example.com>")
    await page.screenshot(path=artifacts / "subscriptions-1280.png")
    await expect(row).to_contain_text("Ghost")
    # The platform's list, not the picked team's: no team named on the administrators' page.
    listing = [
        r
        for r in page.calls[listed_at:]  # type: ignore[attr-defined]
        if "/api/v1/subscriptions" in r.url
    ]
    assert listing and all(r.headers.get("x-team-id") is None for r in listing)
    # Their own customer pages do act in Ops.
    await page.locator("#nav").get_by_role("link", name="My apps").click()
    await expect(page.locator("tbody")).to_contain_text("Nothing here yet")
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()


async def test_the_team_picker_and_a_refusal_fit_a_390_px_phone(
    platform: TestClient,
    admin: dict[str, str],
    services: dict[str, str],
    browser: Browser,
    artifacts: Path,
) -> None:
    _, page = await viewer_in_acme(platform, admin, services, browser)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.get_by_label("Team", exact=True).select_option(label="Acme (viewer)")
    await page.get_by_role("button", name="Subscribe to Ghost").click()
    await expect(page.locator("#page-alert")).to_contain_text("As a viewer in Acme")

    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    for part in ("#team-picker", "#page-alert"):
        box = await page.locator(part).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, part
    await page.screenshot(path=artifacts / "viewer-refused-390.png", full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()
