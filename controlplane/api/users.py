"""Handlers of /users: administration of accounts (ADMINISTRATOR only)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Call
from controlplane.appkeys import ACCOUNTS, CLOCK
from controlplane.services.accounts import users
from shared.wire.accounts import BulkAction, UserCreate, UserListQuery, UserOut, UserUpdate


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


async def stats(call: Call[Any, Any]) -> web.Response:
    return ok(await users.stats(call.request.app[CLOCK]), "User statistics")


async def bulk(call: Call[BulkAction, Any]) -> web.Response:
    result = await users.bulk(call.request.app[ACCOUNTS], call.principal, call.body)
    return ok(result, f"Bulk {result.action} applied to {result.affected} users")
