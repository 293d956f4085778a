"""`minispod-controlplane serve | migrate | seed | create-admin | join-token | reseal-secrets`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import os
import sys

from controlplane.config import Config, ConfigError, load_config
from controlplane.logs import configure_logging

log = logging.getLogger("minispod.cli")


# Collect the youngest generation after this many new objects rather than 700.
# A heartbeat allocates a few hundred short-lived objects; at the default the
# collector ran thousands of times a second and promoted request garbage into
# older generations, whose full scans paused the loop for up to 60 ms.
GC_YOUNG_THRESHOLD = 10_000


async def _settle_memory(_app: object) -> None:
    """Once started: what start-up made (modules, ORM metadata, routes, pools) lives as
    long as the process, so it is moved out of the collector's sight for good."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def _serve_one(config: Config, reuse_port: bool = False) -> None:
    from controlplane.api import server
    from controlplane.app import create_app

    configure_logging(config.log_level, config.log_format)
    app = create_app(config)
    # After the app's own start-up (database, cluster, jobs), which runs first.
    app.on_startup.append(_settle_memory)
    server.run(
        app,
        config.host,
        config.port,
        reuse_port=reuse_port,
        access_log=None,
        shutdown_timeout=10,
    )


def _serve(config: Config) -> int:
    log.info(
        "serving on %s:%s (env=%s, workers=%d)",
        config.host,
        config.port,
        config.env,
        config.workers,
    )
    if config.workers == 1:
        _serve_one(config)
        return 0
    return _serve_workers(config)


def _serve_workers(config: Config) -> int:
    """N processes on one port (SO_REUSEPORT), as N replicas on one host: one event
    loop is one core, and the kernel spreads connections over the processes. They
    share only the database, exactly as replicas do (jobs run on the lock holder)."""
    import multiprocessing
    import signal

    from controlplane.db.database import migrate

    if config.migrate_on_start:
        asyncio.run(migrate(config.database_url))  # once, not raced by every worker
    worker_config = config.replace(migrate_on_start=False)
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=_serve_one, args=(worker_config, True), name=f"worker-{i}")
        for i in range(config.workers)
    ]
    for worker in workers:
        worker.start()

    def stop(signum: int, _frame: object) -> None:
        for worker in workers:
            if worker.is_alive() and worker.pid is not None:
                os.kill(worker.pid, signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for worker in workers:
        worker.join()
    return max(abs(w.exitcode or 0) for w in workers)


async def _migrate(config: Config) -> int:
    from controlplane.db.database import migrate

    applied = await migrate(config.database_url)
    print("applied: " + ", ".join(applied) if applied else "database is up to date")
    return 0


async def _reseal(config: Config) -> int:
    from controlplane.app import build_outbox
    from controlplane.db.database import connected
    from controlplane.services.apps.provisioning import reseal_secrets
    from controlplane.services.clock import utcnow
    from controlplane.services.sealing import SecretBox

    async with connected(config.database_url):
        instances = await reseal_secrets(SecretBox(config.secrets_keys))
        parts = build_outbox(config, utcnow)
        webhooks = await parts.webhooks.reseal()
        events = await parts.outbox.reseal()
    print(f"resealed {instances} instance(s), {webhooks} webhook secret(s) and {events} event(s)")
    return 0


async def _with_accounts(config: Config, action: str, args: argparse.Namespace) -> int:
    from controlplane.app import build_accounts, build_notices, build_outbox
    from controlplane.db.database import connected, migrate
    from controlplane.services.clock import utcnow
    from controlplane.services.errors import ServiceError
    from controlplane.services.seed import (
        seed_accounts,
        seed_catalog,
        seed_development_credit,
    )
    from shared.enums import Role

    await migrate(config.database_url)
    # The CLI's accounts (seed, create-admin) emit nothing that needs mail, and a
    # `serve` replica delivers whatever they write.
    outbox = build_outbox(config, utcnow).outbox
    accounts = build_accounts(config, utcnow, outbox)
    async with connected(config.database_url):
        if action == "seed":
            if not args.catalog_only:
                created = await seed_accounts(accounts)
                print("created: " + ", ".join(created) if created else "seed data already present")
                credited = await seed_development_credit(
                    build_notices(config, utcnow, outbox), config.currency
                )
                if credited:
                    print("development credit: " + ", ".join(credited))
            services = await seed_catalog()
            print(
                "catalog created: " + ", ".join(services) if services else "catalog already present"
            )
            return 0
        if action == "join-token":
            from controlplane.services.fleet import join_tokens
            from shared.wire.workers import JoinTokenCreate

            made = await join_tokens.create(
                JoinTokenCreate(name=args.name, expires_in_hours=args.expires_in_hours),
                None,
                utcnow(),
            )
            print(made.token)  # the only output, so scripts can capture it
            return 0
        password = os.environ.get("MINISPOD_ADMIN_PASSWORD") or ""
        if not password:
            if not sys.stdin.isatty():
                print("set MINISPOD_ADMIN_PASSWORD (no terminal to ask on)", file=sys.stderr)
                return 2
            password = getpass.getpass("Password: ")
        try:
            user = await accounts.create_user(args.name, args.email, password, Role.ADMINISTRATOR)
        except ServiceError as exc:
            print(f"create-admin: {exc.message}", file=sys.stderr)
            return 1
        print(f"administrator {user.email} created")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="minispod-controlplane")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the API (applies pending migrations first)")
    sub.add_parser("migrate", help="apply pending database migrations")
    seed = sub.add_parser(
        "seed", help="create the test accounts (development only) and the default catalog"
    )
    seed.add_argument(
        "--catalog-only",
        action="store_true",
        help="only the default catalog (n8n, Ghost, WordPress); allowed in production",
    )
    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    sub.add_parser(
        "reseal-secrets",
        help="seal every instance's credentials under the first MINISPOD_SECRETS_KEY key",
    )
    join = sub.add_parser("join-token", help="create a cluster join token and print it (once)")
    join.add_argument("--name", default="agents")
    join.add_argument("--expires-in-hours", type=float, default=None)
    args = parser.parse_args(argv)

    try:
        config = load_config()
    except ConfigError as exc:
        print(f"minispod-controlplane: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.log_format)

    # The catalog creates no accounts, so it may be seeded in production.
    if args.command == "seed" and config.is_production and not args.catalog_only:
        print("seed: refused in production (test accounts have public passwords)", file=sys.stderr)
        return 2
    from controlplane.db.database import DatabaseUnusable, tortoise_config

    try:
        tortoise_config(config.database_url)  # a SQLite file that cannot open fails here
        if args.command == "serve":
            return _serve(config)
        if args.command == "migrate":
            return asyncio.run(_migrate(config))
        if args.command == "reseal-secrets":
            return asyncio.run(_reseal(config))
        return asyncio.run(_with_accounts(config, args.command, args))
    except DatabaseUnusable as exc:
        print(f"minispod-controlplane: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
