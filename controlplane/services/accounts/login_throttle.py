"""Failed-login throttling per account and per client address, kept in the database.

Kept in the database rather than in memory so that every control-plane replica
sees the same counts. A key is locked once its failures in the current window
reach the limit; the lock ends with the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from controlplane.db.models import AuthThrottle


@dataclass(frozen=True)
class ThrottleRule:
    prefix: str
    max_failures: int
    window: timedelta


class LoginThrottle:
    def __init__(self, account: ThrottleRule, address: ThrottleRule) -> None:
        self._rules = (account, address)

    def _keys(self, email: str, address: str) -> list[tuple[str, ThrottleRule]]:
        account, by_address = self._rules
        return [
            (f"{account.prefix}:{email}", account),
            (f"{by_address.prefix}:{address}", by_address),
        ]

    async def retry_after(self, email: str, address: str, now: datetime) -> int | None:
        """Seconds until a login may be tried again, or None when it may be tried now."""
        keys = self._keys(email, address)
        rows = {r.key: r for r in await AuthThrottle.filter(key__in=[k for k, _ in keys])}
        waits = []
        for key, rule in keys:
            row = rows.get(key)
            if row is None or row.failures < rule.max_failures:
                continue
            ends = row.window_start + rule.window
            if ends > now:
                waits.append(int((ends - now).total_seconds()) + 1)
        return max(waits) if waits else None

    async def record_failure(self, email: str, address: str, now: datetime) -> None:
        for key, rule in self._keys(email, address):
            await _increment(key, rule.window, now)

    async def reset_account(self, email: str) -> None:
        await AuthThrottle.filter(key=self._keys(email, "")[0][0]).delete()


async def _increment(key: str, window: timedelta, now: datetime) -> None:
    for _ in range(3):
        async with in_transaction():
            # A fresh window starts when the old one has run out.
            restarted = await AuthThrottle.filter(key=key, window_start__lte=now - window).update(
                failures=1, window_start=now
            )
            if restarted:
                return
            if await AuthThrottle.filter(key=key).update(failures=F("failures") + 1):
                return
        try:
            await AuthThrottle.create(key=key, failures=1, window_start=now)
            return
        except IntegrityError:
            continue  # another request created it first; count on it
