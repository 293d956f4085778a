"""Failed-login throttling, kept in the database so every replica sees the same counts.

Three keys count each failure: the account from this client address (locks
first, at a few failures), the account from anywhere (locks only at a much
higher count, against guessing spread over many addresses) and the address
on any account (against one address trying many accounts). So someone
guessing a password locks out themselves, not the account's owner, who can
still sign in from an address that has not failed. A key is locked once its
failures in the current window reach its limit; the lock ends with the window.
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
    def __init__(self, pair: ThrottleRule, account: ThrottleRule, address: ThrottleRule) -> None:
        self._pair, self._account, self._address = pair, account, address

    def _keys(self, email: str, address: str) -> list[tuple[str, ThrottleRule]]:
        return [
            (self._pair_key(email, address), self._pair),
            (f"{self._account.prefix}:{email}", self._account),
            (f"{self._address.prefix}:{address}", self._address),
        ]

    def _pair_key(self, email: str, address: str) -> str:
        return f"{self._pair.prefix}:{address}:{email}"

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

    async def succeeded(self, email: str, address: str) -> None:
        """The owner got in from here: this address's failures on the account are forgiven.
        The account-wide and address-wide counts stay until their window ends, or a
        correct guess would wipe the trace of the guessing before it."""
        await AuthThrottle.filter(key=self._pair_key(email, address)).delete()


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
