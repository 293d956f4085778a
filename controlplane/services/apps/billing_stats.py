"""The figures administrators watch: recurring revenue, paying subscriptions, churn, what
PAST_DUE subscriptions owe, and revenue per month; each summed by the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from controlplane.db.models import Subscription
from controlplane.db.sql import marks
from controlplane.services.billing.revenue import revenue_by_month
from shared.durations import CalendarDuration, add_months
from shared.enums import SubscriptionStatus
from shared.wire.billing import BillingStats, ChurnOut, MonthRevenue, PastDueOut

CHURN_WINDOW = timedelta(days=30)
REVENUE_MONTHS = 12
# The month recurring revenue is quoted per when the billing period is not whole months.
MONTH = timedelta(days=30)
# Paid for the period they are in: running, or being placed or resumed.
PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING)


def before(moment: datetime, duration: CalendarDuration) -> datetime:
    """The moment `duration` before `moment` (months clamp as they do going forward)."""
    return add_months(moment - duration.exact, -duration.months)


def per_month(amount: int, period: CalendarDuration) -> int:
    """An amount charged each `period`, as a monthly figure, rounded half up in minor units.
    A period of whole months divides exactly; otherwise a month counts 30 days."""
    if period.exact == timedelta(0):
        return (2 * amount + period.months) // (2 * period.months)
    length = period.months * MONTH + period.exact
    micro = MONTH // timedelta(microseconds=1)
    span = length // timedelta(microseconds=1)
    return (2 * amount * micro + span) // (2 * span)


async def billing_stats(
    currency: str,
    period: CalendarDuration,
    retention: CalendarDuration,
    now: datetime,
    revenue_months: int = REVENUE_MONTHS,
) -> BillingStats:
    """Churn counts paying subscriptions that ended in the last 30 days (cancelled then, or
    expired then: a subscription expires when its retention after the unpaid period's end
    runs out) over those that existed and had not ended at the window's start.
    `revenue_months`: how many calendar months `revenue_by_month` lists, now's the last."""
    start = now - CHURN_WINDOW
    conn = Subscription._meta.db
    params: list[object] = []

    def bind(value: object) -> str:
        # Each use its own placeholder: SQLite's "?" are positional, used once each.
        params.append(value)
        return marks(conn, 1, start=len(params))[0]

    def status(state: SubscriptionStatus) -> str:
        return f"s.status = {bind(state.value)}"

    expired_from = before(start, retention)

    # Each condition is written out where it is used, in the order of the SQL text, so
    # SQLite's positional "?" bind the same values as PostgreSQL's "$n".
    def paying() -> str:
        return f"s.status IN ({', '.join(bind(s.value) for s in PAYING)})"

    def churned() -> str:
        return (
            f"({status(SubscriptionStatus.CANCELLED)} AND s.cancelled_at > {bind(start)}"
            f" AND s.cancelled_at <= {bind(now)}) OR ({status(SubscriptionStatus.EXPIRED)}"
            f" AND s.current_period_end > {bind(expired_from)}"
            f" AND s.current_period_end <= {bind(before(now, retention))})"
        )

    def at_start() -> str:
        return (
            f"s.created_at <= {bind(start)} AND NOT ({status(SubscriptionStatus.CANCELLED)}"
            f" AND s.cancelled_at <= {bind(start)}) AND NOT ({status(SubscriptionStatus.EXPIRED)}"
            f" AND s.current_period_end <= {bind(expired_from)})"
        )

    columns = [
        f"SUM(CASE WHEN {paying()} THEN 1 ELSE 0 END) AS paying",
        f"SUM(CASE WHEN {paying()} THEN v.monthly_price ELSE 0 END) AS recurring",
        f"SUM(CASE WHEN {status(SubscriptionStatus.PAST_DUE)} THEN 1 ELSE 0 END) AS past_due",
        f"SUM(CASE WHEN {status(SubscriptionStatus.PAST_DUE)} THEN v.monthly_price ELSE 0 END)"
        " AS owed",
        f"SUM(CASE WHEN {churned()} THEN 1 ELSE 0 END) AS churned",
        f"SUM(CASE WHEN {at_start()} THEN 1 ELSE 0 END) AS at_start",
    ]
    sql = (
        f"SELECT {', '.join(columns)} "  # noqa: S608 - placeholders and fixed text only
        "FROM subscriptions s JOIN services v ON v.id = s.service_id "
        "WHERE v.monthly_price > 0"
    )
    (row,) = await conn.execute_query_dict(sql, params)
    figures = {k: int(v or 0) for k, v in row.items()}
    at_start_count = figures["at_start"]
    return BillingStats(
        currency=currency,
        mrr=per_month(figures["recurring"], period),
        active_paying_subscriptions=figures["paying"],
        churn=ChurnOut(
            window_days=CHURN_WINDOW.days,
            churned=figures["churned"],
            active_at_start=at_start_count,
            rate=figures["churned"] / at_start_count if at_start_count else 0.0,
        ),
        past_due=PastDueOut(subscriptions=figures["past_due"], amount=figures["owed"]),
        revenue_by_month=[
            MonthRevenue(month=month, amount=amount)
            for month, amount in await revenue_by_month(currency, now, revenue_months)
        ],
    )
