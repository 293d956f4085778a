"""Since when this replica could hear the fleet: receive heartbeats and store them.

A node's silence is evidence only while we were listening. The control
plane's own start, a database it could not write to and a stall of its own
process are all stretches in which a live agent's heartbeat could not have
been heard, so a node's silence is measured only from the last of them —
as Nomad resets every heartbeat TTL after a leader election, and Kubernetes'
node lifecycle controller treats its own restart as "every node just seen".
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from controlplane.services.clock import Clock

log = logging.getLogger("minispod.hearing")

# One warning per episode of trouble, not one per failed batch.
LOG_EVERY = timedelta(seconds=10)


class Hearing:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._since = clock()  # nothing was heard before this process started
        self._logged: datetime | None = None

    @property
    def since(self) -> datetime:
        """The moment from which this replica has listened without a gap."""
        return self._since

    def deaf(self, why: str, at: datetime | None = None) -> None:
        """Heartbeats could not have been heard until `at` (now, by default)."""
        at = self._clock() if at is None else at
        if at <= self._since:
            return
        self._since = at
        if self._logged is None or at - self._logged >= LOG_EVERY:
            self._logged = at
            log.warning("%s: node silence is measured from %s on", why, at.isoformat())
