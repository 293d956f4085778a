"""Handlers of /billing (the acting team's wallet) and /admin/billing (administrators)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import (
    ACCOUNTS,
    CLOCK,
    CONFIG,
    CREDITS,
    NOTICES,
    STRIPE,
    SUBSCRIPTIONS,
    TOP_UPS,
)
from controlplane.services.apps import spending
from controlplane.services.apps.billing_stats import billing_stats
from controlplane.services.billing import invoice_pdf, invoices, statement, top_ups
from controlplane.services.billing.wallets import WalletOwner, wallet_of
from controlplane.services.errors import NotFound
from shared.wire.billing import (
    BillingStats,
    CreditLimitRequest,
    CreditRequest,
    InvoiceList,
    InvoiceListQuery,
    InvoiceOut,
    PaymentReceipt,
    TopUpList,
    TopUpListQuery,
    TopUpOut,
    TopUpRequest,
    TransactionLine,
    TransactionList,
    TransactionListQuery,
    WalletOut,
    WalletView,
)


async def wallet(call: Call[Any, Any]) -> web.Response:
    app = call.request.app
    owner = WalletOwner.team(call.acting.team_id)
    currency = app[CONFIG].currency
    held = await wallet_of(owner, currency)
    runway, low = await app[NOTICES].standing(owner, currency)
    days = runway.days
    view = WalletView(
        **held.model_dump(),
        daily_spend=runway.per_day,
        runway_days=round(days, 2) if days is not None else None,
        low_balance=low,
        next_charges=await spending.next_charges(owner, currency),
    )
    return ok(view, "Wallet")


async def transactions(call: Call[Any, TransactionListQuery]) -> web.Response:
    currency = call.request.app[CONFIG].currency
    return ok(await statement.list_transactions(call.acting, call.query, currency), "Transactions")


async def list_invoices(call: Call[Any, InvoiceListQuery]) -> web.Response:
    return ok(await invoices.list_invoices(call.acting, call.query), "Invoices")


async def get_invoice(call: Call[Any, Any]) -> web.Response:
    return ok(await invoices.visible_invoice(call.acting, call.param("invoiceId")), "Invoice")


async def invoice_as_pdf(call: Call[Any, Any]) -> web.Response:
    invoice = await invoices.visible_invoice(call.acting, call.param("invoiceId"))
    return web.Response(
        body=invoice_pdf.render(invoice),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{invoice_pdf.filename(invoice)}"'},
    )


async def stats(call: Call[Any, Any]) -> web.Response:
    terms = call.request.app[SUBSCRIPTIONS].terms
    figures = await billing_stats(
        terms.currency, terms.period, terms.retention, call.request.app[CLOCK]()
    )
    return ok(figures, "Billing figures")


async def change_credit_limit(call: Call[CreditLimitRequest, Any]) -> web.Response:
    changed = await call.request.app[CREDITS].allow_credit(
        call.param("userId"), call.body.credit_limit
    )
    return ok(changed, "Credit limit set")


async def start_top_up(call: Call[TopUpRequest, Any]) -> web.Response:
    call.request.app[ACCOUNTS].require_verified(call.principal)
    started = await call.request.app[TOP_UPS].start(call.acting, call.body)
    return ok(started, "Top-up started: pay as the instructions say", status=201)


async def list_top_ups(call: Call[Any, TopUpListQuery]) -> web.Response:
    return ok(await top_ups.list_top_ups(call.acting, call.query), "Top-ups")


async def confirm_top_up(call: Call[Any, Any]) -> web.Response:
    confirmed = await call.request.app[TOP_UPS].confirm(call.principal, call.param("topUpId"))
    return ok(confirmed, "Top-up confirmed; the wallet is credited")


async def stripe_webhook(call: Call[Any, Any]) -> web.Response:
    """Stripe's events, authenticated by their signature alone (no bearer token). A replay
    answers 200 like any duplicate Stripe redelivers: it was handled once already."""
    stripe = call.request.app[STRIPE]
    if stripe is None:
        raise NotFound("Stripe payments are not configured on this platform")
    notice = stripe.read_event(
        await call.request.read(), call.request.headers.get(STRIPE_SIGNATURE)
    )
    receipt = await call.request.app[TOP_UPS].apply(notice)
    return ok(receipt, "Event received")


STRIPE_SIGNATURE = "Stripe-Signature"


async def grant_credit(call: Call[CreditRequest, Any]) -> web.Response:
    line, new = await call.request.app[CREDITS].grant(call.principal, call.body)
    if not new:
        return ok(line, "Credit already granted with this key; nothing changed")
    return ok(line, "Credit granted", status=201)


ROUTES: list[Route] = [
    Route(
        "GET",
        "/billing/wallet",
        wallet,
        Access.USER,
        "Own wallet: balance, daily spend, runway and next charges",
        "billing",
        response=WalletView,
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
        "GET",
        "/billing/invoices",
        list_invoices,
        Access.USER,
        "Invoices and credit notes (own; any user's for administrators, by userId)",
        "billing",
        query=InvoiceListQuery,
        response=InvoiceList,
    ),
    Route(
        "GET",
        "/billing/invoices/{invoiceId}",
        get_invoice,
        Access.USER,
        "One invoice or credit note",
        "billing",
        response=InvoiceOut,
    ),
    Route(
        "GET",
        "/billing/invoices/{invoiceId}/pdf",
        invoice_as_pdf,
        Access.USER,
        "One invoice or credit note as a PDF (application/pdf, as an attachment)",
        "billing",
        produces="application/pdf",
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
        "/billing/webhooks/stripe",
        stripe_webhook,
        Access.ANON,
        "Stripe's signed events: a paid Checkout Session credits its top-up once",
        "billing",
        response=PaymentReceipt,
        signature_header=STRIPE_SIGNATURE,
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
        "GET",
        "/admin/billing/stats",
        stats,
        Access.ADMIN,
        "MRR, paying subscriptions, 30-day churn, PAST_DUE amounts, revenue per month",
        "billing",
        response=BillingStats,
    ),
    Route(
        "PUT",
        "/admin/billing/wallets/{userId}/credit-limit",
        change_credit_limit,
        Access.ADMIN,
        "Let a user's wallet go this far below zero (0: not at all)",
        "billing",
        body=CreditLimitRequest,
        response=WalletOut,
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
