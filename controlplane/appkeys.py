"""Typed keys for every long-lived object the app holds (no module globals)."""

from __future__ import annotations

from aiohttp import web

from controlplane.cluster.gateway import ClusterGateway
from controlplane.config import Config
from controlplane.metrics import Metrics
from controlplane.services.accounts import Accounts
from controlplane.services.clock import Clock
from controlplane.services.coalesce import SingleFlight
from controlplane.services.ingest import TelemetryIngest
from controlplane.services.node_auth import NodeAuth
from controlplane.services.rate_limit import RateLimiter
from controlplane.services.reconcile import Reconciler
from controlplane.services.subscriptions import Subscriptions
from shared.wire.workers import WorkerStats

CONFIG = web.AppKey("config", Config)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
ACCOUNTS = web.AppKey("accounts", Accounts)
METRICS = web.AppKey("metrics", Metrics)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
NODE_AUTH = web.AppKey("node_auth", NodeAuth)
INGEST = web.AppKey("telemetry_ingest", TelemetryIngest)
SUBSCRIPTIONS = web.AppKey("subscriptions", Subscriptions)
RECONCILER = web.AppKey("reconciler", Reconciler)
# Fleet statistics aggregate the whole node table: concurrent requests share one query.
FLEET_STATS: web.AppKey[SingleFlight[WorkerStats]] = web.AppKey("fleet_stats")
CLUSTER = web.AppKey("cluster", ClusterGateway)
