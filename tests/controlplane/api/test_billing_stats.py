"""GET /admin/billing/stats over known rows: every figure checked exactly, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from controlplane.db.models import LedgerPosting, LedgerTransaction, Service, Subscription, User
from controlplane.services.apps.billing_stats import per_month
from controlplane.services.billing.wallets import platform_account
from controlplane.services.catalog.templates import DEFAULT_CATALOG
from shared.durations import CalendarDuration
from shared.enums import LedgerAccountKind, Role, SubscriptionStatus, TransactionType
from tests.conftest import ADMIN_PASSWORD, FakeClock, bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import customer

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RETENTION = timedelta(days=30)  # MINISPOD_BILLING_RETENTION's default, P30D


async def _service(slug: str, price: int) -> Service:
    entry = DEFAULT_CATALOG[0]
    return await Service.create(
        name=slug,
        slug=slug,
        category=entry["category"],
        version=entry["version"],
        monthly_price=price,
        template=entry["template"].wire(),
    )


async def _subscription(
    service: Service,
    status: SubscriptionStatus,
    created: datetime,
    period_end: datetime | None = None,
    cancelled: datetime | None = None,
) -> None:
    end = period_end or NOW + 10 * DAY
    owner = uuid.uuid4()
    await Subscription.create(
        id=uuid.uuid4(),
        team_id=owner,
        user_id=owner,
        service_id=service.id,
        subdomain=f"s-{uuid.uuid4().hex[:10]}",
        status=status,
        current_period_start=end - 30 * DAY,
        current_period_end=end,
        cancelled_at=cancelled,
        created_at=created,
    )


async def _posted(kind: LedgerAccountKind, amount: int, at: datetime, currency: str = "EUR"):
    """A transaction as the ledger would have posted it at `at` (the ledger stamps the real
    time; the figures here need known months)."""
    account = await platform_account(kind, currency)
    clearing = await platform_account(LedgerAccountKind.PAYMENT_CLEARING, currency)
    transaction = await LedgerTransaction.create(
        id=uuid.uuid4(),
        idempotency_key=f"fixture:{uuid.uuid4()}",
        type=TransactionType.CHARGE,
        currency=currency,
        reference_type="test",
        reference_id="fixture",
        created_at=at,
    )
    for target, value in ((account, amount), (clearing, -amount)):
        await LedgerPosting.create(
            id=uuid.uuid4(),
            transaction_id=transaction.id,
            account_id=target.id,
            amount=value,
            created_at=at,
        )


@pytest.fixture
async def figures(platform, clock: FakeClock) -> None:
    clock.now = NOW
    small, large, free = (
        await _service("small", 1000),
        await _service("large", 2500),
        await _service("free", 0),
    )
    long_ago = NOW - 100 * DAY
    # Paying: two running since before the window, one new this week.
    await _subscription(small, SubscriptionStatus.ACTIVE, long_ago)
    await _subscription(large, SubscriptionStatus.ACTIVE, long_ago)
    await _subscription(large, SubscriptionStatus.PENDING, NOW - 5 * DAY)
    # Free ones count nowhere.
    await _subscription(free, SubscriptionStatus.ACTIVE, long_ago)
    await _subscription(free, SubscriptionStatus.CANCELLED, long_ago, cancelled=NOW - DAY)
    # Owing their renewals.
    await _subscription(small, SubscriptionStatus.PAST_DUE, long_ago, period_end=NOW - DAY)
    await _subscription(large, SubscriptionStatus.PAST_DUE, long_ago, period_end=NOW - 2 * DAY)
    # Ended inside the window (churned) and before it (gone before it began).
    await _subscription(small, SubscriptionStatus.CANCELLED, long_ago, cancelled=NOW - 10 * DAY)
    await _subscription(large, SubscriptionStatus.CANCELLED, long_ago, cancelled=NOW - 40 * DAY)
    expired_5_days_ago = NOW - 5 * DAY - RETENTION
    expired_40_days_ago = NOW - 40 * DAY - RETENTION
    await _subscription(
        small, SubscriptionStatus.EXPIRED, long_ago - 100 * DAY, period_end=expired_5_days_ago
    )
    await _subscription(
        small, SubscriptionStatus.EXPIRED, long_ago - 100 * DAY, period_end=expired_40_days_ago
    )
    revenue = LedgerAccountKind.REVENUE
    await _posted(revenue, 1000, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    await _posted(revenue, 2500, datetime(2026, 12, 10, 9, 30, tzinfo=UTC))
    await _posted(revenue, 500, datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    await _posted(revenue, 700, datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    await _posted(revenue, 9999, datetime(2025, 12, 31, 23, 59, tzinfo=UTC))  # 13 months back
    await _posted(revenue, 4242, datetime(2026, 12, 20, tzinfo=UTC))  # after now
    await _posted(LedgerAccountKind.REFUNDS, 300, datetime(2026, 12, 2, tzinfo=UTC))
    await _posted(revenue, 8888, datetime(2026, 12, 3, tzinfo=UTC), currency="USD")


async def _admin(platform) -> dict[str, str]:
    await create_account(platform, "admin@paas.com", ADMIN_PASSWORD, Role.ADMINISTRATOR.value)
    return bearer((await sign_in(platform, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])


async def test_billing_stats_add_up_exactly_over_known_rows(platform, figures):
    resp = await platform.get("/api/v1/admin/billing/stats", headers=await _admin(platform))
    assert resp.status == 200, await resp.text()
    stats = (await resp.json())["data"]
    assert stats["currency"] == "EUR"
    assert stats["activePayingSubscriptions"] == 3
    assert stats["mrr"] == 1000 + 2500 + 2500
    assert stats["pastDue"] == {"subscriptions": 2, "amount": 3500}
    # Live at the window's start: 2 active, 2 past due, the one cancelled and the one
    # expired inside it; 2 of those 6 ended in it.
    assert stats["churn"] == {"windowDays": 30, "churned": 2, "activeAtStart": 6, "rate": 2 / 6}
    months = stats["revenueByMonth"]
    assert [m["month"] for m in months] == [f"2026-{m:02d}" for m in range(1, 13)]
    amounts = {m["month"]: m["amount"] for m in months}
    assert amounts["2026-12"] == 3500 and amounts["2026-11"] == 500
    assert amounts["2026-01"] == 700
    assert sum(amounts.values()) == 4700


async def test_billing_stats_are_for_administrators_only(platform):
    alice = await customer(platform, "alice@example.com", funds=0)
    resp = await platform.get("/api/v1/admin/billing/stats", headers=alice)
    assert resp.status == 403
    assert (await platform.get("/api/v1/admin/billing/stats")).status == 401
    assert await User.all().count() == 1


async def test_an_empty_platform_has_zero_figures_and_twelve_empty_months(platform, clock):
    clock.now = NOW
    resp = await platform.get("/api/v1/admin/billing/stats", headers=await _admin(platform))
    stats = (await resp.json())["data"]
    assert stats["mrr"] == 0 and stats["activePayingSubscriptions"] == 0
    assert stats["churn"]["rate"] == 0.0 and stats["churn"]["activeAtStart"] == 0
    assert [m["amount"] for m in stats["revenueByMonth"]] == [0] * 12


@pytest.mark.parametrize(
    ("period", "monthly"),
    [("P1M", 6000), ("P3M", 2000), ("P1Y", 500), ("P1W", 25714), ("PT1M", 6000 * 43200)],
)
def test_recurring_revenue_is_quoted_per_month_whatever_the_period(
    period: str, monthly: int
) -> None:
    # P1W: 6000 a week is 6000 * 30 / 7 = 25714.28… a month.
    assert per_month(6000, CalendarDuration.parse(period)) == monthly
