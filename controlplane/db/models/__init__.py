"""Every tortoise model of the control plane, gathered for tortoise's app registry."""

from controlplane.db.models.accounts import AuthThrottle, RefreshToken, User, UserToken
from controlplane.db.models.billing import LedgerAccount, LedgerPosting, LedgerTransaction, TopUp
from controlplane.db.models.catalog import Service
from controlplane.db.models.events import OutboxDelivery, OutboxEvent
from controlplane.db.models.subscriptions import Instance, Subscription
from controlplane.db.models.workers import (
    JoinToken,
    NodeEvent,
    NodeSample,
    NodeSampleRollup,
    NodeToken,
    WorkerNode,
)

__all__ = [
    "AuthThrottle",
    "Instance",
    "JoinToken",
    "LedgerAccount",
    "LedgerPosting",
    "LedgerTransaction",
    "NodeEvent",
    "NodeSample",
    "NodeSampleRollup",
    "NodeToken",
    "OutboxDelivery",
    "OutboxEvent",
    "RefreshToken",
    "Service",
    "Subscription",
    "TopUp",
    "User",
    "UserToken",
    "WorkerNode",
]
