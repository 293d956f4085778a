"""API keys: made by a user with at most the scopes they hold, shown once, stored as a
digest, limited by scope, expiry, address and rate, rotated with a grace period.

Every request with a key reads its row (one indexed lookup by prefix, as a session's
user is read on every request), so a revocation or an expiry holds on every replica at
once. What is counted per request (requests per day, last use) is added up in memory
and written in batches (`KeyUsage.flush`), never a database write per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import secrets
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from controlplane.db.models import ApiKey, ApiKeyUsage, User
from controlplane.db.sql import is_postgres, marks, uuid_value
from controlplane.services import ownership
from controlplane.services.accounts.rate_limit import RateLimiter
from controlplane.services.bearer import hash_token
from controlplane.services.clock import Clock
from controlplane.services.errors import Forbidden, Invalid, NotFound, RateLimited, Unauthorized
from controlplane.services.ids import parse_id
from controlplane.services.ownership import Acting, in_team
from controlplane.services.paging import page
from shared.enums import TeamRole
from shared.wire.api_keys import (
    ADMIN_SCOPES,
    KEY_PREFIX,
    SCOPES,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyListQuery,
    ApiKeyOut,
    ApiKeyUsageOut,
    RotateRequest,
    UsageDay,
    UsageQuery,
)
from shared.wire.teams import ROLE_SCOPES, team_scope

log = logging.getLogger("minispod.api_keys")

# A user's keys, live and revoked: enough for every integration, bounded all the same.
MAX_PER_USER = 50
# The longest usage report, in days.
MAX_USAGE_DAYS = 366
_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"  # no look-alikes: read aloud, typed by hand


def _new_key() -> tuple[str, str]:
    """A fresh key and its prefix: mpk_<8 chars>_<43 urlsafe chars>."""
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def _prefix_of(raw: str) -> str | None:
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = raw[len(KEY_PREFIX) :].partition("_")
    return prefix if sep and len(prefix) == 8 and secret else None


def scopes_of(who: Acting) -> frozenset[str]:
    """What a member may hand a key of their team: their own account's scopes, and of the
    team's resources what their role there holds; the administrators' only to them."""
    held = frozenset(SCOPES)
    if who.administrator:
        return held
    own = frozenset(s for s in held if not team_scope(s)) - ADMIN_SCOPES
    return own | ROLE_SCOPES[who.role]


class KeyUsage:
    """Requests per key and day, and each key's last use, counted in memory on this
    replica and added to the database by `flush` (every few seconds, and at shutdown).
    A flush that fails keeps its counts for the next one."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[uuid.UUID, date]] = Counter()
        self._last: dict[uuid.UUID, tuple[datetime, str]] = {}
        self._lock = asyncio.Lock()

    def count(self, key_id: uuid.UUID, at: datetime, address: str) -> None:
        self._counts[(key_id, at.date())] += 1
        self._last[key_id] = (at, address)

    @property
    def pending(self) -> int:
        return sum(self._counts.values())

    async def flush(self) -> int:
        async with self._lock:
            counts, self._counts = self._counts, Counter()
            last, self._last = self._last, {}
            if not counts and not last:
                return 0
            try:
                await self._write(counts, last)
            except Exception:
                self._counts.update(counts)
                for key_id, seen in last.items():
                    self._last.setdefault(key_id, seen)
                raise
            return sum(counts.values())

    async def _write(
        self, counts: Counter[tuple[uuid.UUID, date]], last: dict[uuid.UUID, tuple[datetime, str]]
    ) -> None:
        async with in_transaction() as conn:
            live = set(
                await ApiKey.filter(id__in=list({k for k, _ in counts} | set(last)))
                .using_db(conn)
                .values_list("id", flat=True)
            )
            for (key_id, day), n in counts.items():
                if key_id not in live:
                    continue  # deleted with its user meanwhile
                k, d, r = marks(conn, 3)
                sql = (
                    "INSERT INTO api_key_usage (key_id, day, requests)"  # noqa: S608 - placeholders only
                    f" VALUES ({k}, {d}, {r}) ON CONFLICT (key_id, day)"
                    " DO UPDATE SET requests = api_key_usage.requests + excluded.requests"
                )
                day_value = day if is_postgres(conn) else day.isoformat()
                await conn.execute_query(sql, [uuid_value(conn, key_id), day_value, n])
            for key_id, (at, address) in last.items():
                if key_id in live:
                    await (
                        ApiKey.filter(id=key_id)
                        .using_db(conn)
                        .update(last_used_at=at, last_used_ip=address[:64])
                    )


class ApiKeys:
    def __init__(
        self, clock: Clock, usage: KeyUsage, limiter: RateLimiter, flush_every: float
    ) -> None:
        self._clock = clock
        self.usage = usage
        self._limiter = limiter
        self._flush_every = flush_every
        self._task: asyncio.Task[None] | None = None

    # -- managing keys -----------------------------------------------------------------

    async def create(self, who: Acting, body: ApiKeyCreate) -> ApiKeyCreated:
        actor = who.user
        self._check_scopes(who, body.scopes)
        now = self._clock()
        if body.expires_at is not None and body.expires_at <= now:
            raise Invalid.field("expiresAt", "must be in the future")
        async with in_transaction():
            await User.filter(id=actor.id).select_for_update().first()
            if await ApiKey.filter(user_id=actor.id, revoked_at__isnull=True).count() >= (
                MAX_PER_USER
            ):
                raise Invalid.field("name", f"an account may have at most {MAX_PER_USER} keys")
            key, raw = await self._make(
                who.team_id,
                actor.id,
                body.name,
                list(body.scopes),
                list(body.allowed_ips),
                body.rate_limit_per_minute,
                body.expires_at,
                None,
                now,
            )
        return ApiKeyCreated(**_out(key).model_dump(), key=raw)

    async def listing(self, who: Acting, query: ApiKeyListQuery) -> ApiKeyList:
        qs = _keys_of(who)
        if not query.include_revoked:
            qs = qs.filter(revoked_at__isnull=True)
        rows, pagination = await page(qs, query, "created_at")
        return ApiKeyList(api_keys=[_out(k) for k in rows], pagination=pagination)

    async def get(self, who: Acting, raw_id: str) -> ApiKeyOut:
        return _out(await self._find(who, raw_id))

    async def revoke(self, who: Acting, raw_id: str) -> ApiKeyOut:
        key = await self._find(who, raw_id)
        if key.revoked_at is None:
            key.revoked_at = self._clock()
            await key.save(update_fields=["revoked_at"])
        return _out(key)

    async def rotate(self, who: Acting, raw_id: str, body: RotateRequest) -> ApiKeyCreated:
        """A new key with the old one's scopes and limits; the old one works for the grace
        period (or until its own expiry, if sooner), then no more."""
        old = await self._find(who, raw_id)
        now = self._clock()
        if old.revoked_at is not None or (old.expires_at is not None and old.expires_at <= now):
            raise Invalid.field("id", "a revoked or expired key cannot be rotated")
        # The new key is its creator's, as the old one was: within what they hold now.
        creator = await ownership.acting(await User.get(id=old.user_id), str(old.team_id))
        self._check_scopes(creator, old.scopes)
        async with in_transaction():
            grace_end = now + timedelta(hours=body.grace_hours)
            old.expires_at = min(old.expires_at, grace_end) if old.expires_at else grace_end
            await old.save(update_fields=["expires_at"])
            key, raw = await self._make(
                old.team_id,
                old.user_id,
                old.name,
                list(old.scopes),
                list(old.allowed_ips),
                old.rate_limit_per_minute,
                None,
                old.id,
                now,
            )
        return ApiKeyCreated(**_out(key).model_dump(), key=raw)

    async def report(self, who: Acting, raw_id: str, query: UsageQuery) -> ApiKeyUsageOut:
        key = await self._find(who, raw_id)
        today = self._clock().date()
        until = query.until or today
        since = query.since or until - timedelta(days=29)
        if since > until:
            raise Invalid.field("from", "must not be after to")
        if (until - since).days >= MAX_USAGE_DAYS:
            raise Invalid.field("from", f"at most {MAX_USAGE_DAYS} days at once")
        await self.usage.flush()  # this replica's latest counts, so the caller sees its own
        rows = await ApiKeyUsage.filter(key_id=key.id, day__gte=since, day__lte=until).order_by(
            "day"
        )
        days = [UsageDay(day=r.day, requests=r.requests) for r in rows]
        key = await ApiKey.get(id=key.id)
        return ApiKeyUsageOut(
            key_id=key.id,
            days=days,
            total=sum(d.requests for d in days),
            last_used_at=key.last_used_at,
            last_used_ip=key.last_used_ip,
        )

    # -- using keys ------------------------------------------------------------------

    async def authenticate(self, raw: str, address: str) -> tuple[User, ApiKey]:
        """The user a key acts for, if the key is live, whole, and used from where it may
        be; its request counted. Every refusal reads the same, so nothing is learned from
        which check failed, but the address one (the caller must know where to go)."""
        prefix = _prefix_of(raw)
        if prefix is None:
            raise Unauthorized("Invalid API key")
        # The key and its account in one query: this runs on every request made with a key.
        key = await ApiKey.filter(prefix=prefix).select_related("user").first()
        now = self._clock()
        if (
            key is None
            or not hmac.compare_digest(key.key_hash, hash_token(raw))
            or key.revoked_at is not None
            or (key.expires_at is not None and key.expires_at <= now)
        ):
            raise Unauthorized("Invalid API key (unknown, revoked or expired)")
        if key.allowed_ips and not _allowed(address, key.allowed_ips):
            raise Forbidden(f"This API key may not be used from {address}")
        user: User = key.user
        if not user.is_active:
            raise Unauthorized("Invalid API key (its account is disabled)")
        wait = self._limiter.take(str(key.id), key.rate_limit_per_minute)
        if wait is not None:
            raise RateLimited("This API key's rate limit is spent; slow down", int(wait) + 1)
        self.usage.count(key.id, now, address)
        return user, key

    # -- the flusher -----------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._flushing(), name="api-key-usage")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.usage.flush()

    async def _flushing(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every)
            try:
                await self.usage.flush()
            except Exception as exc:
                log.warning("API key usage not written yet (kept for the next try): %s", exc)

    # -- inside ------------------------------------------------------------------------

    def _check_scopes(self, who: Acting, scopes: Iterable[str]) -> None:
        beyond = sorted(set(scopes) - scopes_of(who))
        if beyond:
            raise Invalid.field("scopes", f"not yours to give: {', '.join(beyond)}")

    async def _make(
        self,
        team_id: uuid.UUID,
        user_id: uuid.UUID,
        name: str,
        scopes: list[str],
        allowed_ips: list[str],
        rate: int | None,
        expires_at: datetime | None,
        rotated_from: uuid.UUID | None,
        now: datetime,
    ) -> tuple[ApiKey, str]:
        raw, prefix = _new_key()
        key = await ApiKey.create(
            id=uuid.uuid4(),
            team_id=team_id,
            user_id=user_id,
            name=name,
            prefix=prefix,
            key_hash=hash_token(raw),
            scopes=scopes,
            allowed_ips=allowed_ips,
            rate_limit_per_minute=rate,
            expires_at=expires_at,
            rotated_from=rotated_from,
            created_at=now,
        )
        return key, raw

    async def _find(self, who: Acting, raw_id: str) -> ApiKey:
        found = await _keys_of(who).filter(id=parse_id(raw_id, "API key")).first()
        if found is None:
            raise NotFound("API key not found")
        return found


def _keys_of(who: Acting) -> QuerySet[ApiKey]:
    """The keys a member sees and manages: an owner every key of the team, anyone else
    their own there (an administrator: everyone's, or a named team's)."""
    qs = in_team(who, ApiKey.all())
    if who.administrator or who.role is TeamRole.OWNER:
        return qs
    return qs.filter(user_id=who.user.id)


def _allowed(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def _out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut.model_validate(key)
