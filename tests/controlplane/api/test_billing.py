"""Billing through the HTTP API: wallets, paid subscriptions, credits and manual top-ups."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.db.models import Instance, LedgerTransaction, Service, Subscription
from controlplane.services.catalog.templates import DEFAULT_CATALOG
from shared.enums import TransactionType
from tests.conftest import bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import customer, subscribe
from tests.controlplane.conftest import fund

N8N_PRICE = next(e["pricing"]["monthly"] for e in DEFAULT_CATALOG if e["slug"] == "n8n")


async def wallet(client: TestClient, who: dict[str, str]) -> dict[str, Any]:
    resp = await client.get("/api/v1/billing/wallet", headers=who)
    assert resp.status == 200, await resp.text()
    return dict((await resp.json())["data"])


async def lines(client: TestClient, who: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    resp = await client.get(f"/api/v1/billing/transactions{query}", headers=who)
    assert resp.status == 200, await resp.text()
    return list((await resp.json())["data"]["transactions"])


async def user_id(client: TestClient, who: dict[str, str]) -> str:
    return str((await (await client.get("/api/v1/auth/profile", headers=who)).json())["data"]["id"])


async def test_a_new_account_has_an_empty_wallet_in_the_platform_currency(platform):
    alice = await customer(platform, "alice@example.com", funds=0)
    got = await wallet(platform, alice)
    assert got["balance"] == 0 and got["available"] == 0 and got["currency"] == "EUR"
    assert got["ownerType"] == "TEAM" and got["ownerId"] == await user_id(platform, alice)
    assert await lines(platform, alice) == []


async def test_subscribing_charges_the_first_period_from_the_wallet(platform, services):
    alice = await customer(platform, "alice@example.com", funds=N8N_PRICE + 5000)
    resp = await subscribe(platform, alice, services["n8n"])
    assert resp.status == 201, await resp.text()
    subscription = (await resp.json())["data"]
    assert (await wallet(platform, alice))["balance"] == 5000
    charge, credit = await lines(platform, alice)
    assert charge["type"] == "CHARGE" and charge["amount"] == -N8N_PRICE
    assert charge["referenceType"] == "subscription" and charge["referenceId"] == subscription["id"]
    assert charge["balanceAfter"] == 5000 and charge["actorId"] == subscription["userId"]
    assert credit["type"] == "ADJUSTMENT" and credit["amount"] == N8N_PRICE + 5000


async def test_a_short_wallet_gets_402_with_the_shortfall_and_nothing_is_created(
    platform, services
):
    alice = await customer(platform, "alice@example.com", funds=10_000)
    resp = await subscribe(platform, alice, services["n8n"], subdomain="alice-flows")
    body = await resp.json()
    assert resp.status == 402 and body["code"] == "PAYMENT_REQUIRED", body
    assert body["shortfall"] == {"amount": N8N_PRICE - 10_000, "currency": "EUR"}
    assert "150.00 EUR" in body["message"]
    assert await Subscription.all().count() == 0 and await Instance.all().count() == 0
    assert await LedgerTransaction.filter(type=TransactionType.CHARGE).count() == 0
    assert (await wallet(platform, alice))["balance"] == 10_000
    # Topped up, the same subdomain is still free: nothing was held by the refusal.
    await fund(platform, "alice@example.com", N8N_PRICE)
    again = await subscribe(platform, alice, services["n8n"], subdomain="alice-flows")
    assert again.status == 201


async def test_a_free_service_needs_no_money_and_posts_nothing(platform):
    entry = DEFAULT_CATALOG[0]
    free = await Service.create(
        name="Free trial",
        slug="free-trial",
        category=entry["category"],
        version=entry["version"],
        monthly_price=0,
        template=entry["template"].wire(),
    )
    alice = await customer(platform, "alice@example.com", funds=0)
    assert (await subscribe(platform, alice, str(free.id))).status == 201
    assert await LedgerTransaction.all().count() == 0
    assert (await wallet(platform, alice))["balance"] == 0


async def test_fifty_parallel_subscribes_against_money_for_ten_succeed_exactly_ten(
    platform, services
):
    alice = await customer(platform, "alice@example.com", funds=10 * N8N_PRICE)
    answers = await asyncio.gather(
        *(subscribe(platform, alice, services["n8n"]) for _ in range(50))
    )
    bodies = [await r.json() for r in answers]
    assert sorted(r.status for r in answers) == [201] * 10 + [402] * 40
    refused = [b for b in bodies if b["statusCode"] == 402]
    assert all(b["shortfall"] == {"amount": N8N_PRICE, "currency": "EUR"} for b in refused)
    assert await Subscription.all().count() == 10 and await Instance.all().count() == 10
    assert await LedgerTransaction.filter(type=TransactionType.CHARGE).count() == 10
    assert (await wallet(platform, alice))["balance"] == 0
    charges = await lines(platform, alice, "?type=CHARGE&limit=100")
    assert sorted(c["balanceAfter"] for c in charges) == [N8N_PRICE * i for i in range(10)]


async def test_an_administrator_credit_keeps_its_reason_and_a_key_grants_once(platform, admin):
    alice = await customer(platform, "alice@example.com", funds=0)
    body = {
        "userId": await user_id(platform, alice),
        "amount": 2500,
        "reason": "sorry for the outage",
        "idempotencyKey": "outage-2026-12-02",
    }
    first = await platform.post("/api/v1/admin/billing/credits", json=body, headers=admin)
    assert first.status == 201, await first.text()
    again = await platform.post("/api/v1/admin/billing/credits", json=body, headers=admin)
    assert again.status == 200
    assert (await again.json())["data"]["id"] == (await first.json())["data"]["id"]
    assert (await wallet(platform, alice))["balance"] == 2500
    (line,) = await lines(platform, alice)
    assert line["type"] == "ADJUSTMENT" and line["reason"] == "sorry for the outage"
    assert line["referenceType"] == "admin_action" and line["actorId"] == await user_id(
        platform, admin
    )
    other = await platform.post(
        "/api/v1/admin/billing/credits", json={**body, "amount": 9999}, headers=admin
    )
    assert other.status == 409  # the key names another credit


async def test_a_correction_takes_back_but_never_below_zero(platform, admin):
    alice = await customer(platform, "alice@example.com", funds=1000)
    target = await user_id(platform, alice)

    async def credit(amount: int) -> int:
        body = {"userId": target, "amount": amount, "reason": "correction"}
        return (
            await platform.post("/api/v1/admin/billing/credits", json=body, headers=admin)
        ).status

    assert await credit(-400) == 201
    assert await credit(-601) == 409
    assert await credit(0) == 400
    assert (await wallet(platform, alice))["balance"] == 600
    missing = {"userId": "00000000-0000-4000-8000-000000000000", "amount": 5, "reason": "who?"}
    resp = await platform.post("/api/v1/admin/billing/credits", json=missing, headers=admin)
    assert resp.status == 404


async def test_a_manual_top_up_waits_for_confirmation_and_credits_once(platform, admin):
    alice = await customer(platform, "alice@example.com", funds=0)
    resp = await platform.post(
        "/api/v1/billing/top-ups", json={"amount": 5000, "provider": "manual"}, headers=alice
    )
    assert resp.status == 201, await resp.text()
    top_up = (await resp.json())["data"]
    assert top_up["status"] == "PENDING" and top_up["reference"].startswith("MP-")
    assert top_up["reference"] in top_up["instructions"] and "50.00 EUR" in top_up["instructions"]
    assert (await wallet(platform, alice))["balance"] == 0
    confirm = f"/api/v1/admin/billing/top-ups/{top_up['id']}/confirm"
    assert (await platform.post(confirm, headers=alice)).status == 403
    done = await platform.post(confirm, headers=admin)
    assert done.status == 200, await done.text()
    assert (await done.json())["data"]["status"] == "CONFIRMED"
    assert (await platform.post(confirm, headers=admin)).status == 409
    assert (await wallet(platform, alice))["balance"] == 5000
    (line,) = await lines(platform, alice)
    assert line["type"] == "TOP_UP" and line["referenceId"] == top_up["id"]


async def test_an_administrator_finds_a_pending_top_up_by_its_reference(platform, admin):
    alice = await customer(platform, "alice@example.com", funds=0)
    bob = await customer(platform, "bob@example.com", funds=0)
    body = {"amount": 900, "provider": "manual"}
    mine = await (await platform.post("/api/v1/billing/top-ups", json=body, headers=alice)).json()
    await platform.post("/api/v1/billing/top-ups", json=body, headers=bob)
    reference = mine["data"]["reference"]
    found = await platform.get(
        f"/api/v1/billing/top-ups?status=PENDING&reference={reference}", headers=admin
    )
    (top_up,) = (await found.json())["data"]["topUps"]
    assert top_up["id"] == mine["data"]["id"]
    # A customer lists their own only, whatever they ask for.
    alice_id = await user_id(platform, alice)
    own = await platform.get(f"/api/v1/billing/top-ups?userId={alice_id}", headers=bob)
    (theirs,) = (await own.json())["data"]["topUps"]
    assert theirs["userId"] == await user_id(platform, bob) and theirs["reference"] != reference


async def test_parallel_confirms_of_one_top_up_credit_it_once(platform, admin):
    alice = await customer(platform, "alice@example.com", funds=0)
    resp = await platform.post(
        "/api/v1/billing/top-ups", json={"amount": 700, "provider": "manual"}, headers=alice
    )
    confirm = f"/api/v1/admin/billing/top-ups/{(await resp.json())['data']['id']}/confirm"
    answers = await asyncio.gather(*(platform.post(confirm, headers=admin) for _ in range(8)))
    assert sorted(r.status for r in answers) == [200] + [409] * 7
    assert (await wallet(platform, alice))["balance"] == 700


async def test_a_top_up_needs_a_known_provider_and_a_positive_amount(platform):
    alice = await customer(platform, "alice@example.com", funds=0)
    for body in ({"amount": 100, "provider": "paypal"}, {"amount": 0, "provider": "manual"}):
        resp = await platform.post("/api/v1/billing/top-ups", json=body, headers=alice)
        assert resp.status == 400, body


async def test_customers_see_only_their_own_wallet_and_never_the_admin_routes(platform, admin):
    alice = await customer(platform, "alice@example.com", funds=111)
    bob = await customer(platform, "bob@example.com", funds=222)
    bob_id = await user_id(platform, bob)
    assert (await wallet(platform, alice))["balance"] == 111
    assert [x["amount"] for x in await lines(platform, alice)] == [111]
    # A customer's userId filter cannot widen their view.
    assert [x["amount"] for x in await lines(platform, alice, f"?userId={bob_id}")] == [111]
    credit = {"userId": await user_id(platform, alice), "amount": 10**6, "reason": "for me"}
    assert (
        await platform.post("/api/v1/admin/billing/credits", json=credit, headers=alice)
    ).status == 403
    assert (await platform.get("/api/v1/billing/wallet")).status == 401
    assert [x["amount"] for x in await lines(platform, admin, f"?userId={bob_id}")] == [222]
    assert sorted(x["amount"] for x in await lines(platform, admin)) == [111, 222]


async def test_transactions_are_paged_newest_first(platform, admin):
    await create_account(platform, "carol@example.com", "Customer1!x", "USER")
    carol = bearer((await sign_in(platform, "carol@example.com", "Customer1!x"))["accessToken"])
    for amount in (1, 2, 3):
        await fund(platform, "carol@example.com", amount)
    resp = await platform.get("/api/v1/billing/transactions?limit=2", headers=carol)
    data = (await resp.json())["data"]
    assert [x["amount"] for x in data["transactions"]] == [3, 2]
    assert data["pagination"]["total"] == 3 and data["pagination"]["hasNext"] is True
    rest = await lines(platform, carol, "?limit=2&page=2")
    assert [x["amount"] for x in rest] == [1]


async def test_an_administrator_grants_credit_and_cannot_lower_it_below_the_debt(
    platform, services, admin
):
    alice = await customer(platform, "alice@example.com", funds=0)
    path = f"/api/v1/admin/billing/wallets/{await user_id(platform, alice)}/credit-limit"
    assert (await platform.put(path, json={"creditLimit": N8N_PRICE}, headers=alice)).status == 403
    granted = await platform.put(path, json={"creditLimit": N8N_PRICE + 100}, headers=admin)
    assert granted.status == 200, await granted.text()
    assert (await granted.json())["data"]["available"] == N8N_PRICE + 100
    assert (await subscribe(platform, alice, services["n8n"])).status == 201
    got = await wallet(platform, alice)
    assert got["balance"] == -N8N_PRICE and got["available"] == 100
    lower = await platform.put(path, json={"creditLimit": N8N_PRICE - 1}, headers=admin)
    assert lower.status == 409
    assert (await wallet(platform, alice))["creditLimit"] == N8N_PRICE + 100
    negative = await platform.put(path, json={"creditLimit": -5}, headers=admin)
    assert negative.status == 400
    nobody = "/api/v1/admin/billing/wallets/00000000-0000-4000-8000-000000000000/credit-limit"
    assert (await platform.put(nobody, json={"creditLimit": 5}, headers=admin)).status == 404
