"""What the platform earned: revenue postings of the ledger summed per calendar month (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

from controlplane.db.models import LedgerPosting
from controlplane.db.sql import is_postgres, marks
from shared.durations import add_months
from shared.enums import LedgerAccountKind


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def revenue_by_month(currency: str, now: datetime, months: int) -> list[tuple[str, int]]:
    """("2026-12", amount) for the `months` calendar months up to and including now's,
    oldest first, 0 for a month without revenue. Summed by the database over the postings
    to the revenue account (refunds post to their own account, so this is gross revenue)."""
    first = add_months(month_start(now), -(months - 1))
    conn = LedgerPosting._meta.db
    kind, code, since, until = marks(conn, 4)
    # SQLite keeps datetimes as ISO text in UTC, so its first seven characters are the
    # month; PostgreSQL's timestamptz is formatted in UTC explicitly.
    month = (
        "to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM')"
        if is_postgres(conn)
        else "substr(p.created_at, 1, 7)"
    )
    sql = (
        f"SELECT {month} AS month, SUM(p.amount) AS total FROM ledger_postings p "  # noqa: S608 - placeholders and fixed text only
        f"JOIN ledger_accounts a ON a.id = p.account_id "
        f"WHERE a.kind = {kind} AND a.currency = {code} "
        f"AND p.created_at >= {since} AND p.created_at <= {until} GROUP BY month"
    )
    rows = await conn.execute_query_dict(
        sql, [LedgerAccountKind.REVENUE.value, currency, first, now.astimezone(UTC)]
    )
    totals = {str(r["month"]): int(r["total"]) for r in rows}
    keys = [add_months(first, i).strftime("%Y-%m") for i in range(months)]
    return [(key, totals.get(key, 0)) for key in keys]
