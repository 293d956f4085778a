"""Invoices through the HTTP API: one per charge, numbered without gaps per year, the
seller, tax and buyer as they were at issue, visible to their owner only, and as a PDF."""

from __future__ import annotations

import asyncio
from asyncio.subprocess import PIPE
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.db.models import Invoice, Service
from tests.conftest import FakeClock, bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import customer, reconcile, subscribe
from tests.controlplane.conftest import fund

DAY = 24 * 3600
SELLER = {
    "seller_name": "Pod Hosting GmbH",
    "seller_address": "Hauptstrasse 1, 10115 Berlin",
    "seller_vat_id": "DE123456789",
    "tax_rate": 1900,
}


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster) -> TestClient:
    """The app with a seller and a 19 % tax rate configured."""
    app = create_app(
        config.replace(run_jobs=False, max_subscriptions_per_team=500, **SELLER),
        clock=clock,
        cluster=cluster,
    )
    return await aiohttp_client(app)


async def invoices(client: TestClient, who: dict[str, str], query: str = "") -> dict[str, Any]:
    resp = await client.get(f"/api/v1/billing/invoices{query}", headers=who)
    assert resp.status == 200, await resp.text()
    return dict((await resp.json())["data"])


async def pdftotext(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (the layout kept, so a row stays a row)."""
    reader = await asyncio.create_subprocess_exec(
        "pdftotext", "-layout", "-", "-", stdin=PIPE, stdout=PIPE, stderr=PIPE
    )
    out, err = await reader.communicate(pdf)
    assert reader.returncode == 0, err.decode()
    return out.decode()


async def price_of(services: dict[str, str], slug: str) -> int:
    return (await Service.get(id=services[slug])).monthly_price


async def test_a_subscription_charge_issues_an_invoice_with_seller_buyer_tax_and_period(
    platform, services, clock: FakeClock
):
    price = await price_of(services, "n8n")
    alice = await customer(platform, "alice@example.com", funds=price)
    resp = await subscribe(platform, alice, services["n8n"])
    subscription = (await resp.json())["data"]
    listed = await invoices(platform, alice)
    (invoice,) = listed["invoices"]
    assert listed["pagination"]["total"] == 1
    assert invoice["number"] == f"INV-{clock.now.year}-000001"
    assert invoice["kind"] == "INVOICE" and invoice["currency"] == "EUR"
    assert invoice["seller"] == {
        "name": "Pod Hosting GmbH",
        "address": "Hauptstrasse 1, 10115 Berlin",
        "vatId": "DE123456789",
    }
    assert invoice["buyer"] == {"name": "Someone", "email": "alice@example.com"}
    (line,) = invoice["lines"]
    assert line == {
        "description": "N8N Automation: first period",
        "quantity": 1,
        "unitAmount": price,
        "amount": price,
    }
    assert invoice["total"] == price and invoice["taxRate"] == 1900
    # Tax-inclusive, in whole cents: the tax contained in the price, rounded half up.
    assert invoice["tax"] == (2 * price * 1900 + 11900) // (2 * 11900)
    assert invoice["subtotal"] + invoice["tax"] == price
    assert invoice["periodStart"] == subscription["currentPeriodStart"]
    assert invoice["periodEnd"] == subscription["currentPeriodEnd"]
    charge = (await (await platform.get("/api/v1/billing/transactions", headers=alice)).json())[
        "data"
    ]["transactions"][0]
    assert invoice["transactionId"] == charge["id"]
    one = await platform.get(f"/api/v1/billing/invoices/{invoice['id']}", headers=alice)
    assert one.status == 200 and (await one.json())["data"] == invoice


async def test_the_buyer_on_an_issued_invoice_keeps_the_name_it_had(platform, services):
    alice = await customer(platform, "alice@example.com", funds=await price_of(services, "n8n"))
    await subscribe(platform, alice, services["n8n"])
    renamed = await platform.put("/api/v1/auth/profile", json={"name": "Alice B."}, headers=alice)
    assert renamed.status == 200, await renamed.text()
    (invoice,) = (await invoices(platform, alice))["invoices"]
    assert invoice["buyer"]["name"] == "Someone"


async def test_another_users_invoice_is_not_found_and_admins_filter_by_user(
    platform, services, admin
):
    alice = await customer(platform, "alice@example.com", funds=await price_of(services, "n8n"))
    bob = await customer(platform, "bob@example.com", funds=0)
    await subscribe(platform, alice, services["n8n"])
    (invoice,) = (await invoices(platform, alice))["invoices"]
    for path in (f"/billing/invoices/{invoice['id']}", f"/billing/invoices/{invoice['id']}/pdf"):
        resp = await platform.get(f"/api/v1{path}", headers=bob)
        assert resp.status == 404 and (await resp.json())["code"] == "NOT_FOUND"
    assert (await invoices(platform, bob, f"?userId={invoice['userId']}"))["invoices"] == []
    bob_id = (await (await platform.get("/api/v1/auth/profile", headers=bob)).json())["data"]["id"]
    assert (await invoices(platform, admin, f"?userId={bob_id}"))["invoices"] == []
    (seen,) = (await invoices(platform, admin, f"?userId={invoice['userId']}"))["invoices"]
    assert seen["id"] == invoice["id"]
    bad = await platform.get("/api/v1/billing/invoices/not-an-id", headers=alice)
    assert bad.status in (400, 404)
    assert (await platform.get("/api/v1/billing/invoices")).status == 401


async def test_the_pdf_reads_back_with_its_number_lines_and_total(platform, services):
    price = await price_of(services, "n8n")
    alice = await customer(platform, "alice@example.com", funds=price)
    await subscribe(platform, alice, services["n8n"])
    (invoice,) = (await invoices(platform, alice))["invoices"]
    resp = await platform.get(f"/api/v1/billing/invoices/{invoice['id']}/pdf", headers=alice)
    assert resp.status == 200
    assert resp.content_type == "application/pdf"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{invoice["number"]}.pdf"'
    pdf = await resp.read()
    assert pdf.startswith(b"%PDF-")
    text = await pdftotext(pdf)
    euros = f"{price // 100}.{price % 100:02d} EUR"
    assert f"Invoice {invoice['number']}" in text
    assert "N8N Automation: first period" in text and euros in text
    assert f"Total {euros}" in text
    tax = invoice["tax"]
    assert f"Tax (19.00 %) {tax // 100}.{tax % 100:02d} EUR" in text
    assert "Pod Hosting GmbH" in text and "DE123456789" in text and "alice@example.com" in text


async def test_parallel_charges_are_numbered_one_to_n_with_no_gap_and_no_duplicate(
    platform, services, clock: FakeClock
):
    """30 customers subscribe at once: 20 can pay, 5 cannot (402) and 5 could but ask for a
    subdomain that is taken (409, refused before any charge). Only the 20 that committed
    hold a number."""
    price = await price_of(services, "n8n")
    taker = await customer(platform, "taker@example.com", funds=price)
    assert (await subscribe(platform, taker, services["n8n"], subdomain="taken")).status == 201
    people = []
    for i in range(30):
        email = f"c{i}@example.com"
        await create_account(platform, email, "Customer1!x", "USER")
        if i < 25:
            await fund(platform, email, price)
        people.append(email)
    headers = [bearer((await sign_in(platform, e, "Customer1!x"))["accessToken"]) for e in people]
    answers = await asyncio.gather(
        *(
            subscribe(
                platform, h, services["n8n"], **({"subdomain": "taken"} if 20 <= i < 25 else {})
            )
            for i, h in enumerate(headers)
        )
    )
    statuses = [r.status for r in answers]
    assert statuses[:20] == [201] * 20
    assert statuses[20:25] == [409] * 5 and statuses[25:] == [402] * 5
    numbers = sorted(await Invoice.all().values_list("number", flat=True))
    year = clock.now.year
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, 22)]


async def test_numbering_starts_again_at_one_in_a_new_year(platform, services, clock: FakeClock):
    clock.now = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    price = await price_of(services, "n8n")
    alice = await customer(platform, "alice@example.com", funds=3 * price)
    await subscribe(platform, alice, services["n8n"])
    clock.advance(60)
    await subscribe(platform, alice, services["n8n"])
    clock.advance(32 * DAY)  # 2027-01-21: the first renewal is due and paid
    await reconcile(platform)
    alice = bearer((await sign_in(platform, "alice@example.com", "Customer1!x"))["accessToken"])
    listed = await invoices(platform, alice, "?sortOrder=asc&limit=10")
    numbers = [i["number"] for i in listed["invoices"]]
    assert numbers[:2] == ["INV-2026-000001", "INV-2026-000002"]
    assert numbers[2] == "INV-2027-000001"
    renewal = listed["invoices"][2]
    assert renewal["lines"][0]["description"] == "N8N Automation: renewal"
    assert renewal["periodStart"].startswith("2027-01-20")
