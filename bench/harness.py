"""The control plane as the benchmarks run it: the suite's process helpers
(tests/processes.py: free ports, the child environment, the administrator made with
the real command line), plus quiet logs and no rate limit (one address sends it all)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    FAST_PASSWORDS,
    child_env,
    create_admin,
    free_port,
)

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "control_plane_env",
    "create_admin",
    "free_port",
    "migrate",
]

ROOT = Path(__file__).resolve().parents[1]


def control_plane_env(database_url: str, **extra: str) -> dict[str, str]:
    """`python -m controlplane serve` against `database_url`; `extra` adds or overrides."""
    return child_env(
        MINISPOD_DATABASE_URL=database_url,
        MINISPOD_LOG_LEVEL="WARNING",
        MINISPOD_RATE_LIMIT_PER_MINUTE="0",
        **FAST_PASSWORDS,
        **extra,
    )


def migrate(database_url: str) -> None:
    """Every migration applied, by the real command line."""
    subprocess.run(
        [sys.executable, "-m", "controlplane", "migrate"],
        env=control_plane_env(database_url),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
