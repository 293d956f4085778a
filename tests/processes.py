"""Real processes on 127.0.0.1 for the tests that need them: a control plane started as an
operator starts it, the administrator's side of its API, and plain-HTTP helpers to reach both."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tests.conftest import ROOT, run_cli

T = TypeVar("T")

ADMIN_EMAIL = "admin@e2e.test"
ADMIN_PASSWORD = "Admin123!@#"
# The cheapest argon2id cost the control plane accepts: logins are not what is tested here.
FAST_PASSWORDS = {"MINISPOD_PASSWORD_TIME_COST": "1", "MINISPOD_PASSWORD_MEMORY_KIB": "1024"}
# Variables of the machine running the suite that would change what the children do.
INHERITED_NOT = ("MINISPOD_", "NODE_NAME", "KUBERNETES_")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_NOT)}
    env.update(extra)
    return env


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll `probe` until it returns something other than None (or False); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = probe()
        if last is not None and last is not False:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {timeout:g} s: {what}")
        time.sleep(interval)


def request(
    method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 5.0
) -> tuple[int, bytes]:
    """One plain-HTTP request, a JSON body if given; connection errors raise OSError."""
    parts = urlsplit(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except http.client.HTTPException as exc:
        raise OSError(f"{method} {url}: {exc!r}") from exc
    finally:
        conn.close()


def request_json(
    method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 5.0
) -> tuple[int, Any]:
    """`request`, with the response body decoded (None when it is not JSON)."""
    status, raw = request(method, url, body, token, timeout)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def create_admin(database_url: str) -> None:
    """The administrator AdminApi signs in as, created with the real command line."""
    result = run_cli(
        "create-admin",
        "--email",
        ADMIN_EMAIL,
        database_url=database_url,
        MINISPOD_ADMIN_PASSWORD=ADMIN_PASSWORD,
        **FAST_PASSWORDS,
    )
    assert result.returncode == 0, result.stderr


class Process:
    """A child process whose output goes to a log file, shown when a test fails."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self._argv = argv
        self._env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        with self.log_path.open("ab") as log:
            # A session of its own: a Ctrl-C meant for pytest does not reach the children
            # before their teardown does.
            self.proc = subprocess.Popen(
                self._argv,
                env=self._env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum: int) -> None:
        assert self.proc is not None, f"{self.name} was never started"
        self.proc.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None, f"{self.name} was never started"
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not exit within {timeout:g} s") from None

    def kill(self) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait(10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def fail_if_exited(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-3000:]}"
            )


class ControlPlane(Process):
    """`python -m controlplane serve` on a fixed port, so it can be stopped and started again
    where its agents expect it. `settings` are further MINISPOD_* variables, overriding these;
    the database must already be migrated."""

    def __init__(self, database_url: str, workdir: Path, **settings: str) -> None:
        self.port = free_port()
        env = child_env(
            MINISPOD_DATABASE_URL=database_url,
            MINISPOD_HOST="127.0.0.1",
            MINISPOD_PORT=str(self.port),
            MINISPOD_DATA_DIR=str(workdir / "data"),
            MINISPOD_JWT_SECRET="e2e-secret-" + "x" * 40,
            MINISPOD_MIGRATE_ON_START="false",
            MINISPOD_RATE_LIMIT_PER_MINUTE="0",
            **FAST_PASSWORDS,
        )
        env.update(settings)
        argv = [sys.executable, "-m", "controlplane", "serve"]
        super().__init__("control plane", argv, env, workdir / "controlplane.log")
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        self.spawn()
        wait_for(self._ready, timeout, f"control plane ready on {self.url}")

    def _ready(self) -> bool:
        self.fail_if_exited()
        try:
            return request_json("GET", self.url + "/ready", timeout=1)[0] == 200
        except OSError:
            return False

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, as an orchestrator stops it; returns the exit code."""
        self.signal(signal.SIGTERM)
        return self.wait(timeout)


class AdminApi:
    """The administrator's side of the API, as an operator's script would use it."""

    def __init__(self, control_plane: ControlPlane) -> None:
        self._api = control_plane.url + "/api/v1"
        status, body = request_json(
            "POST", self._api + "/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert status == 200, body
        self._token = str(body["data"]["accessToken"])

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return request_json(method, self._api + path, body, self._token)

    def data(self, method: str, path: str, body: Any = None) -> Any:
        status, envelope = self.call(method, path, body)
        assert 200 <= status < 300, (method, path, status, envelope)
        return envelope["data"]

    def join_token(self) -> str:
        return str(self.data("POST", "/workers/join-tokens", {"name": "e2e"})["token"])

    def nodes_named(self, name: str) -> list[dict[str, Any]]:
        page = self.data("GET", f"/workers?search={name}")
        return [n for n in page["workers"] if n["name"] == name]

    def node(self, node_id: str) -> dict[str, Any]:
        return dict(self.data("GET", f"/workers/{node_id}"))

    def events(self, node_id: str) -> list[dict[str, Any]]:
        """The node's transitions, oldest first."""
        events = self.data("GET", f"/workers/{node_id}/events")["events"]
        return sorted(events, key=lambda e: e["id"])

    def stored_seqs(self, node_id: str) -> list[int]:
        """The seq of every raw sample stored for the node, as stored (duplicates kept)."""
        samples = self.data("GET", f"/workers/{node_id}/metrics?limit=5000")["samples"]
        return [int(s["seq"]) for s in samples]


class S3Server(Process):
    """moto's standalone S3-compatible server (`moto_server`), on a port of its own."""

    ACCESS_KEY = "test-access-key"
    SECRET_KEY = "test-secret-key"

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        moto = Path(sys.executable).with_name("moto_server")
        super().__init__(
            "moto_server",
            [str(moto), "-H", "127.0.0.1", "-p", str(self.port)],
            child_env(),
            log_path,
        )

    def start(self) -> S3Server:
        self.spawn()

        def answers() -> bool:
            self.fail_if_exited()
            try:
                status, _ = request("GET", f"{self.url}/moto-api/", timeout=1.0)
            except OSError:
                return False
            return status == 200

        wait_for(answers, 30, "moto_server answering")
        return self

    def stop(self) -> None:
        if self.running:
            self.signal(signal.SIGTERM)
            try:
                self.wait(10)
            except AssertionError:
                self.kill()
