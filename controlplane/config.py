"""The control plane's configuration: the only reader of MINISPOD_* environment variables.

Each setting is declared once below: its variable, its default and its bounds.
pydantic (already our wire-type library) checks them; `load_config` turns the
first problem into the one line an operator reads. We take plain pydantic
rather than pydantic-settings: that library's value is reading `os.environ`,
dotenv files and secret directories itself, while we read one mapping the
caller hands us (the CLI passes the environment, tests pass a dict), and the
checking it would add is pydantic's own.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.fernet import Fernet
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.durations import CalendarDuration
from shared.money import MINOR_UNITS

Env = Literal["development", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
SchedulerPolicy = Literal["LeastAllocated", "MostAllocated"]
CancelRefunds = Literal["prorated", "none"]
UnverifiedPolicy = Literal["restricted", "no-login"]

log = logging.getLogger("minispod.config")

# A node must be noticed within three missed heartbeats, and never later than
# Kubernetes marks one unknown (40 s).
GRACE_INTERVALS = 3
KUBERNETES_NODE_MONITOR_GRACE = 40.0


class ConfigError(Exception):
    """A configuration that cannot run; the message is the one line an operator reads."""


def _setting(default: Any, name: str, **bounds: Any) -> Any:
    return Field(default, validation_alias=name, **bounds)


class Config(BaseModel):
    """Every setting, by the variable that sets it. Build it with `load_config`; tests may
    construct it by field name."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    env: Env = _setting("development", "MINISPOD_ENV")
    # Development listens on loopback only: a server with seeded, well-known accounts must
    # not answer the network. Production defaults to every address, as a pod needs; the
    # manifests in deploy/ still name it.
    host: str = _setting("127.0.0.1", "MINISPOD_HOST", min_length=1)
    port: int = _setting(3000, "MINISPOD_PORT", ge=0, le=65535)
    data_dir: Path = _setting(Path("data"), "MINISPOD_DATA_DIR")
    database_url: str = _setting("sqlite://data/minispod.sqlite3", "MINISPOD_DATABASE_URL")
    migrate_on_start: bool = _setting(True, "MINISPOD_MIGRATE_ON_START")
    jwt_secret: str = Field("", validation_alias="MINISPOD_JWT_SECRET", repr=False)
    # Fernet keys, comma-separated: the first seals instance secrets, every one opens them.
    secrets_key: str = Field("", validation_alias="MINISPOD_SECRETS_KEY", repr=False)
    jwt_issuer: str = _setting("minispod", "MINISPOD_JWT_ISSUER")
    jwt_audience: str = _setting("minispod-api", "MINISPOD_JWT_AUDIENCE")
    access_token_ttl: int = _setting(15 * 60, "MINISPOD_ACCESS_TOKEN_TTL", ge=10)
    refresh_token_ttl: int = _setting(30 * 24 * 3600, "MINISPOD_REFRESH_TOKEN_TTL", ge=60)
    cors_origins: tuple[str, ...] = _setting((), "MINISPOD_CORS_ORIGINS")
    log_level: LogLevel = _setting("INFO", "MINISPOD_LOG_LEVEL")
    log_format: Literal["json", "text"] = _setting("text", "MINISPOD_LOG_FORMAT")
    max_body_bytes: int = _setting(1024 * 1024, "MINISPOD_MAX_BODY_BYTES", ge=1024)
    # General per-client limit on the API: a token bucket of `rate_limit_burst`
    # refilled at `rate_limit_per_minute`. 0 disables it.
    rate_limit_per_minute: int = _setting(600, "MINISPOD_RATE_LIMIT_PER_MINUTE", ge=0)
    rate_limit_burst: int = _setting(120, "MINISPOD_RATE_LIMIT_BURST", ge=1)
    # Login throttling: failures allowed per window before 429. One account from one
    # address locks first; the account everywhere only at a much higher count, so that
    # someone guessing a password cannot lock its owner out.
    login_window_seconds: int = _setting(15 * 60, "MINISPOD_LOGIN_WINDOW", ge=1)
    login_max_failures: int = _setting(5, "MINISPOD_LOGIN_MAX_FAILURES", ge=1)
    login_max_failures_per_account: int = _setting(
        100, "MINISPOD_LOGIN_MAX_FAILURES_PER_ACCOUNT", ge=1
    )
    login_max_failures_per_ip: int = _setting(50, "MINISPOD_LOGIN_MAX_FAILURES_PER_IP", ge=1)
    # Failed node-token attempts per client address (a token bucket per minute).
    node_token_failures_per_minute: int = _setting(
        30, "MINISPOD_NODE_TOKEN_FAILURES_PER_MINUTE", ge=1
    )
    # argon2id cost (RFC 9106 second recommendation by default).
    password_time_cost: int = _setting(3, "MINISPOD_PASSWORD_TIME_COST", ge=1)
    password_memory_kib: int = _setting(64 * 1024, "MINISPOD_PASSWORD_MEMORY_KIB", ge=256)
    # How many proxies in front of us append to X-Forwarded-For: the client address is
    # the entry that many places from the right (each proxy appends who connected to it;
    # everything left of that the client may have written itself). 0 ignores the header.
    trusted_proxies: int = _setting(0, "MINISPOD_TRUSTED_PROXIES", ge=0, le=10)
    # Worker nodes (told to agents at registration).
    heartbeat_interval: float = _setting(10.0, "MINISPOD_HEARTBEAT_INTERVAL", ge=0.1)
    node_grace_period: float = _setting(30.0, "MINISPOD_NODE_GRACE_PERIOD", ge=0.1)
    eviction_timeout: float = _setting(120.0, "MINISPOD_EVICTION_TIMEOUT", ge=1.0)
    # Dashboards' fleet figures: /workers/stats computed at most once per this many
    # seconds (it says when, in asOf), and a /workers listing's total counted at most
    # once per MINISPOD_FLEET_COUNT_TTL for listings of at least
    # MINISPOD_FLEET_EXACT_COUNT_BELOW nodes (flagged totalEstimated); 0: every time.
    fleet_stats_ttl: float = _setting(2.0, "MINISPOD_FLEET_STATS_TTL", ge=0, le=300)
    fleet_count_ttl: float = _setting(10.0, "MINISPOD_FLEET_COUNT_TTL", ge=0, le=3600)
    fleet_exact_count_below: int = _setting(1000, "MINISPOD_FLEET_EXACT_COUNT_BELOW", ge=0)
    # How long a telemetry batch that would commit fewer than INGEST_LINGER_UNTIL items waits
    # for company: a fleet's heartbeats arrive one at a time, each a transaction of its own
    # otherwise (services/fleet/ingest.py); 0 commits at once.
    ingest_linger: float = _setting(0.002, "MINISPOD_INGEST_LINGER", ge=0, le=0.05)
    # Fleet reads in progress at once per process; the rest wait their turn (FLEET_READS).
    fleet_reads_in_flight: int = _setting(4, "MINISPOD_FLEET_READS_IN_FLIGHT", ge=1, le=64)
    # Nodes whose instances are moved per second at most (Kubernetes' --node-eviction-rate),
    # and the share of the fleet INACTIVE at once past which none are moved for silence.
    eviction_rate: float = _setting(0.1, "MINISPOD_EVICTION_RATE", gt=0, le=100)
    disruption_threshold: float = _setting(0.55, "MINISPOD_DISRUPTION_THRESHOLD", gt=0, le=1)
    # Told to agents: a full resource report every this many seconds.
    resource_interval: float = _setting(60.0, "MINISPOD_RESOURCE_INTERVAL", ge=0.1)
    # Usage history: raw samples kept this long, 5-minute roll-ups this long.
    metrics_raw_retention: int = _setting(24 * 3600, "MINISPOD_METRICS_RAW_RETENTION", ge=60)
    metrics_rollup_retention: int = _setting(
        30 * 24 * 3600, "MINISPOD_METRICS_ROLLUP_RETENTION", ge=3600
    )
    retention_interval: int = _setting(3600, "MINISPOD_RETENTION_INTERVAL", ge=10)
    # How often closed hours of raw samples are packed into chunks (PostgreSQL only).
    metrics_compact_interval: int = _setting(300, "MINISPOD_METRICS_COMPACT_INTERVAL", ge=10)
    run_jobs: bool = _setting(True, "MINISPOD_RUN_JOBS")
    # Server processes sharing the port (replicas on one host); PostgreSQL only.
    workers: int = _setting(1, "MINISPOD_WORKERS", ge=1)
    # Placement and provisioning.
    kubeconfig: str | None = _setting(None, "MINISPOD_KUBECONFIG")
    base_domain: str = _setting("apps.localhost", "MINISPOD_BASE_DOMAIN", min_length=1)
    scheduler_policy: SchedulerPolicy = _setting("LeastAllocated", "MINISPOD_SCHEDULER_POLICY")
    # Live subscriptions per team (its wallet pays for them). Named per user until teams
    # came; that name is still read (RENAMED).
    max_subscriptions_per_team: int = _setting(10, "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM", ge=1)
    reconcile_interval: float = _setting(15.0, "MINISPOD_RECONCILE_INTERVAL", ge=0.1)
    tls_issuer: str | None = _setting(None, "MINISPOD_TLS_ISSUER")
    ingress_class: str | None = _setting(None, "MINISPOD_INGRESS_CLASS")
    storage_class: str | None = _setting(None, "MINISPOD_STORAGE_CLASS")
    # Billing: the ISO 4217 code every price, wallet and ledger amount is in (minor units).
    currency: str = _setting("EUR", "MINISPOD_CURRENCY")
    # Told to a customer who starts a manual (bank transfer) top-up, with its reference.
    manual_payment_instructions: str = _setting(
        "Pay by bank transfer, quoting the reference; your wallet is credited when an "
        "administrator confirms the payment.",
        "MINISPOD_MANUAL_PAYMENT_INSTRUCTIONS",
        min_length=1,
        max_length=2000,
    )

    # Stripe Checkout: enabled when both secrets are set. The API base is Stripe's unless
    # told otherwise (the suite points it at a local stand-in of Stripe's HTTP API).
    stripe_secret_key: str = Field("", validation_alias="MINISPOD_STRIPE_SECRET_KEY", repr=False)
    stripe_webhook_secret: str = Field(
        "", validation_alias="MINISPOD_STRIPE_WEBHOOK_SECRET", repr=False
    )
    stripe_api_base: str | None = _setting(None, "MINISPOD_STRIPE_API_BASE", pattern=r"^https?://")
    # Where Stripe sends the customer after paying or giving up ({CHECKOUT_SESSION_ID} is
    # Stripe's placeholder for the session).
    stripe_success_url: str | None = _setting(
        None, "MINISPOD_STRIPE_SUCCESS_URL", pattern=r"^https?://"
    )
    stripe_cancel_url: str | None = _setting(
        None, "MINISPOD_STRIPE_CANCEL_URL", pattern=r"^https?://"
    )
    # How old a signed webhook may be, in seconds: an older one is a replay (Stripe's default).
    stripe_webhook_tolerance: int = _setting(
        300, "MINISPOD_STRIPE_WEBHOOK_TOLERANCE", ge=1, le=3600
    )

    # Cluster snapshots: where their documents are kept (a directory, by default
    # `snapshots/` under the data folder, or an S3-compatible bucket), how large one may
    # be once decompressed, how long a blob no snapshot names is kept before the sweeper
    # removes it (long enough for any upload between its blob and its row), and how
    # often our own cluster is snapshotted (0: only when an administrator asks).
    snapshot_store: Literal["dir", "s3"] = _setting("dir", "MINISPOD_SNAPSHOT_STORE")
    snapshot_dir: Path | None = _setting(None, "MINISPOD_SNAPSHOT_DIR")
    snapshot_s3_bucket: str | None = _setting(None, "MINISPOD_SNAPSHOT_S3_BUCKET", min_length=3)
    snapshot_s3_endpoint: str | None = _setting(None, "MINISPOD_SNAPSHOT_S3_ENDPOINT")
    snapshot_s3_region: str = _setting("us-east-1", "MINISPOD_SNAPSHOT_S3_REGION", min_length=1)
    snapshot_s3_prefix: str = _setting("", "MINISPOD_SNAPSHOT_S3_PREFIX")
    snapshot_s3_access_key_id: str | None = Field(
        None, validation_alias="MINISPOD_SNAPSHOT_S3_ACCESS_KEY_ID", repr=False
    )
    snapshot_s3_secret_access_key: str | None = Field(
        None, validation_alias="MINISPOD_SNAPSHOT_S3_SECRET_ACCESS_KEY", repr=False
    )
    snapshot_max_bytes: int = _setting(
        512 * 1024 * 1024, "MINISPOD_SNAPSHOT_MAX_BYTES", ge=1024, le=1 << 40
    )
    snapshot_blob_grace: int = _setting(3600, "MINISPOD_SNAPSHOT_BLOB_GRACE", ge=60)
    snapshot_sweep_interval: int = _setting(3600, "MINISPOD_SNAPSHOT_SWEEP_INTERVAL", ge=10)
    snapshot_interval: int = _setting(0, "MINISPOD_SNAPSHOT_INTERVAL", ge=0)
    # Retention, per owner and cluster: a snapshot goes once it is neither among the
    # last KEEP_LAST taken nor younger than KEEP_DAYS (0 turns a rule off; both 0 keep
    # everything); pinned ones stay. 30 days, as Velero keeps backups by default.
    snapshot_keep_last: int = _setting(0, "MINISPOD_SNAPSHOT_KEEP_LAST", ge=0)
    snapshot_keep_days: int = _setting(30, "MINISPOD_SNAPSHOT_KEEP_DAYS", ge=0)
    snapshot_cluster_name: str = _setting(
        "minispod", "MINISPOD_SNAPSHOT_CLUSTER_NAME", pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
    )

    # Printed on every invoice and credit note as the seller, copied in at issue (a later
    # change applies to documents issued after it, never to those already issued).
    seller_name: str = _setting("MinisPod", "MINISPOD_SELLER_NAME", min_length=1, max_length=200)
    seller_address: str = _setting("", "MINISPOD_SELLER_ADDRESS", max_length=500)
    seller_vat_id: str = _setting("", "MINISPOD_SELLER_VAT_ID", max_length=32)
    # Tax in basis points (2000 = 20 %). Prices are tax-inclusive: the catalog price is
    # what the wallet pays, and the invoice shows how much of it is tax.
    tax_rate: int = _setting(0, "MINISPOD_TAX_RATE", ge=0, le=10_000)

    # Billing periods, ISO 8601 (calendar months clamp to the month's end; PT1M for demos):
    # how long a paid period lasts, how long an unpaid renewal keeps the app running
    # (PAST_DUE), and how long after the period's end a suspended one is kept before it
    # expires and its objects and volumes are deleted.
    billing_period: str = _setting("P1M", "MINISPOD_BILLING_PERIOD")
    billing_grace: str = _setting("P3D", "MINISPOD_BILLING_GRACE")
    billing_retention: str = _setting("P30D", "MINISPOD_BILLING_RETENTION")
    # Whether a subscription cancelled before its paid period ends gets the unused part
    # back in its wallet ("prorated") or not ("none": it may still run to the period's end).
    cancel_refunds: CancelRefunds = _setting("none", "MINISPOD_CANCEL_REFUNDS")
    # A wallet whose runway (what it can spend ÷ its daily spend) falls below this is
    # told `wallet.low_balance`, once per crossing; days and time parts only (P3D, PT12H).
    low_balance_runway: str = _setting("P3D", "MINISPOD_LOW_BALANCE_RUNWAY")

    # Mail and the outbox. Without MINISPOD_SMTP_URL mail goes to <data dir>/mail.log.
    # The URL's userinfo holds the SMTP credentials: it is never logged (repr=False).
    smtp_url: str | None = Field(None, validation_alias="MINISPOD_SMTP_URL", repr=False)
    mail_from: str = _setting("MinisPod <noreply@localhost>", "MINISPOD_MAIL_FROM", min_length=3)
    # Where the links in mails point (the frontend that serves /verify-email, /reset-password).
    public_url: str = _setting("http://localhost:3000", "MINISPOD_PUBLIC_URL", min_length=1)
    # A safety net: committed events wake this replica's deliverers at once anyway.
    # false: this replica delivers no events (others still do; tests deliver by hand).
    deliver_events: bool = _setting(True, "MINISPOD_DELIVER_EVENTS")
    outbox_poll_interval: float = _setting(5.0, "MINISPOD_OUTBOX_POLL_INTERVAL", ge=0.05)
    outbox_max_attempts: int = _setting(8, "MINISPOD_OUTBOX_MAX_ATTEMPTS", ge=1, le=100)
    # How long a claimed delivery is a deliverer's before it counts as abandoned (a replica
    # that died mid-send) and is tried again; longer than one claimed batch's sends take.
    outbox_lease: float = _setting(120.0, "MINISPOD_OUTBOX_LEASE", ge=0.5)
    # The wait after a failed delivery, doubled after each further failure (capped at an hour).
    outbox_retry_delay: float = _setting(30.0, "MINISPOD_OUTBOX_RETRY_DELAY", ge=0.01)
    # Unverified email addresses: "restricted" may log in but not subscribe or top up;
    # "no-login" may not log in at all.
    unverified_policy: UnverifiedPolicy = _setting("restricted", "MINISPOD_UNVERIFIED_POLICY")
    email_verification_ttl: int = _setting(48 * 3600, "MINISPOD_EMAIL_VERIFICATION_TTL", ge=60)
    # A new verification mail at most this often per account.
    verification_resend_interval: int = _setting(60, "MINISPOD_VERIFICATION_RESEND_INTERVAL", ge=0)
    password_reset_ttl: int = _setting(30 * 60, "MINISPOD_PASSWORD_RESET_TTL", ge=60)

    # Events whose every delivery finished are kept this long (the webhooks' delivery log,
    # redelivery), then removed with their deliveries; pending ones are kept however old.
    outbox_retention: str = _setting("P30D", "MINISPOD_OUTBOX_RETENTION")
    # API keys: requests a minute per key unless the key says otherwise (per replica), and
    # how often each replica writes the keys' usage counts (lost on a crash: at most this).
    api_key_rate_limit: int = _setting(600, "MINISPOD_API_KEY_RATE_LIMIT", ge=1)
    api_key_usage_flush: float = _setting(10.0, "MINISPOD_API_KEY_USAGE_FLUSH", ge=0.05)
    # How long a team invitation's link works.
    team_invitation_ttl: int = _setting(7 * 86400, "MINISPOD_TEAM_INVITATION_TTL", ge=3600)
    # The audit log keeps entries this long (days and time parts only); the retention job
    # removes older ones in bounded batches.
    audit_retention: str = _setting("P365D", "MINISPOD_AUDIT_RETENTION")

    # Operator alerts: a condition (a node down, an instance failed, the fleet disrupted, a
    # job failing) is told to administrators once it held this long, and once when it ends;
    # a subject that fired three times within the flap window is told once as flapping.
    alert_confirm_after: str = _setting("PT2M", "MINISPOD_ALERT_CONFIRM_AFTER")
    alert_flap_window: str = _setting("PT1H", "MINISPOD_ALERT_FLAP_WINDOW")
    alert_interval: float = _setting(15.0, "MINISPOD_ALERT_INTERVAL", ge=0.1)

    # Webhooks. Targets must be public addresses; these networks (CIDRs, comma-separated)
    # are reachable too, e.g. 127.0.0.1/32 for a receiver on this machine in development.
    webhook_allow_networks: str = _setting("", "MINISPOD_WEBHOOK_ALLOW_NETWORKS")
    # One attempt's bound, connect to the last byte read.
    webhook_timeout: float = _setting(10.0, "MINISPOD_WEBHOOK_TIMEOUT", gt=0, le=60)
    # Retries wait webhook_retry_delay, doubling to at most two hours: with the defaults
    # the 20th and last attempt comes ~26 hours after the first.
    webhook_max_attempts: int = _setting(20, "MINISPOD_WEBHOOK_MAX_ATTEMPTS", ge=1, le=100)
    webhook_retry_delay: float = _setting(60.0, "MINISPOD_WEBHOOK_RETRY_DELAY", ge=0.01)
    # An endpoint whose every attempt failed for this long is disabled, its owner mailed.
    webhook_disable_after: str = _setting("P3D", "MINISPOD_WEBHOOK_DISABLE_AFTER")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            # Not the value: it may hold a password.
            raise ValueError("must look like smtp://[user:password@]host[:port] or smtps://…")
        return value

    @field_validator("billing_period", "billing_grace", "billing_retention")
    @classmethod
    def _iso_duration(cls, value: str) -> str:
        CalendarDuration.parse(value)  # raises ValueError with the one-line reason
        return value

    @field_validator(
        "low_balance_runway",
        "webhook_disable_after",
        "alert_confirm_after",
        "alert_flap_window",
        "audit_retention",
        "outbox_retention",
    )
    @classmethod
    def _exact_duration(cls, value: str) -> str:
        if CalendarDuration.parse(value).months:
            raise ValueError("counted in days: use P3D or PT12H, not months")
        return value

    @field_validator("webhook_allow_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for network in filter(None, (n.strip() for n in value.split(","))):
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad one
        return value

    def replace(self, **changes: Any) -> Config:
        """A copy with some settings changed, checked like the original."""
        return Config.model_validate({**self.model_dump(), **changes})

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    @property
    def shared_database(self) -> bool:
        """PostgreSQL, which several replicas may share; SQLite serves one process."""
        return self.database_url.startswith("asyncpg://")

    @model_validator(mode="before")
    @classmethod
    def _defaults_that_follow_other_settings(cls, data: Any) -> Any:
        """Defaults computed from other settings, filled in before validation so a
        setting given explicitly is checked like any other."""
        if not isinstance(data, dict):
            return data
        data = dict(data)

        def given(field: str) -> Any:
            alias = cls.model_fields[field].validation_alias
            return data.get(alias) if alias in data else data.get(field)

        def fill(field: str, value: Any) -> None:
            alias = cls.model_fields[field].validation_alias
            if given(field) is None:
                data[str(alias)] = value

        try:
            heartbeat = float(given("heartbeat_interval") or 10.0)
        except (TypeError, ValueError):
            return data  # the field's own check reports it
        fill("node_grace_period", min(KUBERNETES_NODE_MONITOR_GRACE, GRACE_INTERVALS * heartbeat))
        fill("resource_interval", max(60.0, heartbeat))
        production = given("env") == "production"
        fill("log_format", "json" if production else "text")
        fill("host", "0.0.0.0" if production else "127.0.0.1")
        return data

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("currency", mode="before")
    @classmethod
    def _known_currency(cls, value: Any) -> Any:
        code = value.strip().upper() if isinstance(value, str) else value
        if code not in MINOR_UNITS:
            raise ValueError(f"must be an ISO 4217 code, one of {', '.join(sorted(MINOR_UNITS))}")
        return code

    @field_validator("database_url")
    @classmethod
    def _tortoise_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @field_validator("secrets_key")
    @classmethod
    def _fernet_keys(cls, value: str) -> str:
        for key in (k.strip() for k in value.split(",") if k.strip()):
            try:
                Fernet(key.encode())
            except ValueError:
                raise ValueError(
                    "must be Fernet keys (32 url-safe base64 bytes each), comma-separated; "
                    "make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'"
                ) from None
        return value

    @property
    def snapshot_directory(self) -> Path:
        return self.snapshot_dir or self.data_dir / "snapshots"

    @property
    def secrets_keys(self) -> list[str]:
        return [k.strip() for k in self.secrets_key.split(",") if k.strip()]

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        grace, retention = (
            CalendarDuration.parse(self.billing_grace),
            CalendarDuration.parse(self.billing_retention),
        )
        probe = datetime(2026, 1, 31, tzinfo=UTC)
        if retention.after(probe) <= grace.after(probe):
            raise ConfigError(
                "MINISPOD_BILLING_RETENTION must be longer than MINISPOD_BILLING_GRACE "
                f"(got {self.billing_retention} and {self.billing_grace})"
            )
        limit = GRACE_INTERVALS * self.heartbeat_interval
        if self.node_grace_period > limit:
            raise ConfigError(
                f"MINISPOD_NODE_GRACE_PERIOD must be at most {GRACE_INTERVALS} heartbeat "
                f"intervals ({limit:g} s), got {self.node_grace_period:g}"
            )
        stripe_given = [bool(self.stripe_secret_key), bool(self.stripe_webhook_secret)]
        if any(stripe_given) and not all(stripe_given):
            raise ConfigError(
                "Stripe needs both MINISPOD_STRIPE_SECRET_KEY and MINISPOD_STRIPE_WEBHOOK_SECRET "
                "(one without the other either cannot take payments or cannot hear of them)"
            )
        if self.stripe_enabled and not (self.stripe_success_url and self.stripe_cancel_url):
            raise ConfigError(
                "Stripe needs MINISPOD_STRIPE_SUCCESS_URL and MINISPOD_STRIPE_CANCEL_URL: "
                "where Checkout sends the customer back"
            )
        if self.snapshot_store == "s3" and not self.snapshot_s3_bucket:
            raise ConfigError("MINISPOD_SNAPSHOT_STORE=s3 needs MINISPOD_SNAPSHOT_S3_BUCKET")
        if self.workers > 1 and not self.shared_database:
            raise ConfigError("MINISPOD_WORKERS above 1 needs PostgreSQL (SQLite has one writer)")
        return self


def normalise_database_url(url: str) -> str:
    """Accept the URLs operators write (postgresql://) and give tortoise's spelling."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "asyncpg://" + url[len(prefix) :]
    if url.startswith(("asyncpg://", "sqlite://")):
        return url
    raise ConfigError(
        "MINISPOD_DATABASE_URL must start with postgresql://, postgres://, asyncpg:// or sqlite://"
    )


def _development_secret(data_dir: Path, name: str, make: Callable[[], str]) -> str:
    """A secret generated once and kept beside the data, so what it signs or seals
    survives restarts."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = make()
    # Written whole under a private name, then linked into place: of two processes
    # starting at once (scripts/run, parallel tests), one links and the other reads
    # the winner's complete file, never a half-written or a second secret.
    tmp = data_dir / f".{name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    try:
        os.link(tmp, path)
    except FileExistsError:
        value = path.read_text().strip()
    finally:
        tmp.unlink(missing_ok=True)
    return value


def _one_line(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    name = ".".join(str(part) for part in first["loc"]) or "configuration"
    message = str(first["msg"]).removeprefix("Value error, ")
    # A secret that is set but unusable is still a secret: never echo it.
    secret = any(
        f.validation_alias == name and f.repr is False for f in Config.model_fields.values()
    )
    return f"{name}: {message}" if secret else f"{name}: {message}, got {first['input']!r}"


# Old names of settings, still read as their new ones (a warning at start says so).
RENAMED = {"MINISPOD_MAX_SUBSCRIPTIONS_PER_USER": "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM"}


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read the environment once. Raises ConfigError with a one-line reason."""
    env = os.environ if env is None else env
    # An empty variable means "not set", as a Deployment's `value: ""` does.
    given = {k: v for k, v in env.items() if k.startswith("MINISPOD_") and v.strip() != ""}
    if "MINISPOD_TRUST_FORWARDED_FOR" in given:
        # It trusted the leftmost X-Forwarded-For entry, which the client writes itself.
        raise ConfigError(
            "MINISPOD_TRUST_FORWARDED_FOR is replaced by MINISPOD_TRUSTED_PROXIES=N, the number "
            "of proxies in front of the control plane (1 behind one ingress)"
        )
    for old, new in RENAMED.items():
        if old not in given:
            continue
        if new in given and given[new] != given[old]:
            raise ConfigError(f"{old} is the old name of {new}: set only {new}")
        # Still honoured, so an upgrade keeps a deployment's limit; said once at start.
        log.warning("%s is renamed %s; it is read as that for now", old, new)
        given[new] = given.pop(old)
    if given.get("MINISPOD_ENV") == "production":
        for name, why in (
            ("MINISPOD_DATABASE_URL", "no embedded default"),
            ("MINISPOD_JWT_SECRET", "no generated default"),
            ("MINISPOD_SECRETS_KEY", "no generated default; it seals instance credentials"),
        ):
            if name not in given:
                raise ConfigError(f"production mode needs {name} ({why})")
    try:
        config = Config.model_validate(given)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    # Development defaults that write to disk, made only once the rest is known to be good.
    updates: dict[str, Any] = {}
    if "MINISPOD_DATABASE_URL" not in given:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        updates["database_url"] = f"sqlite://{config.data_dir / 'minispod.sqlite3'}"
    if not config.jwt_secret:
        updates["jwt_secret"] = _development_secret(
            config.data_dir, "jwt_secret", lambda: secrets.token_urlsafe(48)
        )
    if not config.secrets_key:
        updates["secrets_key"] = _development_secret(
            config.data_dir, "secrets_key", lambda: Fernet.generate_key().decode()
        )
    return config.model_copy(update=updates)
