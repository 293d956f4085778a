"""The outbox's retention: events whose every delivery finished, after a while, removed.

An event is kept while any of its deliveries (a channel's, a webhook endpoint's) is still
due or claimed, however old: removing it would lose a delivery. Once all finished
(delivered, or failed for good) it stays for `retention`, as the webhooks' delivery log
and for redelivery, then goes with its deliveries and their attempts (the foreign keys
cascade). Removed in bounded batches: short transactions, little WAL each.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Subquery

from controlplane.db.models import OutboxDelivery, OutboxEvent, WebhookDelivery

BATCH = 2000


async def prune(now: datetime, retention: timedelta) -> int:
    removed = 0
    while True:
        pending_mail = OutboxDelivery.filter(next_attempt_at__isnull=False).values("event_id")
        pending_hooks = WebhookDelivery.filter(next_attempt_at__isnull=False).values("event_id")
        old = await (
            OutboxEvent.filter(occurred_at__lt=now - retention)
            .exclude(id__in=Subquery(pending_mail))
            .exclude(id__in=Subquery(pending_hooks))
            .order_by("occurred_at")
            .limit(BATCH)
            .values_list("id", flat=True)
        )
        if old:
            # Counted here: a delete's row count includes the cascaded rows on SQLite.
            await OutboxEvent.filter(id__in=list(old)).delete()
        removed += len(old)
        if len(old) < BATCH:
            return removed
