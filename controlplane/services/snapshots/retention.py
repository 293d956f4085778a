"""Which snapshots the retention policy lets go: a plain function of the snapshots and a clock."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    """Per owner and cluster: keep the `keep_last` taken last (0: no such rule) and those
    stored less than `keep_for` ago (None: no such rule). Without any rule, keep all."""

    keep_last: int
    keep_for: timedelta | None

    @property
    def keeps_everything(self) -> bool:
        return self.keep_last == 0 and self.keep_for is None


@dataclass(frozen=True)
class Kept:
    """What the policy looks at of one snapshot."""

    id: uuid.UUID
    user_id: uuid.UUID | None
    cluster_name: str
    taken_at: datetime
    created_at: datetime
    pinned: bool


def expired(snapshots: Iterable[Kept], policy: Policy, now: datetime) -> list[uuid.UUID]:
    """The ids to delete: neither pinned, nor among the last `keep_last` of their owner's
    cluster (pinned ones do not take a place there), nor young enough."""
    if policy.keeps_everything:
        return []
    groups: dict[tuple[uuid.UUID | None, str], list[Kept]] = defaultdict(list)
    for snap in snapshots:
        if not snap.pinned:
            groups[(snap.user_id, snap.cluster_name)].append(snap)
    gone = []
    for group in groups.values():
        group.sort(key=lambda s: (s.taken_at, s.created_at), reverse=True)
        for rank, snap in enumerate(group):
            if policy.keep_last and rank < policy.keep_last:
                continue
            if policy.keep_for is not None and now - snap.created_at < policy.keep_for:
                continue
            gone.append(snap.id)
    return sorted(gone)
