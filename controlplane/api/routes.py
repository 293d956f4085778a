"""Every route of the API, declared in one place."""

from __future__ import annotations

from controlplane.api import auth, docs, ops, users
from controlplane.api.routing import Access, Route
from shared.wire.accounts import (
    AuthResult,
    BulkAction,
    BulkResult,
    LoginRequest,
    LogoutRequest,
    PasswordChange,
    ProfileUpdate,
    RefreshRequest,
    RegisterRequest,
    UserCreate,
    UserList,
    UserListQuery,
    UserOut,
    UserStats,
    UserUpdate,
)

PREFIX = "/api/v1"
A = Access

ROUTES: list[Route] = [
    # ops
    Route("GET", "/health", ops.health, A.ANON, "Liveness: the process answers", "ops", raw=True),
    Route("GET", "/ready", ops.ready, A.ANON, "Readiness: the database answers", "ops", raw=True),
    Route("GET", "/metrics", ops.metrics, A.ANON, "Prometheus metrics", "ops", raw=True),
    Route("GET", "/api/v1/openapi.json", docs.openapi, A.ANON, "This document", "docs", raw=True),
    Route("GET", "/api/docs", docs.docs_page, A.ANON, "API docs page", "docs", raw=True),
    Route(
        "GET",
        "/api/docs/assets/init.js",
        docs.docs_init,
        A.ANON,
        "Docs page script",
        "docs",
        raw=True,
    ),
    Route(
        "GET",
        "/api/docs/assets/{name}",
        docs.docs_asset,
        A.ANON,
        "Docs page assets",
        "docs",
        raw=True,
    ),
    # auth
    Route(
        "POST",
        "/auth/register",
        auth.register,
        A.ANON,
        "Create an account",
        "auth",
        body=RegisterRequest,
        response=AuthResult,
        status=201,
    ),
    Route(
        "POST",
        "/auth/login",
        auth.login,
        A.ANON,
        "Sign in",
        "auth",
        body=LoginRequest,
        response=AuthResult,
    ),
    Route(
        "POST",
        "/auth/refresh",
        auth.refresh,
        A.ANON,
        "Exchange a refresh token for a new pair (the old one is spent)",
        "auth",
        body=RefreshRequest,
        response=AuthResult,
    ),
    Route(
        "POST",
        "/auth/logout",
        auth.logout,
        A.USER,
        "End this login (its refresh-token family), or every session without a token",
        "auth",
        body=LogoutRequest,
    ),
    Route(
        "GET", "/auth/profile", auth.get_profile, A.USER, "Own profile", "auth", response=UserOut
    ),
    Route(
        "PUT",
        "/auth/profile",
        auth.update_profile,
        A.USER,
        "Update own profile",
        "auth",
        body=ProfileUpdate,
        response=UserOut,
    ),
    Route(
        "PUT",
        "/auth/password",
        auth.change_password,
        A.USER,
        "Change password; other sessions end",
        "auth",
        body=PasswordChange,
        response=AuthResult,
    ),
    # users (admin)
    Route(
        "GET",
        "/users",
        users.list_users,
        A.ADMIN,
        "List users",
        "users",
        query=UserListQuery,
        response=UserList,
    ),
    Route(
        "POST",
        "/users",
        users.create_user,
        A.ADMIN,
        "Create a user",
        "users",
        body=UserCreate,
        response=UserOut,
        status=201,
    ),
    Route(
        "GET", "/users/stats", users.stats, A.ADMIN, "User statistics", "users", response=UserStats
    ),
    Route(
        "POST",
        "/users/bulk",
        users.bulk,
        A.ADMIN,
        "Bulk action, all or nothing",
        "users",
        body=BulkAction,
        response=BulkResult,
    ),
    Route(
        "GET", "/users/{userId}", users.get_user, A.ADMIN, "Get a user", "users", response=UserOut
    ),
    Route(
        "PUT",
        "/users/{userId}",
        users.update_user,
        A.ADMIN,
        "Update a user",
        "users",
        body=UserUpdate,
        response=UserOut,
    ),
    Route("DELETE", "/users/{userId}", users.delete_user, A.ADMIN, "Delete a user", "users"),
]
