"""Handlers of /webhooks: a user's endpoints, their delivery log, redelivery and ping."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import WEBHOOKS
from shared.wire.common import PageQuery
from shared.wire.webhooks import (
    WEBHOOK_EVENT_TYPES,
    DeliveryList,
    DeliveryListQuery,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookEventTypes,
    WebhookList,
    WebhookOut,
    WebhookUpdate,
)


async def create(call: Call[WebhookCreate, Any]) -> web.Response:
    made = await call.request.app[WEBHOOKS].create(call.acting, call.body)
    return ok(made, "Webhook created; its secret is shown this once", status=201)


async def list_webhooks(call: Call[Any, PageQuery]) -> web.Response:
    return ok(await call.request.app[WEBHOOKS].list(call.acting, call.query), "Webhooks")


async def event_types(call: Call[Any, Any]) -> web.Response:
    return ok(WebhookEventTypes(events=list(WEBHOOK_EVENT_TYPES)), "Webhook event types")


async def get_webhook(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[WEBHOOKS].get(call.acting, call.param("webhookId"))
    return ok(found, "Webhook")


async def update(call: Call[WebhookUpdate, Any]) -> web.Response:
    changed = await call.request.app[WEBHOOKS].update(
        call.acting, call.param("webhookId"), call.body
    )
    return ok(changed, "Webhook updated")


async def delete(call: Call[Any, Any]) -> web.Response:
    await call.request.app[WEBHOOKS].delete(call.acting, call.param("webhookId"))
    return ok(None, "Webhook deleted; its deliveries and their log with it")


async def deliveries(call: Call[Any, DeliveryListQuery]) -> web.Response:
    found = await call.request.app[WEBHOOKS].deliveries(
        call.acting, call.param("webhookId"), call.query
    )
    return ok(found, "Deliveries")


async def redeliver(call: Call[Any, Any]) -> web.Response:
    again = await call.request.app[WEBHOOKS].redeliver(
        call.acting, call.param("webhookId"), call.param("deliveryId")
    )
    return ok(again, "Delivery scheduled again", status=202)


async def ping(call: Call[Any, Any]) -> web.Response:
    sent = await call.request.app[WEBHOOKS].ping(call.acting, call.param("webhookId"))
    return ok(sent, "Ping queued", status=202)


ROUTES: list[Route] = [
    Route(
        "POST",
        "/webhooks",
        create,
        Access.USER,
        "Create a webhook endpoint; the answer holds its signing secret, shown once",
        "webhooks",
        body=WebhookCreate,
        response=WebhookCreated,
        status=201,
        audited=True,
    ),
    Route(
        "GET",
        "/webhooks",
        list_webhooks,
        Access.USER,
        "List your webhook endpoints (administrators: everyone's)",
        "webhooks",
        query=PageQuery,
        response=WebhookList,
    ),
    Route(
        "GET",
        "/webhooks/event-types",
        event_types,
        Access.USER,
        "The event types an endpoint may subscribe to",
        "webhooks",
        response=WebhookEventTypes,
    ),
    Route(
        "GET",
        "/webhooks/{webhookId}",
        get_webhook,
        Access.USER,
        "One webhook endpoint (never its secret)",
        "webhooks",
        response=WebhookOut,
    ),
    Route(
        "PUT",
        "/webhooks/{webhookId}",
        update,
        Access.USER,
        "Change an endpoint's URL, events, description, or enable it again",
        "webhooks",
        body=WebhookUpdate,
        response=WebhookOut,
        audited=True,
    ),
    Route(
        "DELETE",
        "/webhooks/{webhookId}",
        delete,
        Access.USER,
        "Delete a webhook endpoint",
        "webhooks",
        audited=True,
    ),
    Route(
        "GET",
        "/webhooks/{webhookId}/deliveries",
        deliveries,
        Access.USER,
        "An endpoint's deliveries, newest first, each with every attempt's status, latency"
        " and the start of the answer",
        "webhooks",
        query=DeliveryListQuery,
        response=DeliveryList,
    ),
    Route(
        "POST",
        "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver",
        redeliver,
        Access.USER,
        "Send a finished delivery again, with the same webhook-id",
        "webhooks",
        response=DeliveryOut,
        status=202,
    ),
    Route(
        "POST",
        "/webhooks/{webhookId}/ping",
        ping,
        Access.USER,
        "Send a webhook.ping event to this endpoint",
        "webhooks",
        response=DeliveryOut,
        status=202,
    ),
]
