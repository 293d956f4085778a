"""Handlers of /billing (a customer's own wallet) and /admin/billing (administrators)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import ACCOUNTS, CONFIG, TOP_UPS
from controlplane.services.billing import credits, statement, top_ups
from controlplane.services.billing.wallets import WalletOwner, wallet_of
from shared.wire.billing import (
    CreditRequest,
    TopUpList,
    TopUpListQuery,
    TopUpOut,
    TopUpRequest,
    TransactionLine,
    TransactionList,
    TransactionListQuery,
    WalletOut,
)


async def wallet(call: Call[Any, Any]) -> web.Response:
    owner = WalletOwner.user(call.principal.id)
    return ok(await wallet_of(owner, call.request.app[CONFIG].currency), "Wallet")


async def transactions(call: Call[Any, TransactionListQuery]) -> web.Response:
    currency = call.request.app[CONFIG].currency
    return ok(
        await statement.list_transactions(call.principal, call.query, currency), "Transactions"
    )


async def start_top_up(call: Call[TopUpRequest, Any]) -> web.Response:
    call.request.app[ACCOUNTS].require_verified(call.principal)
    started = await call.request.app[TOP_UPS].start(call.principal, call.body)
    return ok(started, "Top-up started: pay as the instructions say", status=201)


async def list_top_ups(call: Call[Any, TopUpListQuery]) -> web.Response:
    return ok(await top_ups.list_top_ups(call.principal, call.query), "Top-ups")


async def confirm_top_up(call: Call[Any, Any]) -> web.Response:
    confirmed = await call.request.app[TOP_UPS].confirm(call.principal, call.param("topUpId"))
    return ok(confirmed, "Top-up confirmed; the wallet is credited")


async def grant_credit(call: Call[CreditRequest, Any]) -> web.Response:
    line, new = await credits.grant(call.principal, call.body, call.request.app[CONFIG].currency)
    if not new:
        return ok(line, "Credit already granted with this key; nothing changed")
    return ok(line, "Credit granted", status=201)


ROUTES: list[Route] = [
    Route(
        "GET",
        "/billing/wallet",
        wallet,
        Access.USER,
        "Own wallet: balance and currency",
        "billing",
        response=WalletOut,
    ),
    Route(
        "GET",
        "/billing/transactions",
        transactions,
        Access.USER,
        "Ledger lines of the wallet (own; any user's for administrators)",
        "billing",
        query=TransactionListQuery,
        response=TransactionList,
    ),
    Route(
        "POST",
        "/billing/top-ups",
        start_top_up,
        Access.USER,
        "Start a top-up: a pending payment with a reference and instructions",
        "billing",
        body=TopUpRequest,
        response=TopUpOut,
        status=201,
    ),
    Route(
        "GET",
        "/billing/top-ups",
        list_top_ups,
        Access.USER,
        "List top-ups (own; all for administrators, by status, reference or userId)",
        "billing",
        query=TopUpListQuery,
        response=TopUpList,
    ),
    Route(
        "POST",
        "/admin/billing/credits",
        grant_credit,
        Access.ADMIN,
        "Credit (or correct) a user's wallet, with a reason",
        "billing",
        body=CreditRequest,
        response=TransactionLine,
        status=201,
    ),
    Route(
        "POST",
        "/admin/billing/top-ups/{topUpId}/confirm",
        confirm_top_up,
        Access.ADMIN,
        "Confirm a manual top-up: the wallet is credited once",
        "billing",
        response=TopUpOut,
    ),
]
