"""The route table: each api module declares its own routes; this puts them in order.

The router tries routes in the order they are added, so the agents' come first
(they are the hot path: every node, every few seconds). Within a module, a
fixed path comes before a parameterised one it would otherwise match
(`/workers/stats` before `/workers/{nodeId}`). The router and the OpenAPI
document are both built from this one list.
"""

from __future__ import annotations

from controlplane.api import (
    agents,
    alerts,
    api_keys,
    audit,
    auth,
    billing,
    capacity,
    catalog,
    cluster,
    dashboard,
    docs,
    ops,
    snapshots,
    subscriptions,
    teams,
    users,
    webhooks,
    workers,
)
from controlplane.api.routing import Route

PREFIX = "/api/v1"

ROUTES: list[Route] = [
    *agents.ROUTES,
    *ops.ROUTES,
    *docs.ROUTES,
    *dashboard.ROUTES,
    *auth.ROUTES,
    *users.ROUTES,
    *catalog.ROUTES,
    *workers.ROUTES,
    *capacity.ROUTES,
    *alerts.ROUTES,
    *audit.ROUTES,
    *subscriptions.ROUTES,
    *billing.ROUTES,
    *cluster.ROUTES,
    *snapshots.ROUTES,
    *webhooks.ROUTES,
    *api_keys.ROUTES,
    *teams.ROUTES,
]
