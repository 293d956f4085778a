"""Access tokens (JWT, HS256 pinned) and opaque refresh/secret tokens stored as hashes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from controlplane.services.clock import Clock
from controlplane.services.errors import TokenExpired, Unauthorized
from shared.enums import Role

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    role: Role
    session_version: int


@dataclass(frozen=True)
class IssuedAccess:
    token: str
    expires_in: int


class AccessTokens:
    """Signs and checks access tokens. The algorithm is pinned: a token's `alg` is never trusted.

    A token whose signature and claims were checked once is remembered with its claims
    (at most `remembered` of them; all forgotten when full): a dashboard presents the
    same token on every request, and decoding it was a tenth of a fleet page's CPU.
    The signature of a given string never changes, so nothing is trusted that was not
    checked; its times are checked on every use, against the clock."""

    def __init__(
        self,
        secret: str,
        issuer: str,
        audience: str,
        ttl: int,
        clock: Clock,
        remembered: int = 10_000,
    ):
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._clock = clock
        self._remembered = remembered
        self._checked: dict[str, tuple[AccessClaims, int, int]] = {}

    def issue(self, user_id: str, role: Role, session_version: int) -> IssuedAccess:
        now = self._clock()
        claims = {
            "sub": user_id,
            "role": role.value,
            "sv": session_version,
            "typ": "access",
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self._ttl)).timestamp()),
            "jti": secrets.token_hex(8),
        }
        return IssuedAccess(jwt.encode(claims, self._secret, algorithm=ALGORITHM), self._ttl)

    def verify(self, token: str) -> AccessClaims:
        checked = self._checked.get(token)
        if checked is None:
            checked = self._decode(token)  # raises: nothing invalid is remembered
            if len(self._checked) >= self._remembered:
                self._checked.clear()
            self._checked[token] = checked
        result, expires, issued = checked
        now = int(self._clock().timestamp())
        if expires <= now:
            raise TokenExpired("Access token has expired")
        if issued > now + 60:
            raise Unauthorized("Invalid access token")
        return result

    def _decode(self, token: str) -> tuple[AccessClaims, int, int]:
        """The claims of a token signed by us, with its expiry and issue times."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub"],
                    # Time claims are checked in `verify` against our clock: PyJWT
                    # would read the wall clock and disagree with an injected one.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError:
            raise Unauthorized("Invalid access token") from None
        if claims.get("typ") != "access":
            raise Unauthorized("Invalid access token")
        try:
            expires, issued = int(claims["exp"]), int(claims["iat"])
            result = AccessClaims(str(claims["sub"]), Role(claims["role"]), int(claims["sv"]))
        except (KeyError, ValueError, TypeError):
            raise Unauthorized("Invalid access token") from None
        return result, expires, issued
