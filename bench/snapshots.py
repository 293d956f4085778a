"""Snapshot upload and download at size: throughput against a plain file copy, and the
control plane's memory while it streams.

A real control plane (`python -m controlplane serve`, SQLite, the directory blob
store) takes snapshot documents of SIZES megabytes, generated to a file first
(pods with unique names, labels and images, so they compress as real ones do),
uploaded as a streamed HTTP body and downloaded back (checked byte for byte by
SHA-256). In the same run the same bytes are copied with shutil.copyfile (the
baseline for the ratio). The server's peak RSS (VmHWM) is read after start and
a 1 MB upload (the baseline) and after each size: if uploads and downloads
stream, the peak does not grow with the size.

    .venv/bin/python bench/snapshots.py [--sizes 50,200] [--zstd]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, create_admin  # noqa: E402

from tests.conftest import run_cli  # noqa: E402
from tests.processes import ControlPlane, request_json  # noqa: E402

MB = 1024 * 1024


def write_document(path: Path, megabytes: int) -> None:
    """A snapshot of about `megabytes` MB, written pod by pod (never held whole)."""
    target = megabytes * MB
    with path.open("wb") as out:
        out.write(
            b'{"metadata": {"clusterName": "bench", "takenAt": "2026-12-01T00:00:00Z",'
            b' "kubernetesVersion": "v1.30.6+k3s1"}, "objects": {"pods": ['
        )
        i = 0
        while out.tell() < target:
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"app-{i:08d}-{hashlib.sha256(str(i).encode()).hexdigest()[:10]}",
                    "namespace": f"tenant-{i % 997:04d}",
                    "uid": hashlib.sha256(str(i).encode()).hexdigest(),
                    "labels": {"app": f"app-{i % 113}", "tier": "web", "pod-hash": f"{i:x}"},
                    "resourceVersion": str(1_000_000 + i),
                },
                "spec": {
                    "nodeName": f"worker-{i % 50}",
                    "containers": [
                        {
                            "name": "main",
                            "image": f"registry.example.com/app-{i % 113}:1.{i % 40}.{i % 7}",
                            "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
                            "env": [{"name": "INDEX", "value": str(i)}],
                        }
                    ],
                },
                "status": {"phase": "Running", "podIP": f"10.42.{i % 250}.{i % 251}"},
            }
            out.write((b"," if i else b"") + json.dumps(pod).encode())
            i += 1
        out.write(b']}, "secrets": []}')


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def current_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def upload(port: int, token: str, path: Path, encoding: str | None) -> tuple[float, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Length": str(path.stat().st_size),
    }
    if encoding:
        headers["Content-Encoding"] = encoding
    started = time.perf_counter()
    with path.open("rb") as body:
        conn.request("POST", "/api/v1/snapshots", body=body, headers=headers)
        response = conn.getresponse()
        answer = json.loads(response.read())
    elapsed = time.perf_counter() - started
    conn.close()
    assert response.status == 201, answer
    return elapsed, answer["data"]


def download(port: int, token: str, snapshot_id: str) -> tuple[float, str, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "GET",
        f"/api/v1/snapshots/{snapshot_id}/download",
        headers={"Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    assert response.status == 200, response.read()[:500]
    digest, size = hashlib.sha256(), 0
    while chunk := response.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, digest.hexdigest(), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200", help="document sizes in MB")
    parser.add_argument("--zstd", action="store_true", help="also upload each one zstd-encoded")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="bench-snapshots-") as tmp:
        work = Path(tmp)
        url = f"sqlite://{work / 'bench.sqlite3'}"
        migrated = run_cli("migrate", database_url=url)
        assert migrated.returncode == 0, migrated.stderr
        create_admin(url)
        server = ControlPlane(
            url,
            work,
            MINISPOD_SNAPSHOT_MAX_BYTES=str(max(sizes) * 2 * MB),
            MINISPOD_LOG_LEVEL="WARNING",
        )
        server.start()
        try:
            assert server.proc is not None
            pid = server.proc.pid
            status, body = request_json(
                "POST",
                server.url + "/api/v1/auth/login",
                {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            )
            assert status == 200, body
            token = body["data"]["accessToken"]
            small = work / "small.json"
            write_document(small, 1)
            upload(server.port, token, small, None)
            baseline = peak_rss_mb(pid)
            print(f"control plane peak RSS after start and a 1 MB upload: {baseline:.0f} MiB")
            print(
                f"{'size':>6} {'form':>5} {'copy MB/s':>10} {'upload MB/s':>12} {'ratio':>6} "
                f"{'download MB/s':>14} {'ratio':>6} {'stored':>8} {'peak RSS':>9} {'+base':>7}"
            )
            for mb in sizes:
                doc = work / f"doc-{mb}.json"
                write_document(doc, mb)
                size = doc.stat().st_size
                h = hashlib.sha256()
                with doc.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
                sha = h.hexdigest()
                forms: list[tuple[str, Path, str | None]] = [("json", doc, None)]
                if args.zstd:
                    packed = work / f"doc-{mb}.json.zst"
                    with doc.open("rb") as src, packed.open("wb") as dst:
                        zstandard.ZstdCompressor(level=3).copy_stream(src, dst)
                    forms.append(("zstd", packed, "zstd"))
                copy_started = time.perf_counter()
                shutil.copyfile(doc, work / "copy.json")
                copy_rate = size / MB / (time.perf_counter() - copy_started)
                (work / "copy.json").unlink()
                for form, path, encoding in forms:
                    up_time, snap = upload(server.port, token, path, encoding)
                    assert (snap["sha256"], snap["size"]) == (sha, size)
                    down_time, down_sha, down_size = download(server.port, token, snap["id"])
                    assert (down_sha, down_size) == (sha, size), "download differs from upload"
                    up_rate, down_rate = size / MB / up_time, size / MB / down_time
                    peak = peak_rss_mb(pid)
                    print(
                        f"{mb:>4}MB {form:>5} {copy_rate:>10.0f} {up_rate:>12.1f} "
                        f"{copy_rate / up_rate:>5.0f}x {down_rate:>14.1f} "
                        f"{copy_rate / down_rate:>5.0f}x {snap['storedSize'] / MB:>6.1f}MB "
                        f"{peak:>7.0f}Mi {peak - baseline:>+6.0f}"
                    )
                doc.unlink()
            print(f"control plane RSS now: {current_rss_mb(pid):.0f} MiB")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
