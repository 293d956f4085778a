"""User administration (/users) as an administrator, a user and a stranger see it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import (
    ADMIN_PASSWORD,
    FakeClock,
    bearer,
    create_account,
    sign_in,
)
from tests.controlplane.conftest import fund

API = "/api/v1"
OTHER_PASSWORD = "0ther!Pass"


async def call(
    client: TestClient, method: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    resp = await client.request(method, API + path, **kwargs)
    return resp.status, await resp.json()


async def user_id_of(client: TestClient, headers: dict[str, str]) -> str:
    _, body = await call(client, "GET", "/auth/profile", headers=headers)
    return str(body["data"]["id"])


async def add_user(
    client: TestClient, email: str, role: str = "USER", name: str = "Someone"
) -> str:
    await create_account(client, email, OTHER_PASSWORD, role, name)
    return str((await sign_in(client, email, OTHER_PASSWORD))["user"]["id"])


async def read_user(client: TestClient, headers: dict[str, str], user_id: str) -> dict[str, Any]:
    status, body = await call(client, "GET", f"/users/{user_id}", headers=headers)
    assert status == 200, body
    return dict(body["data"])


# --- who may call what ---------------------------------------------------------

# (method, path, body, admin's status); "{target}" is an ordinary user's id.
ADMIN_ENDPOINTS = [
    ("GET", "/users", None, 200),
    (
        "POST",
        "/users",
        {"name": "New", "email": "new@paas.com", "password": OTHER_PASSWORD},
        201,
    ),
    ("GET", "/users/stats", None, 200),
    ("POST", "/users/bulk", {"action": "activate", "userIds": ["{target}"]}, 200),
    ("GET", "/users/{target}", None, 200),
    ("PUT", "/users/{target}", {"name": "Renamed"}, 200),
    ("DELETE", "/users/{target}", None, 200),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "admin_status"),
    ADMIN_ENDPOINTS,
    ids=[f"{m} {p}" for m, p, _, _ in ADMIN_ENDPOINTS],
)
async def test_admin_endpoints_answer_admins_only(
    client: TestClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    admin_status: int,
) -> None:
    target = await user_id_of(client, user_headers)
    path = path.replace("{target}", target)
    if body is not None:
        body = {
            k: [i.replace("{target}", target) for i in v] if isinstance(v, list) else v
            for k, v in body.items()
        }

    status, anonymous = await call(client, method, path, json=body)
    assert (status, anonymous["code"]) == (401, "UNAUTHORIZED")

    status, user = await call(client, method, path, json=body, headers=user_headers)
    assert (status, user["code"]) == (403, "FORBIDDEN")

    status, admin = await call(client, method, path, json=body, headers=admin_headers)
    assert status == admin_status, admin
    assert admin["success"] is True and admin["statusCode"] == admin_status


# --- list ----------------------------------------------------------------------


async def test_list_pages_through_users(client: TestClient, admin_headers: dict[str, str]) -> None:
    for i in range(11):
        await create_account(client, f"u{i:02}@paas.com", OTHER_PASSWORD)
    # 12 accounts with the admin.
    status, body = await call(
        client, "GET", "/users?page=2&limit=5&sortBy=email&sortOrder=asc", headers=admin_headers
    )
    assert status == 200
    users, pagination = body["data"]["users"], body["data"]["pagination"]
    assert pagination == {
        "page": 2,
        "limit": 5,
        "total": 12,
        "totalPages": 3,
        "hasNext": True,
        "hasPrev": True,
    }
    assert [u["email"] for u in users] == [f"u{i:02}@paas.com" for i in range(4, 9)]

    _, body = await call(client, "GET", "/users?page=3&limit=5", headers=admin_headers)
    assert len(body["data"]["users"]) == 2
    assert body["data"]["pagination"]["hasNext"] is False

    _, body = await call(client, "GET", "/users", headers=admin_headers)
    assert body["data"]["pagination"]["page"] == 1
    assert body["data"]["pagination"]["limit"] == 10
    assert body["data"]["pagination"]["hasPrev"] is False
    assert len(body["data"]["users"]) == 10

    _, body = await call(client, "GET", "/users?page=9&limit=5", headers=admin_headers)
    assert body["data"]["users"] == []
    assert body["data"]["pagination"]["total"] == 12


async def test_list_searches_names_and_emails_case_insensitively(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await create_account(client, "alice@example.com", OTHER_PASSWORD, name="Alice Smith")
    await create_account(client, "carol.smith@example.org", OTHER_PASSWORD, name="Carol")
    await create_account(client, "bob@example.com", OTHER_PASSWORD, name="Bob Jones")

    _, body = await call(client, "GET", "/users?search=SMITH", headers=admin_headers)
    assert {u["email"] for u in body["data"]["users"]} == {
        "alice@example.com",
        "carol.smith@example.org",
    }
    assert body["data"]["pagination"]["total"] == 2

    _, body = await call(client, "GET", "/users?search=example.org", headers=admin_headers)
    assert [u["name"] for u in body["data"]["users"]] == ["Carol"]

    _, body = await call(client, "GET", "/users?search=nobody-matches", headers=admin_headers)
    assert body["data"]["users"] == [] and body["data"]["pagination"]["total"] == 0


async def test_list_filters_by_role_and_state(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await create_account(client, "second-admin@paas.com", OTHER_PASSWORD, "ADMINISTRATOR")
    dormant = await add_user(client, "dormant@paas.com")
    await add_user(client, "active@paas.com")
    status, _ = await call(
        client, "PUT", f"/users/{dormant}", headers=admin_headers, json={"isActive": False}
    )
    assert status == 200

    _, body = await call(client, "GET", "/users?role=ADMINISTRATOR", headers=admin_headers)
    assert {u["email"] for u in body["data"]["users"]} == {
        "admin@paas.com",
        "second-admin@paas.com",
    }
    _, body = await call(client, "GET", "/users?isActive=false", headers=admin_headers)
    assert [u["email"] for u in body["data"]["users"]] == ["dormant@paas.com"]
    _, body = await call(client, "GET", "/users?role=USER&isActive=true", headers=admin_headers)
    assert [u["email"] for u in body["data"]["users"]] == ["active@paas.com"]


async def test_list_sorts_by_the_chosen_field_and_order(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for name in ("Mallory", "Bob", "Zed", "Carol"):
        await create_account(client, f"{name.lower()}@paas.com", OTHER_PASSWORD, name=name)
    _, body = await call(client, "GET", "/users?sortBy=name&sortOrder=asc", headers=admin_headers)
    assert [u["name"] for u in body["data"]["users"]] == ["Admin", "Bob", "Carol", "Mallory", "Zed"]
    _, body = await call(client, "GET", "/users?sortBy=name&sortOrder=desc", headers=admin_headers)
    assert [u["name"] for u in body["data"]["users"]] == ["Zed", "Mallory", "Carol", "Bob", "Admin"]
    _, body = await call(
        client, "GET", "/users?sortBy=email&sortOrder=asc&limit=2", headers=admin_headers
    )
    assert [u["email"] for u in body["data"]["users"]] == ["admin@paas.com", "bob@paas.com"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sortBy=password", "sortBy"),
        ("sortOrder=sideways", "sortOrder"),
        ("page=0", "page"),
        ("limit=1000", "limit"),
        ("role=ROOT", "role"),
        ("isActive=maybe", "isActive"),
        ("colour=blue", "colour"),
    ],
)
async def test_list_names_the_bad_query_parameter(
    client: TestClient, admin_headers: dict[str, str], query: str, field: str
) -> None:
    status, body = await call(client, "GET", f"/users?{query}", headers=admin_headers)
    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert [e["field"] for e in body["errors"]] == [field]


# --- stats ---------------------------------------------------------------------


async def test_stats_count_roles_states_and_todays_sign_ups(
    client: TestClient, admin_headers: dict[str, str], clock: FakeClock
) -> None:
    await create_account(client, "second-admin@paas.com", OTHER_PASSWORD, "ADMINISTRATOR")
    await add_user(client, "one@paas.com")
    await add_user(client, "two@paas.com")
    dormant = await add_user(client, "dormant@paas.com")
    await call(client, "PUT", f"/users/{dormant}", headers=admin_headers, json={"isActive": False})

    status, body = await call(client, "GET", "/users/stats", headers=admin_headers)
    assert status == 200
    stats = body["data"]
    assert stats["total"] == 5
    assert stats["active"] == 4
    assert stats["inactive"] == 1
    assert stats["byRole"] == {"USER": 3, "ADMINISTRATOR": 2}

    series = stats["signupsLast30Days"]
    assert len(series) == 30
    today = clock().date()
    assert [d["date"] for d in series] == [
        (today - timedelta(days=29 - i)).isoformat() for i in range(30)
    ]
    assert series[-1]["count"] == 5
    assert sum(d["count"] for d in series) == 5


async def test_stats_series_moves_with_the_calendar(
    client: TestClient, admin_headers: dict[str, str], clock: FakeClock
) -> None:
    clock.advance(3 * 24 * 3600)
    # The admin's token was issued three days ago: sign in again.
    headers = bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    _, body = await call(client, "GET", "/users/stats", headers=headers)
    series = body["data"]["signupsLast30Days"]
    assert series[-1]["date"] == clock().date().isoformat()
    assert series[-1]["count"] == 0
    assert series[-4]["count"] == 1

    clock.advance(30 * 24 * 3600)
    headers = bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    _, body = await call(client, "GET", "/users/stats", headers=headers)
    assert sum(d["count"] for d in body["data"]["signupsLast30Days"]) == 0
    assert body["data"]["total"] == 1


# --- create, read, update, delete ----------------------------------------------


async def test_admin_creates_a_user_who_can_sign_in(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    status, body = await call(
        client,
        "POST",
        "/users",
        headers=admin_headers,
        json={
            "name": "Ops",
            "email": " Ops@Paas.com ",
            "password": OTHER_PASSWORD,
            "role": "ADMINISTRATOR",
        },
    )
    assert status == 201, body
    created = body["data"]
    assert created["email"] == "ops@paas.com"
    assert created["role"] == "ADMINISTRATOR" and created["isActive"] is True
    assert (await read_user(client, admin_headers, created["id"]))["name"] == "Ops"
    assert (await sign_in(client, "ops@paas.com", OTHER_PASSWORD))["user"]["id"] == created["id"]


async def test_admin_create_refuses_duplicates_and_weak_passwords(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    status, body = await call(
        client,
        "POST",
        "/users",
        headers=admin_headers,
        json={"name": "Dup", "email": "ADMIN@paas.com", "password": OTHER_PASSWORD},
    )
    assert (status, body["code"]) == (409, "CONFLICT")
    status, body = await call(
        client,
        "POST",
        "/users",
        headers=admin_headers,
        json={"name": "Weak", "email": "weak@paas.com", "password": "password"},
    )
    assert status == 400
    assert [e["field"] for e in body["errors"]] == ["password"]
    status, body = await call(client, "POST", "/users", headers=admin_headers, json={})
    assert status == 400
    assert {e["field"] for e in body["errors"]} == {"name", "email", "password"}


async def test_unknown_or_malformed_user_ids_are_not_found(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for user_id in (str(uuid.uuid4()), "not-a-uuid"):
        for method, body in (("GET", None), ("PUT", {"name": "X"}), ("DELETE", None)):
            status, answer = await call(
                client, method, f"/users/{user_id}", headers=admin_headers, json=body
            )
            assert (status, answer["code"]) == (404, "NOT_FOUND"), (method, user_id)


async def test_admin_updates_name_role_and_state(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    target = await add_user(client, "target@paas.com")
    status, body = await call(
        client,
        "PUT",
        f"/users/{target}",
        headers=admin_headers,
        json={"name": "Promoted", "role": "ADMINISTRATOR"},
    )
    assert status == 200, body
    assert body["data"]["name"] == "Promoted" and body["data"]["role"] == "ADMINISTRATOR"
    # The new role takes effect on the target's next request, no new login needed.
    target_headers = bearer(
        (await sign_in(client, "target@paas.com", OTHER_PASSWORD))["accessToken"]
    )
    status, _ = await call(client, "GET", "/users", headers=target_headers)
    assert status == 200

    status, body = await call(
        client, "PUT", f"/users/{target}", headers=admin_headers, json={"role": "USER"}
    )
    assert body["data"]["role"] == "USER"
    status, _ = await call(client, "GET", "/users", headers=target_headers)
    assert status == 403

    status, body = await call(client, "PUT", f"/users/{target}", headers=admin_headers, json={})
    assert status == 400 and body["code"] == "VALIDATION_ERROR"
    status, body = await call(
        client, "PUT", f"/users/{target}", headers=admin_headers, json={"email": "Admin@paas.com"}
    )
    assert (status, body["code"]) == (409, "CONFLICT")
    status, body = await call(
        client, "PUT", f"/users/{target}", headers=admin_headers, json={"role": "ROOT"}
    )
    assert status == 400 and [e["field"] for e in body["errors"]] == ["role"]


async def test_reactivated_user_can_sign_in_again(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    target = await add_user(client, "target@paas.com")
    await call(client, "PUT", f"/users/{target}", headers=admin_headers, json={"isActive": False})
    status, _ = await call(
        client, "POST", "/auth/login", json={"email": "target@paas.com", "password": OTHER_PASSWORD}
    )
    assert status == 403
    await call(client, "PUT", f"/users/{target}", headers=admin_headers, json={"isActive": True})
    await sign_in(client, "target@paas.com", OTHER_PASSWORD)


async def test_admin_deletes_a_user_and_their_sessions_go_with_them(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await create_account(client, "target@paas.com", OTHER_PASSWORD)
    tokens = await sign_in(client, "target@paas.com", OTHER_PASSWORD)
    target = tokens["user"]["id"]

    status, body = await call(client, "DELETE", f"/users/{target}", headers=admin_headers)
    assert status == 200, body
    status, _ = await call(client, "GET", f"/users/{target}", headers=admin_headers)
    assert status == 404
    status, _ = await call(client, "GET", "/auth/profile", headers=bearer(tokens["accessToken"]))
    assert status == 401
    status, _ = await call(
        client, "POST", "/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert status == 401
    # The address is free again.
    await create_account(client, "target@paas.com", OTHER_PASSWORD)


# --- bulk ----------------------------------------------------------------------


async def states(
    client: TestClient, headers: dict[str, str], ids: list[str]
) -> list[tuple[str, bool]]:
    return [(u["role"], u["isActive"]) for u in [await read_user(client, headers, i) for i in ids]]


async def test_bulk_deactivates_and_activates_users(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    ids = [await add_user(client, f"b{i}@paas.com") for i in range(3)]
    session = await sign_in(client, "b0@paas.com", OTHER_PASSWORD)

    status, body = await call(
        client,
        "POST",
        "/users/bulk",
        headers=admin_headers,
        json={"action": "deactivate", "userIds": ids[:2]},
    )
    assert status == 200, body
    assert body["data"] == {"action": "deactivate", "affected": 2}
    assert await states(client, admin_headers, ids) == [
        ("USER", False),
        ("USER", False),
        ("USER", True),
    ]
    status, _ = await call(client, "GET", "/auth/profile", headers=bearer(session["accessToken"]))
    assert status == 401

    status, body = await call(
        client,
        "POST",
        "/users/bulk",
        headers=admin_headers,
        json={"action": "activate", "userIds": ids},
    )
    assert status == 200 and body["data"]["affected"] == 3
    assert await states(client, admin_headers, ids) == [("USER", True)] * 3


async def test_an_account_with_money_in_its_wallet_is_not_deleted_until_settled(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await create_account(client, "rich@paas.com", OTHER_PASSWORD)
    target = (await sign_in(client, "rich@paas.com", OTHER_PASSWORD))["user"]["id"]
    await fund(client, "rich@paas.com", 5000)

    status, body = await call(client, "DELETE", f"/users/{target}", headers=admin_headers)
    assert status == 409 and "wallet" in body["message"], body
    assert (await call(client, "GET", f"/users/{target}", headers=admin_headers))[0] == 200

    settle = {"userId": target, "amount": -5000, "reason": "refunded by bank transfer"}
    status, body = await call(
        client, "POST", "/admin/billing/credits", json=settle, headers=admin_headers
    )
    assert status in (200, 201), body
    status, body = await call(client, "DELETE", f"/users/{target}", headers=admin_headers)
    assert status == 200, body


async def test_bulk_sets_roles_and_deletes(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    ids = [await add_user(client, f"b{i}@paas.com") for i in range(3)]
    status, body = await call(
        client,
        "POST",
        "/users/bulk",
        headers=admin_headers,
        json={"action": "setRole", "role": "ADMINISTRATOR", "userIds": ids[:2]},
    )
    assert status == 200, body
    assert await states(client, admin_headers, ids) == [
        ("ADMINISTRATOR", True),
        ("ADMINISTRATOR", True),
        ("USER", True),
    ]

    status, body = await call(
        client,
        "POST",
        "/users/bulk",
        headers=admin_headers,
        json={"action": "delete", "userIds": ids[1:]},
    )
    assert status == 200 and body["data"]["affected"] == 2
    for gone in ids[1:]:
        status, _ = await call(client, "GET", f"/users/{gone}", headers=admin_headers)
        assert status == 404
    await read_user(client, admin_headers, ids[0])


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("deactivate", {}),
        ("delete", {}),
        ("setRole", {"role": "ADMINISTRATOR"}),
    ],
)
async def test_bulk_with_one_unknown_id_changes_nothing(
    client: TestClient, admin_headers: dict[str, str], action: str, extra: dict[str, str]
) -> None:
    ids = [await add_user(client, f"b{i}@paas.com") for i in range(3)]
    missing = str(uuid.uuid4())
    status, body = await call(
        client,
        "POST",
        "/users/bulk",
        headers=admin_headers,
        json={"action": action, "userIds": [ids[0], missing, *ids[1:]], **extra},
    )
    assert (status, body["code"]) == (404, "NOT_FOUND")
    assert missing in body["message"]
    assert await states(client, admin_headers, ids) == [("USER", True)] * 3
    # Their sessions were not touched either.
    await sign_in(client, "b0@paas.com", OTHER_PASSWORD)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "activate", "userIds": []}, "userIds"),
        ({"action": "activate", "userIds": ["not-a-uuid"]}, "userIds"),
        ({"action": "explode", "userIds": ["{id}"]}, "action"),
        ({"action": "setRole", "userIds": ["{id}"]}, "body"),
        ({"action": "activate", "userIds": ["{id}", "{id}"]}, "body"),
    ],
    ids=["empty", "not-uuid", "unknown-action", "setRole-without-role", "repeated-id"],
)
async def test_bulk_refuses_malformed_requests(
    client: TestClient, admin_headers: dict[str, str], body: dict[str, Any], field: str
) -> None:
    target = await add_user(client, "target@paas.com")
    body = {
        k: [target if i == "{id}" else i for i in v] if k == "userIds" else v
        for k, v in body.items()
    }
    status, answer = await call(client, "POST", "/users/bulk", headers=admin_headers, json=body)
    assert status == 400, answer
    assert answer["code"] == "VALIDATION_ERROR"
    assert [e["field"] for e in answer["errors"]] == [field]


# --- the last administrator ----------------------------------------------------


async def test_the_only_active_admin_cannot_be_demoted_deactivated_or_deleted(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    admin = await user_id_of(client, admin_headers)
    # An inactive second administrator does not count.
    dormant = await add_user(client, "dormant-admin@paas.com", "ADMINISTRATOR")
    await call(client, "PUT", f"/users/{dormant}", headers=admin_headers, json={"isActive": False})

    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PUT", f"/users/{admin}", {"role": "USER"}),
        ("PUT", f"/users/{admin}", {"isActive": False}),
        ("DELETE", f"/users/{admin}", None),
        ("POST", "/users/bulk", {"action": "setRole", "role": "USER", "userIds": [admin]}),
        ("POST", "/users/bulk", {"action": "deactivate", "userIds": [admin]}),
        ("POST", "/users/bulk", {"action": "delete", "userIds": [admin]}),
    ]
    for method, path, body in attempts:
        status, answer = await call(client, method, path, headers=admin_headers, json=body)
        assert (status, answer["code"]) == (409, "CONFLICT"), (method, path, body)

    me = await read_user(client, admin_headers, admin)
    assert (me["role"], me["isActive"]) == ("ADMINISTRATOR", True)


async def test_bulk_demotion_of_every_admin_is_refused_as_a_whole(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    admin = await user_id_of(client, admin_headers)
    other = await add_user(client, "second-admin@paas.com", "ADMINISTRATOR")
    plain = await add_user(client, "plain@paas.com")
    status, answer = await call(
        client,
        "POST",
        "/users/bulk",
        headers=admin_headers,
        json={"action": "setRole", "role": "USER", "userIds": [plain, other, admin]},
    )
    assert (status, answer["code"]) == (409, "CONFLICT")
    assert await states(client, admin_headers, [admin, other, plain]) == [
        ("ADMINISTRATOR", True),
        ("ADMINISTRATOR", True),
        ("USER", True),
    ]


async def test_with_two_admins_one_may_be_demoted_but_not_the_last(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    admin = await user_id_of(client, admin_headers)
    other = await add_user(client, "second-admin@paas.com", "ADMINISTRATOR")

    status, body = await call(
        client, "PUT", f"/users/{other}", headers=admin_headers, json={"role": "USER"}
    )
    assert status == 200, body
    assert body["data"]["role"] == "USER"

    status, body = await call(
        client, "PUT", f"/users/{admin}", headers=admin_headers, json={"role": "USER"}
    )
    assert (status, body["code"]) == (409, "CONFLICT")


async def test_an_admin_may_step_down_while_another_admin_remains(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    admin = await user_id_of(client, admin_headers)
    await add_user(client, "second-admin@paas.com", "ADMINISTRATOR")
    status, body = await call(
        client, "PUT", f"/users/{admin}", headers=admin_headers, json={"role": "USER"}
    )
    assert status == 200, body
    status, _ = await call(client, "GET", "/users", headers=admin_headers)
    assert status == 403


async def test_an_admin_can_delete_another_admin_but_not_itself(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    admin = await user_id_of(client, admin_headers)
    other = await add_user(client, "second-admin@paas.com", "ADMINISTRATOR")
    status, body = await call(client, "DELETE", f"/users/{admin}", headers=admin_headers)
    assert (status, body["code"]) == (409, "CONFLICT")
    status, _ = await call(client, "DELETE", f"/users/{other}", headers=admin_headers)
    assert status == 200
    status, _ = await call(client, "GET", f"/users/{other}", headers=admin_headers)
    assert status == 404
