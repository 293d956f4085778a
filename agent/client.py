"""The agent's side of the HTTP contract: one call per endpoint, each failure sorted by what the
agent should do about it."""

from typing import Any, TypeVar

import aiohttp
from pydantic import BaseModel, ValidationError

from agent.backoff import retry_after_seconds
from agent.state import NodeIdentity
from shared.wire.nodes import (
    Heartbeat,
    IngestResult,
    NodeFacts,
    RegisterResult,
    ResourceReport,
    TelemetryBatch,
)

M = TypeVar("M", bound=BaseModel)


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


class Forgotten(ControlPlaneError):
    """401 or 404 on a node path: the control plane no longer knows this node or its token."""


class Invalid(ControlPlaneError):
    """400 VALIDATION_ERROR: this body will never be accepted; sending it again is pointless."""


class TooLarge(ControlPlaneError):
    """413: send less at a time."""


class Refused(ControlPlaneError):
    """Any other refusal (403, 409, an unexpected 4xx): logged and retried with backoff."""


def _known_fields(model: type[BaseModel], data: Any) -> Any:
    """Drop response fields this agent does not know: a newer control plane may add some, and
    the wire models refuse unknown fields."""
    if not isinstance(data, dict):
        return data
    names = {f.alias or n for n, f in model.model_fields.items()} | set(model.model_fields)
    return {k: v for k, v in data.items() if k in names}


class ControlPlaneClient:
    def __init__(self, session: aiohttp.ClientSession, server_url: str) -> None:
        self._session = session
        self._api = server_url.rstrip("/") + "/api/v1"

    async def register(self, join_token: str, facts: NodeFacts) -> RegisterResult:
        data = await self._post("/agent/register", join_token, facts.wire(), node_path=False)
        return self._parse(RegisterResult, data)

    async def heartbeat(
        self, identity: NodeIdentity, heartbeat: Heartbeat, time_limit: float | None = None
    ) -> IngestResult:
        data = await self._post(
            f"/workers/{identity.node_id}/heartbeat",
            identity.node_token,
            heartbeat.wire(),
            time_limit=time_limit,
        )
        return self._parse(IngestResult, data)

    async def telemetry(self, identity: NodeIdentity, batch: TelemetryBatch) -> IngestResult:
        data = await self._post(
            f"/workers/{identity.node_id}/telemetry", identity.node_token, batch.wire()
        )
        return self._parse(IngestResult, data)

    async def resources(self, identity: NodeIdentity, report: ResourceReport) -> None:
        path = f"/workers/{identity.node_id}/resources"
        await self._post(path, identity.node_token, report.wire())

    @staticmethod
    def _parse(model: type[M], data: Any) -> M:
        try:
            return model.model_validate(_known_fields(model, data))
        except ValidationError as exc:
            raise Unavailable(
                f"unexpected response body ({exc.error_count()} problems in {model.__name__})"
            ) from None

    async def _post(
        self,
        path: str,
        token: str,
        body: dict[str, Any],
        *,
        node_path: bool = True,
        time_limit: float | None = None,
    ) -> Any:
        url = self._api + path
        timeout = aiohttp.ClientTimeout(total=time_limit) if time_limit else self._session.timeout
        try:
            async with self._session.post(
                url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
            ) as response:
                status = response.status
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                try:
                    envelope = await response.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    envelope = None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise Unavailable(f"POST {path}: {type(exc).__name__}: {exc}".rstrip(": ")) from None
        if not isinstance(envelope, dict):
            envelope = {}
        code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
        message = f"POST {path}: {status} {code or ''} {envelope.get('message') or ''}".strip()
        if 200 <= status < 300:
            if envelope.get("success") is not True:
                raise Unavailable(f"POST {path}: {status} without a success envelope", status)
            return envelope.get("data")
        if status == 429 or status >= 500:
            raise Unavailable(message, status, code, retry_after)
        if node_path and status in (401, 404):
            raise Forgotten(message, status, code)
        if status == 400 and code == "VALIDATION_ERROR":
            raise Invalid(message, status, code)
        if status == 413:
            raise TooLarge(message, status, code)
        raise Refused(message, status, code)
