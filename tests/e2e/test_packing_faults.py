"""A control plane killed (kill -9) in the middle of packing closed hours loses no sample and
stores none twice: each move deletes its rows and writes their chunk in one statement, so
the database holds every sample exactly once at any moment, and the next leader finishes.

Real processes: the control plane on PostgreSQL, its leader's metric-compaction job on a
short interval, samples stored as the ingest stores them (the rows of closed hours)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.processes import ADMIN_EMAIL, ADMIN_PASSWORD, ControlPlane, request_json, wait_for

pytestmark = pytest.mark.slow

NODES = 400
HOURS = 4
EVERY_MS = 10_000
HOUR_MS = 3_600_000


def register(cp: ControlPlane, count: int) -> list[str]:
    status, body = request_json(
        "POST", cp.url + "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    admin = body["data"]["accessToken"]
    status, body = request_json(
        "POST", cp.url + "/api/v1/workers/join-tokens", {"name": "packing"}, admin
    )
    assert status == 201 or status == 200, body
    join = body["data"]["token"]
    ids = []
    for i in range(count):
        facts = {
            "name": f"packing-{i:04d}",
            "hostname": f"packing-{i}",
            "ipAddress": "10.0.0.1",
            "cpuCores": 4,
            "cpuArchitecture": "x86_64",
            "totalMemory": 8192,
            "totalStorage": 100000,
            "architecture": "amd64",
            "operatingSystem": "Linux",
            "nodeSecret": f"packing-node-secret-{i:04d}-0123456789abcdef",
        }
        status, body = request_json("POST", cp.url + "/api/v1/agent/register", facts, join)
        assert status == 200, body
        ids.append(body["data"]["nodeId"])
    return ids


async def store_closed_hours(url: str, node_ids: list[str]) -> int:
    """HOURS of samples every 10 s per node, all in hours that ended over an hour ago."""
    end = (int(time.time() * 1000) // HOUR_MS - 1) * HOUR_MS
    start = end - HOURS * HOUR_MS
    per_node = HOURS * HOUR_MS // EVERY_MS
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table(
            "node_samples",
            records=(
                (uuid.UUID(n), 10 + k, start + k * EVERY_MS, 1.0 * k, k, k, 0.5, 0.4, 0.3)
                for n in node_ids
                for k in range(per_node)
            ),
            columns=[
                "node_id",
                "seq",
                "ts",
                "cpu_percent",
                "memory_used",
                "disk_used",
                "load1",
                "load5",
                "load15",
            ],
        )
    finally:
        await conn.close()
    return per_node * len(node_ids)


async def census(url: str) -> tuple[int, int, int]:
    """(samples still rows, samples packed, distinct (node, seq) among all of them)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetchval("SELECT COUNT(*) FROM node_samples WHERE seq >= 10")
        packed = await conn.fetchval("SELECT COALESCE(SUM(n), 0) FROM node_sample_chunks")
        distinct = await conn.fetchval(
            "SELECT COUNT(*) FROM (SELECT node_id, seq FROM node_samples WHERE seq >= 10 "
            "UNION SELECT c.node_id, u.seq FROM node_sample_chunks AS c, unnest(c.seq) AS u(seq) "
            "WHERE u.seq >= 10) AS everything"
        )
    finally:
        await conn.close()
    return int(rows), int(packed), int(distinct)


async def packed_so_far(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT COUNT(*) FROM node_sample_chunks"))
    finally:
        await conn.close()


def test_a_control_plane_killed_while_packing_loses_no_sample_and_stores_none_twice(
    control_plane_database: str, tmp_path: Path
) -> None:
    url = control_plane_database
    for run in ("first", "packer", "again"):
        (tmp_path / run).mkdir()
    quiet = ControlPlane(url, tmp_path / "first", MINISPOD_RUN_JOBS="false")
    quiet.start()
    try:
        node_ids = register(quiet, NODES)
    finally:
        quiet.stop()
    total = asyncio.run(store_closed_hours(url, node_ids))

    packer = ControlPlane(url, tmp_path / "packer", MINISPOD_METRICS_COMPACT_INTERVAL="10")
    packer.start()
    wait_for(lambda: asyncio.run(packed_so_far(url)) > 0, 30, "the packing to begin", 0.01)
    packer.kill()  # kill -9 in the middle of the pass

    rows, packed, distinct = asyncio.run(census(url))
    assert 0 < packed < total, "the kill did not land in the middle of the pass"
    assert (rows + packed, distinct) == (total, total)  # every sample once, half moved

    again = ControlPlane(url, tmp_path / "again", MINISPOD_METRICS_COMPACT_INTERVAL="10")
    again.start()
    try:
        wait_for(lambda: asyncio.run(census(url))[0] == 0, 60, "the next pass to finish")
        assert asyncio.run(census(url)) == (0, total, total)
    finally:
        again.stop()
