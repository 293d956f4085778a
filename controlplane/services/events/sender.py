"""The webhook channel's send: one event POSTed to one endpoint, signed, logged.

Signed per the Standard Webhooks specification with its reference library: the
`webhook-id` is the event's id (the same on every retry, so a receiver deduplicates),
`webhook-timestamp` the time of this attempt, `webhook-signature` `v1,<base64 HMAC-SHA256
of id.timestamp.body>`. The body is `{"type", "timestamp", "data"}`. Only a 2xx is a
delivery; a redirect is not followed (it is a failure, like any other status), the
time and the answer read are bounded, and the connector reaches only the addresses the
egress policy permits. Every attempt is written to the endpoint's delivery log. An
endpoint whose attempts all failed for longer than `disable_after` is disabled and its
owner told by mail (`webhook.disabled`), in the transaction that disables it.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook as Signer

from controlplane.db.models import Webhook, WebhookAttempt
from controlplane.egress import HttpPoster, NoAnswer
from controlplane.services.clock import Clock
from controlplane.services.events.delivery import Event, PermanentFailure
from controlplane.services.events.outbox import Outbox
from controlplane.services.ownership import first_owners
from controlplane.services.sealing import SecretBox

log = logging.getLogger("minispod.webhooks")

CHANNEL = "webhook"
DISABLED = "webhook.disabled"
# Retries wait at most this long between two attempts.
MAX_RETRY_DELAY = 2 * 3600.0
USER_AGENT = "MinisPod-Webhooks/1"


class DeliveryFailed(Exception):
    """The endpoint did not take the event (no answer, or not a 2xx): retried."""


class WebhookSender:
    def __init__(
        self,
        box: SecretBox,
        outbox: Outbox,
        poster: HttpPoster,
        clock: Clock,
        disable_after: timedelta,
    ) -> None:
        self._box = box
        self._outbox = outbox
        self._poster = poster
        self._clock = clock
        self._disable_after = disable_after

    async def close(self) -> None:
        await self._poster.close()

    async def __call__(self, event: Event) -> None:
        webhook = await Webhook.get_or_none(id=event.target)
        if webhook is None:
            raise PermanentFailure("the endpoint was deleted")
        if not webhook.enabled:
            raise PermanentFailure("the endpoint is disabled")
        body = json.dumps(
            {"type": event.type, "timestamp": event.occurred_at.isoformat(), "data": event.payload},
            separators=(",", ":"),
            sort_keys=True,
        )
        # The signature's timestamp is the wall clock's, whatever clock the platform runs
        # its business on: receivers judge replays by it against their own clocks.
        signed_at = datetime.now(UTC)
        secret = self._box.open(webhook.secret_sealed)["secret"]
        headers = {
            "webhook-id": str(event.id),
            "webhook-timestamp": str(int(signed_at.timestamp())),
            "webhook-signature": Signer(secret).sign(str(event.id), signed_at, body),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        status: int | None = None
        answer: str | None = None
        error: str | None = None
        started = time.perf_counter()
        try:
            got = await self._poster.post(webhook.url, body.encode(), headers)
            status, answer = got.status, got.excerpt
        except NoAnswer as exc:
            error = str(exc)
        latency_ms = round((time.perf_counter() - started) * 1000)
        ok = status is not None and 200 <= status < 300
        if not ok and error is None:
            error = f"HTTP {status}"
        await self._record(webhook, event, ok, status, latency_ms, answer, error)
        if not ok:
            raise DeliveryFailed(error)

    async def _record(
        self,
        webhook: Webhook,
        event: Event,
        ok: bool,
        status: int | None,
        latency_ms: int,
        answer: str | None,
        error: str | None,
    ) -> None:
        now = self._clock()
        async with self._outbox.transaction() as conn:
            await WebhookAttempt.create(
                delivery_id=event.delivery_id,
                attempt=event.attempt,
                at=now,
                status_code=status,
                latency_ms=latency_ms,
                response=answer[:1024] if answer is not None else None,
                error=error[:500] if error is not None else None,
                using_db=conn,
            )
            if ok:
                if webhook.failing_since is not None:
                    await Webhook.filter(id=webhook.id).using_db(conn).update(failing_since=None)
                return
            locked = await Webhook.filter(id=webhook.id).using_db(conn).select_for_update().first()
            if locked is None or not locked.enabled:
                return
            if locked.failing_since is None:
                await Webhook.filter(id=webhook.id).using_db(conn).update(failing_since=now)
                return
            if now - locked.failing_since < self._disable_after:
                return
            why = (
                f"every delivery failed since {locked.failing_since.isoformat()} (last: {error})"
            )[:300]
            await (
                Webhook.filter(id=webhook.id)
                .using_db(conn)
                .update(enabled=False, disabled_reason=why, updated_at=now)
            )
            log.warning("webhook %s disabled: %s", webhook.id, why)
            # Told to the team's first owner (a personal team's: its user).
            owner = (await first_owners([locked.team_id], conn)).get(locked.team_id)
            payload: dict[str, Any] = {
                "webhook_id": str(locked.id),
                "url": locked.url,
                "reason": why,
                "failing_since": locked.failing_since.isoformat(),
                "email": owner.email if owner else None,
                "name": owner.name if owner else None,
            }
            await self._outbox.emit(conn, DISABLED, str(locked.team_id), payload)
