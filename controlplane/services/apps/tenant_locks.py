"""One cluster change at a time per tenant namespace, in this process and across replicas.

A namespace's ResourceQuota is shared by its instances and sized as "what is
there + this one" from what the cluster holds. Two changes at once (two
subscriptions of one customer, a cancel beside a subscribe) both read the same
"what is there" and the last write wins: the other instance's objects are then
refused by the API server (`exceeded quota`). So every apply and delete of a
tenant's objects holds the namespace's lock for its read-modify-write.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from controlplane.cluster.gateway import ClusterUnavailable
from controlplane.db.advisory import LockTimeout, transaction_lock

# "MinisPod tenant namespace" in the space of two-key advisory locks.
LOCK_SPACE = 0x4D50_544E
# How long a change waits for another replica's change to the same tenant:
# an apply is a dozen API calls, so this is many of them stuck.
WAIT_SECONDS = 20.0
# Changes held at once by this process, each on a pooled database connection
# (PostgreSQL): the rest of the pool stays free for the agents' heartbeats.
CONCURRENT_CHANGES = 4


class TenantBusy(ClusterUnavailable):
    """Another change to the tenant's namespace did not finish in time; try again later."""


def lock_key(namespace: str) -> int:
    """A stable signed 32-bit key for the namespace (PostgreSQL's int4)."""
    return int.from_bytes(hashlib.sha256(namespace.encode()).digest()[:4], "big", signed=True)


class TenantLocks:
    def __init__(
        self, concurrent: int = CONCURRENT_CHANGES, wait_seconds: float = WAIT_SECONDS
    ) -> None:
        self._wait = wait_seconds
        self._local: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._slots = asyncio.Semaphore(concurrent)

    @asynccontextmanager
    async def hold(self, namespace: str) -> AsyncIterator[None]:
        """Runs the block alone among the changes to `namespace`, on every replica."""
        lock = self._local.setdefault(namespace, asyncio.Lock())
        self._users[namespace] = self._users.get(namespace, 0) + 1
        try:
            # The local lock first: waiters in this process queue here, not on
            # database connections.
            async with lock, self._slots:
                try:
                    async with transaction_lock(LOCK_SPACE, lock_key(namespace), self._wait):
                        yield
                except LockTimeout as exc:
                    raise TenantBusy(
                        f"namespace {namespace} is being changed by another replica"
                    ) from exc
        finally:
            self._users[namespace] -= 1
            if not self._users[namespace]:
                del self._users[namespace]
                del self._local[namespace]
