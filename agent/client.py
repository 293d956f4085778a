"""The agent's side of the HTTP contract: one call per endpoint over one kept-alive connection,
each failure sorted by what the agent should do about it.

The standard library's http.client, not aiohttp: the agent sends a request every few seconds
from one thread, and aiohttp's client costs about 14 MiB of the agent's 40 MiB budget.
"""

import http.client
import json
import ssl
from typing import Any
from urllib.parse import urlsplit

from agent.backoff import retry_after_seconds
from agent.keepalive import KeepAlive
from agent.state import NodeIdentity
from agent.wire import (
    Heartbeat,
    IngestResult,
    NodeRegistration,
    RegisterResult,
    ResourceReport,
)

# Per socket operation (connect, send, each read): a control plane that stops answering costs
# the loop at most this long per step.
REQUEST_TIMEOUT_SECONDS = 10.0
# Every answer of the agent endpoints is a few hundred bytes; more is not a control plane.
MAX_RESPONSE_BYTES = 1 << 20


class ControlPlaneError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class Unavailable(ControlPlaneError):
    """Network error, timeout, 5xx or 429: try again later (not before `retry_after`)."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, status, code)
        self.retry_after = retry_after

    @property
    def outage(self) -> bool:
        """The control plane could not be reached, or says it cannot serve for now (503; a
        proxy's 502 or 504 in front of it): not a verdict on this agent or its requests."""
        return self.status is None or self.status in (502, 503, 504)


class Forgotten(ControlPlaneError):
    """401 or 404 on a node path: the control plane no longer knows this node or its token."""


class Invalid(ControlPlaneError):
    """400 VALIDATION_ERROR: this body will never be accepted; sending it again is pointless."""


class TooLarge(ControlPlaneError):
    """413: send less at a time."""


class Refused(ControlPlaneError):
    """Any other refusal (403, 409, a redirect, an unexpected 4xx): retried with backoff."""


class ControlPlaneClient:
    """Not thread-safe: the report loop is its only user."""

    def __init__(
        self, server_url: str, user_agent: str, timeout: float = REQUEST_TIMEOUT_SECONDS
    ) -> None:
        parts = urlsplit(server_url)
        # Loading the system's CA certificates takes CPU and memory: only for HTTPS, once.
        tls = ssl.create_default_context if parts.scheme == "https" else None
        self.connection = KeepAlive(parts.hostname or "127.0.0.1", parts.port, tls)
        self._api = parts.path.rstrip("/") + "/api/v1"
        self._timeout = timeout
        self._headers = {"User-Agent": user_agent, "Content-Type": "application/json"}

    def register(self, join_token: str, registration: NodeRegistration) -> RegisterResult:
        """409 (Refused) means the node name belongs to an agent with another node secret."""
        data = self._post("/agent/register", join_token, registration.wire(), node_path=False)
        return self._parse(RegisterResult, data)

    def heartbeat(
        self, identity: NodeIdentity, heartbeat: Heartbeat, time_limit: float | None = None
    ) -> IngestResult:
        data = self._post(
            f"/workers/{identity.node_id}/heartbeat",
            identity.node_token,
            heartbeat.wire(),
            timeout=time_limit,
        )
        return self._parse(IngestResult, data)

    def telemetry(self, identity: NodeIdentity, batch: dict[str, Any]) -> IngestResult:
        data = self._post(f"/workers/{identity.node_id}/telemetry", identity.node_token, batch)
        return self._parse(IngestResult, data)

    def resources(self, identity: NodeIdentity, report: ResourceReport) -> None:
        path = f"/workers/{identity.node_id}/resources"
        self._post(path, identity.node_token, report.wire())

    def close(self) -> None:
        self.connection.close()

    @staticmethod
    def _parse(model: type[RegisterResult] | type[IngestResult], data: Any) -> Any:
        try:
            return model.from_wire(data)
        except ValueError as exc:
            raise Unavailable(f"unexpected response body ({model.__name__}: {exc})") from None

    def _post(
        self,
        path: str,
        token: str,
        body: dict[str, Any],
        *,
        node_path: bool = True,
        timeout: float | None = None,
    ) -> Any:
        headers = self._headers | {"Authorization": f"Bearer {token}"}
        try:
            # Every agent request is safe to repeat (seqs are stored once, registration
            # is by node name and secret), which the retry on a stale connection needs.
            response, raw = self.connection.exchange(
                "POST",
                self._api + path,
                json.dumps(body).encode(),
                headers,
                self._timeout if timeout is None else timeout,
                MAX_RESPONSE_BYTES,
            )
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise Unavailable(f"POST {path}: {type(exc).__name__}: {exc}".rstrip(": ")) from None
        status = response.status
        try:
            envelope = json.loads(raw) if raw else None
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            envelope = {}
        code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
        message = f"POST {path}: {status} {code or ''} {envelope.get('message') or ''}".strip()
        fields = envelope.get("errors")
        if isinstance(fields, list) and fields:
            # Which field the control plane refused is what an operator needs in the log.
            message += (
                " ("
                + "; ".join(
                    f"{e.get('field')}: {e.get('message')}"
                    for e in fields[:5]
                    if isinstance(e, dict)
                )
                + ")"
            )
        if 200 <= status < 300:
            if envelope.get("success") is not True:
                raise Unavailable(f"POST {path}: {status} without a success envelope", status)
            return envelope.get("data")
        if status == 429 or status >= 500:
            retry_after = retry_after_seconds(response.getheader("Retry-After"))
            raise Unavailable(message, status, code, retry_after)
        if node_path and status in (401, 404):
            raise Forgotten(message, status, code)
        if status == 400 and code == "VALIDATION_ERROR":
            raise Invalid(message, status, code)
        if status == 413:
            raise TooLarge(message, status, code)
        if 300 <= status < 400:
            # Followed, a redirect would carry the bearer token to wherever it points.
            message += f" (redirected to {response.getheader('Location')}; set that URL)"
        raise Refused(message, status, code)
