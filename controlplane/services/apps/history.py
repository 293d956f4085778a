"""A subscription's history: every change of its state, with its reason and who caused
it, recorded by the one function that changes a subscription's state (so domain events
can be emitted from that one place too)."""

from __future__ import annotations

import uuid
from datetime import datetime

from controlplane.db.models import Subscription, SubscriptionEvent, User
from controlplane.services.ownership import find_visible
from controlplane.services.paging import page
from shared.enums import SubscriptionStatus
from shared.wire.common import PageQuery
from shared.wire.subscriptions import SubscriptionEventOut, SubscriptionHistory


async def transition(
    subscription: Subscription,
    to: SubscriptionStatus,
    reason: str,
    at: datetime,
    actor_id: uuid.UUID | None = None,
    *,
    created: bool = False,
) -> None:
    """Moves `subscription` to `to` and records the change. Call it inside the database
    transaction that saves the subscription (the caller saves it): the change and its
    record commit together or not at all. `created`: the state it is made in. `to` may be
    the state it is in, for a change that keeps it (set to cancel at the period's end)."""
    was = None if created else subscription.status
    subscription.status = to
    await SubscriptionEvent.create(
        subscription_id=subscription.id,
        from_status=was,
        to_status=to,
        reason=reason[:500],
        actor_id=actor_id,
        at=at,
    )


async def history(actor: User, raw_id: str, query: PageQuery) -> SubscriptionHistory:
    """The subscription's changes, newest first by default (its owner's, or an
    administrator's view)."""
    subscription = await find_visible(actor, Subscription.all(), raw_id, "Subscription")
    rows, pagination = await page(
        SubscriptionEvent.filter(subscription_id=subscription.id), query, "id"
    )
    return SubscriptionHistory(
        events=[SubscriptionEventOut.model_validate(e) for e in rows], pagination=pagination
    )
