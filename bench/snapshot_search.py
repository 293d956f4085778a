"""Snapshot search latency over 1,000 snapshots, on SQLite (FTS5) and PostgreSQL (GIN).

A real control plane (`python -m controlplane serve`) per database takes N small
snapshot documents through the API (each a few deployments and pods with names,
labels and images drawn from pools, so a word matches some snapshots and not others).
Then, in the same run, R requests of `GET /snapshots?q=<word>` (one word, and two
words) and, as the baseline, R of the same listing without `q`: prints p50 and p99 of
each and the ratio of the search's p50 to the listing's.

    .venv/bin/python bench/snapshot_search.py [--snapshots 1000] [--requests 300]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, create_admin  # noqa: E402

from tests.conftest import run_cli  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402
from tests.processes import ControlPlane, request, request_json  # noqa: E402

IMAGES = [f"registry.example/team{i}/app{i}:{v}.{i}" for i in range(40) for v in (1, 2)]
APPS = [f"service{i}" for i in range(200)]


def document(k: int, rng: random.Random) -> bytes:
    apps = rng.sample(APPS, 5)
    deployments = [
        {
            "metadata": {"name": f"{app}-{k}", "namespace": f"ns{k % 50}", "labels": {"app": app}},
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "main", "image": rng.choice(IMAGES)}]}
                }
            },
        }
        for app in apps
    ]
    return json.dumps(
        {
            "metadata": {"clusterName": f"cluster{k % 20}", "takenAt": "2026-12-01T08:00:00Z"},
            "objects": {"deployments": deployments},
        }
    ).encode()


def timed(url: str, token: str, n: int) -> list[float]:
    took = []
    for _ in range(n):
        started = time.perf_counter()
        status, _ = request("GET", url, None, token)
        took.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return took


def figures(took: list[float]) -> tuple[float, float]:
    took = sorted(took)
    return statistics.median(took), took[int(len(took) * 0.99) - 1]


def run(database_url: str, label: str, workdir: Path, n: int, r: int) -> None:
    result = run_cli("migrate", database_url=database_url)
    assert result.returncode == 0, result.stderr
    create_admin(database_url)
    cp = ControlPlane(database_url, workdir, MINISPOD_RATE_LIMIT_PER_MINUTE="0")
    cp.start()
    try:
        api = cp.url + "/api/v1"
        status, body = request_json(
            "POST", api + "/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert status == 200, body
        token = body["data"]["accessToken"]
        rng = random.Random(7)
        started = time.perf_counter()
        for k in range(n):
            status, raw = _upload(cp.url, token, document(k, rng))
            assert status == 201, raw
        print(f"{label}: {n} snapshots uploaded in {time.perf_counter() - started:.1f} s")
        base = api + "/snapshots?limit=20"
        one = api + "/snapshots?limit=20&q=service42"
        two = api + "/snapshots?limit=20&q=app7+2"
        status, body = request_json("GET", one, None, token)
        hits = body["data"]["pagination"]["total"]
        plain_p50, plain_p99 = figures(timed(base, token, r))
        one_p50, one_p99 = figures(timed(one, token, r))
        two_p50, two_p99 = figures(timed(two, token, r))
        print(f"  listing, no q:       p50 {plain_p50:.1f} ms  p99 {plain_p99:.1f} ms")
        print(
            f"  q=service42 ({hits} hits): p50 {one_p50:.1f} ms  p99 {one_p99:.1f} ms"
            f"  ({one_p50 / plain_p50:.2f} x the listing)"
        )
        print(
            f"  q=app7 2 (two words): p50 {two_p50:.1f} ms  p99 {two_p99:.1f} ms"
            f"  ({two_p50 / plain_p50:.2f} x the listing)"
        )
    finally:
        cp.kill()


def _upload(server: str, token: str, body: bytes) -> tuple[int, bytes]:
    parts = urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/snapshots",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshots", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "sqlite").mkdir()
        run(
            f"sqlite://{work / 'search.sqlite3'}",
            "SQLite",
            work / "sqlite",
            args.snapshots,
            args.requests,
        )
        pg = PostgresServer().start()
        try:
            (work / "pg").mkdir()
            run(pg.url, "PostgreSQL", work / "pg", args.snapshots, args.requests)
        finally:
            pg.stop()


if __name__ == "__main__":
    main()
