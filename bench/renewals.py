"""Renewals at scale: N subscriptions due at once on a durable PostgreSQL, renewed by the real
job (Subscriptions.renew_due) on RUNNERS processes at the same time, as replicas would.

Seeds N customers, each with a wallet funded through the ledger (a balanced ADJUSTMENT) and
one ACTIVE subscription whose period has just ended, by COPY. Then, in the same run:
  - the baseline: N transactions of the same ledger rows written by plain INSERTs, one
    commit each (what a renewal cannot do with fewer round trips to a durable disk);
  - the renewal job on RUNNERS processes at once, each walking every due subscription.
Prints renewals per second and the ratio to the baseline, then checks by SQL: no
subscription charged twice for a period, one invoice per charge numbered 1..N without a
gap, every transaction's postings summing to zero, and every wallet's cached balance
equal to the sum of its postings.

    .venv/bin/python bench/renewals.py [--subscriptions 100000] [--runners 2] [--fast]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import migrate, pg_connection  # noqa: E402

from controlplane.app import build_notices, build_outbox, build_subscriptions  # noqa: E402
from controlplane.cluster.memory import InMemoryCluster  # noqa: E402
from controlplane.config import Config, normalise_database_url  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from controlplane.db.models import Service  # noqa: E402
from controlplane.metrics import Metrics  # noqa: E402
from controlplane.services.catalog.templates import DEFAULT_CATALOG  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

PRICE = 1500
# The moment the job runs: every seeded period ended a minute before it.
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
ENTRY = DEFAULT_CATALOG[0]


async def seed(url: str, n: int) -> None:
    async with connected(normalise_database_url(url)):
        service = (
            await Service.create(
                name="Bench app",
                slug="bench",
                category=ENTRY["category"],
                version=ENTRY["version"],
                monthly_price=PRICE,
                template=ENTRY["template"].wire(),
            )
        ).id
    async with pg_connection(url) as conn:
        users = [uuid.uuid4() for _ in range(n)]
        wallets = [uuid.uuid4() for _ in range(n)]
        fundings = [uuid.uuid4() for _ in range(n)]
        promotional = uuid.uuid4()
        for account, kind in (
            (promotional, "PROMOTIONAL_CREDIT"),
            (uuid.uuid4(), "PAYMENT_CLEARING"),
        ):
            await conn.execute(
                "INSERT INTO ledger_accounts (id, key, kind, currency, balance, credit_limit, "
                "created_at) VALUES ($1, $2, $3, 'EUR', NULL, 0, now())",
                account,
                f"{kind}:EUR",
                kind,
            )
        now = datetime.now(UTC)
        await conn.copy_records_to_table(
            "users",
            columns=[
                "id",
                "name",
                "email",
                "password_hash",
                "role",
                "is_active",
                "session_version",
                "created_at",
                "updated_at",
            ],
            records=(
                (u, f"Customer {i}", f"c{i}@bench.test", "x", "USER", True, 1, now, now)
                for i, u in enumerate(users)
            ),
        )
        funds = 2 * PRICE
        await conn.copy_records_to_table(
            "ledger_accounts",
            columns=[
                "id",
                "key",
                "kind",
                "owner_type",
                "owner_id",
                "currency",
                "balance",
                "credit_limit",
                "created_at",
            ],
            records=(
                (w, f"WALLET:TEAM:{u}:EUR", "WALLET", "TEAM", u, "EUR", funds, 0, now)
                for w, u in zip(wallets, users, strict=True)
            ),
        )
        await conn.copy_records_to_table(
            "ledger_transactions",
            columns=[
                "id",
                "idempotency_key",
                "type",
                "currency",
                "reference_type",
                "reference_id",
                "reason",
                "created_at",
            ],
            records=(
                (t, f"bench-funds:{t}", "ADJUSTMENT", "EUR", "test", "bench", "bench", now)
                for t in fundings
            ),
        )
        await conn.copy_records_to_table(
            "ledger_postings",
            columns=["id", "transaction_id", "account_id", "amount", "balance_after", "created_at"],
            records=(
                row
                for t, w in zip(fundings, wallets, strict=True)
                for row in (
                    (uuid.uuid4(), t, w, funds, funds, now),
                    (uuid.uuid4(), t, promotional, -funds, None, now),
                )
            ),
        )
        ended = NOW - timedelta(minutes=1)
        await conn.copy_records_to_table(
            "subscriptions",
            columns=[
                "id",
                "team_id",
                "user_id",
                "service_id",
                "subdomain",
                "status",
                "current_period_start",
                "current_period_end",
                "env",
                "created_at",
                "updated_at",
            ],
            records=(
                (
                    uuid.uuid4(),
                    u,  # the user's personal team has the user's id
                    u,
                    service,
                    f"b{i}",
                    "ACTIVE",
                    ended - timedelta(days=30),
                    ended,
                    "{}",
                    now,
                    now,
                )
                for i, u in enumerate(users)
            ),
        )
        await conn.execute("ANALYZE")


async def baseline(url: str, n: int) -> float:
    """N balanced ledger transactions (one row and two postings, between two platform
    accounts, so no wallet changes), one commit each, by plain INSERTs on one connection:
    the same tables, indexes, triggers and durable commits a renewal writes, and nothing
    else."""
    async with pg_connection(url) as conn:
        promotional, clearing = [
            await conn.fetchval("SELECT id FROM ledger_accounts WHERE key = $1", key)
            for key in ("PROMOTIONAL_CREDIT:EUR", "PAYMENT_CLEARING:EUR")
        ]
        started = time.perf_counter()
        for _ in range(n):
            tx = uuid.uuid4()
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO ledger_transactions (id, idempotency_key, type, currency, "
                    "reference_type, reference_id, reason, created_at) VALUES ($1, $2, "
                    "'ADJUSTMENT', 'EUR', 'bench', $3, 'baseline', now())",
                    tx,
                    f"baseline:{tx}",
                    str(tx),
                )
                await conn.execute(
                    "INSERT INTO ledger_postings (id, transaction_id, account_id, amount, "
                    "created_at) VALUES ($1, $3, $4, -1, now()), ($2, $3, $5, 1, now())",
                    uuid.uuid4(),
                    uuid.uuid4(),
                    tx,
                    promotional,
                    clearing,
                )
        return time.perf_counter() - started


def runner(url: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One replica: the real renewal job, with the clock at NOW."""

    async def go() -> None:
        config = Config(
            database_url=normalise_database_url(url),
            run_jobs=False,
            secrets_key=Fernet.generate_key().decode(),
        )
        async with connected(config.database_url):
            clock = lambda: NOW  # noqa: E731
            outbox = build_outbox(config, clock).outbox
            notices = build_notices(config, clock, outbox)
            subscriptions, _ = build_subscriptions(
                config, clock, InMemoryCluster(), Metrics(), outbox, notices
            )
            started = time.perf_counter()
            result = await subscriptions.renew_due()
            out.put((result.renewed, time.perf_counter() - started))

    asyncio.run(go())


async def check(url: str, n: int) -> dict[str, int]:
    async with pg_connection(url) as conn:
        q = conn.fetchval
        return {
            "charges": await q("SELECT COUNT(*) FROM ledger_transactions WHERE type = 'CHARGE'"),
            "double charges": await q(
                "SELECT COUNT(*) FROM (SELECT reference_id FROM ledger_transactions "
                "WHERE type = 'CHARGE' GROUP BY reference_id HAVING COUNT(*) > 1) d"
            ),
            "renewed subscriptions": await q(
                "SELECT COUNT(*) FROM subscriptions WHERE current_period_end > $1", NOW
            ),
            "invoices": await q("SELECT COUNT(*) FROM invoices"),
            "highest invoice number": await q(
                "SELECT COALESCE(MAX(CAST(split_part(number, '-', 3) AS int)), 0) FROM invoices"
            ),
            "unbalanced transactions": await q(
                "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_postings "
                "GROUP BY transaction_id HAVING SUM(amount) <> 0) u"
            ),
            "wallets off their postings": await q(
                "SELECT COUNT(*) FROM ledger_accounts a LEFT JOIN (SELECT account_id, "
                "SUM(amount) AS total FROM ledger_postings GROUP BY account_id) p "
                "ON p.account_id = a.id WHERE a.kind = 'WALLET' "
                "AND a.balance <> COALESCE(p.total, 0)"
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--runners", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="no fsync (a test server)")
    args = parser.parse_args()
    n = args.subscriptions
    pg = PostgresServer(durable=not args.fast).start()
    try:
        migrate(pg.url)
        started = time.perf_counter()
        asyncio.run(seed(pg.url, n))
        print(f"seeded {n} due subscriptions in {time.perf_counter() - started:.1f} s")
        floor = asyncio.run(baseline(pg.url, n))
        print(
            f"baseline: {n} ledger transactions by plain INSERTs, one commit each: "
            f"{floor:.1f} s ({n / floor:.0f}/s)"
        )
        out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        procs = [
            multiprocessing.Process(target=runner, args=(pg.url, out)) for _ in range(args.runners)
        ]
        started = time.perf_counter()
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        took = time.perf_counter() - started
        renewed = sum(r for r, _ in results)
        print(
            f"renewal job on {args.runners} runner(s) at once: {renewed} renewed "
            f"({', '.join(str(r) for r, _ in results)} each) in {took:.1f} s: "
            f"{renewed / took:.0f} renewals/s, {(n / floor) / (renewed / took):.1f}x slower "
            "than the plain-INSERT baseline"
        )
        figures = asyncio.run(check(pg.url, n))
        for name, value in figures.items():
            print(f"  {name}: {value}")
        ok = (
            figures["double charges"] == 0
            and figures["charges"] == n
            and figures["renewed subscriptions"] == n
            and figures["invoices"] == n
            and figures["highest invoice number"] == n
            and figures["unbalanced transactions"] == 0
            and figures["wallets off their postings"] == 0
        )
        print("ledger balanced, no double charge, invoices gapless" if ok else "CHECKS FAILED")
        if not ok:
            sys.exit(1)
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
