"""Access tokens checked once are remembered, and nothing unchecked or expired passes."""

from __future__ import annotations

import jwt
import pytest

from controlplane.services.accounts.tokens import ALGORITHM, AccessTokens
from controlplane.services.errors import TokenExpired, Unauthorized
from shared.enums import Role
from tests.conftest import FakeClock

SECRET = "s" * 48


def tokens(clock: FakeClock, remembered: int = 10_000) -> AccessTokens:
    return AccessTokens(SECRET, "minispod", "minispod-api", 60, clock, remembered=remembered)


def test_a_remembered_token_expires_on_time_and_a_forged_one_never_passes() -> None:
    clock = FakeClock()
    access = tokens(clock)
    token = access.issue("user-1", Role.USER, 3).token
    assert access.verify(token) == access.verify(token)  # the second from memory
    assert access.verify(token).session_version == 3

    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "role": "ADMINISTRATOR"}, "another-secret-" + "x" * 40, algorithm=ALGORITHM
    )
    for _ in range(2):  # refused, and not remembered as anything else
        with pytest.raises(Unauthorized):
            access.verify(forged)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthorized):
        access.verify(tampered)

    clock.advance(61)
    with pytest.raises(TokenExpired):
        access.verify(token)


def test_a_token_issued_in_the_future_is_refused_though_remembered() -> None:
    clock = FakeClock()
    ahead = FakeClock()
    ahead.advance(3600)
    token = tokens(ahead).issue("user-1", Role.USER, 1).token
    access = tokens(clock)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            access.verify(token)
    clock.advance(3600)  # now it is not
    assert access.verify(token).user_id == "user-1"


def test_remembered_tokens_are_bounded_and_all_still_verify() -> None:
    clock = FakeClock()
    access = tokens(clock, remembered=3)
    issued = [access.issue(f"user-{i}", Role.USER, 1).token for i in range(7)]
    for _ in range(2):
        assert [access.verify(t).user_id for t in issued] == [f"user-{i}" for i in range(7)]
    assert len(access._checked) <= 3
