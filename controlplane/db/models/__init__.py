"""Every tortoise model of the control plane, gathered for tortoise's app registry."""

from controlplane.db.models.accounts import AuthThrottle, RefreshToken, User
from controlplane.db.models.catalog import Service
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
    "NodeEvent",
    "NodeSample",
    "NodeSampleRollup",
    "NodeToken",
    "RefreshToken",
    "Service",
    "Subscription",
    "User",
    "WorkerNode",
]
