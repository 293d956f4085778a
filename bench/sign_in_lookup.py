"""The account lookup every signed-in request makes: the ORM's query against fixed SQL text.

A dashboard's every request checks its access token's account (active, session
not ended). Both ways read the same row through the same connection pool, in
alternating blocks of the same run; prints microseconds per lookup (this
process's wall time, the database's included) and the ratio, on SQLite and on a
PostgreSQL the run starts, and checks both ways return the same account.

    .venv/bin/python bench/sign_in_lookup.py [--lookups 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import migrate  # noqa: E402
from tortoise import connections  # noqa: E402

from controlplane.config import normalise_database_url  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from controlplane.db.models import User  # noqa: E402
from controlplane.db.sql import get_by  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402


async def per_lookup(lookup: Callable[[], Awaitable[object]], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await lookup()
    return (time.perf_counter() - started) / n * 1e6


async def run(url: str, lookups: int, rounds: int) -> None:
    async with connected(normalise_database_url(url)):
        user = await User.create(
            id=uuid.uuid4(), name="Reader", email="reader@example.com", password_hash="x"
        )
        db = connections.get(next(iter(connections.db_config)))

        async def orm() -> User | None:
            return await User.filter(id=user.id).using_db(db).first()

        async def fixed() -> User | None:
            return await get_by(User, "id", user.id, db=db)

        a, b = await orm(), await fixed()
        assert a is not None
        assert b is not None
        fields = ("id", "email", "role", "is_active", "session_version", "created_at")
        assert all(getattr(a, f) == getattr(b, f) for f in fields), "the two ways disagree"
        await per_lookup(orm, lookups // 10)  # warm both up
        await per_lookup(fixed, lookups // 10)
        before, after = [], []
        for _ in range(rounds):
            before.append(await per_lookup(orm, lookups))
            after.append(await per_lookup(fixed, lookups))
        b_med, a_med = statistics.median(before), statistics.median(after)
        print(
            f"{url.split(':')[0]:<10} ORM {b_med:7.1f} us/lookup, fixed SQL {a_med:7.1f} "
            f"us/lookup ({a_med / b_med:.2f}x), median of {rounds} rounds of {lookups}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite://{tmp}/bench.sqlite3"
        migrate(sqlite)
        asyncio.run(run(sqlite, args.lookups, args.rounds))
    pg = PostgresServer().start()
    try:
        migrate(pg.url)
        asyncio.run(run(pg.url, args.lookups, args.rounds))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
