"""User administration: listing, CRUD, statistics and all-or-nothing bulk actions."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from controlplane.db.models import User
from controlplane.services.accounts.accounts import Accounts, normalise_email
from controlplane.services.apps import subscriptions
from controlplane.services.billing import wallets
from controlplane.services.billing.wallets import WalletOwner
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Invalid, NotFound
from controlplane.services.ids import parse_id
from controlplane.services.paging import page
from controlplane.services.teams import teams
from shared.enums import Role
from shared.wire.accounts import (
    BulkAction,
    BulkResult,
    SignupDay,
    UserCreate,
    UserList,
    UserListQuery,
    UserOut,
    UserStats,
    UserUpdate,
)

SORT_COLUMNS = {
    "createdAt": "created_at",
    "name": "name",
    "email": "email",
    "role": "role",
    "lastLoginAt": "last_login_at",
}
LAST_ADMIN = "At least one active administrator must remain"


async def get_user(raw_id: str) -> User:
    user = await User.get_or_none(id=parse_id(raw_id, "User"))
    if user is None:
        raise NotFound("User not found")
    return user


async def list_users(query: UserListQuery) -> UserList:
    qs = User.all()
    if query.search:
        qs = qs.filter(Q(name__icontains=query.search) | Q(email__icontains=query.search))
    if query.role is not None:
        qs = qs.filter(role=query.role)
    if query.is_active is not None:
        qs = qs.filter(is_active=query.is_active)
    rows, pagination = await page(qs, query, SORT_COLUMNS[query.sort_by])
    return UserList(users=[UserOut.model_validate(u) for u in rows], pagination=pagination)


async def _lock_active_admins() -> int:
    """Count active administrators, locking their rows so two concurrent demotions
    cannot both see "one other admin left" (SQLite serialises writers anyway)."""
    rows = await User.filter(role=Role.ADMINISTRATOR, is_active=True).select_for_update()
    return len(rows)


async def _ensure_admin_remains() -> None:
    if not await User.filter(role=Role.ADMINISTRATOR, is_active=True).exists():
        raise Conflict(LAST_ADMIN)


async def _refuse_if_subscribed(user_ids: list[uuid.UUID]) -> None:
    """A customer with running services is not deleted under them: their
    subscriptions are cancelled first, which removes and releases their instances."""
    if await subscriptions.any_live(user_ids):
        raise Conflict("This account has live subscriptions; cancel them before deleting it")
    if await wallets.any_balance([WalletOwner.team(u) for u in user_ids]):
        raise Conflict(
            "This account's wallet is not empty; settle it (a credit or a correction) "
            "before deleting the account"
        )
    if await teams.last_owner_of_shared(user_ids):
        raise Conflict(
            "This account is the last owner of a team others belong to; transfer its "
            "ownership before deleting the account"
        )


async def create_user(accounts: Accounts, body: UserCreate) -> User:
    return await accounts.create_user(
        body.name, body.email, body.password, body.role, body.is_active
    )


async def update_user(accounts: Accounts, actor: User, raw_id: str, body: UserUpdate) -> User:
    async with in_transaction():
        await _lock_active_admins()
        user = await get_user(raw_id)
        # The role is read from the database on every request, so a role change
        # needs no logout; a deactivation must end the sessions at once.
        ends_sessions = body.is_active is False and user.is_active
        if body.name is not None:
            user.name = body.name
        if body.email is not None:
            user.email = normalise_email(body.email)
        if body.role is not None:
            user.role = body.role
        if body.is_active is not None:
            user.is_active = body.is_active
        try:
            await user.save()
        except IntegrityError:
            raise Conflict("An account with this email already exists") from None
        await _ensure_admin_remains()
        if ends_sessions:
            await accounts.end_all_sessions(user)
    return user


async def delete_user(actor: User, raw_id: str) -> None:
    async with in_transaction():
        await _lock_active_admins()
        user = await get_user(raw_id)
        if user.id == actor.id:
            raise Conflict("Administrators cannot delete their own account")
        await _refuse_if_subscribed([user.id])
        await teams.drop_personal([user.id])
        await user.delete()
        await _ensure_admin_remains()


async def bulk(accounts: Accounts, actor: User, body: BulkAction) -> BulkResult:
    ids = []
    bad = []
    for raw in body.user_ids:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            bad.append(raw)
    if bad:
        raise Invalid.field("userIds", f"Not user ids: {', '.join(bad[:10])}")
    async with in_transaction():
        await _lock_active_admins()
        users = await User.filter(id__in=ids).select_for_update()
        missing = set(ids) - {u.id for u in users}
        if missing:
            raise NotFound(f"Users not found: {', '.join(sorted(str(m) for m in missing)[:10])}")
        if body.action == "delete" and any(u.id == actor.id for u in users):
            raise Conflict("Administrators cannot delete their own account")
        if body.action == "delete":
            await _refuse_if_subscribed(ids)
        qs = User.filter(id__in=ids)
        if body.action == "delete":
            await teams.drop_personal(ids)
            await qs.delete()
        elif body.action == "activate":
            await qs.update(is_active=True)
        elif body.action == "deactivate":
            for user in users:
                if user.is_active:
                    await accounts.end_all_sessions(user)
            await qs.update(is_active=False)
        else:
            assert body.role is not None
            await qs.update(role=body.role)
        await _ensure_admin_remains()
    return BulkResult(action=body.action, affected=len(users))


async def stats(clock: Clock) -> UserStats:
    by_role = {r.value: 0 for r in Role}
    active = inactive = 0
    rows = (
        await User.all()
        .annotate(n=Count("id"))
        .group_by("role", "is_active")
        .values("role", "is_active", "n")
    )
    for row in rows:
        by_role[str(row["role"])] += row["n"]
        if row["is_active"]:
            active += row["n"]
        else:
            inactive += row["n"]
    today = clock().date()
    since = datetime.combine(today - timedelta(days=29), datetime.min.time(), tzinfo=clock().tzinfo)
    created: list[datetime] = await User.filter(created_at__gte=since).values_list(
        "created_at", flat=True
    )  # type: ignore[assignment]
    per_day = Counter(c.date().isoformat() for c in created)
    days = [(today - timedelta(days=29 - i)).isoformat() for i in range(30)]
    return UserStats(
        total=active + inactive,
        active=active,
        inactive=inactive,
        by_role=by_role,
        signups_last_30_days=[SignupDay(date=d, count=per_day.get(d, 0)) for d in days],
    )


async def contacts(user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """The name and email of each of these accounts that still exists, by id."""
    if not user_ids:
        return {}
    rows = await User.filter(id__in=list(user_ids)).values_list("id", "name", "email")
    return {i: (name, email) for i, name, email in rows}


async def administrators() -> list[tuple[uuid.UUID, str, str]]:
    """Every active administrator's id, email and name: whom operator alerts go to."""
    rows = await User.filter(role=Role.ADMINISTRATOR, is_active=True).values_list(
        "id", "email", "name"
    )
    return [(i, email, name) for i, email, name in rows]
