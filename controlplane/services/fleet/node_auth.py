"""Node tokens: issuing, revoking, and resolving a presented one to its node on the hot path."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from tortoise.transactions import in_transaction

from controlplane.db.models import NodeToken
from controlplane.db.sql import is_postgres
from controlplane.services.bearer import hash_token, new_secret_token
from controlplane.services.errors import Unauthorized

# The PostgreSQL NOTIFY channel on which a replica tells the others that a
# node's tokens were revoked; the payload is the node id.
REVOCATIONS = "minispod_node_tokens"


class NodeAuth:
    """Maps node tokens to node ids, cached.

    Every heartbeat presents a token; looking each one up in the database would
    cost a round trip per heartbeat. A revocation is sent to every replica with
    PostgreSQL NOTIFY in the revoking transaction (`revoke`), so it takes effect
    everywhere once committed, and entries may live long (`ttl`, a safety net).
    While this replica cannot hear revocations (its listening connection is down,
    see `heard`/`unheard`) entries live only `unheard_ttl`. SQLite runs a single
    process, which hears its own revocations: `shared=False`.

    Each entry's lifetime is spread over the last quarter of its ttl, so a fleet
    whose tokens were all cached at once does not fall back to the database at once.
    """

    MAX_CACHED = 200_000

    def __init__(
        self,
        *,
        shared: bool = True,
        ttl: float = 600.0,
        unheard_ttl: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
        spread: Callable[[], float] = random.random,
    ) -> None:
        self._ttl = ttl
        self._unheard_ttl = unheard_ttl
        self._now = monotonic
        self._spread = spread
        self._cache: dict[str, tuple[uuid.UUID, float]] = {}
        # Each node's cached digests, so forgetting a node does not scan the whole cache
        # (it happens twice per registration, with a whole fleet's tokens cached).
        self._digests: dict[uuid.UUID, set[str]] = {}
        self.hearing = not shared

    def heard(self) -> None:
        """Revocations reach this replica from now on; what it missed meanwhile is dropped."""
        self._clear()
        self.hearing = True

    def unheard(self) -> None:
        """Revocations may no longer reach this replica: trust cached entries briefly only."""
        self._clear()
        self.hearing = False

    def _clear(self) -> None:
        self._cache.clear()
        self._digests.clear()

    async def node_for(self, raw: str) -> uuid.UUID:
        digest = hash_token(raw)
        hit = self._cache.get(digest)
        now = self._now()
        if hit is not None and hit[1] > now:
            return hit[0]
        token = await NodeToken.get_or_none(token_hash=digest, revoked_at__isnull=True)
        if token is None:
            if hit is not None:  # an expired entry; forget_node may have dropped it meanwhile
                self._cache.pop(digest, None)
                self._digests.get(hit[0], set()).discard(digest)
            raise Unauthorized("Unknown or revoked node token; register again")
        if len(self._cache) >= self.MAX_CACHED:
            self._clear()
        ttl = self._ttl if self.hearing else self._unheard_ttl
        node_id: uuid.UUID = token.node_id  # type: ignore[attr-defined]
        self._cache[digest] = (node_id, now + ttl * (0.75 + 0.25 * self._spread()))
        self._digests.setdefault(node_id, set()).add(digest)
        return node_id

    def forget_node(self, node_id: uuid.UUID) -> None:
        for digest in self._digests.pop(node_id, ()):
            self._cache.pop(digest, None)

    async def revoke(self, node_id: uuid.UUID, now: datetime) -> None:
        """Revokes every live token of the node, here and (on commit) on every replica.

        Joins the caller's transaction if there is one: the notification goes
        out only if the revocation commits."""
        async with in_transaction() as conn:
            await NodeToken.filter(node_id=node_id, revoked_at__isnull=True).update(revoked_at=now)
            if is_postgres(conn):
                await conn.execute_query("SELECT pg_notify($1, $2)", [REVOCATIONS, str(node_id)])
        self.forget_node(node_id)

    async def issue(self, node_id: uuid.UUID, now: datetime) -> str:
        """A new token for the node; every earlier one is revoked (one live agent per node)."""
        await self.revoke(node_id, now)
        raw = new_secret_token("mpn")
        await NodeToken.create(id=uuid.uuid4(), node_id=node_id, token_hash=hash_token(raw))
        return raw
