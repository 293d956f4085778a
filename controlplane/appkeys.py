"""Typed keys for every long-lived object the app holds (no module globals)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from controlplane.cluster.gateway import ClusterGateway
from controlplane.config import Config
from controlplane.db.database import ReadPool
from controlplane.metrics import Metrics
from controlplane.services.accounts.accounts import Accounts
from controlplane.services.accounts.api_keys import ApiKeys
from controlplane.services.accounts.rate_limit import RateLimiter
from controlplane.services.alerts.alerting import Alerts
from controlplane.services.apps.reconcile import Reconciler
from controlplane.services.apps.subscriptions import Subscriptions
from controlplane.services.billing.credits import Credits
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.stripe_checkout import StripeCheckout
from controlplane.services.billing.top_ups import TopUps
from controlplane.services.clock import Clock
from controlplane.services.events.dispatch import DeliveryLoop
from controlplane.services.events.outbox import Outbox
from controlplane.services.events.webhooks import Webhooks
from controlplane.services.fleet.coalesce import Recent
from controlplane.services.fleet.hearing import Hearing
from controlplane.services.fleet.ingest import TelemetryIngest
from controlplane.services.fleet.node_auth import NodeAuth
from controlplane.services.fleet.workers import Counting
from controlplane.services.snapshots.library import Snapshots
from controlplane.services.teams.teams import Teams
from shared.wire.workers import WorkerStats

CONFIG = web.AppKey("config", Config)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
ACCOUNTS = web.AppKey("accounts", Accounts)
API_KEYS = web.AppKey("api_keys", ApiKeys)
TEAMS = web.AppKey("teams", Teams)
METRICS = web.AppKey("metrics", Metrics)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
# Failed node-token attempts per client address: each costs a database lookup.
NODE_TOKEN_FAILURES = web.AppKey("node_token_failures", RateLimiter)
NODE_AUTH = web.AppKey("node_auth", NodeAuth)
INGEST = web.AppKey("telemetry_ingest", TelemetryIngest)
HEARING = web.AppKey("hearing", Hearing)
SUBSCRIPTIONS = web.AppKey("subscriptions", Subscriptions)
RECONCILER = web.AppKey("reconciler", Reconciler)
TOP_UPS = web.AppKey("top_ups", TopUps)
CREDITS = web.AppKey("credits", Credits)
NOTICES = web.AppKey("notices", Notices)
# Stripe Checkout, None unless configured: its webhook needs the provider itself.
STRIPE: web.AppKey[StripeCheckout | None] = web.AppKey("stripe")
# Fleet statistics aggregate the whole node table: concurrent requests share one query.
FLEET_STATS: web.AppKey[Recent[WorkerStats]] = web.AppKey("fleet_stats")
FLEET_COUNTS: web.AppKey[Counting] = web.AppKey("fleet_counts")
# Fleet reads (lists, stats, metrics) in progress at once in this process: past it a
# dashboard's request waits its turn before doing any work, so however many arrive,
# the event loop interleaves the heartbeats with a few reads, not with all of them.
FLEET_READS: web.AppKey[asyncio.Semaphore] = web.AppKey("fleet_reads")
# The read pool (db/database.ReadPool): dashboards' fleet reads, apart from the ingest's.
READS: web.AppKey[ReadPool] = web.AppKey("reads")
CLUSTER = web.AppKey("cluster", ClusterGateway)
SNAPSHOTS = web.AppKey("snapshots", Snapshots)
OUTBOX = web.AppKey("outbox", Outbox)
ALERTS = web.AppKey("alerts", Alerts)
WEBHOOKS = web.AppKey("webhooks", Webhooks)
# Every replica delivers the outbox (services/events/dispatch.py); tests drain it by hand.
DELIVERY = web.AppKey("delivery", DeliveryLoop)
