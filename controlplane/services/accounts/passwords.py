"""Password hashing (argon2id over argon2-cffi) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes and verifies with one argon2id cost, fixed by configuration.

    The cost is explicit (defaults: RFC 9106's second recommendation, t=3,
    m=64 MiB) so a library upgrade never silently changes the price of a login.
    """

    def __init__(self, time_cost: int = 3, memory_kib: int = 64 * 1024, parallelism: int = 4):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Verified against when the account does not exist, so an unknown email
        # costs as much as a wrong password: no user enumeration by timing.
        self._dummy = self._hasher.hash("minispod-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            ok = self._hasher.verify(password_hash or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
