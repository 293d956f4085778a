"""Handlers of /auth: sign-up, login, token refresh, logout, profile and password."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.pipeline import client_address
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import ACCOUNTS
from controlplane.services.accounts.accounts import Client
from shared.wire.accounts import (
    AuthResult,
    LoginRequest,
    LogoutRequest,
    PasswordChange,
    ProfileUpdate,
    RefreshRequest,
    RegisterRequest,
    UserOut,
)


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
    ),
    Route(
        "GET", "/auth/profile", get_profile, Access.USER, "Own profile", "auth", response=UserOut
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
    ),
]
