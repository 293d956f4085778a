"""A subscription's history: every change of its state, with its reason and who caused
it, recorded by the one function that changes a subscription's state (so domain events
can be emitted from that one place too)."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.transactions import in_transaction

from controlplane.db.models import Instance, Subscription, SubscriptionEvent
from controlplane.services.events.outbox import Outbox
from controlplane.services.ownership import Acting, find_in_team
from controlplane.services.paging import page
from shared.enums import InstanceStatus, SubscriptionStatus
from shared.wire.common import PageQuery
from shared.wire.subscriptions import SubscriptionEventOut, SubscriptionHistory

# The changes of an instance its owner hears of: it runs, or it broke.
TOLD_INSTANCE_STATES = (InstanceStatus.RUNNING, InstanceStatus.FAILED)


class History:
    """Records every change of a subscription's state and tells of it: the record and its
    domain event (`subscription.<state>`, for mail and, later, webhooks) are written in
    the change's own transaction, so neither exists without the change, nor the change
    without them."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def save_instance(
        self, instance: Instance, was: InstanceStatus, update_fields: list[str]
    ) -> None:
        """Saves the instance; a change into RUNNING or FAILED is told to its owner
        (`instance.running`, `instance.failed`) in the same transaction."""
        async with in_transaction() as conn:
            await instance.save(update_fields=update_fields, using_db=conn)
            if instance.status is was or instance.status not in TOLD_INSTANCE_STATES:
                return
            await self._outbox.emit(
                conn,
                f"instance.{instance.status.value.lower()}",
                str(instance.team_id),
                {
                    "instance_id": str(instance.id),
                    "subscription_id": str(instance.subscription_id),
                    "team_id": str(instance.team_id),
                    "user_id": str(instance.user_id),
                    "from": was.value,
                    "to": instance.status.value,
                    "url": instance.url,
                    "reason": instance.reason,
                },
            )

    async def transition(
        self,
        subscription: Subscription,
        to: SubscriptionStatus,
        reason: str,
        at: datetime,
        actor_id: uuid.UUID | None = None,
        *,
        created: bool = False,
    ) -> None:
        """Moves `subscription` to `to` and records the change. Call it inside the database
        transaction that saves the subscription (the caller saves it): the change, its
        record and its event commit together or not at all (emitting outside a transaction
        is refused). `created`: the state it is made in. `to` may be the state it is in,
        for a change that keeps it (set to cancel at the period's end): recorded, but no
        event, as nothing a listener follows has changed."""
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
        if was is to:
            return
        # The model's connection is the transaction the caller opened (tortoise binds it to
        # the task), which is the one the event must be written on.
        await self._outbox.emit(
            SubscriptionEvent._meta.db,
            "subscription.created" if created else f"subscription.{to.value.lower()}",
            str(subscription.team_id),
            {
                "subscription_id": str(subscription.id),
                "team_id": str(subscription.team_id),
                "user_id": str(subscription.user_id),
                "from": was.value if was is not None else None,
                "to": to.value,
                "reason": reason[:500],
                "actor_id": str(actor_id) if actor_id is not None else None,
                "at": at.isoformat(),
            },
        )


async def history(who: Acting, raw_id: str, query: PageQuery) -> SubscriptionHistory:
    """The subscription's changes, newest first by default (its team's, or an
    administrator's view)."""
    subscription = await find_in_team(who, Subscription.all(), raw_id, "Subscription")
    rows, pagination = await page(
        SubscriptionEvent.filter(subscription_id=subscription.id), query, "id"
    )
    return SubscriptionHistory(
        events=[SubscriptionEventOut.model_validate(e) for e in rows], pagination=pagination
    )
