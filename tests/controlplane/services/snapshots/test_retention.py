"""Retention keeps the last N of each owner's cluster, the young ones, and the pinned ones."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from controlplane.services.snapshots.retention import Kept, Policy, expired

NOW = datetime(2026, 12, 31, tzinfo=UTC)
ALICE, BOB = uuid.uuid4(), uuid.uuid4()


def snap(
    days_old: int, owner: uuid.UUID | None = ALICE, cluster: str = "prod", pinned: bool = False
) -> Kept:
    at = NOW - timedelta(days=days_old)
    return Kept(uuid.uuid4(), owner, cluster, at, at, pinned)


def test_both_rules_off_keep_everything() -> None:
    assert expired([snap(400), snap(900)], Policy(0, None), NOW) == []


def test_age_alone_lets_the_old_go() -> None:
    young, old = snap(29), snap(31)
    assert expired([young, old], Policy(0, timedelta(days=30)), NOW) == [old.id]


def test_the_last_n_are_kept_per_owner_and_cluster_however_old() -> None:
    mine = [snap(d) for d in (100, 200, 300)]
    staging = snap(400, cluster="staging")
    bobs = snap(500, owner=BOB)
    scheduled = snap(600, owner=None)
    gone = expired([*mine, staging, bobs, scheduled], Policy(2, timedelta(days=30)), NOW)
    assert gone == [mine[2].id]


def test_pinned_ones_stay_and_take_no_place_among_the_last() -> None:
    pinned, newest, older = snap(1, pinned=True), snap(50), snap(60)
    assert expired([pinned, newest, older], Policy(1, None), NOW) == [older.id]
    assert expired([snap(999, pinned=True)], Policy(0, timedelta(days=1)), NOW) == []
