"""Webhook endpoints: a team's URLs, the events each wants, and their delivery log.

An event reaches an endpoint through the outbox: `emit` asks `endpoints_for` which
enabled endpoints want it and writes one `webhook_deliveries` row for each, in the
change's own transaction, so an endpoint hears of exactly the changes that committed.
The webhook channel's deliverer (`delivery.Deliverer` over that table) sends them with
`sender.WebhookSender`. The signing secret is sealed at rest and shown once.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from controlplane.db.models import Team, User, Webhook, WebhookAttempt, WebhookDelivery
from controlplane.egress import EgressPolicy, Refused
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Invalid, NotFound
from controlplane.services.events.outbox import Outbox
from controlplane.services.ids import parse_id
from controlplane.services.ownership import Acting, find_in_team, in_team
from controlplane.services.paging import page
from controlplane.services.sealing import SecretBox, reseal_rows
from shared.enums import Role
from shared.wire.common import PageQuery
from shared.wire.webhooks import (
    OPERATOR_EVENT_TYPES,
    PING,
    WEBHOOK_EVENT_TYPES,
    AttemptOut,
    DeliveryList,
    DeliveryListQuery,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
    WebhookUpdate,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
# Enough for a team's integrations; a bound so one team cannot fan every event out to
# thousands of URLs.
MAX_PER_TEAM = 20


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


async def endpoints_for(conn: BaseDBAsyncClient, type: str, subject: str | None) -> list[uuid.UUID]:
    """The enabled endpoints of the event's subject (the team it is about; a user's own
    events are their personal team's, of their id) that want it."""
    if type not in WEBHOOK_EVENT_TYPES:
        return []  # nothing an endpoint may subscribe to: no query in the change's transaction
    try:
        owner = uuid.UUID(subject or "")
    except ValueError:
        return []
    rows = (
        await Webhook.filter(team_id=owner, enabled=True)
        .using_db(conn)
        .values_list("id", "event_types")
    )
    return [webhook_id for webhook_id, types in rows if type in types]


class Webhooks:
    def __init__(self, box: SecretBox, outbox: Outbox, egress: EgressPolicy, clock: Clock) -> None:
        self._box = box
        self._outbox = outbox
        self._egress = egress
        self._clock = clock

    async def create(self, who: Acting, body: WebhookCreate) -> WebhookCreated:
        self._check_target(body.url)
        _check_events(who.user, body.events)
        secret = new_secret()
        now = self._clock()
        async with in_transaction():
            # The team's row locked: two creations at once cannot both pass the bound.
            await Team.filter(id=who.team_id).select_for_update().first()
            if await Webhook.filter(team_id=who.team_id).count() >= MAX_PER_TEAM:
                raise Conflict(f"a team may have at most {MAX_PER_TEAM} webhook endpoints")
            webhook = await Webhook.create(
                id=uuid.uuid4(),
                team_id=who.team_id,
                url=body.url,
                description=body.description,
                event_types=list(body.events),
                secret_sealed=self._box.seal({"secret": secret}),
                created_at=now,
                updated_at=now,
            )
        return WebhookCreated(**_out(webhook).model_dump(), secret=secret)

    async def list(self, who: Acting, query: PageQuery) -> WebhookList:
        rows, pagination = await page(in_team(who, Webhook.all()), query, "created_at")
        return WebhookList(webhooks=[_out(w) for w in rows], pagination=pagination)

    async def get(self, who: Acting, raw_id: str) -> WebhookOut:
        return _out(await self._find(who, raw_id))

    async def update(self, who: Acting, raw_id: str, body: WebhookUpdate) -> WebhookOut:
        if body.url is not None:
            self._check_target(body.url)
        if body.events is not None:
            _check_events(who.user, body.events)
        webhook = await self._find(who, raw_id)
        async with in_transaction():
            webhook = await Webhook.filter(id=webhook.id).select_for_update().get()
            if body.url is not None:
                webhook.url = body.url
            if body.events is not None:
                webhook.event_types = list(body.events)
            if body.description is not None:
                webhook.description = body.description
            if body.enabled is not None and body.enabled != webhook.enabled:
                webhook.enabled = body.enabled
                # Turned on again by its owner: its failures are forgiven, counted afresh.
                webhook.failing_since = None
                webhook.disabled_reason = None if body.enabled else "disabled by its owner"
            webhook.updated_at = self._clock()
            await webhook.save()
        return _out(webhook)

    async def delete(self, who: Acting, raw_id: str) -> None:
        webhook = await self._find(who, raw_id)
        # Its deliveries and their log go with it (cascade): the endpoint is gone.
        await Webhook.filter(id=webhook.id).delete()

    async def deliveries(self, who: Acting, raw_id: str, query: DeliveryListQuery) -> DeliveryList:
        webhook = await self._find(who, raw_id)
        qs = WebhookDelivery.filter(webhook_id=webhook.id)
        if query.status == "PENDING":
            qs = qs.filter(delivered_at__isnull=True, failed_at__isnull=True)
        elif query.status == "DELIVERED":
            qs = qs.filter(delivered_at__isnull=False)
        elif query.status == "FAILED":
            qs = qs.filter(failed_at__isnull=False)
        rows, pagination = await page(qs, query, "created_at")
        return DeliveryList(deliveries=await _deliveries_out(rows), pagination=pagination)

    async def redeliver(self, who: Acting, raw_id: str, raw_delivery: str) -> DeliveryOut:
        """Sends a finished delivery (delivered, or failed for good) again, now, with the
        same webhook-id (receivers deduplicate on it); its earlier attempts stay in the
        log. One still pending is on its way already: retried at its next attempt."""
        webhook = await self._find(who, raw_id)
        delivery_id = parse_id(raw_delivery, "Delivery")
        if not webhook.enabled:
            raise Conflict("the endpoint is disabled: enable it before redelivering")
        async with in_transaction():
            delivery = (
                await WebhookDelivery.filter(id=delivery_id, webhook_id=webhook.id)
                .select_for_update()
                .first()
            )
            if delivery is None:
                raise NotFound("Delivery not found")
            if delivery.next_attempt_at is not None:
                raise Conflict(
                    "the delivery is still pending: it is tried again at"
                    f" {delivery.next_attempt_at.isoformat()}"
                )
            delivery.next_attempt_at = self._clock()
            delivery.delivered_at = None
            delivery.failed_at = None
            await delivery.save()
        self._outbox.wake()
        return (await _deliveries_out([delivery]))[0]

    async def ping(self, who: Acting, raw_id: str) -> DeliveryOut:
        """A `webhook.ping` event for this endpoint alone, to test that it hears and
        verifies; it goes through the same queue, signature and log as any event."""
        webhook = await self._find(who, raw_id)
        if not webhook.enabled:
            raise Conflict("the endpoint is disabled: enable it before pinging")
        async with self._outbox.transaction() as conn:
            event_id = await self._outbox.emit(
                conn,
                PING,
                str(webhook.team_id),
                {"webhook_id": str(webhook.id), "at": self._clock().isoformat()},
                webhooks=[webhook.id],
            )
        delivery = await WebhookDelivery.get(event_id=event_id, webhook_id=webhook.id)
        return (await _deliveries_out([delivery]))[0]

    async def reseal(self) -> int:
        """Every endpoint's secret sealed under the first key (`reseal-secrets`)."""
        return await reseal_rows(self._box, Webhook, "secret_sealed")

    def _check_target(self, url: str) -> None:
        try:
            self._egress.check_literal(url)
        except Refused as exc:
            raise Invalid.field("url", str(exc)) from None

    async def _find(self, who: Acting, raw_id: str) -> Webhook:
        return await find_in_team(who, Webhook.all(), raw_id, "Webhook")


def _check_events(actor: User, events: Sequence[str]) -> None:
    if actor.role is not Role.ADMINISTRATOR and OPERATOR_EVENT_TYPES.intersection(events):
        raise Invalid.field("events", "alert events are for administrators' endpoints")


def _out(webhook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=webhook.id,
        team_id=webhook.team_id,
        url=webhook.url,
        description=webhook.description,
        events=list(webhook.event_types),
        enabled=webhook.enabled,
        failing_since=webhook.failing_since,
        disabled_reason=webhook.disabled_reason,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


async def _deliveries_out(rows: Sequence[WebhookDelivery]) -> list[DeliveryOut]:
    ids = [r.id for r in rows]
    types: dict[Any, str] = dict(
        await WebhookDelivery.filter(id__in=ids).values_list("id", "event__type")
    )
    log: dict[Any, list[AttemptOut]] = {i: [] for i in ids}
    for attempt in await WebhookAttempt.filter(delivery_id__in=ids).order_by("attempt", "id"):
        log[attempt.delivery_id].append(AttemptOut.model_validate(attempt))
    return [
        DeliveryOut(
            id=r.id,
            event_id=r.event_id,
            event_type=types[r.id],
            status="DELIVERED"
            if r.delivered_at is not None
            else "FAILED"
            if r.failed_at is not None
            else "PENDING",
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            delivered_at=r.delivered_at,
            failed_at=r.failed_at,
            last_error=r.last_error,
            created_at=r.created_at,
            log=log[r.id],
        )
        for r in rows
    ]
