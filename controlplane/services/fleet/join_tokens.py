"""Cluster join tokens: created by an administrator, shown once, spent by registering agents."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from controlplane.db.models import JoinToken
from controlplane.services.bearer import hash_token, new_secret_token
from controlplane.services.errors import NotFound, Unauthorized
from controlplane.services.ids import parse_id
from shared.wire.workers import JoinTokenCreate, JoinTokenCreated, JoinTokenOut


async def create(
    body: JoinTokenCreate, created_by: uuid.UUID | None, now: datetime
) -> JoinTokenCreated:
    raw = new_secret_token("mpj")
    expires = now + timedelta(hours=body.expires_in_hours) if body.expires_in_hours else None
    row = await JoinToken.create(
        id=uuid.uuid4(),
        name=body.name,
        token_hash=hash_token(raw),
        prefix=raw[:12],
        expires_at=expires,
        max_uses=body.max_uses,
        created_by=created_by,
    )
    return JoinTokenCreated(**JoinTokenOut.model_validate(row).model_dump(), token=raw)


async def list_tokens() -> list[JoinTokenOut]:
    return [JoinTokenOut.model_validate(t) for t in await JoinToken.all().order_by("-created_at")]


async def revoke(raw_id: str, now: datetime) -> None:
    token_id = parse_id(raw_id, "Join token")
    if not await JoinToken.filter(id=token_id).exists():
        raise NotFound("Join token not found")
    await JoinToken.filter(id=token_id, revoked_at__isnull=True).update(revoked_at=now)


async def usable(raw: str, now: datetime) -> JoinToken:
    """The join token behind `raw` if it may register a node now; otherwise 401."""
    token = await JoinToken.get_or_none(token_hash=hash_token(raw))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("Unknown or revoked join token")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("Join token has expired")
    return token
