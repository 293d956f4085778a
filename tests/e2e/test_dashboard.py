"""The web dashboard end to end in real headless chromium, against a real control plane with a
real agent reporting this machine: an administrator sees the node ACTIVE with its figures,
subscribes to Ghost and sees it RUNNING, cordons the node; the phone layout holds at 390 px.
Screenshots go to artifacts/test_dashboard/<test>/."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import StartAgent
from tests.processes import ADMIN_EMAIL, ADMIN_PASSWORD, AdminApi, ControlPlane, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def seed_catalog() -> bool:
    return True


@pytest.fixture
def control_plane_settings() -> dict[str, str]:
    # The in-memory cluster runs a placed pod at the next reconcile pass: make passes quick.
    return {"MINISPOD_RECONCILE_INTERVAL": "0.3"}


def active_node(admin: AdminApi, start_agent: StartAgent) -> dict[str, object]:
    agent = start_agent()
    node_id = agent.wait_registered()
    return wait_for(
        lambda: (
            (n := admin.node(node_id))["status"] == "ACTIVE" and n["cpuPercent"] is not None and n
        ),
        10,
        "this machine's node ACTIVE with a usage sample",
    )


async def signed_in(browser: Browser, control_plane: ControlPlane, width: int) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(control_plane.url + "/")
    await page.get_by_label("Email").fill(ADMIN_EMAIL)
    await page.get_by_label("Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("h1")).to_have_text("Fleet")
    return page


async def test_an_administrator_runs_ghost_on_this_machine_and_cordons_it(
    control_plane: ControlPlane,
    admin: AdminApi,
    start_agent: StartAgent,
    browser: Browser,
    artifacts: Path,
) -> None:
    node = active_node(admin, start_agent)
    ghost = next(
        s for s in admin.data("GET", "/services?limit=100")["services"] if s["slug"] == "ghost"
    )
    me = admin.data("GET", "/auth/profile")
    # Subscribing pays the first period: the administrator's wallet is credited first.
    admin.data(
        "POST",
        "/admin/billing/credits",
        {"userId": me["id"], "amount": ghost["pricing"]["monthly"], "reason": "dashboard e2e"},
    )
    page = await signed_in(browser, control_plane, 1280)

    # The fleet, searched on the server: this machine's node with its figures.
    await page.get_by_label("Search nodes").fill(str(node["name"]))
    row = page.locator(f'tr[data-node="{node["name"]}"]')
    await expect(row).to_contain_text("ACTIVE")
    await expect(row).to_contain_text(f"/ {node['cpuCores']} cores")
    await expect(row.locator('[aria-label^="CPU used"]')).to_have_attribute(
        "aria-label", re.compile(r"CPU used: \d+ %")
    )
    await expect(page.locator(".pager")).to_contain_text("1 nodes")
    await page.screenshot(path=artifacts / "fleet-1280.png", full_page=True)

    # The node: its facts, a usage chart from its samples, and its events.
    await row.get_by_role("link", name=str(node["name"])).click()
    facts = page.locator("#node-facts")
    await expect(facts).to_contain_text("ACTIVE")
    await expect(facts).to_contain_text(socket.gethostname())
    await expect(facts).to_contain_text(f"{node['cpuCores']} cores")
    chart = page.locator("#usage-chart svg")
    await expect(chart).to_have_attribute("aria-label", re.compile(r"CPU now \d+ %"))
    assert int(await chart.get_attribute("data-points") or 0) >= 1
    events = page.locator('section[aria-labelledby="events-title"] tbody')
    await expect(events).to_contain_text("registered by agent")
    await expect(events.locator("tr").first).to_contain_text("ACTIVE")
    await page.screenshot(path=artifacts / "node-1280.png", full_page=True)

    # Subscribe to Ghost from the catalog; the apps page follows it to RUNNING.
    await page.locator("#nav").get_by_role("link", name="Catalog").click()
    await page.get_by_role("button", name="Subscribe to Ghost").click()
    await expect(page.locator("h1")).to_have_text("My apps")
    app = page.locator("tbody tr").filter(has_text="Ghost")
    await expect(app).to_contain_text("RUNNING", timeout=20_000)
    await expect(app.get_by_role("link")).to_have_text(re.compile(r"^http://ghost-"))
    (instance,) = admin.data("GET", "/instances")["instances"]
    assert instance["status"] == "RUNNING"
    assert instance["nodeId"] == node["id"]
    await app.get_by_role("button", name="Logs").click()
    await expect(page.locator("#logs-title")).to_be_focused()
    await page.screenshot(path=artifacts / "apps-1280.png", full_page=True)

    await page.locator("#nav").get_by_role("link", name="Wallet").click()
    await expect(page.locator("tbody")).to_contain_text("Ghost: first period")
    await page.locator("#nav").get_by_role("link", name="Subscriptions").click()
    # Each subscription names its subscriber by name and email, not by id.
    subscription = page.locator("tbody tr").filter(has_text="Ghost")
    await expect(subscription).to_contain_text(f"{me['name']} <{ADMIN_EMAIL}>")
    await page.locator("#nav").get_by_role("link", name="Users").click()
    await page.get_by_label("Search users").fill(ADMIN_EMAIL)
    await expect(page.locator("tbody")).to_contain_text(ADMIN_EMAIL)

    # Cordon the node: the page says so, and so does the API.
    await page.goto(f"{control_plane.url}/#/nodes/{node['id']}")
    await page.get_by_role("button", name="Cordon").click()
    await expect(page.get_by_role("button", name="Uncordon")).to_be_visible()
    await expect(facts).to_contain_text("cordoned")
    assert admin.node(str(node["id"]))["isSchedulable"] is False
    await page.screenshot(path=artifacts / "node-cordoned-1280.png", full_page=True)

    await page.locator("#nav").get_by_role("link", name="Statistics").click()
    await expect(page.locator("#stats")).to_contain_text("Online")
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()


async def test_the_fleet_reads_on_a_390_px_phone(
    control_plane: ControlPlane,
    admin: AdminApi,
    start_agent: StartAgent,
    browser: Browser,
    artifacts: Path,
) -> None:
    node = active_node(admin, start_agent)
    page = await signed_in(browser, control_plane, 390)

    row = page.locator(f'tr[data-node="{node["name"]}"]')
    await expect(row).to_contain_text("ACTIVE")
    # Nothing wider than the screen: rows become cards, the header row is for screen readers.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    box = await row.bounding_box()
    assert box is not None and box["width"] <= 390
    header = await page.locator("thead").bounding_box()
    assert header is not None and header["height"] <= 1
    cell = row.locator('td[data-label="State"]')
    label = await cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"State"'
    await page.screenshot(path=artifacts / "fleet-390.png", full_page=True)

    await row.get_by_role("link").click()
    await expect(page.locator("#usage-chart svg")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.screenshot(path=artifacts / "node-390.png", full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
    await page.close()
