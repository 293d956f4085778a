"""The application factory: wires config, database, services and routes into one aiohttp app."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import NamedTuple

from aiohttp import web

from controlplane.api import pipeline
from controlplane.api.docs import SPEC
from controlplane.api.openapi import build_spec
from controlplane.api.routes import PREFIX, ROUTES
from controlplane.api.routing import serve
from controlplane.api.security import authenticate
from controlplane.appkeys import (
    ACCOUNTS,
    ALERTS,
    API_KEYS,
    CLOCK,
    CLUSTER,
    CONFIG,
    CREDITS,
    DELIVERY,
    FLEET_COUNTS,
    FLEET_READS,
    FLEET_STATS,
    HEARING,
    INGEST,
    METRICS,
    NODE_AUTH,
    NODE_TOKEN_FAILURES,
    NOTICES,
    OUTBOX,
    RATE_LIMITER,
    READS,
    RECONCILER,
    SNAPSHOTS,
    STRIPE,
    SUBSCRIPTIONS,
    TEAMS,
    TOP_UPS,
    WEBHOOKS,
)
from controlplane.blobs.factory import snapshot_store
from controlplane.cluster.factory import cluster_from_config
from controlplane.cluster.gateway import ClusterGateway
from controlplane.config import Config
from controlplane.db import database
from controlplane.db.listen import Channel
from controlplane.egress import EgressPolicy, HttpPoster
from controlplane.jobs.runner import Jobs
from controlplane.loop_lag import LoopLag
from controlplane.metrics import Metrics
from controlplane.scheduler import profile_from_config
from controlplane.services.accounts.accounts import Accounts, Recovery
from controlplane.services.accounts.api_keys import ApiKeys, KeyUsage
from controlplane.services.accounts.login_throttle import LoginThrottle, ThrottleRule
from controlplane.services.accounts.passwords import Passwords
from controlplane.services.accounts.rate_limit import RateLimiter
from controlplane.services.accounts.tokens import AccessTokens
from controlplane.services.alerts.alerting import AlertPolicy, Alerts
from controlplane.services.alerts.conditions import JobFailures
from controlplane.services.apps import spending
from controlplane.services.apps.history import History
from controlplane.services.apps.instances import Lifecycle
from controlplane.services.apps.placement import Fleet
from controlplane.services.apps.provisioning import ClusterSettings, Provisioner
from controlplane.services.apps.reconcile import Disruption, Reconciler
from controlplane.services.apps.subscriptions import BillingTerms, Subscriptions
from controlplane.services.apps.tenant_locks import TenantLocks
from controlplane.services.billing.credits import Credits
from controlplane.services.billing.invoices import Invoicing, Seller
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.providers import ManualTransfer, PaymentProvider
from controlplane.services.billing.stripe_checkout import StripeCheckout, StripeSettings
from controlplane.services.billing.top_ups import TopUps
from controlplane.services.clock import Clock, utcnow
from controlplane.services.events import mail
from controlplane.services.events.delivery import WEBHOOKS as WEBHOOK_QUEUE
from controlplane.services.events.delivery import Deliverer, RetryPolicy
from controlplane.services.events.dispatch import DeliveryLoop
from controlplane.services.events.outbox import Outbox
from controlplane.services.events.sender import CHANNEL as WEBHOOK_CHANNEL
from controlplane.services.events.sender import MAX_RETRY_DELAY as WEBHOOK_MAX_DELAY
from controlplane.services.events.sender import WebhookSender
from controlplane.services.events.webhooks import Webhooks, endpoints_for
from controlplane.services.fleet.coalesce import Recent
from controlplane.services.fleet.hearing import Hearing
from controlplane.services.fleet.ingest import TelemetryIngest
from controlplane.services.fleet.node_auth import REVOCATIONS, NodeAuth
from controlplane.services.fleet.workers import Counting
from controlplane.services.sealing import SecretBox
from controlplane.services.snapshots.library import Snapshots, SnapshotSettings
from controlplane.services.snapshots.retention import Policy
from controlplane.services.teams.teams import Teams
from shared.durations import CalendarDuration

log = logging.getLogger("minispod.app")


class EventParts(NamedTuple):
    outbox: Outbox
    delivery: DeliveryLoop
    webhooks: Webhooks


def build_outbox(config: Config, clock: Clock) -> EventParts:
    """The outbox and its channels: email, and webhooks (one delivery per endpoint)."""
    box = SecretBox(config.secrets_keys)
    templates = mail.Templates(config.public_url)
    outbox = Outbox(box, {mail.CHANNEL: templates.event_types()}, clock, endpoints_for)
    mailer = mail.Mailer(
        templates,
        mail.transport_from_config(config.smtp_url, config.data_dir),
        config.mail_from,
        clock,
    )
    retry = RetryPolicy(config.outbox_max_attempts, config.outbox_retry_delay)
    lease = timedelta(seconds=config.outbox_lease)
    email = Deliverer(mail.CHANNEL, mailer, outbox, retry, clock, lease=lease)
    egress = EgressPolicy.parse(config.webhook_allow_networks)
    sender = WebhookSender(
        box,
        outbox,
        HttpPoster(egress, config.webhook_timeout),
        clock,
        CalendarDuration.parse(config.webhook_disable_after).exact,
    )
    # A batch's sends run side by side, each bounded by the timeout: the lease covers a
    # batch whose every endpoint times out.
    hooks = Deliverer(
        WEBHOOK_CHANNEL,
        sender,
        outbox,
        RetryPolicy(config.webhook_max_attempts, config.webhook_retry_delay, WEBHOOK_MAX_DELAY),
        clock,
        lease=max(lease, timedelta(seconds=config.webhook_timeout * 3)),
        queue=WEBHOOK_QUEUE,
        parallel=20,
    )
    delivery = DeliveryLoop(outbox, [email, hooks], config.outbox_poll_interval, [sender])
    return EventParts(outbox, delivery, Webhooks(box, outbox, egress, clock))


def build_alerts(config: Config, clock: Clock, outbox: Outbox) -> Alerts:
    policy = AlertPolicy(
        CalendarDuration.parse(config.alert_confirm_after).exact,
        CalendarDuration.parse(config.alert_flap_window).exact,
    )
    return Alerts(outbox, policy, clock, JobFailures(), config.disruption_threshold)


def build_notices(config: Config, clock: Clock, outbox: Outbox) -> Notices:
    """What billing tells, with the daily spend a wallet's runway is measured in."""
    period = CalendarDuration.parse(config.billing_period)
    return Notices(
        outbox,
        CalendarDuration.parse(config.low_balance_runway).exact,
        clock,
        functools.partial(spending.daily_spend, period, clock),
    )


def build_accounts(config: Config, clock: Clock, outbox: Outbox) -> Accounts:
    window = timedelta(seconds=config.login_window_seconds)
    return Accounts(
        passwords=Passwords(config.password_time_cost, config.password_memory_kib),
        access=AccessTokens(
            config.jwt_secret,
            config.jwt_issuer,
            config.jwt_audience,
            config.access_token_ttl,
            clock,
        ),
        refresh_ttl=config.refresh_token_ttl,
        throttle=LoginThrottle(
            ThrottleRule("pair", config.login_max_failures, window),
            ThrottleRule("account", config.login_max_failures_per_account, window),
            ThrottleRule("address", config.login_max_failures_per_ip, window),
        ),
        clock=clock,
        outbox=outbox,
        recovery=Recovery(
            verification_ttl=timedelta(seconds=config.email_verification_ttl),
            resend_interval=timedelta(seconds=config.verification_resend_interval),
            reset_ttl=timedelta(seconds=config.password_reset_ttl),
            unverified_may_log_in=config.unverified_policy == "restricted",
        ),
    )


async def _database(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    if config.migrate_on_start:
        applied = await database.migrate(config.database_url)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    async with database.connected(config.database_url):
        try:
            problems = await database.durability_problems()
        except Exception as exc:
            if not database.unreachable(exc):
                raise
            # Serving starts anyway (readiness says 503 meanwhile); /ready checks again.
            log.warning("database unreachable at start: %s", exc)
            problems = []
        else:
            app[METRICS].database_durable.set(0 if problems else 1)
        if problems:
            log.warning(
                "the database does not promise that acknowledged writes survive a crash (%s): "
                "agents may lose samples they were told are stored; see docs/operations.md",
                ", ".join(problems),
            )
        try:
            yield
        finally:
            await app[READS].close()


async def _loop_lag(app: web.Application) -> AsyncIterator[None]:
    lag = LoopLag(app[METRICS].loop_lag)
    lag.start()
    yield
    await lag.stop()


async def _telemetry(app: web.Application) -> AsyncIterator[None]:
    ingest = app[INGEST]
    await ingest.start()
    yield
    await ingest.stop()  # commits what is queued before the database closes


async def _node_token_revocations(app: web.Application) -> AsyncIterator[None]:
    """Hears the node tokens other replicas revoke (PostgreSQL only: see NodeAuth)."""
    config, auth = app[CONFIG], app[NODE_AUTH]
    if not config.shared_database:
        yield
        return
    channel = Channel(
        config.database_url,
        REVOCATIONS,
        on_message=lambda node_id: auth.forget_node(uuid.UUID(node_id)),
        on_open=auth.heard,
        on_gap=auth.unheard,
    )
    channel.start()
    yield
    await channel.stop()


async def _key_usage(app: web.Application) -> AsyncIterator[None]:
    """Every replica counts its own keys' requests and writes them in batches."""
    app[API_KEYS].start()
    yield
    await app[API_KEYS].stop()


async def _delivery(app: web.Application) -> AsyncIterator[None]:
    if app[CONFIG].deliver_events:
        app[DELIVERY].start()
    yield
    # Also when this replica delivers nothing by itself: a drain by hand opens clients too.
    await app[DELIVERY].stop()


async def _jobs(app: web.Application) -> AsyncIterator[None]:
    if not app[CONFIG].run_jobs:
        yield
        return
    jobs = Jobs(
        app[CONFIG],
        app[CLOCK],
        app[RECONCILER],
        app[METRICS],
        app[HEARING],
        app[SNAPSHOTS],
        app[ALERTS],
    )
    jobs.start()
    yield
    await jobs.stop()


async def _snapshot_store(app: web.Application) -> AsyncIterator[None]:
    store = app[SNAPSHOTS].store
    await store.open()
    yield
    await store.close()


def build_snapshots(config: Config, clock: Clock, gateway: ClusterGateway) -> Snapshots:
    settings = SnapshotSettings(
        max_bytes=config.snapshot_max_bytes,
        blob_grace=timedelta(seconds=config.snapshot_blob_grace),
        cluster_name=config.snapshot_cluster_name,
        retention=Policy(
            keep_last=config.snapshot_keep_last,
            keep_for=timedelta(days=config.snapshot_keep_days)
            if config.snapshot_keep_days
            else None,
        ),
    )
    return Snapshots(snapshot_store(config), gateway, settings, clock)


def build_cluster(config: Config) -> ClusterGateway:
    from controlplane.cluster.kubernetes import in_cluster_credentials_available

    return cluster_from_config(config.kubeconfig, in_cluster_credentials_available())


def _cluster(gateway: ClusterGateway) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        yield
        await gateway.close()

    return lifecycle


def invoicing_from_config(config: Config) -> Invoicing:
    seller = Seller(config.seller_name, config.seller_address, config.seller_vat_id)
    return Invoicing(seller, config.tax_rate)


def build_subscriptions(
    config: Config,
    clock: Clock,
    gateway: ClusterGateway,
    metrics: Metrics,
    outbox: Outbox,
    notices: Notices,
) -> tuple[Subscriptions, Reconciler]:
    settings = ClusterSettings(
        base_domain=config.base_domain,
        tls_issuer=config.tls_issuer,
        ingress_class=config.ingress_class,
        storage_class=config.storage_class,
    )
    lifecycle = Lifecycle(
        Provisioner(gateway, settings, SecretBox(config.secrets_keys), TenantLocks()),
        profile_from_config(config.scheduler_policy),
        clock,
        Fleet(cluster_nodes=gateway.list_nodes),
        History(outbox),
        metrics,
    )
    terms = BillingTerms(
        config.currency,
        CalendarDuration.parse(config.billing_period),
        CalendarDuration.parse(config.billing_grace),
        CalendarDuration.parse(config.billing_retention),
        invoicing_from_config(config),
        prorated_refunds=config.cancel_refunds == "prorated",
    )
    subscriptions = Subscriptions(
        lifecycle, clock, config.max_subscriptions_per_team, terms, notices
    )
    disrupted = Disruption(config.disruption_threshold, config.eviction_rate, metrics, clock())
    reconciler = Reconciler(
        subscriptions, lifecycle, clock, config.eviction_timeout, metrics, disrupted
    )
    return subscriptions, reconciler


def build_stripe(config: Config) -> StripeCheckout | None:
    """Stripe Checkout when its secrets are configured (the config checks the rest)."""
    if not config.stripe_enabled:
        return None
    assert config.stripe_success_url is not None
    assert config.stripe_cancel_url is not None
    return StripeCheckout(
        StripeSettings(
            secret_key=config.stripe_secret_key,
            webhook_secret=config.stripe_webhook_secret,
            success_url=config.stripe_success_url,
            cancel_url=config.stripe_cancel_url,
            tolerance=config.stripe_webhook_tolerance,
            api_base=config.stripe_api_base,
        )
    )


async def _stripe(app: web.Application) -> AsyncIterator[None]:
    yield
    stripe = app[STRIPE]
    if stripe is not None:
        await stripe.close()


def create_app(
    config: Config, clock: Clock = utcnow, cluster: ClusterGateway | None = None
) -> web.Application:
    """`cluster` overrides the gateway chosen from config (tests pass an in-memory one)."""
    # No aiohttp middlewares: the pipeline is wrapped around each route instead.
    # Bodies are not decompressed by the server: a snapshot upload decompresses its own
    # while it streams, within its own limit; every other route refuses Content-Encoding.
    app = web.Application(
        client_max_size=config.max_body_bytes, handler_args={"auto_decompress": False}
    )
    app[CONFIG] = config
    app[CLOCK] = clock
    app[METRICS] = Metrics()
    app[RATE_LIMITER] = RateLimiter(config.rate_limit_per_minute, config.rate_limit_burst)
    failures = config.node_token_failures_per_minute
    app[NODE_TOKEN_FAILURES] = RateLimiter(failures, failures)
    app[OUTBOX], app[DELIVERY], app[WEBHOOKS] = build_outbox(config, clock)
    app[ALERTS] = build_alerts(config, clock, app[OUTBOX])
    app[TEAMS] = Teams(app[OUTBOX], clock, timedelta(seconds=config.team_invitation_ttl))
    app[ACCOUNTS] = build_accounts(config, clock, app[OUTBOX])
    app[API_KEYS] = ApiKeys(
        clock,
        KeyUsage(),
        RateLimiter(config.api_key_rate_limit, config.api_key_rate_limit),
        config.api_key_usage_flush,
    )
    app[NODE_AUTH] = NodeAuth(shared=config.shared_database)
    app[FLEET_STATS] = Recent(config.fleet_stats_ttl, time.monotonic, keys=1)
    app[READS] = database.ReadPool(config.database_url)
    app[FLEET_READS] = asyncio.Semaphore(config.fleet_reads_in_flight)
    app[FLEET_COUNTS] = Counting(
        Recent(config.fleet_count_ttl, time.monotonic), config.fleet_exact_count_below
    )
    app[HEARING] = Hearing(clock)
    app[INGEST] = TelemetryIngest(clock, app[METRICS], app[HEARING], linger=config.ingest_linger)
    gateway = cluster if cluster is not None else build_cluster(config)
    app[CLUSTER] = gateway
    app[NOTICES] = notices = build_notices(config, clock, app[OUTBOX])
    app[SUBSCRIPTIONS], app[RECONCILER] = build_subscriptions(
        config, clock, gateway, app[METRICS], app[OUTBOX], notices
    )
    app[SNAPSHOTS] = build_snapshots(config, clock, gateway)
    app[STRIPE] = stripe = build_stripe(config)
    providers: list[PaymentProvider] = [ManualTransfer(config.manual_payment_instructions)]
    if stripe is not None:
        providers.append(stripe)
    # Money reaching a wallet (a top-up, an administrator's credit or credit limit) pays
    # what its owner owes at once, not at the next renewal pass.
    settle_owner = app[SUBSCRIPTIONS].settle_owner
    app[TOP_UPS] = TopUps(
        {p.name: p for p in providers}, notices, config.currency, clock, after_credit=settle_owner
    )
    app[CREDITS] = Credits(notices, config.currency, after_credit=settle_owner)
    app[SPEC] = build_spec(ROUTES, PREFIX)
    ids = pipeline.RequestIds()
    for route in ROUTES:
        path = route.path if route.raw else PREFIX + route.path
        handler = pipeline.wrap(
            serve(route, authenticate),
            path,
            ids=ids,
            rate_limited=route.rate_limited,
            quiet=route.quiet,
            secret_path=route.secret_path,
        )
        if route.method == "GET":
            app.router.add_get(path, handler)  # and HEAD, as HTTP expects of a GET
        else:
            app.router.add_route(route.method, path, handler)
    # Last, so it takes only what no route above does (the router tries "/" last).
    app.router.add_route(
        "*",
        # [\s\S], not ".": a path may hold a decoded newline (%0a), and "." would let it
        # fall through to aiohttp's own plain-text 404, outside the envelope and the log.
        "/{unmatched:[\\s\\S]*}",
        pipeline.wrap(
            pipeline.fallback, pipeline.UNMATCHED, ids=ids, rate_limited=True, quiet=False
        ),
        name=pipeline.UNMATCHED,
    )
    # Order matters: cleanup runs in reverse, so jobs and ingest stop before the database.
    app.cleanup_ctx.extend(
        [
            _loop_lag,
            _cluster(gateway),
            _stripe,
            _snapshot_store,
            _database,
            _node_token_revocations,
            _telemetry,
            _delivery,
            _key_usage,
            _jobs,
        ]
    )
    return app
