"""Every tortoise model of the control plane, gathered for tortoise's app registry."""

from controlplane.db.models.accounts import AuthThrottle, RefreshToken, User, UserToken
from controlplane.db.models.alerts import Alert
from controlplane.db.models.api_keys import ApiKey, ApiKeyUsage
from controlplane.db.models.audit import AuditEntry
from controlplane.db.models.billing import (
    DocumentCounter,
    Invoice,
    LedgerAccount,
    LedgerPosting,
    LedgerTransaction,
    PaymentEvent,
    TopUp,
)
from controlplane.db.models.catalog import Service
from controlplane.db.models.events import (
    OutboxDelivery,
    OutboxEvent,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from controlplane.db.models.snapshots import Snapshot
from controlplane.db.models.subscriptions import (
    Instance,
    Subscription,
    SubscriptionEvent,
    UsageHour,
)
from controlplane.db.models.teams import Team, TeamInvitation, TeamMember
from controlplane.db.models.workers import (
    JoinToken,
    NodeEvent,
    NodeSample,
    NodeSampleRollup,
    NodeToken,
    WorkerNode,
)

__all__ = [
    "Alert",
    "ApiKey",
    "ApiKeyUsage",
    "AuditEntry",
    "AuthThrottle",
    "DocumentCounter",
    "Instance",
    "Invoice",
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
    "PaymentEvent",
    "RefreshToken",
    "Service",
    "Snapshot",
    "Subscription",
    "SubscriptionEvent",
    "Team",
    "TeamInvitation",
    "TeamMember",
    "TopUp",
    "UsageHour",
    "User",
    "UserToken",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WorkerNode",
]
