"""Operator alerts: administrators told once when a condition holds, once when it ends.

False alarms are what make operators stop reading alerts (Coolify mailed "unreachable"
for every blip and had to add confirmations), so:
- a condition is PENDING until it has held for `confirm_after`; one that ends sooner
  was a blip, recorded and told to no one;
- a confirmed one FIRES (`alert.firing`), and RESOLVES when it ends (`alert.resolved`);
- a subject that fired `flap_count` times within `flap_window` is flapping: that is told
  once (`alert.flapping`, with the count), its further firings and resolutions are not,
  and when it has been quiet for a whole window it is told stable again, once;
- while the fleet is disrupted (most nodes silent at once: the fault is likelier ours
  or the network's), node alerts are held PENDING rather than fired one per node, as
  Alertmanager's inhibition does; the disruption is the one alert.
Each notice is an event per active administrator (mailed, and sent to their webhooks
that subscribed to it), written in the transaction that changes the alerts, so a notice
exists exactly when its alert's state changed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from controlplane.db.models import Alert
from controlplane.services.accounts import users
from controlplane.services.alerts.conditions import (
    FLEET_DISRUPTED,
    INSTANCE_FAILED,
    JOB_FAILING,
    NODE_DOWN,
    Condition,
    JobFailures,
    current,
)
from controlplane.services.clock import Clock
from controlplane.services.events.outbox import Outbox
from controlplane.services.paging import page
from shared.wire.alerts import AlertList, AlertListQuery, AlertOut

log = logging.getLogger("minispod.alerts")

PENDING, FIRING, RESOLVED = "PENDING", "FIRING", "RESOLVED"
TOLD_FIRING = "alert.firing"
TOLD_RESOLVED = "alert.resolved"
TOLD_FLAPPING = "alert.flapping"

TITLES = {
    NODE_DOWN: "node {name} is down",
    INSTANCE_FAILED: "instance {name} failed",
    FLEET_DISRUPTED: "the fleet is disrupted",
    JOB_FAILING: "job {name} keeps failing",
}


@dataclass(frozen=True)
class AlertPolicy:
    confirm_after: timedelta
    flap_window: timedelta
    # Firings within the window that make a subject flapping.
    flap_count: int = 3


@dataclass
class Evaluation:
    fired: int = 0
    resolved: int = 0
    blips: int = 0
    flapping: int = 0
    stable: int = 0
    told: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fired or self.resolved or self.blips or self.flapping or self.stable)


class Alerts:
    def __init__(
        self,
        outbox: Outbox,
        policy: AlertPolicy,
        clock: Clock,
        jobs: JobFailures,
        disruption_threshold: float,
    ) -> None:
        self._outbox = outbox
        self._policy = policy
        self._clock = clock
        self.jobs = jobs
        self._threshold = disruption_threshold

    async def evaluate(self) -> Evaluation:
        """One pass: opens, confirms and resolves alerts against the conditions now.
        Leader-only (a job), and its rows are locked anyway, so two passes at once
        cannot both tell the same change."""
        now = self._clock()
        found = {c.key: c for c in await current(self.jobs, self._threshold, now)}
        disrupted = any(kind == FLEET_DISRUPTED for kind, _ in found)
        result = Evaluation()
        async with self._outbox.transaction() as conn:
            admins = await users.administrators()
            opened = (
                await Alert.filter(state__in=(PENDING, FIRING))
                .using_db(conn)
                .select_for_update()
                .order_by("since")
            )
            for alert in opened:
                condition = found.pop((alert.kind, alert.subject), None)
                if condition is None:
                    await self._resolve(conn, alert, now, admins, result)
                else:
                    await self._hold(conn, alert, condition, now, disrupted, admins, result)
            for condition in found.values():
                alert = await Alert.create(
                    id=uuid.uuid4(),
                    kind=condition.kind,
                    subject=condition.subject,
                    subject_name=condition.subject_name[:253],
                    state=PENDING,
                    detail=_short(condition.detail),
                    since=condition.since,
                    updated_at=now,
                    using_db=conn,
                )
                await self._hold(conn, alert, condition, now, disrupted, admins, result)
            await self._stable_notices(conn, now, admins, result)
        return result

    async def history(self, query: AlertListQuery) -> AlertList:
        qs = Alert.all()
        if query.state is not None:
            qs = qs.filter(state=query.state)
        if query.kind is not None:
            qs = qs.filter(kind=query.kind)
        rows, pagination = await page(qs, query, "since")
        return AlertList(alerts=[AlertOut.model_validate(r) for r in rows], pagination=pagination)

    async def _hold(
        self,
        conn: BaseDBAsyncClient,
        alert: Alert,
        condition: Condition,
        now: datetime,
        disrupted: bool,
        admins: list[tuple[uuid.UUID, str, str]],
        result: Evaluation,
    ) -> None:
        """The condition still holds: a PENDING alert fires once it held long enough."""
        alert.detail = _short(condition.detail)
        alert.subject_name = condition.subject_name[:253]
        if alert.state == PENDING and now - alert.since >= self._policy.confirm_after:
            if disrupted and alert.kind == NODE_DOWN:
                await alert.save(using_db=conn)  # inhibited: the disruption is the news
                return
            window_start = now - self._policy.flap_window
            recent = await Alert.filter(
                kind=alert.kind,
                subject=alert.subject,
                state=RESOLVED,
                fired_at__isnull=False,
                resolved_at__gte=window_start,
            ).using_db(conn)
            alert.state = FIRING
            alert.fired_at = now
            episodes = len(recent) + 1
            result.fired += 1
            if episodes >= self._policy.flap_count:
                alert.flapping = True
                # Earlier episodes carried the flapping already: told once per spell.
                if not any(r.flapping for r in recent):
                    await self._tell(conn, TOLD_FLAPPING, alert, admins, result, episodes)
                    result.flapping += 1
                # This episode's end carries the spell's end now.
                await (
                    Alert.filter(id__in=[r.id for r in recent])
                    .using_db(conn)
                    .update(stable_notice_due=False)
                )
            else:
                await self._tell(conn, TOLD_FIRING, alert, admins, result, episodes)
        alert.updated_at = now
        await alert.save(using_db=conn)

    async def _resolve(
        self,
        conn: BaseDBAsyncClient,
        alert: Alert,
        now: datetime,
        admins: list[tuple[uuid.UUID, str, str]],
        result: Evaluation,
    ) -> None:
        was = alert.state
        alert.state = RESOLVED
        alert.resolved_at = now
        alert.updated_at = now
        if was == PENDING:
            result.blips += 1  # never confirmed: told to no one
        elif alert.flapping:
            alert.stable_notice_due = True  # told once it has been quiet for a window
            result.resolved += 1
        else:
            await self._tell(conn, TOLD_RESOLVED, alert, admins, result)
            result.resolved += 1
        await alert.save(using_db=conn)

    async def _stable_notices(
        self,
        conn: BaseDBAsyncClient,
        now: datetime,
        admins: list[tuple[uuid.UUID, str, str]],
        result: Evaluation,
    ) -> None:
        """A flapping subject quiet for a whole window is told stable again, once."""
        window = self._policy.flap_window
        due = await Alert.filter(
            state=RESOLVED, stable_notice_due=True, resolved_at__lte=now - window
        ).using_db(conn)
        for alert in due:
            newer = (
                await Alert.filter(kind=alert.kind, subject=alert.subject, since__gt=alert.since)
                .using_db(conn)
                .exists()
            )
            await Alert.filter(id=alert.id).using_db(conn).update(stable_notice_due=False)
            if newer:
                continue
            episodes = (
                await Alert.filter(
                    kind=alert.kind,
                    subject=alert.subject,
                    fired_at__isnull=False,
                    resolved_at__gte=alert.resolved_at - window,  # type: ignore[operator]
                )
                .using_db(conn)
                .count()
            )
            await self._tell(conn, TOLD_RESOLVED, alert, admins, result, episodes)
            result.stable += 1

    async def _tell(
        self,
        conn: BaseDBAsyncClient,
        type: str,
        alert: Alert,
        admins: list[tuple[uuid.UUID, str, str]],
        result: Evaluation,
        episodes: int = 1,
    ) -> None:
        title = TITLES.get(alert.kind, alert.kind).format(name=alert.subject_name)
        if not admins:
            log.warning("%s: %s, but no active administrator to tell", type, title)
        payload: dict[str, Any] = {
            "alert_id": str(alert.id),
            "kind": alert.kind,
            "subject": alert.subject,
            "subject_name": alert.subject_name,
            "title": title,
            "detail": alert.detail,
            "since": alert.since.isoformat(),
            "fired_at": alert.fired_at.isoformat() if alert.fired_at else None,
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
            "episodes": episodes,
            "flap_window_minutes": round(self._policy.flap_window.total_seconds() / 60),
        }
        for admin_id, email, name in admins:
            await self._outbox.emit(
                conn, type, str(admin_id), {**payload, "email": email, "name": name}
            )
        result.told.append(f"{type}: {title}")


def _short(detail: str | None) -> str | None:
    return detail[:512] if detail else None
