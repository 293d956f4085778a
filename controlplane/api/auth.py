"""Handlers of /auth: sign-up, login, token refresh, logout, profile and password."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.pipeline import client_address
from controlplane.api.routing import SESSION_ONLY, Access, Call, Route
from controlplane.appkeys import ACCOUNTS
from controlplane.services.accounts.accounts import Client
from shared.wire.accounts import (
    AuthResult,
    EmailRequest,
    LoginRequest,
    LogoutRequest,
    PasswordChange,
    PasswordReset,
    ProfileUpdate,
    RefreshRequest,
    RegisterRequest,
    UserOut,
    VerifyEmailRequest,
)

# The same answer whether or not the address has an account: nobody learns who signed up.
MAIL_IF_KNOWN = "If an account uses this address, a mail is on its way"


def _client(request: web.Request) -> Client:
    return Client(client_address(request), request.headers.get("User-Agent"))


async def register(call: Call[RegisterRequest, Any]) -> web.Response:
    b = call.body
    result = await call.request.app[ACCOUNTS].register(
        b.name, b.email, b.password, _client(call.request)
    )
    return ok(result, "Account created", status=201)


async def login(call: Call[LoginRequest, Any]) -> web.Response:
    result = await call.request.app[ACCOUNTS].login(
        call.body.email, call.body.password, _client(call.request)
    )
    return ok(result, "Signed in")


async def refresh(call: Call[RefreshRequest, Any]) -> web.Response:
    result = await call.request.app[ACCOUNTS].refresh(
        call.body.refresh_token, _client(call.request)
    )
    return ok(result, "Tokens refreshed")


async def logout(call: Call[LogoutRequest, Any]) -> web.Response:
    ended = await call.request.app[ACCOUNTS].logout(call.principal, call.body.refresh_token)
    return ok({"sessionsEnded": ended}, "Signed out")


async def get_profile(call: Call[Any, Any]) -> web.Response:
    return ok(UserOut.model_validate(call.principal), "Profile")


async def update_profile(call: Call[ProfileUpdate, Any]) -> web.Response:
    b = call.body
    user = await call.request.app[ACCOUNTS].update_profile(
        call.principal, b.name, b.email, b.current_password
    )
    return ok(UserOut.model_validate(user), "Profile updated")


async def change_password(call: Call[PasswordChange, Any]) -> web.Response:
    result = await call.request.app[ACCOUNTS].change_password(
        call.principal, call.body.current_password, call.body.new_password, _client(call.request)
    )
    return ok(result, "Password changed; other sessions ended")


async def verify_email(call: Call[VerifyEmailRequest, Any]) -> web.Response:
    user = await call.request.app[ACCOUNTS].verify_email(call.body.token)
    return ok(UserOut.model_validate(user), "Email address verified")


async def resend_verification(call: Call[EmailRequest, Any]) -> web.Response:
    await call.request.app[ACCOUNTS].resend_verification(call.body.email)
    return ok(None, MAIL_IF_KNOWN, status=202)


async def forgot_password(call: Call[EmailRequest, Any]) -> web.Response:
    await call.request.app[ACCOUNTS].forgot_password(call.body.email)
    return ok(None, MAIL_IF_KNOWN, status=202)


async def reset_password(call: Call[PasswordReset, Any]) -> web.Response:
    await call.request.app[ACCOUNTS].reset_password(call.body.token, call.body.new_password)
    return ok(None, "Password reset; every session ended, sign in with the new password")


ROUTES: list[Route] = [
    Route(
        "POST",
        "/auth/register",
        register,
        Access.ANON,
        "Create an account",
        "auth",
        body=RegisterRequest,
        response=AuthResult,
        status=201,
        audited=True,
    ),
    Route(
        "POST",
        "/auth/login",
        login,
        Access.ANON,
        "Sign in",
        "auth",
        body=LoginRequest,
        response=AuthResult,
        audited=True,
    ),
    Route(
        "POST",
        "/auth/refresh",
        refresh,
        Access.ANON,
        "Exchange a refresh token for a new pair (the old one is spent)",
        "auth",
        body=RefreshRequest,
        response=AuthResult,
    ),
    Route(
        "POST",
        "/auth/logout",
        logout,
        Access.USER,
        "End this login (its refresh-token family), or every session without a token",
        "auth",
        body=LogoutRequest,
        audited=True,
        key_scope=SESSION_ONLY,
    ),
    Route(
        "GET",
        "/auth/profile",
        get_profile,
        Access.USER,
        "Own profile",
        "auth",
        response=UserOut,
        key_scope="account:read",
    ),
    Route(
        "PUT",
        "/auth/profile",
        update_profile,
        Access.USER,
        "Update own name, or email (with the current password)",
        "auth",
        body=ProfileUpdate,
        response=UserOut,
        audited=True,
        key_scope=SESSION_ONLY,
    ),
    Route(
        "PUT",
        "/auth/password",
        change_password,
        Access.USER,
        "Change password; other sessions end",
        "auth",
        body=PasswordChange,
        response=AuthResult,
        audited=True,
        key_scope=SESSION_ONLY,
    ),
    Route(
        "POST",
        "/auth/verify-email",
        verify_email,
        Access.ANON,
        "Verify the account's email address with the mailed token (single use)",
        "auth",
        body=VerifyEmailRequest,
        response=UserOut,
        audited=True,
    ),
    Route(
        "POST",
        "/auth/resend-verification",
        resend_verification,
        Access.ANON,
        "Mail a new verification link (at most once a minute; same answer for any address)",
        "auth",
        body=EmailRequest,
        status=202,
    ),
    Route(
        "POST",
        "/auth/forgot-password",
        forgot_password,
        Access.ANON,
        "Mail a password-reset link (same answer, same time, for any address)",
        "auth",
        body=EmailRequest,
        status=202,
        audited=True,
    ),
    Route(
        "POST",
        "/auth/reset-password",
        reset_password,
        Access.ANON,
        "Set a new password with the mailed token (single use); every session ends",
        "auth",
        body=PasswordReset,
        audited=True,
    ),
]
