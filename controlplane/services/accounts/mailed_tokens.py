"""Single-use tokens mailed to a user (verify the email, reset the password), kept as hashes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from controlplane.db.models import UserToken
from controlplane.services.bearer import hash_token, new_secret_token
from controlplane.services.errors import Invalid
from shared.enums import TokenPurpose

PREFIX = {TokenPurpose.VERIFY_EMAIL: "mpv", TokenPurpose.RESET_PASSWORD: "mpw"}


async def issue(
    conn: BaseDBAsyncClient,
    user_id: uuid.UUID,
    purpose: TokenPurpose,
    ttl: timedelta,
    now: datetime,
) -> str:
    """A new token; the user's earlier unspent ones of this purpose stop working (only the
    newest mail's link is good). Returns the raw token, which is stored nowhere in the clear."""
    await (
        UserToken.filter(user_id=user_id, purpose=purpose, used_at__isnull=True)
        .using_db(conn)
        .update(used_at=now)
    )
    raw = new_secret_token(PREFIX[purpose])
    await UserToken.create(
        id=uuid.uuid4(),
        user_id=user_id,
        purpose=purpose,
        token_hash=hash_token(raw),
        expires_at=now + ttl,
        created_at=now,
        using_db=conn,
    )
    return raw


async def void(conn: BaseDBAsyncClient, user_id: uuid.UUID, now: datetime) -> None:
    """Every unspent token of the user stops working (their address changed: a link
    mailed to the old one must not verify the new one, nor reset the password)."""
    await UserToken.filter(user_id=user_id, used_at__isnull=True).using_db(conn).update(used_at=now)


async def spend(
    conn: BaseDBAsyncClient, raw: str, purpose: TokenPurpose, now: datetime
) -> uuid.UUID:
    """Spends the token (once: of two concurrent uses one wins) and returns its user's id."""
    digest = hash_token(raw)
    spent = (
        await UserToken.filter(
            token_hash=digest, purpose=purpose, used_at__isnull=True, expires_at__gt=now
        )
        .using_db(conn)
        .update(used_at=now)
    )
    if not spent:
        raise Invalid.field("token", "This link is invalid, used or expired")
    token = await UserToken.get(token_hash=digest, using_db=conn)
    return token.user_id


async def last_issued(user_id: uuid.UUID, purpose: TokenPurpose) -> datetime | None:
    token = await UserToken.filter(user_id=user_id, purpose=purpose).order_by("-created_at").first()
    return token.created_at if token else None
