"""A local stand-in of the part of Stripe's HTTP API that MinisPod uses: Checkout Sessions
made from form-encoded requests under a secret key, and signed events delivered to a
webhook the way Stripe signs them.

The signing here is written from Stripe's documented scheme, not taken from the `stripe`
library, so the control plane's check (the library's) is tested against an independent
signer: `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def form_to_nested(form: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`line_items[0][price_data][currency]=eur`) as nested JSON:
    lists where the parts are indexes."""
    root: dict[str, Any] = {}
    for key, value in form:
        head, _, rest = key.partition("[")
        parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        node: Any = root
        for here, after in zip(parts, [*parts[1:], None], strict=True):
            slot: Any = int(here) if isinstance(node, list) else here
            if after is None:
                if isinstance(node, list):
                    node.append(value)
                else:
                    node[slot] = value
                break
            child: Any = [] if after.isdigit() else {}
            if isinstance(node, list):
                while len(node) <= slot:
                    node.append(type(child)())
                node = node[slot]
            else:
                node = node.setdefault(slot, child)
    return root


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message}}, status=status)


@dataclass
class StripeStandIn:
    """Serves `POST /v1/checkout/sessions` and `GET /v1/checkout/sessions/{id}`; completes,
    expires or fails sessions by sending their events to `webhook_url`."""

    secret_key: str
    webhook_secret: str
    webhook_url: str = ""
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_idempotency_key: dict[str, str] = field(default_factory=dict)
    # Every create request as received (form decoded), for tests to read.
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._create)
        app.router.add_get("/v1/checkout/sessions/{id}", self._retrieve)
        return app

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given, f"Bearer {self.secret_key}")

    async def _create(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "invalid_request_error", "Invalid API Key provided")
        if request.content_type != "application/x-www-form-urlencoded":
            return _error(400, "invalid_request_error", "Stripe takes form-encoded bodies")
        params = form_to_nested(list((await request.post()).items()))  # type: ignore[arg-type]
        self.requests.append(params)
        key = request.headers.get("Idempotency-Key")
        if key and key in self.by_idempotency_key:
            return web.json_response(self.sessions[self.by_idempotency_key[key]])
        try:
            (item,) = params["line_items"]
            price = item["price_data"]
            amount = int(price["unit_amount"]) * int(item.get("quantity", 1))
            currency = price["currency"]
            success, cancel = params["success_url"], params["cancel_url"]
        except (KeyError, ValueError, TypeError):
            return _error(400, "invalid_request_error", "Missing required param: line_items")
        session_id = "cs_test_" + secrets.token_hex(12)
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": cancel,
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer": None,
            "expires_at": now + 24 * 3600,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "mode": params.get("mode", "payment"),
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": success,
            "url": f"{self.base_url}/c/pay/{session_id}",
        }
        self.sessions[session_id] = session
        if key:
            self.by_idempotency_key[key] = session_id
        return web.json_response(session)

    async def _retrieve(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "invalid_request_error", "Invalid API Key provided")
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return _error(404, "invalid_request_error", "No such checkout.session")
        return web.json_response(session)

    def event(self, session_id: str, kind: str, **changes: Any) -> dict[str, Any]:
        """An event about the session, as Stripe writes one, with the session changed."""
        session = self.sessions[session_id]
        session.update(changes)
        return {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "data": {"object": dict(session)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def completed(self, session_id: str) -> dict[str, Any]:
        return self.event(
            session_id,
            "checkout.session.completed",
            status="complete",
            payment_status="paid",
            payment_intent="pi_" + secrets.token_hex(12),
        )

    async def deliver(
        self,
        event: dict[str, Any] | bytes,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POSTs the event to the webhook, signed as Stripe signs (or with what is given)."""
        payload = event if isinstance(event, bytes) else json.dumps(event, indent=2).encode()
        header = signature or signature_header(payload, secret or self.webhook_secret, timestamp)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                self.webhook_url,
                data=payload,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Stripe-Signature": header,
                    "User-Agent": "Stripe/1.0 (local stand-in)",
                },
            ) as resp,
        ):
            return resp.status, await resp.json()
