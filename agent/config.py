"""The agent's configuration: every MINISPOD_* variable it reads, read once, frozen.

Plain dataclasses and a few readers rather than pydantic, as the control plane
uses: importing pydantic costs the agent about 10 MiB of its 40 MiB budget (see
agent/wire.py), and these dozen variables need no more than this.
"""

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from agent.collectors.host import HostPaths
from agent.wire import is_node_name

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """A variable that is set but unusable; the message names it and says what is expected."""


@dataclass(frozen=True)
class AgentConfig:
    server_url: str
    # repr=False: a config printed in a log line or a traceback must not carry the secret.
    join_token: str = field(repr=False)
    node_name: str
    state_dir: Path
    host: HostPaths
    agent_host: str
    agent_port: int
    spool_max_samples: int
    # Seconds. Used until the control plane tells its own interval at registration; after
    # that the shorter of the two wins, so tests can speed an agent up but an operator can
    # never make it report less often than the control plane needs.
    heartbeat_interval: float | None
    resource_interval: float | None
    backoff_max: float
    log_level: str

    @property
    def identity_file(self) -> Path:
        return self.state_dir / "node.json"

    @property
    def node_secret_file(self) -> Path:
        return self.state_dir / "node-secret"

    @property
    def sequence_file(self) -> Path:
        return self.state_dir / "sequence"

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range ({low}..{high})")
    return value


def _seconds(env: Mapping[str, str], name: str, low: float = 0.05) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number of seconds") from None
    if not low <= value <= 86_400:
        raise ConfigError(f"{name}={value} is out of range ({low}..86400 seconds)")
    return value


def _server_url(env: Mapping[str, str]) -> str:
    raw = _text(env, "MINISPOD_SERVER_URL", "http://127.0.0.1:3000").rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"MINISPOD_SERVER_URL={raw!r} is not an http(s) URL like https://minispod.example.com"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"MINISPOD_SERVER_URL={raw!r} must not have a query or fragment")
    return raw


def _node_name(env: Mapping[str, str]) -> str:
    explicit = env.get("MINISPOD_NODE_NAME", "").strip()
    # NODE_NAME is what the DaemonSet's downward API provides (spec.nodeName).
    name = explicit or env.get("NODE_NAME", "").strip() or socket.gethostname().lower()
    if not is_node_name(name):
        source = "MINISPOD_NODE_NAME" if explicit else "the hostname"
        raise ConfigError(
            f"node name {name!r} (from {source}) is not a Kubernetes node name "
            "(lowercase letters, digits, '-' and '.'); set MINISPOD_NODE_NAME"
        )
    return name


def load_config(env: Mapping[str, str]) -> AgentConfig:
    """Read and check every variable; raise ConfigError on the first unusable one."""
    join_token = env.get("MINISPOD_JOIN_TOKEN", "").strip()
    if not join_token:
        raise ConfigError(
            "MINISPOD_JOIN_TOKEN is not set: create a join token on the control plane "
            "(POST /api/v1/workers/join-tokens) and pass it to the agent"
        )
    log_level = _text(env, "MINISPOD_LOG_LEVEL", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"MINISPOD_LOG_LEVEL={log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    backoff_max = _seconds(env, "MINISPOD_BACKOFF_MAX", low=1.0)
    return AgentConfig(
        server_url=_server_url(env),
        join_token=join_token,
        node_name=_node_name(env),
        state_dir=Path(_text(env, "MINISPOD_STATE_DIR", "./data/agent")),
        host=HostPaths(
            proc=Path(_text(env, "MINISPOD_HOST_PROC", "/proc")),
            sys=Path(_text(env, "MINISPOD_HOST_SYS", "/sys")),
            root=Path(_text(env, "MINISPOD_HOST_ROOT", "/")),
        ),
        agent_host=_text(env, "MINISPOD_AGENT_HOST", "0.0.0.0"),
        agent_port=_int(env, "MINISPOD_AGENT_PORT", 9101, 0, 65535),
        spool_max_samples=_int(env, "MINISPOD_SPOOL_MAX_SAMPLES", 100_000, 1, 10_000_000),
        heartbeat_interval=_seconds(env, "MINISPOD_HEARTBEAT_INTERVAL"),
        resource_interval=_seconds(env, "MINISPOD_RESOURCE_INTERVAL"),
        backoff_max=60.0 if backoff_max is None else backoff_max,
        log_level=log_level,
    )
