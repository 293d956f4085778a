"""Node tokens: issuing them, and resolving a presented one to its node on the hot path."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime

from controlplane.db.models import NodeToken
from controlplane.services.errors import Unauthorized
from controlplane.services.tokens import hash_token, new_secret_token


class NodeAuth:
    """Maps node tokens to node ids, cached briefly.

    Every heartbeat presents a token; looking each one up in the database would
    cost a round trip per heartbeat. Revocations made through this replica take
    effect at once (`forget_node`); on other replicas within `ttl` seconds.
    """

    MAX_CACHED = 200_000

    def __init__(self, ttl: float = 30.0, monotonic: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._now = monotonic
        self._cache: dict[str, tuple[uuid.UUID, float]] = {}

    async def node_for(self, raw: str) -> uuid.UUID:
        digest = hash_token(raw)
        hit = self._cache.get(digest)
        now = self._now()
        if hit is not None and hit[1] > now:
            return hit[0]
        token = await NodeToken.get_or_none(token_hash=digest, revoked_at__isnull=True)
        if token is None:
            self._cache.pop(digest, None)
            raise Unauthorized("Unknown or revoked node token; register again")
        if len(self._cache) >= self.MAX_CACHED:
            self._cache.clear()
        self._cache[digest] = (token.node_id, now + self._ttl)  # type: ignore[attr-defined]
        return token.node_id  # type: ignore[attr-defined]

    def forget_node(self, node_id: uuid.UUID) -> None:
        self._cache = {k: v for k, v in self._cache.items() if v[0] != node_id}

    async def issue(self, node_id: uuid.UUID, now: datetime) -> str:
        """A new token for the node; every earlier one is revoked (one live agent per node)."""
        await NodeToken.filter(node_id=node_id, revoked_at__isnull=True).update(revoked_at=now)
        self.forget_node(node_id)
        raw = new_secret_token("mpn")
        await NodeToken.create(id=uuid.uuid4(), node_id=node_id, token_hash=hash_token(raw))
        return raw
