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
    """Signs and checks access tokens. The algorithm is pinned: a token's `alg` is never trusted."""

    def __init__(self, secret: str, issuer: str, audience: str, ttl: int, clock: Clock):
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._clock = clock

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
        now = self._clock()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub"],
                    # Time claims are checked below against our clock: PyJWT
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
        if expires <= int(now.timestamp()):
            raise TokenExpired("Access token has expired")
        if issued > int(now.timestamp()) + 60:
            raise Unauthorized("Invalid access token")
        return result
