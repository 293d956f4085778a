"""Accounts: sign-up, login, refresh-token rotation with reuse detection, profile, password."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import RefreshToken, User
from controlplane.services.accounts.login_throttle import LoginThrottle
from controlplane.services.accounts.passwords import Passwords
from controlplane.services.accounts.tokens import AccessTokens, hash_token, new_secret_token
from controlplane.services.clock import Clock
from controlplane.services.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    RateLimited,
    TokenExpired,
    Unauthorized,
)
from controlplane.services.events.outbox import Outbox
from shared.enums import Role
from shared.wire.accounts import AuthResult, UserOut, policy_problems

INVALID_LOGIN = "Invalid email or password"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(password: str, field: str = "password") -> None:
    problems = policy_problems(password)
    if problems:
        message = "Password needs " + ", ".join(problems)
        raise Invalid(message, [FieldError(field, message)])


@dataclass(frozen=True)
class Client:
    """Who is on the other end of a request, for sessions and throttling."""

    address: str
    user_agent: str | None = None


class Accounts:
    def __init__(
        self,
        passwords: Passwords,
        access: AccessTokens,
        refresh_ttl: int,
        throttle: LoginThrottle,
        clock: Clock,
        outbox: Outbox,
    ) -> None:
        self.passwords = passwords
        self.access = access
        self._refresh_ttl = timedelta(seconds=refresh_ttl)
        self._throttle = throttle
        self._clock = clock
        self._outbox = outbox

    async def create_user(
        self, name: str, email: str, password: str, role: Role = Role.USER, is_active: bool = True
    ) -> User:
        check_password_policy(password)
        email = normalise_email(email)
        try:
            return await User.create(
                id=uuid.uuid4(),
                name=name,
                email=email,
                password_hash=self.passwords.hash(password),
                role=role,
                is_active=is_active,
            )
        except IntegrityError:
            raise Conflict("An account with this email already exists") from None

    async def register(self, name: str, email: str, password: str, client: Client) -> AuthResult:
        # The policy and the confirmation were checked with every other field by the wire
        # type (RegisterRequest), and create_user checks the policy again for every caller.
        user = await self.create_user(name, email, password)
        return await self._session(user, client, family=None)

    async def login(self, email: str, password: str, client: Client) -> AuthResult:
        email = normalise_email(email)
        now = self._clock()
        wait = await self._throttle.retry_after(email, client.address, now)
        if wait is not None:
            raise RateLimited("Too many login attempts; try again later", wait)
        user = await User.get_or_none(email=email)
        if not self.passwords.verify(user.password_hash if user else None, password):
            await self._throttle.record_failure(email, client.address, now)
            raise Unauthorized(INVALID_LOGIN)
        assert user is not None
        if not user.is_active:
            raise Forbidden("This account is deactivated")
        await self._throttle.succeeded(email, client.address)
        user.last_login_at = now
        fields = ["last_login_at", "updated_at"]
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
            fields.append("password_hash")
        await user.save(update_fields=fields)
        return await self._session(user, client, family=None)

    async def refresh(self, raw: str, client: Client) -> AuthResult:
        now = self._clock()
        token = await RefreshToken.get_or_none(token_hash=hash_token(raw)).prefetch_related("user")
        if token is None or token.revoked_at is not None:
            raise Unauthorized("Invalid refresh token")
        if token.used_at is not None:
            await self._revoke_family(token.family_id)
            raise Unauthorized("Refresh token reuse detected; all sessions of this login ended")
        if token.expires_at <= now:
            raise TokenExpired("Refresh token has expired")
        user: User = token.user
        if not user.is_active:
            raise Forbidden("This account is deactivated")
        async with in_transaction():
            # Spend it atomically: of two concurrent uses only one wins, the
            # other is a reuse like any other. The successor is made in the same
            # transaction: the loser's revocation of the family then always finds
            # it (the loser either waits on the row lock or sees it spent), where a
            # successor inserted afterwards would have outlived the revocation.
            spent = await RefreshToken.filter(id=token.id, used_at__isnull=True).update(used_at=now)
            if spent:
                return await self._session(user, client, family=token.family_id)
        await self._revoke_family(token.family_id)
        raise Unauthorized("Refresh token reuse detected; all sessions of this login ended")

    async def logout(self, user: User, raw: str | None) -> int:
        """Ends one login (the family of `raw`) or, without a token, every session of the user."""
        now = self._clock()
        if raw is None:
            async with in_transaction():
                ended = await RefreshToken.filter(user_id=user.id, revoked_at__isnull=True).update(
                    revoked_at=now
                )
                await self._bump_sessions(user)
            return ended
        token = await RefreshToken.get_or_none(token_hash=hash_token(raw), user_id=user.id)
        if token is None:
            raise Invalid.field("refreshToken", "Unknown refresh token")
        return await self._revoke_family(token.family_id)

    async def update_profile(
        self, user: User, name: str | None, email: str | None, current_password: str | None
    ) -> User:
        """A new email needs the current password (else nothing changes); a name does not.
        A password given anyway is checked all the same, rather than silently ignored."""
        email = normalise_email(email) if email is not None else None
        if email is not None and email != user.email and current_password is None:
            raise Invalid.field("currentPassword", "Current password is needed to change the email")
        # Before the taken-email check: without the password, nobody learns who has an account.
        if current_password is not None and not self.passwords.verify(
            user.password_hash, current_password
        ):
            raise Invalid.field("currentPassword", "Current password is wrong")
        if name is not None:
            user.name = name
        if email is not None:
            user.email = email
        try:
            await user.save()
        except IntegrityError:
            raise Conflict("An account with this email already exists") from None
        return user

    async def change_password(
        self, user: User, current: str, new: str, client: Client
    ) -> AuthResult:
        if not self.passwords.verify(user.password_hash, current):
            raise Invalid.field("currentPassword", "Current password is wrong")
        check_password_policy(new, field="newPassword")
        if current == new:
            raise Invalid.field("newPassword", "New password must differ from the current one")
        now = self._clock()
        async with in_transaction():
            user.password_hash = self.passwords.hash(new)
            await self._bump_sessions(user, extra_fields=["password_hash"])
            await RefreshToken.filter(user_id=user.id, revoked_at__isnull=True).update(
                revoked_at=now
            )
        return await self._session(user, client, family=None)

    async def end_all_sessions(self, user: User) -> None:
        """Used when an administrator deactivates an account."""
        await RefreshToken.filter(user_id=user.id, revoked_at__isnull=True).update(
            revoked_at=self._clock()
        )
        await self._bump_sessions(user)

    async def _bump_sessions(self, user: User, extra_fields: list[str] | None = None) -> None:
        user.session_version += 1
        await user.save(update_fields=["session_version", "updated_at", *(extra_fields or [])])

    async def _revoke_family(self, family_id: uuid.UUID) -> int:
        return await RefreshToken.filter(family_id=family_id, revoked_at__isnull=True).update(
            revoked_at=self._clock()
        )

    async def _session(self, user: User, client: Client, family: uuid.UUID | None) -> AuthResult:
        raw = new_secret_token("mpr")
        await RefreshToken.create(
            id=uuid.uuid4(),
            user_id=user.id,
            family_id=family or uuid.uuid4(),
            token_hash=hash_token(raw),
            expires_at=self._clock() + self._refresh_ttl,
            user_agent=(client.user_agent or "")[:256] or None,
            ip_address=client.address[:45],
        )
        access = self.access.issue(str(user.id), user.role, user.session_version)
        return AuthResult(
            user=UserOut.model_validate(user),
            access_token=access.token,
            refresh_token=raw,
            expires_in=access.expires_in,
        )
