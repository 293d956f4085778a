"""The control plane's configuration: the only reader of MINISPOD_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Env = Literal["development", "production"]


class ConfigError(Exception):
    """A configuration that cannot run; the message is the one line an operator reads."""


@dataclass(frozen=True)
class Config:
    env: Env = "development"
    host: str = "0.0.0.0"
    port: int = 3000
    data_dir: Path = Path("data")
    database_url: str = "sqlite://data/minispod.sqlite3"
    migrate_on_start: bool = True
    jwt_secret: str = field(default="", repr=False)
    jwt_issuer: str = "minispod"
    jwt_audience: str = "minispod-api"
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 30 * 24 * 3600
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "text"
    max_body_bytes: int = 1024 * 1024
    # General per-client limit on the API: a token bucket of `rate_limit_burst`
    # refilled at `rate_limit_per_minute`. 0 disables it.
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 120
    # Login throttling: failures allowed per window before 429.
    login_window_seconds: int = 15 * 60
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 50
    # argon2id cost (RFC 9106 second recommendation by default).
    password_time_cost: int = 3
    password_memory_kib: int = 64 * 1024
    # Trust X-Forwarded-For for the client address (behind an ingress only).
    trust_forwarded_for: bool = False
    # Worker nodes (told to agents at registration).
    heartbeat_interval: float = 10.0
    node_grace_period: float = 30.0
    eviction_timeout: float = 120.0
    kubeconfig: str | None = None
    base_domain: str = "apps.localhost"
    # Told to agents: a full resource report every this many seconds.
    resource_interval: float = 60.0
    # Usage history: raw samples kept this long, 5-minute roll-ups this long.
    metrics_raw_retention: int = 24 * 3600
    metrics_rollup_retention: int = 30 * 24 * 3600
    retention_interval: int = 3600
    run_jobs: bool = True
    # Server processes sharing the port (replicas on one host); PostgreSQL only.
    workers: int = 1
    # Placement and provisioning.
    scheduler_policy: str = "LeastAllocated"
    max_subscriptions_per_user: int = 10
    reconcile_interval: float = 15.0
    tls_issuer: str | None = None
    ingress_class: str | None = None
    storage_class: str | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def shared_database(self) -> bool:
        """PostgreSQL, which several replicas may share; SQLite serves one process."""
        return self.database_url.startswith("asyncpg://")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


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


def _development_secret(data_dir: Path) -> str:
    """A secret generated once and kept beside the data, so tokens survive restarts."""
    path = data_dir / "jwt_secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read the environment once. Raises ConfigError with a one-line reason."""
    env = os.environ if env is None else env
    mode = env.get("MINISPOD_ENV", "development")
    if mode not in ("development", "production"):
        raise ConfigError(f"MINISPOD_ENV must be development or production, got {mode!r}")
    production = mode == "production"
    data_dir = Path(env.get("MINISPOD_DATA_DIR", "data"))

    db_url = env.get("MINISPOD_DATABASE_URL", "")
    secret = env.get("MINISPOD_JWT_SECRET", "")
    if production:
        if not db_url:
            raise ConfigError("production mode needs MINISPOD_DATABASE_URL (no embedded default)")
        if not secret:
            raise ConfigError("production mode needs MINISPOD_JWT_SECRET (no generated default)")
    if secret and len(secret) < 32:
        raise ConfigError("MINISPOD_JWT_SECRET must be at least 32 characters")
    if not db_url:
        data_dir.mkdir(parents=True, exist_ok=True)
        db_url = f"sqlite://{data_dir / 'minispod.sqlite3'}"
    if not secret:
        secret = _development_secret(data_dir)

    workers = _int(env, "MINISPOD_WORKERS", 1, minimum=1)
    if workers > 1 and db_url.startswith("sqlite"):
        raise ConfigError("MINISPOD_WORKERS above 1 needs PostgreSQL (SQLite has one writer)")
    policy = env.get("MINISPOD_SCHEDULER_POLICY", "LeastAllocated")
    if policy not in ("LeastAllocated", "MostAllocated"):
        raise ConfigError(
            f"MINISPOD_SCHEDULER_POLICY must be LeastAllocated or MostAllocated, got {policy!r}"
        )
    log_format = env.get("MINISPOD_LOG_FORMAT", "json" if production else "text")
    if log_format not in ("json", "text"):
        raise ConfigError(f"MINISPOD_LOG_FORMAT must be json or text, got {log_format!r}")
    log_level = env.get("MINISPOD_LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"MINISPOD_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
        )
    origins = tuple(o.strip() for o in env.get("MINISPOD_CORS_ORIGINS", "").split(",") if o.strip())

    heartbeat = _float(env, "MINISPOD_HEARTBEAT_INTERVAL", 10.0, minimum=0.1)
    # Kubernetes marks a node unknown after 40 s; we must also notice within
    # three missed heartbeats, whichever is sooner.
    grace = _float(env, "MINISPOD_NODE_GRACE_PERIOD", min(40.0, 3 * heartbeat), minimum=0.1)
    if grace > 3 * heartbeat:
        raise ConfigError(
            "MINISPOD_NODE_GRACE_PERIOD must be at most 3 heartbeat intervals "
            f"({3 * heartbeat:g} s), got {grace:g}"
        )

    return Config(
        env="production" if production else "development",
        host=env.get("MINISPOD_HOST", "0.0.0.0"),
        port=_int(env, "MINISPOD_PORT", 3000),
        data_dir=data_dir,
        database_url=normalise_database_url(db_url),
        migrate_on_start=_bool(env, "MINISPOD_MIGRATE_ON_START", True),
        jwt_secret=secret,
        jwt_issuer=env.get("MINISPOD_JWT_ISSUER", "minispod"),
        jwt_audience=env.get("MINISPOD_JWT_AUDIENCE", "minispod-api"),
        access_token_ttl=_int(env, "MINISPOD_ACCESS_TOKEN_TTL", 15 * 60, minimum=10),
        refresh_token_ttl=_int(env, "MINISPOD_REFRESH_TOKEN_TTL", 30 * 24 * 3600, minimum=60),
        cors_origins=origins,
        log_level=log_level,
        log_format=log_format,  # type: ignore[arg-type]
        max_body_bytes=_int(env, "MINISPOD_MAX_BODY_BYTES", 1024 * 1024, minimum=1024),
        rate_limit_per_minute=_int(env, "MINISPOD_RATE_LIMIT_PER_MINUTE", 600),
        rate_limit_burst=_int(env, "MINISPOD_RATE_LIMIT_BURST", 120, minimum=1),
        login_window_seconds=_int(env, "MINISPOD_LOGIN_WINDOW", 15 * 60, minimum=1),
        login_max_failures_per_account=_int(env, "MINISPOD_LOGIN_MAX_FAILURES", 5, minimum=1),
        login_max_failures_per_ip=_int(env, "MINISPOD_LOGIN_MAX_FAILURES_PER_IP", 50, minimum=1),
        password_time_cost=_int(env, "MINISPOD_PASSWORD_TIME_COST", 3, minimum=1),
        password_memory_kib=_int(env, "MINISPOD_PASSWORD_MEMORY_KIB", 64 * 1024, minimum=256),
        trust_forwarded_for=_bool(env, "MINISPOD_TRUST_FORWARDED_FOR", False),
        heartbeat_interval=heartbeat,
        node_grace_period=grace,
        eviction_timeout=_float(env, "MINISPOD_EVICTION_TIMEOUT", 120.0, minimum=1.0),
        resource_interval=_float(env, "MINISPOD_RESOURCE_INTERVAL", max(60.0, heartbeat), 0.1),
        metrics_raw_retention=_int(env, "MINISPOD_METRICS_RAW_RETENTION", 24 * 3600, minimum=60),
        metrics_rollup_retention=_int(
            env, "MINISPOD_METRICS_ROLLUP_RETENTION", 30 * 24 * 3600, minimum=3600
        ),
        retention_interval=_int(env, "MINISPOD_RETENTION_INTERVAL", 3600, minimum=10),
        run_jobs=_bool(env, "MINISPOD_RUN_JOBS", True),
        workers=workers,
        scheduler_policy=policy,
        max_subscriptions_per_user=_int(env, "MINISPOD_MAX_SUBSCRIPTIONS_PER_USER", 10, minimum=1),
        reconcile_interval=_float(env, "MINISPOD_RECONCILE_INTERVAL", 15.0, minimum=0.1),
        tls_issuer=env.get("MINISPOD_TLS_ISSUER") or None,
        ingress_class=env.get("MINISPOD_INGRESS_CLASS") or None,
        storage_class=env.get("MINISPOD_STORAGE_CLASS") or None,
        kubeconfig=env.get("MINISPOD_KUBECONFIG") or None,
        base_domain=env.get("MINISPOD_BASE_DOMAIN", "apps.localhost"),
    )
