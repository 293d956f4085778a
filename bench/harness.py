"""The control plane as the benchmarks run it: the suite's process helpers
(tests/processes.py: free ports, the child environment, the administrator made with
the real command line), plus quiet logs and no rate limit (one address sends it all)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

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
    "machine_speed",
    "migrate",
    "pg_connection",
    "serve",
    "setting",
]

ROOT = Path(__file__).resolve().parents[1]


def setting(text: str) -> tuple[str, str]:
    """An argparse `type` for a repeatable NAME=VALUE option (`--env`, `--pg`)."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


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


def serve(
    env: dict[str, str], port: int, root: Path = ROOT, **settings: str
) -> subprocess.Popen[bytes]:
    """`python -m controlplane serve` of the checkout at `root` on 127.0.0.1:`port`, with
    `env` (control_plane_env) and `settings` over it; the caller waits for it to answer."""
    return subprocess.Popen(
        [sys.executable, "-m", "controlplane", "serve"],
        cwd=root,
        env={**env, "MINISPOD_PORT": str(port), "MINISPOD_HOST": "127.0.0.1", **settings},
    )


@asynccontextmanager
async def pg_connection(url: str) -> AsyncIterator[asyncpg.Connection]:
    """One plain asyncpg connection to `url`, closed however the block ends: what the
    benches seed, inspect and size the database through, beside the control plane."""
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


def machine_speed() -> str:
    """How fast this machine runs Python now: the best of three timings of a fixed loop.
    The shared machines the benches run on differ by several times from one day to
    the next; this line makes absolute figures of two runs comparable (same-run
    ratios need no such help)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return f"machine: a 2,000,000-step Python loop in {best * 1000:.0f} ms (best of 3)"
