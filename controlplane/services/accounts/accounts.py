"""Accounts: sign-up, login, refresh-token rotation with reuse detection, profile, password."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import RefreshToken, User
from controlplane.services.accounts import mailed_tokens
from controlplane.services.accounts.login_throttle import LoginThrottle
from controlplane.services.accounts.passwords import Passwords
from controlplane.services.accounts.tokens import AccessTokens
from controlplane.services.bearer import hash_token, new_secret_token
from controlplane.services.clock import Clock
from controlplane.services.errors import (
    Conflict,
    EmailNotVerified,
    FieldError,
    Forbidden,
    Invalid,
    RateLimited,
    TokenExpired,
    Unauthorized,
)
from controlplane.services.events.outbox import Outbox
from controlplane.services.teams import teams
from shared.enums import Role, TokenPurpose
from shared.wire.accounts import AuthResult, UserOut, policy_problems

INVALID_LOGIN = "Invalid email or password"
_HOUR, _MINUTE = timedelta(hours=1), timedelta(minutes=1)


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


@dataclass(frozen=True)
class Recovery:
    """Email verification and password reset: how long links work, how often they are sent."""

    verification_ttl: timedelta = timedelta(hours=48)
    # One mail of a kind per account per interval, however often it is asked for:
    # else anyone could flood a stranger's inbox through us.
    resend_interval: timedelta = timedelta(minutes=1)
    reset_ttl: timedelta = timedelta(minutes=30)
    # "restricted" (False: no sign-in at all until verified is "no-login").
    unverified_may_log_in: bool = True
    # forgot-password and resend-verification answer no sooner than this, account or
    # not: the work done for an existing account must not be timed to learn it exists.
    answer_floor: float = 0.25


class Accounts:
    def __init__(
        self,
        passwords: Passwords,
        access: AccessTokens,
        refresh_ttl: int,
        throttle: LoginThrottle,
        clock: Clock,
        outbox: Outbox,
        recovery: Recovery | None = None,
    ) -> None:
        self.passwords = passwords
        self.access = access
        self._refresh_ttl = timedelta(seconds=refresh_ttl)
        self._throttle = throttle
        self._clock = clock
        self._outbox = outbox
        self._recovery = recovery or Recovery()

    async def create_user(
        self,
        name: str,
        email: str,
        password: str,
        role: Role = Role.USER,
        is_active: bool = True,
        email_verified: bool = True,
        conn: BaseDBAsyncClient | None = None,
    ) -> User:
        """Accounts administrators, seed and create-admin make count as verified. Every
        account gets its personal team with it, in the same transaction."""
        check_password_policy(password)
        email = normalise_email(email)
        password_hash = self.passwords.hash(password)
        try:
            async with in_transaction() if conn is None else nullcontext(conn) as tx:
                user = await User.create(
                    id=uuid.uuid4(),
                    name=name,
                    email=email,
                    password_hash=password_hash,
                    role=role,
                    is_active=is_active,
                    email_verified=email_verified,
                    using_db=tx,
                )
                await teams.create_personal(tx, user, self._clock())
                return user
        except IntegrityError:
            raise Conflict("An account with this email already exists") from None

    async def register(self, name: str, email: str, password: str, client: Client) -> AuthResult:
        # The policy and the confirmation were checked with every other field by the wire
        # type (RegisterRequest), and create_user checks the policy again for every caller.
        async with self._outbox.transaction() as conn:
            user = await self.create_user(name, email, password, email_verified=False, conn=conn)
            await self._mail_verification(conn, user, "user.registered")
        return await self._session(user, client, family=None)

    async def verify_email(self, raw: str) -> User:
        async with in_transaction() as conn:
            user_id = await mailed_tokens.spend(conn, raw, TokenPurpose.VERIFY_EMAIL, self._clock())
            user = await User.get(id=user_id, using_db=conn)
            user.email_verified = True
            await user.save(update_fields=["email_verified", "updated_at"], using_db=conn)
        return user

    async def resend_verification(self, email: str) -> None:
        """Mails a new link to an unverified account; answers alike for every address."""
        async with self._fixed_cost():
            user = await User.get_or_none(email=normalise_email(email))
            if user is None or user.email_verified or not user.is_active:
                return
            if await self._sent_lately(user, TokenPurpose.VERIFY_EMAIL):
                return
            async with self._outbox.transaction() as conn:
                await self._mail_verification(conn, user, "user.verification_requested")

    def require_verified(self, user: User) -> None:
        """What restricted accounts may not do (subscribe, top up) calls this first."""
        if not user.email_verified:
            raise EmailNotVerified("Verify your email address first (see the mail we sent)")

    async def forgot_password(self, email: str) -> None:
        """Mails a reset link if the address is an active account's; answers alike either way."""
        async with self._fixed_cost():
            user = await User.get_or_none(email=normalise_email(email))
            if user is None or not user.is_active:
                return
            if await self._sent_lately(user, TokenPurpose.RESET_PASSWORD):
                return
            async with self._outbox.transaction() as conn:
                await self._mail_reset(conn, user, by_admin=False)

    async def send_password_reset(self, user: User) -> None:
        """An administrator's: mails the user a reset link (their password stays until used)."""
        async with self._outbox.transaction() as conn:
            await self._mail_reset(conn, user, by_admin=True)

    async def reset_password(self, raw: str, new: str) -> None:
        """Sets the password from a mailed link and ends every session of the account."""
        check_password_policy(new, field="newPassword")
        digest = self.passwords.hash(new)  # before the transaction: argon2 takes its time
        now = self._clock()
        async with self._outbox.transaction() as conn:
            user_id = await mailed_tokens.spend(conn, raw, TokenPurpose.RESET_PASSWORD, now)
            user = await User.get(id=user_id, using_db=conn)
            if not user.is_active:
                raise Forbidden("This account is deactivated")
            user.password_hash = digest
            # The link reached the mailbox: that proves the address as a verification would.
            user.email_verified = True
            user.session_version += 1
            await user.save(
                update_fields=["password_hash", "email_verified", "session_version", "updated_at"],
                using_db=conn,
            )
            await (
                RefreshToken.filter(user_id=user.id, revoked_at__isnull=True)
                .using_db(conn)
                .update(revoked_at=now)
            )
            await self._emit_password_changed(conn, user, reset=True)

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
        if not user.email_verified and not self._recovery.unverified_may_log_in:
            raise EmailNotVerified("Verify your email address before signing in")
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
        A password given anyway is checked all the same, rather than silently ignored.
        A new email is unverified until its link is followed: the links mailed earlier stop
        working, a verification goes to the new address and a notice to the old one."""
        email = normalise_email(email) if email is not None else None
        if email is not None and email != user.email and current_password is None:
            raise Invalid.field("currentPassword", "Current password is needed to change the email")
        # Before the taken-email check: without the password, nobody learns who has an account.
        if current_password is not None and not self.passwords.verify(
            user.password_hash, current_password
        ):
            raise Invalid.field("currentPassword", "Current password is wrong")
        old = user.email
        if name is not None:
            user.name = name
        moved = email is not None and email != old
        if email is not None:
            user.email = email
        try:
            async with self._outbox.transaction() as conn:
                if moved:
                    user.email_verified = False
                await user.save(using_db=conn)
                if moved:
                    await mailed_tokens.void(conn, user.id, self._clock())
                    await self._mail_verification(conn, user, "user.verification_requested")
                    await self._outbox.emit(
                        conn,
                        "user.email_changed",
                        str(user.id),
                        {"email": old, "name": user.name, "new_email": user.email},
                    )
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
        async with self._outbox.transaction() as conn:
            user.password_hash = self.passwords.hash(new)
            await self._bump_sessions(user, extra_fields=["password_hash"])
            await RefreshToken.filter(user_id=user.id, revoked_at__isnull=True).update(
                revoked_at=now
            )
            await self._emit_password_changed(conn, user, reset=False)
        return await self._session(user, client, family=None)

    async def end_all_sessions(self, user: User) -> None:
        """Used when an administrator deactivates an account."""
        await RefreshToken.filter(user_id=user.id, revoked_at__isnull=True).update(
            revoked_at=self._clock()
        )
        await self._bump_sessions(user)

    async def _mail_verification(self, conn: BaseDBAsyncClient, user: User, event: str) -> None:
        ttl = self._recovery.verification_ttl
        raw = await mailed_tokens.issue(
            conn, user.id, TokenPurpose.VERIFY_EMAIL, ttl, self._clock()
        )
        payload = {"email": user.email, "name": user.name, "expires_in_hours": ttl // _HOUR}
        await self._outbox.emit(conn, event, str(user.id), payload, {"token": raw})

    async def _mail_reset(self, conn: BaseDBAsyncClient, user: User, by_admin: bool) -> None:
        ttl = self._recovery.reset_ttl
        raw = await mailed_tokens.issue(
            conn, user.id, TokenPurpose.RESET_PASSWORD, ttl, self._clock()
        )
        payload = {
            "email": user.email,
            "name": user.name,
            "by_admin": by_admin,
            "expires_in_minutes": ttl // _MINUTE,
        }
        await self._outbox.emit(
            conn, "user.password_reset_requested", str(user.id), payload, {"token": raw}
        )

    async def _emit_password_changed(
        self, conn: BaseDBAsyncClient, user: User, reset: bool
    ) -> None:
        payload = {"email": user.email, "name": user.name, "reset": reset}
        await self._outbox.emit(conn, "user.password_changed", str(user.id), payload)

    async def _sent_lately(self, user: User, purpose: TokenPurpose) -> bool:
        last = await mailed_tokens.last_issued(user.id, purpose)
        return last is not None and self._clock() - last < self._recovery.resend_interval

    @asynccontextmanager
    async def _fixed_cost(self) -> AsyncIterator[None]:
        """Answers no sooner than the floor, whatever happened inside (by the monotonic clock:
        it is the caller's stopwatch this evens out, not our injectable one)."""
        started = time.monotonic()
        try:
            yield
        finally:
            await asyncio.sleep(
                max(0.0, self._recovery.answer_floor - (time.monotonic() - started))
            )

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
