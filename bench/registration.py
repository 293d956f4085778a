"""Agent registration: a fleet rolling out at once with one join token, on PostgreSQL.

Each registration spends a use of its join token, which locks the token's row until
the registration commits, so agents sharing one token queue on that row. As a
baseline, the same number of agents register in the same run with a join token each
(nothing shared but the tables). Prints registrations per second and the ratio.

    .venv/bin/python bench/registration.py [--nodes 2000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import (  # noqa: E402
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    control_plane_env,
    create_admin,
    free_port,
    pg_connection,
    serve,
)
from heartbeat_ingest import make_join_tokens, register_nodes, wait_up  # noqa: E402

from tests.pgserver import PostgresServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    pg = PostgresServer().start()
    server: subprocess.Popen[bytes] | None = None
    try:
        env = control_plane_env(pg.url, MINISPOD_RUN_JOBS="false")
        create_admin(pg.url)
        port = free_port()
        server = serve(env, port)
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_up(f"{base}/api/v1/auth/login"))

        def rate(join_tokens: int) -> float:
            joins = asyncio.run(make_join_tokens(base, ADMIN_EMAIL, ADMIN_PASSWORD, join_tokens))
            started = time.perf_counter()
            asyncio.run(register_nodes(base, joins, args.nodes, args.concurrency))
            return args.nodes / (time.perf_counter() - started)

        shared = rate(1)
        asyncio.run(_wipe(pg.url))
        own = rate(args.nodes)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        pg.stop()
    print(f"nodes={args.nodes} concurrency={args.concurrency}")
    print(f"one join token for all (baseline: one each): {shared:6.0f} registrations/s")
    print(f"a join token each                          : {own:6.0f} registrations/s")
    print(f"ratio shared / own: {shared / own:.2f}")


async def _wipe(url: str) -> None:
    """The first run's nodes, so the second registers new ones under the same names."""

    async with pg_connection(url) as conn:
        await conn.execute("TRUNCATE worker_nodes, node_events, node_tokens CASCADE")


if __name__ == "__main__":
    main()
