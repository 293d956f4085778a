"""Enumerations that cross the wire between agent, control plane and frontends."""

from enum import StrEnum


class Role(StrEnum):
    USER = "USER"
    ADMINISTRATOR = "ADMINISTRATOR"


class TokenPurpose(StrEnum):
    """What a mailed single-use token proves when it comes back."""

    VERIFY_EMAIL = "VERIFY_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"  # noqa: S105 (a purpose, not a secret)


class NodeStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    NOT_READY = "NOT_READY"
    INACTIVE = "INACTIVE"
    MAINTENANCE = "MAINTENANCE"


class SubscriptionStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    # The period ended and its renewal could not be paid: the app still runs, for the
    # grace period, while the wallet is retried.
    PAST_DUE = "PAST_DUE"
    SUSPENDED = "SUSPENDED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class InstanceStatus(StrEnum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


class ServiceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DEPRECATED = "DEPRECATED"


class TransactionType(StrEnum):
    TOP_UP = "TOP_UP"
    CHARGE = "CHARGE"
    REFUND = "REFUND"
    ADJUSTMENT = "ADJUSTMENT"


class DocumentKind(StrEnum):
    """What a charge (an invoice) or a refund (a credit note) leaves on paper."""

    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


class LedgerAccountKind(StrEnum):
    """A customer's wallet, or one of the platform's own accounts it trades with."""

    WALLET = "WALLET"
    REVENUE = "REVENUE"
    REFUNDS = "REFUNDS"
    PAYMENT_CLEARING = "PAYMENT_CLEARING"
    PROMOTIONAL_CREDIT = "PROMOTIONAL_CREDIT"


class WalletOwnerType(StrEnum):
    """Who a wallet belongs to: a team. A user's own money is their personal team's (the
    wallets of users from before teams were moved to those teams by a migration)."""

    TEAM = "TEAM"


class TopUpStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    # The provider said the payment failed (an asynchronous method bounced) or the
    # customer never paid before its page expired: nothing was credited, nor will be.
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


class SnapshotSource(StrEnum):
    """How a cluster snapshot came in: uploaded by a client, or taken of our own cluster."""

    UPLOAD = "UPLOAD"
    CLUSTER = "CLUSTER"


class SnapshotVisibility(StrEnum):
    # Its owner's (and administrators') only; others get 404.
    PRIVATE = "PRIVATE"
    # Every signed-in user may find, read and download it (GET /snapshots?public=true).
    PUBLIC = "PUBLIC"
    # Reachable by whoever holds its share link, and listed nowhere.
    UNLISTED = "UNLISTED"


class TeamRole(StrEnum):
    """What a member may do in a team (docs/api.md#teams)."""

    OWNER = "OWNER"  # everything: members, invitations, ownership, the team itself
    DEVELOPER = "DEVELOPER"  # the team's apps: subscriptions, instances, webhooks
    BILLING = "BILLING"  # the team's money: wallet, top-ups, invoices
    VIEWER = "VIEWER"  # reads everything, changes nothing
    # The scopes each holds over the team's resources: shared.wire.teams.ROLE_SCOPES.
