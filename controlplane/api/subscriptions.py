"""Handlers of /subscriptions and /instances: customers on their own, administrators on all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import ACCOUNTS, CLOCK, SUBSCRIPTIONS
from controlplane.db.models import Instance
from controlplane.services.accounts import users
from controlplane.services.apps import history, instances, metering, subscriptions
from shared.wire.common import PageQuery
from shared.wire.subscriptions import (
    CancelRequest,
    InstanceList,
    InstanceListQuery,
    InstanceLogs,
    InstanceOut,
    LogsQuery,
    RenewRequest,
    SubscribeRequest,
    SubscriberOut,
    SubscriptionDetail,
    SubscriptionHistory,
    SubscriptionList,
    SubscriptionListQuery,
    UsageQuery,
    UsageReport,
)


async def subscribe(call: Call[SubscribeRequest, Any]) -> web.Response:
    call.request.app[ACCOUNTS].require_verified(call.principal)
    result = await call.request.app[SUBSCRIPTIONS].subscribe(call.acting, call.body)
    return ok(result, "Subscribed", status=201)


async def list_subscriptions(call: Call[Any, SubscriptionListQuery]) -> web.Response:
    found = await subscriptions.list_subscriptions(call.acting, call.query)
    if call.acting.administrator:
        found = await _with_subscribers(found)
    return ok(found, "Subscriptions")


async def _with_subscribers(found: SubscriptionList) -> SubscriptionList:
    """Administrators read whose each subscription is, not only an id."""
    known = await users.contacts({s.user_id for s in found.subscriptions})
    named = []
    for sub in found.subscriptions:
        contact = known.get(sub.user_id)
        subscriber = (
            SubscriberOut(id=sub.user_id, name=contact[0], email=contact[1]) if contact else None
        )
        named.append(sub.model_copy(update={"subscriber": subscriber}))
    return found.model_copy(update={"subscriptions": named})


async def get_subscription(call: Call[Any, Any]) -> web.Response:
    found = await subscriptions.visible(call.acting, call.param("subscriptionId"))
    return ok(await subscriptions.detail(found, call.principal), "Subscription")


async def cancel(call: Call[CancelRequest, Any]) -> web.Response:
    result = await call.request.app[SUBSCRIPTIONS].cancel(
        call.acting, call.param("subscriptionId"), call.body.immediately
    )
    if result.cancel_at_period_end:
        return ok(result, "Subscription cancels at the end of its paid period")
    return ok(result, "Subscription cancelled; its instance is removed")


async def reactivate(call: Call[Any, Any]) -> web.Response:
    result = await call.request.app[SUBSCRIPTIONS].reactivate(
        call.acting, call.param("subscriptionId")
    )
    return ok(result, "Subscription no longer cancels; it renews as before")


async def renew(call: Call[RenewRequest, Any]) -> web.Response:
    result = await call.request.app[SUBSCRIPTIONS].renew(
        call.principal, call.param("subscriptionId"), call.body.months
    )
    return ok(result, "Subscription renewed")


async def suspend(call: Call[Any, Any]) -> web.Response:
    result = await call.request.app[SUBSCRIPTIONS].suspend(
        call.principal, call.param("subscriptionId")
    )
    return ok(result, "Subscription suspended; its pod is stopped, its data kept")


async def resume(call: Call[Any, Any]) -> web.Response:
    result = await call.request.app[SUBSCRIPTIONS].resume(
        call.principal, call.param("subscriptionId")
    )
    return ok(result, "Subscription resumed")


async def subscription_history(call: Call[Any, PageQuery]) -> web.Response:
    found = await history.history(call.acting, call.param("subscriptionId"), call.query)
    return ok(found, "Subscription history")


async def subscription_usage(call: Call[Any, UsageQuery]) -> web.Response:
    """Resource-hours as metered so far (up to the last metering pass, each reconcile)."""
    found = await subscriptions.visible(call.acting, call.param("subscriptionId"))
    end = call.query.to or call.request.app[CLOCK]()
    start = call.query.from_ or end - timedelta(days=1)
    return ok(await metering.report(found.id, start, end, call.query.step), "Usage")


async def list_instances(call: Call[Any, InstanceListQuery]) -> web.Response:
    return ok(await instances.list_instances(call.acting, call.query), "Instances")


async def get_instance(call: Call[Any, Any]) -> web.Response:
    found = await instances.visible_instance(call.acting, call.param("instanceId"))
    return ok(_shown(found, call), "Instance")


async def restart(call: Call[Any, Any]) -> web.Response:
    found = await instances.visible_instance(call.acting, call.param("instanceId"))
    await call.request.app[SUBSCRIPTIONS].lifecycle.restart(found)
    return ok(_shown(found, call), "Restart requested")


def _shown(instance: Instance, call: Call[Any, Any]) -> InstanceOut:
    return instances.out(instance, detail=instances.sees_cluster_detail(call.principal))


async def logs(call: Call[Any, LogsQuery]) -> web.Response:
    found = await instances.visible_instance(call.acting, call.param("instanceId"))
    lines = await call.request.app[SUBSCRIPTIONS].lifecycle.logs(found, call.query.tail)
    return ok(InstanceLogs(instance_id=found.id, lines=lines), "Recent log lines")


ROUTES: list[Route] = [
    # Customers see their own; administrators see all.
    Route(
        "POST",
        "/subscriptions",
        subscribe,
        Access.USER,
        "Subscribe to an active catalog service; its instance is placed and provisioned",
        "subscriptions",
        body=SubscribeRequest,
        response=SubscriptionDetail,
        status=201,
        charges=True,
    ),
    Route(
        "GET",
        "/subscriptions",
        list_subscriptions,
        Access.USER,
        "List subscriptions (own; all for administrators)",
        "subscriptions",
        query=SubscriptionListQuery,
        response=SubscriptionList,
    ),
    Route(
        "GET",
        "/subscriptions/{subscriptionId}",
        get_subscription,
        Access.USER,
        "Get a subscription with its instance",
        "subscriptions",
        response=SubscriptionDetail,
    ),
    Route(
        "GET",
        "/subscriptions/{subscriptionId}/history",
        subscription_history,
        Access.USER,
        "Every change of the subscription's state, with its reason and who caused it",
        "subscriptions",
        query=PageQuery,
        response=SubscriptionHistory,
    ),
    Route(
        "GET",
        "/subscriptions/{subscriptionId}/usage",
        subscription_usage,
        Access.USER,
        "Resource-hours (CPU core-, memory GiB- and storage GiB-hours) the subscription's"
        " instance held, by hour or day",
        "subscriptions",
        query=UsageQuery,
        response=UsageReport,
    ),
    Route(
        "POST",
        "/subscriptions/{subscriptionId}/cancel",
        cancel,
        Access.USER,
        "Cancel at the paid period's end (or now, with immediately: its instance is "
        "removed, the unused part refunded when the platform's policy allows)",
        "subscriptions",
        body=CancelRequest,
        response=SubscriptionDetail,
    ),
    Route(
        "POST",
        "/subscriptions/{subscriptionId}/reactivate",
        reactivate,
        Access.USER,
        "Undo a cancel set for the period's end: it renews as before",
        "subscriptions",
        response=SubscriptionDetail,
    ),
    Route(
        "POST",
        "/subscriptions/{subscriptionId}/suspend",
        suspend,
        Access.ADMIN,
        "Suspend: the pod stops, volumes and node room are kept",
        "subscriptions",
        response=SubscriptionDetail,
    ),
    Route(
        "POST",
        "/subscriptions/{subscriptionId}/resume",
        resume,
        Access.ADMIN,
        "Resume a suspended subscription",
        "subscriptions",
        response=SubscriptionDetail,
    ),
    Route(
        "POST",
        "/subscriptions/{subscriptionId}/renew",
        renew,
        Access.ADMIN,
        "Extend the current period for free (recorded as promotional credit in the ledger)",
        "subscriptions",
        body=RenewRequest,
        response=SubscriptionDetail,
    ),
    Route(
        "GET",
        "/instances",
        list_instances,
        Access.USER,
        "List instances (own; all for administrators)",
        "instances",
        query=InstanceListQuery,
        response=InstanceList,
    ),
    Route(
        "GET",
        "/instances/{instanceId}",
        get_instance,
        Access.USER,
        "Placement, node, status, reason and URL of an instance",
        "instances",
        response=InstanceOut,
    ),
    Route(
        "POST",
        "/instances/{instanceId}/restart",
        restart,
        Access.USER,
        "Restart the instance's pod",
        "instances",
        response=InstanceOut,
    ),
    Route(
        "GET",
        "/instances/{instanceId}/logs",
        logs,
        Access.USER,
        "Recent log lines of the instance",
        "instances",
        query=LogsQuery,
        response=InstanceLogs,
    ),
]
