"""Webhook deliveries per second to a local receiver, against a plain HTTP client's rate.

A receiver process on 127.0.0.1 counts what it is sent (by webhook-id) and answers 204.
In the same run, on a durable PostgreSQL:
  - the baseline: the same N bodies POSTed by one aiohttp client, 20 at a time, signed with
    the same library: what a sender does without a queue, a log or a database;
  - the real thing: N events already in the outbox, each queued for one of E endpoints,
    delivered by the webhook channel's deliverer (claims, signature, POST, attempt log,
    delivered mark) on DELIVERERS processes side by side, as replicas would.
Prints deliveries per second and the ratio to the baseline, then checks that the receiver
heard every event exactly once and the log holds one successful attempt per delivery.

    .venv/bin/python bench/webhooks.py [--events 5000] [--endpoints 10] [--deliverers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import free_port, migrate, pg_connection  # noqa: E402
from standardwebhooks.webhooks import Webhook as Signer  # noqa: E402

from controlplane.app import build_outbox  # noqa: E402
from controlplane.config import Config, normalise_database_url  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"
KEY = Fernet.generate_key().decode()
PARALLEL = 20


def receive(port: int, ready: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    """The receiver process: counts each webhook-id it hears; GET /counts tells them."""
    heard: Counter[str] = Counter()

    async def take(request: web.Request) -> web.Response:
        await request.read()
        heard[request.headers.get("webhook-id", "")] += 1
        return web.Response(status=204)

    async def counts(request: web.Request) -> web.Response:
        return web.json_response(dict(heard))

    async def reset(request: web.Request) -> web.Response:
        heard.clear()
        return web.Response(status=204)

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/hook/{n}", take)
        app.router.add_get("/counts", counts)
        app.router.add_delete("/counts", reset)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(serve())


async def heard(base: str) -> Counter[str]:
    async with aiohttp.ClientSession() as http, http.get(base + "/counts") as resp:
        return Counter(await resp.json())


async def forget(base: str) -> None:
    async with aiohttp.ClientSession() as http, http.delete(base + "/counts"):
        pass


async def baseline(base: str, n: int, endpoints: int) -> float:
    """N signed POSTs by one client, PARALLEL at a time: the floor of any sender."""
    signer = Signer(SECRET)
    gate = asyncio.Semaphore(PARALLEL)
    body = json.dumps({"type": "billing.adjusted", "timestamp": "now", "data": {}})

    async def one(http: aiohttp.ClientSession, k: int) -> None:
        msg = str(uuid.uuid4())
        now = datetime.now(UTC)
        headers = {
            "webhook-id": msg,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signer.sign(msg, now, body),
            "content-type": "application/json",
        }
        async with gate, http.post(f"{base}/hook/{k % endpoints}", data=body, headers=headers):
            pass

    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(one(http, k) for k in range(n)))
    return time.perf_counter() - started


async def seed(url: str, base: str, n: int, endpoints: int) -> None:
    """E endpoints of one user, and n events in the outbox spread over them, as committed
    changes leave them (COPY: the seeding is not what is measured)."""
    async with pg_connection(url) as conn:
        now = datetime.now(UTC)
        user = uuid.uuid4()
        await conn.execute(
            "INSERT INTO users (id, name, email, password_hash, role, is_active,"
            " session_version, created_at, updated_at)"
            " VALUES ($1, 'Bench', 'bench@bench.test', 'x', 'USER', true, 1, $2, $2)",
            user,
            now,
        )
        # The user's personal team (of the user's id), whose endpoints they are.
        await conn.execute(
            "INSERT INTO teams (id, name, personal, created_at, updated_at)"
            " VALUES ($1, 'Bench', true, $2, $2)",
            user,
            now,
        )
        sealed = json.dumps(
            {
                "sealed": Fernet(KEY.encode())
                .encrypt(json.dumps({"secret": SECRET}).encode())
                .decode()
            }
        )
        hooks = [uuid.uuid4() for _ in range(endpoints)]
        for k, hook in enumerate(hooks):
            await conn.execute(
                "INSERT INTO webhooks (id, team_id, url, description, event_types, secret_sealed,"
                " enabled, created_at, updated_at)"
                " VALUES ($1, $2, $3, '', '[\"billing.adjusted\"]', $4::jsonb, true, $5, $5)",
                hook,
                user,
                f"{base}/hook/{k}",
                sealed,
                now,
            )
        events = [uuid.uuid4() for _ in range(n)]
        payload = json.dumps({"owner_id": str(user), "amount": 100, "currency": "EUR"})
        await conn.copy_records_to_table(
            "outbox_events",
            columns=["id", "type", "subject", "payload", "occurred_at"],
            records=((e, "billing.adjusted", str(user), payload, now) for e in events),
        )
        await conn.copy_records_to_table(
            "webhook_deliveries",
            columns=["id", "event_id", "webhook_id", "attempts", "next_attempt_at", "created_at"],
            records=(
                (uuid.uuid4(), e, hooks[k % endpoints], 0, now, now) for k, e in enumerate(events)
            ),
        )


def deliverer(url: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def go() -> None:
        config = Config(
            database_url=normalise_database_url(url),
            run_jobs=False,
            secrets_key=KEY,
            webhook_allow_networks="127.0.0.1/32",
        )
        async with connected(config.database_url):
            parts = build_outbox(config, lambda: datetime.now(UTC))
            started = time.perf_counter()
            handled = await parts.delivery.drain()
            took = time.perf_counter() - started
            await parts.delivery.stop()
            out.put((handled, took))

    asyncio.run(go())


async def check(url: str) -> dict[str, int]:
    async with pg_connection(url) as conn:
        return {
            "deliveries": await conn.fetchval("SELECT count(*) FROM webhook_deliveries"),
            "delivered": await conn.fetchval(
                "SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NOT NULL"
            ),
            "logged successes": await conn.fetchval(
                "SELECT count(*) FROM webhook_attempts WHERE status_code BETWEEN 200 AND 299"
            ),
            "deliveries with more than one attempt": await conn.fetchval(
                "SELECT count(*) FROM webhook_deliveries WHERE attempts > 1"
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--deliverers", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="no fsync (a test server)")
    args = parser.parse_args()
    n = args.events
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ready = multiprocessing.Event()
    receiver = multiprocessing.Process(target=receive, args=(port, ready), daemon=True)
    receiver.start()
    ready.wait(10)
    pg = PostgresServer(durable=not args.fast).start()
    try:
        migrate(pg.url)
        floor = asyncio.run(baseline(base, n, args.endpoints))
        print(
            f"baseline: {n} signed POSTs by one client, {PARALLEL} at a time: "
            f"{floor:.2f} s ({n / floor:.0f}/s)"
        )
        asyncio.run(forget(base))
        asyncio.run(seed(pg.url, base, n, args.endpoints))
        out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        procs = [
            multiprocessing.Process(target=deliverer, args=(pg.url, out))
            for _ in range(args.deliverers)
        ]
        started = time.perf_counter()
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        took = time.perf_counter() - started
        done = sum(h for h, _ in results)
        rate = n / took
        print(
            f"webhook channel on {args.deliverers} deliverer process(es), {args.endpoints}"
            f" endpoints: {done} deliveries ({', '.join(str(h) for h, _ in results)} each) in"
            f" {took:.2f} s: {rate:.0f}/s, {rate / (n / floor):.2f} x the plain client"
        )
        figures = asyncio.run(check(pg.url))
        counts = asyncio.run(heard(base))
        figures["events heard"] = len(counts)
        figures["events heard more than once"] = sum(1 for c in counts.values() if c > 1)
        for name, value in figures.items():
            print(f"  {name}: {value}")
        ok = (
            figures["delivered"] == n
            and figures["logged successes"] == n
            and figures["events heard"] == n
            and figures["events heard more than once"] == 0
        )
        print("every event heard once, one logged success each" if ok else "CHECKS FAILED")
        if not ok:
            sys.exit(1)
    finally:
        pg.stop()
        receiver.terminate()


if __name__ == "__main__":
    main()
