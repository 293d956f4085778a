"""Usage history as the tests post and read it: samples sent as an agent sends them,
history read as an administrator reads it, and buckets computed by hand to compare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import FakeClock, bearer

FIVE_MINUTES_MS = 300_000


def clock_at(hour: int, minute: int = 0) -> FakeClock:
    """A clock at this time of day, UTC, today or yesterday. Retention packs roll-ups by the day, so where
    a test's hours fall in the day decides what it packs: tests say it, not the hour CI
    happens to run them."""
    clock = FakeClock()
    at = datetime.combine(clock.now.date(), time(hour, minute), UTC)
    clock.now = at if at <= clock.now else at - timedelta(days=1)  # never in the future
    return clock


@dataclass(frozen=True)
class Sample:
    seq: int
    ts: int  # epoch ms
    cpu: float
    memory: int
    disk: int
    load1: float

    def wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "timestamp": iso(self.ts),
            "cpuPercent": self.cpu,
            "memoryUsed": self.memory,
            "diskUsed": self.disk,
            "load1": self.load1,
            "load5": 0.0,
            "load15": 0.0,
        }


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def by_hand(samples: list[Sample], step_ms: int) -> list[dict[str, Any]]:
    """The buckets the API should return, computed from the raw samples themselves."""
    groups: dict[int, list[Sample]] = {}
    for s in samples:
        groups.setdefault(s.ts // step_ms * step_ms, []).append(s)
    return [
        {
            "timestamp": iso(start),
            "samples": len(group),
            "cpuPercent": sum(s.cpu for s in group) / len(group),
            "cpuPercentMax": max(s.cpu for s in group),
            "memoryUsed": sum(s.memory for s in group) / len(group),
            "diskUsed": sum(s.disk for s in group) / len(group),
            "load1": sum(s.load1 for s in group) / len(group),
        }
        for start, group in sorted(groups.items())
    ]


def normalised(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's buckets with timestamps spelled like ours and floats comparable."""
    return [
        {
            **b,
            "timestamp": iso(epoch_ms(datetime.fromisoformat(b["timestamp"]))),
            **{
                k: pytest.approx(b[k], abs=1e-3)
                for k in ("cpuPercent", "memoryUsed", "diskUsed", "load1")
            },
        }
        for b in buckets
    ]


class Fleet:
    """One registered node, its samples posted the way its agent posts them."""

    def __init__(self, client: TestClient, admin: dict[str, str], node: dict[str, Any]) -> None:
        self.client = client
        self.admin = admin
        self.node_id = str(node["nodeId"])
        self.token = str(node["nodeToken"])

    @classmethod
    async def one_node(
        cls, client: TestClient, admin: dict[str, str], name: str = "history-node"
    ) -> Fleet:
        resp = await client.post(
            "/api/v1/workers/join-tokens", json={"name": "history"}, headers=admin
        )
        join = (await resp.json())["data"]["token"]
        facts = {
            "name": name,
            "hostname": f"{name}.cluster.local",
            "ipAddress": "10.0.0.7",
            "cpuCores": 4,
            "cpuArchitecture": "x86_64",
            "totalMemory": 16384,
            "totalStorage": 200000,
            "architecture": "amd64",
            "operatingSystem": "Linux",
            "nodeSecret": f"{name}-secret-0123456789abcdefghijklmn",
        }
        resp = await client.post("/api/v1/agent/register", json=facts, headers=bearer(join))
        body = await resp.json()
        assert resp.status == 200, body
        return cls(client, admin, body["data"])

    async def send(self, *samples: Sample) -> dict[str, Any]:
        """Replays `samples` as a spooling agent does; the ingest's answer."""
        resp = await self.client.post(
            f"/api/v1/workers/{self.node_id}/telemetry",
            json={"samples": [s.wire() for s in samples]},
            headers=bearer(self.token),
        )
        body = await resp.json()
        assert resp.status == 200, body
        return dict(body["data"])

    async def post(self, *samples: Sample) -> None:
        """Sends samples none of which is stored yet."""
        assert (await self.send(*samples))["accepted"] == len(samples)

    async def history(self, start: int, end: int, step: int | None = None) -> Any:
        params = {"from": iso(start), "to": iso(end)}
        if step is not None:
            params["step"] = str(step)
        resp = await self.client.get(
            f"/api/v1/workers/{self.node_id}/metrics", params=params, headers=self.admin
        )
        body = await resp.json()
        assert resp.status == 200, body
        return body["data"]


def timeline(clock: FakeClock) -> tuple[int, int]:
    """`now` and a start about three hours earlier, aligned to ten minutes."""
    now = epoch_ms(clock())
    return now, (now - 3 * 3_600_000) // 600_000 * 600_000


def old_buckets(t0: int) -> tuple[list[Sample], list[Sample], list[Sample]]:
    """Two adjacent 5-minute buckets three hours back, and one an hour and a half back."""
    a = [
        Sample(1, t0, 10.0, 1000, 5000, 0.5),
        Sample(2, t0 + 60_000, 20.0, 2000, 5000, 1.0),
        Sample(3, t0 + 120_000, 40.0, 3000, 8000, 1.5),
    ]
    b = [
        Sample(4, t0 + 300_000, 50.0, 4000, 6000, 2.0),
        Sample(5, t0 + 420_000, 70.0, 6000, 6000, 3.0),
    ]
    c = [Sample(6, t0 + 90 * 60_000 + 30_000, 5.0, 500, 1000, 0.25)]
    return a, b, c
