"""What an owner's subscriptions will cost: per day (the wallet's runway is measured in it)
and at their next renewals."""

from __future__ import annotations

from datetime import datetime, timedelta

from controlplane.db.models import Service, Subscription, UsageHour
from controlplane.db.sql import marks, uuid_value
from controlplane.services.apps import metering
from controlplane.services.billing.wallets import WalletOwner
from controlplane.services.clock import Clock
from shared.durations import CalendarDuration
from shared.enums import SubscriptionStatus
from shared.wire.billing import UpcomingCharge
from shared.wire.services import UsagePrices

# Subscriptions that will be charged again: a SUSPENDED one pays only once topped up, and
# one set to cancel never again.
RENEWING = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
# The mean Gregorian month (365.2425 days / 12): a monthly price spread over a day.
MEAN_MONTH = timedelta(seconds=2_629_746)
DAY = timedelta(days=1)


def _seconds(period: CalendarDuration) -> int:
    return int((MEAN_MONTH * period.months + period.exact).total_seconds())


async def _renewing(owner: WalletOwner) -> list[tuple[Subscription, Service]]:
    subscriptions = await Subscription.filter(
        team_id=owner.id, status__in=RENEWING, cancel_at_period_end=False
    ).order_by("current_period_end")
    services = {
        s.id: s
        for s in await Service.filter(id__in={s.service_id for s in subscriptions}).only(
            "id", "name", "monthly_price", "usage_prices"
        )
    }
    return [(s, services[s.service_id]) for s in subscriptions]


async def daily_spend(
    period: CalendarDuration, clock: Clock, owner: WalletOwner, currency: str
) -> int:
    """Minor units per day, rounded up: the renewing subscriptions' prices spread over the
    billing period, plus what their metered usage cost over the last day (usage is a
    rate, not a commitment: the last day's is the best guess of the next's).

    Asked inside every posting transaction (the runway of the wallet it moved), so the
    renewing subscriptions and their services' prices are one joined query, on the
    caller's transaction."""
    conn = Subscription._meta.db
    team, cancelling, *states = marks(conn, 2 + len(RENEWING))
    rows = await conn.execute_query_dict(
        "SELECT s.id AS id, v.monthly_price AS monthly_price, v.usage_prices AS usage_prices "  # noqa: S608 - placeholders and fixed text only
        "FROM subscriptions s JOIN services v ON v.id = s.service_id "
        f"WHERE s.team_id = {team} AND s.cancel_at_period_end = {cancelling} "
        f"AND s.status IN ({', '.join(states)})",
        [uuid_value(conn, owner.id), False, *(status.value for status in RENEWING)],
    )
    monthly = sum(int(row["monthly_price"]) for row in rows)
    recurring = -(-monthly * 86_400 // _seconds(period))  # ceiling division
    to_python = Service._meta.fields_map["usage_prices"].to_python_value
    metered = [
        (row["id"], prices)
        for row in rows
        if row["usage_prices"] is not None and (prices := to_python(row["usage_prices"]))
    ]
    return recurring + await _metered_last_day(metered, clock())


async def _metered_last_day(metered: list[tuple[object, dict[str, int]]], now: datetime) -> int:
    """What the owner's usage-priced renewing subscriptions (`metered`: each with its
    service's usage prices) cost over their last 24 recorded hours, at their prices now,
    rounded up."""
    if not metered:
        return 0
    start = metering.hour_of(now) - DAY
    owed = 0
    for subscription_id, usage_prices in metered:
        prices = UsagePrices.model_validate(usage_prices)
        for row in await UsageHour.filter(subscription_id=subscription_id, hour__gte=start):
            owed += metering.cost(row, prices)
    return -(-owed // metering.COST_DENOMINATOR)


async def next_charges(owner: WalletOwner, currency: str) -> list[UpcomingCharge]:
    return [
        UpcomingCharge(
            subscription_id=subscription.id,
            service_name=service.name,
            amount=service.monthly_price,
            currency=currency,
            due_at=subscription.current_period_end,
        )
        for subscription, service in await _renewing(owner)
        if service.monthly_price > 0
    ]
