"""Handlers of /users: administration of accounts (ADMINISTRATOR only)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import ACCOUNTS, CLOCK
from controlplane.services.accounts import users
from shared.wire.accounts import (
    BulkAction,
    BulkResult,
    UserCreate,
    UserList,
    UserListQuery,
    UserOut,
    UserStats,
    UserUpdate,
)


async def list_users(call: Call[Any, UserListQuery]) -> web.Response:
    return ok(await users.list_users(call.query), "Users")


async def create_user(call: Call[UserCreate, Any]) -> web.Response:
    user = await users.create_user(call.request.app[ACCOUNTS], call.body)
    return ok(UserOut.model_validate(user), "User created", status=201)


async def get_user(call: Call[Any, Any]) -> web.Response:
    return ok(UserOut.model_validate(await users.get_user(call.param("userId"))), "User")


async def update_user(call: Call[UserUpdate, Any]) -> web.Response:
    user = await users.update_user(
        call.request.app[ACCOUNTS], call.principal, call.param("userId"), call.body
    )
    return ok(UserOut.model_validate(user), "User updated")


async def delete_user(call: Call[Any, Any]) -> web.Response:
    await users.delete_user(call.principal, call.param("userId"))
    return ok(None, "User deleted")


async def send_password_reset(call: Call[Any, Any]) -> web.Response:
    user = await users.get_user(call.param("userId"))
    await call.request.app[ACCOUNTS].send_password_reset(user)
    return ok(None, "Password-reset mail on its way", status=202)


async def stats(call: Call[Any, Any]) -> web.Response:
    return ok(await users.stats(call.request.app[CLOCK]), "User statistics")


async def bulk(call: Call[BulkAction, Any]) -> web.Response:
    result = await users.bulk(call.request.app[ACCOUNTS], call.principal, call.body)
    return ok(result, f"Bulk {result.action} applied to {result.affected} users")


ROUTES: list[Route] = [
    Route(
        "GET",
        "/users",
        list_users,
        Access.ADMIN,
        "List users",
        "users",
        query=UserListQuery,
        response=UserList,
    ),
    Route(
        "POST",
        "/users",
        create_user,
        Access.ADMIN,
        "Create a user",
        "users",
        body=UserCreate,
        response=UserOut,
        status=201,
    ),
    Route(
        "GET", "/users/stats", stats, Access.ADMIN, "User statistics", "users", response=UserStats
    ),
    Route(
        "POST",
        "/users/bulk",
        bulk,
        Access.ADMIN,
        "Bulk action, all or nothing",
        "users",
        body=BulkAction,
        response=BulkResult,
    ),
    Route(
        "GET", "/users/{userId}", get_user, Access.ADMIN, "Get a user", "users", response=UserOut
    ),
    Route(
        "PUT",
        "/users/{userId}",
        update_user,
        Access.ADMIN,
        "Update a user",
        "users",
        body=UserUpdate,
        response=UserOut,
    ),
    Route("DELETE", "/users/{userId}", delete_user, Access.ADMIN, "Delete a user", "users"),
    Route(
        "POST",
        "/users/{userId}/password-reset",
        send_password_reset,
        Access.ADMIN,
        "Mail the user a password-reset link",
        "users",
        status=202,
    ),
]
