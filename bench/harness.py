"""What every benchmark sets up the same way: a free port, and the control plane's
environment against a throwaway database with a bench administrator."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_EMAIL = "bench@paas.com"
ADMIN_PASSWORD = "Bench123!@#"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def control_plane_env(database_url: str, **extra: str) -> dict[str, str]:
    """The control plane against `database_url`: quiet logs, no rate limit (one client
    address sends everything), cheap password hashing; `extra` adds or overrides."""
    return {
        **os.environ,
        "MINISPOD_DATABASE_URL": database_url,
        "MINISPOD_LOG_LEVEL": "WARNING",
        "MINISPOD_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "MINISPOD_RATE_LIMIT_PER_MINUTE": "0",
        "MINISPOD_PASSWORD_TIME_COST": "1",
        "MINISPOD_PASSWORD_MEMORY_KIB": "1024",
        **extra,
    }


def create_admin(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "controlplane", "create-admin", "--email", ADMIN_EMAIL],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
