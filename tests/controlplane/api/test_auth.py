"""The /auth flow as a client sees it: sign-up, login, profile, token rotation, logout, password."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient

from controlplane.appkeys import CONFIG
from controlplane.db.models import RefreshToken, User
from controlplane.services.bearer import hash_token
from tests.conftest import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    FakeClock,
    bearer,
    create_account,
    sign_in,
)

API = "/api/v1"
STRONG = "Str0ng!pass"


def registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Jane Doe",
        "email": "jane@example.com",
        "password": STRONG,
        "confirmPassword": STRONG,
    }
    body.update(overrides)
    return body


async def call(
    client: TestClient, method: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    resp = await client.request(method, API + path, **kwargs)
    return resp.status, await resp.json()


def error_fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


async def refresh(client: TestClient, token: str) -> tuple[int, dict[str, Any]]:
    return await call(client, "POST", "/auth/refresh", json={"refreshToken": token})


async def profile_status(client: TestClient, access_token: str) -> int:
    status, _ = await call(client, "GET", "/auth/profile", headers=bearer(access_token))
    return status


# --- register ------------------------------------------------------------------


async def test_register_creates_an_account_and_signs_it_in(client: TestClient) -> None:
    status, body = await call(client, "POST", "/auth/register", json=registration())
    assert status == 201
    assert body["success"] is True and body["statusCode"] == 201
    data = body["data"]
    assert data["tokenType"] == "Bearer"
    assert data["expiresIn"] == 15 * 60
    assert data["refreshToken"] and data["accessToken"]
    user = data["user"]
    assert user["email"] == "jane@example.com"
    assert user["name"] == "Jane Doe"
    assert user["role"] == "USER" and user["isActive"] is True
    assert not {"password", "passwordHash", "sessionVersion"} & set(user)
    assert await profile_status(client, data["accessToken"]) == 200


async def test_register_stores_the_email_trimmed_and_lower_cased(client: TestClient) -> None:
    status, body = await call(
        client, "POST", "/auth/register", json=registration(email="  John@Example.COM ")
    )
    assert status == 201, body
    assert body["data"]["user"]["email"] == "john@example.com"
    # Any spelling of the address signs in to the same account.
    data = await sign_in(client, "JOHN@example.com", STRONG)
    assert data["user"]["id"] == body["data"]["user"]["id"]


async def test_register_refuses_an_email_already_taken_in_any_case(client: TestClient) -> None:
    status, _ = await call(client, "POST", "/auth/register", json=registration())
    assert status == 201
    status, body = await call(
        client, "POST", "/auth/register", json=registration(email="JANE@Example.com")
    )
    assert status == 409
    assert body["success"] is False and body["code"] == "CONFLICT"


@pytest.mark.parametrize(
    "password",
    ["Sh0rt!", "alllower1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol123"],
    ids=["short", "no-upper", "no-lower", "no-digit", "no-symbol"],
)
async def test_register_names_the_password_field_when_the_policy_fails(
    client: TestClient, password: str
) -> None:
    status, body = await call(
        client,
        "POST",
        "/auth/register",
        json=registration(password=password, confirmPassword=password),
    )
    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert error_fields(body) == {"password"}
    assert all(e["message"] for e in body["errors"])


async def test_register_names_confirm_password_when_it_differs(client: TestClient) -> None:
    status, body = await call(
        client, "POST", "/auth/register", json=registration(confirmPassword=STRONG + "x")
    )
    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert error_fields(body) == {"confirmPassword"}


async def test_register_reports_a_bad_email_a_weak_password_and_a_mismatch_at_once(
    client: TestClient,
) -> None:
    body = {"name": "Form User", "email": "x", "password": "short", "confirmPassword": "other"}
    status, answer = await call(client, "POST", "/auth/register", json=body)
    assert status == 400
    assert error_fields(answer) == {"email", "password", "confirmPassword"}
    password = next(e for e in answer["errors"] if e["field"] == "password")
    assert "at least 8 characters" in password["message"]


async def test_a_password_change_reports_a_missing_current_and_a_weak_new_password_at_once(
    client: TestClient, user_headers: dict[str, str]
) -> None:
    status, answer = await call(
        client, "PUT", "/auth/password", json={"newPassword": "weak"}, headers=user_headers
    )
    assert status == 400
    assert error_fields(answer) == {"currentPassword", "newPassword"}


async def test_register_reports_every_missing_field(client: TestClient) -> None:
    status, body = await call(client, "POST", "/auth/register", json={})
    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert error_fields(body) == {"name", "email", "password", "confirmPassword"}


async def test_register_refuses_a_malformed_email_and_unknown_fields(client: TestClient) -> None:
    status, body = await call(
        client, "POST", "/auth/register", json=registration(email="not-an-email")
    )
    assert status == 400
    assert error_fields(body) == {"email"}
    status, body = await call(
        client, "POST", "/auth/register", json=registration(role="ADMINISTRATOR")
    )
    assert status == 400
    assert error_fields(body) == {"role"}


# --- login ---------------------------------------------------------------------


async def test_login_returns_a_token_pair_and_the_user(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    status, body = await call(
        client, "POST", "/auth/login", json={"email": "user@paas.com", "password": USER_PASSWORD}
    )
    assert status == 200
    data = body["data"]
    assert data["user"]["email"] == "user@paas.com"
    assert data["user"]["lastLoginAt"] is not None
    assert await profile_status(client, data["accessToken"]) == 200


async def test_login_gives_the_same_answer_for_a_wrong_password_and_an_unknown_email(
    client: TestClient,
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    wrong_status, wrong = await call(
        client, "POST", "/auth/login", json={"email": "user@paas.com", "password": "Wr0ng!pass"}
    )
    unknown_status, unknown = await call(
        client, "POST", "/auth/login", json={"email": "nobody@paas.com", "password": "Wr0ng!pass"}
    )
    assert wrong_status == unknown_status == 401
    assert wrong["code"] == unknown["code"] == "UNAUTHORIZED"
    assert wrong["message"] == unknown["message"]


async def test_passwords_and_refresh_tokens_are_stored_only_as_hashes(
    client: TestClient,
) -> None:
    _, body = await call(client, "POST", "/auth/register", json=registration())
    raw = body["data"]["refreshToken"]
    user = await User.get(email="jane@example.com")
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG not in user.password_hash
    stored = await RefreshToken.filter(user_id=user.id).values_list("token_hash", flat=True)
    assert stored == [hash_token(raw)]
    assert raw not in stored


# --- profile -------------------------------------------------------------------


async def test_profile_shows_and_updates_the_callers_own_account(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD, name="User")
    headers = bearer((await sign_in(client, "user@paas.com", USER_PASSWORD))["accessToken"])

    status, body = await call(client, "GET", "/auth/profile", headers=headers)
    assert status == 200
    assert body["data"]["email"] == "user@paas.com" and body["data"]["name"] == "User"

    status, body = await call(
        client,
        "PUT",
        "/auth/profile",
        headers=headers,
        json={"name": "Renamed", "email": " New@Paas.com", "currentPassword": USER_PASSWORD},
    )
    assert status == 200, body
    assert body["data"]["name"] == "Renamed" and body["data"]["email"] == "new@paas.com"

    status, body = await call(client, "GET", "/auth/profile", headers=headers)
    assert body["data"]["name"] == "Renamed" and body["data"]["email"] == "new@paas.com"
    await sign_in(client, "new@paas.com", USER_PASSWORD)


async def test_profile_update_may_respell_the_callers_own_email(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    headers = bearer((await sign_in(client, "user@paas.com", USER_PASSWORD))["accessToken"])
    status, body = await call(
        client, "PUT", "/auth/profile", headers=headers, json={"email": "USER@Paas.com"}
    )
    assert status == 200, body
    assert body["data"]["email"] == "user@paas.com"


async def test_changing_the_email_needs_the_current_password_and_a_name_does_not(
    client: TestClient,
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD, name="User")
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    headers = bearer(tokens["accessToken"])

    for extra, message in (
        ({}, "Current password is needed to change the email"),
        ({"currentPassword": "Wr0ng!pass"}, "Current password is wrong"),
    ):
        status, body = await call(
            client,
            "PUT",
            "/auth/profile",
            headers=headers,
            json={"name": "Thief", "email": "thief@example.com", **extra},
        )
        # As PUT /auth/password answers a wrong current password.
        assert (status, body["code"]) == (400, "VALIDATION_ERROR"), body
        assert body["errors"] == [{"field": "currentPassword", "message": message}]
    # Nothing changed, the name included: the request is refused whole.
    status, body = await call(client, "GET", "/auth/profile", headers=headers)
    assert (body["data"]["email"], body["data"]["name"]) == ("user@paas.com", "User")
    await sign_in(client, "user@paas.com", USER_PASSWORD)

    status, body = await call(
        client, "PUT", "/auth/profile", headers=headers, json={"name": "Renamed"}
    )
    assert (status, body["data"]["name"]) == (200, "Renamed"), body
    status, body = await call(
        client,
        "PUT",
        "/auth/profile",
        headers=headers,
        json={"email": "moved@example.com", "currentPassword": USER_PASSWORD},
    )
    assert (status, body["data"]["email"]) == (200, "moved@example.com"), body
    await sign_in(client, "moved@example.com", USER_PASSWORD)


async def test_profile_update_refuses_a_taken_email_and_an_empty_body(client: TestClient) -> None:
    await create_account(client, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR")
    await create_account(client, "user@paas.com", USER_PASSWORD)
    headers = bearer((await sign_in(client, "user@paas.com", USER_PASSWORD))["accessToken"])

    # Without the password, whether an email is taken is not disclosed.
    status, body = await call(
        client, "PUT", "/auth/profile", headers=headers, json={"email": "ADMIN@paas.com"}
    )
    assert (status, error_fields(body)) == (400, {"currentPassword"}), body
    status, body = await call(
        client,
        "PUT",
        "/auth/profile",
        headers=headers,
        json={"email": "ADMIN@paas.com", "currentPassword": USER_PASSWORD},
    )
    assert status == 409 and body["code"] == "CONFLICT"

    status, body = await call(client, "PUT", "/auth/profile", headers=headers, json={})
    assert status == 400 and body["code"] == "VALIDATION_ERROR"

    status, body = await call(client, "GET", "/auth/profile", headers=headers)
    assert body["data"]["email"] == "user@paas.com"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt"],
    ids=["absent", "empty", "no-token", "basic", "garbage"],
)
async def test_profile_needs_a_bearer_access_token(
    client: TestClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    status, body = await call(client, "GET", "/auth/profile", headers=headers)
    assert status == 401
    assert body["code"] == "UNAUTHORIZED"


# --- refresh -------------------------------------------------------------------


async def test_refresh_rotates_the_pair_and_spends_the_old_refresh_token(
    client: TestClient,
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    first = await sign_in(client, "user@paas.com", USER_PASSWORD)

    status, body = await refresh(client, first["refreshToken"])
    assert status == 200
    second = body["data"]
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]
    assert second["user"]["email"] == "user@paas.com"
    assert await profile_status(client, second["accessToken"]) == 200

    status, body = await refresh(client, second["refreshToken"])
    assert status == 200, body


async def test_spent_refresh_token_revokes_the_whole_family(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    stolen = await sign_in(client, "user@paas.com", USER_PASSWORD)
    other_login = await sign_in(client, "user@paas.com", USER_PASSWORD)

    _, body = await refresh(client, stolen["refreshToken"])
    newest = body["data"]["refreshToken"]

    status, body = await refresh(client, stolen["refreshToken"])
    assert status == 401
    assert body["code"] == "UNAUTHORIZED"
    # The thief's replay also ends the legitimate holder's newest token...
    status, _ = await refresh(client, newest)
    assert status == 401
    # ...but not a separate login of the same account.
    status, _ = await refresh(client, other_login["refreshToken"])
    assert status == 200


async def test_of_two_concurrent_refreshes_one_wins_and_the_family_ends(
    client: TestClient,
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    answers = await asyncio.gather(
        refresh(client, tokens["refreshToken"]), refresh(client, tokens["refreshToken"])
    )
    assert sorted(status for status, _ in answers) == [200, 401]
    # The race is a reuse like any other: the winner's new token is revoked too.
    winner = next(body for status, body in answers if status == 200)
    status, _ = await refresh(client, winner["data"]["refreshToken"])
    assert status == 401


async def test_refresh_refuses_an_unknown_token(client: TestClient) -> None:
    status, body = await refresh(client, "mpr_made-up")
    assert status == 401 and body["code"] == "UNAUTHORIZED"
    status, body = await call(client, "POST", "/auth/refresh", json={})
    assert status == 400 and error_fields(body) == {"refreshToken"}


async def test_refresh_token_expires_after_its_lifetime(make_client: Any, clock: FakeClock) -> None:
    client = await make_client(refresh_token_ttl=3600)
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    clock.advance(3601)
    status, body = await refresh(client, tokens["refreshToken"])
    assert status == 401
    assert body["code"] == "TOKEN_EXPIRED"


# --- logout --------------------------------------------------------------------


async def test_logout_with_a_refresh_token_ends_that_login_only(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    laptop = await sign_in(client, "user@paas.com", USER_PASSWORD)
    phone = await sign_in(client, "user@paas.com", USER_PASSWORD)
    # Rotate once so the family has more than one member.
    _, body = await refresh(client, laptop["refreshToken"])
    laptop_newest = body["data"]

    status, body = await call(
        client,
        "POST",
        "/auth/logout",
        headers=bearer(laptop_newest["accessToken"]),
        json={"refreshToken": laptop_newest["refreshToken"]},
    )
    assert status == 200, body
    assert body["data"]["sessionsEnded"] >= 1

    status, _ = await refresh(client, laptop_newest["refreshToken"])
    assert status == 401
    status, _ = await refresh(client, phone["refreshToken"])
    assert status == 200


async def test_logout_refuses_someone_elses_refresh_token(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    await create_account(client, "other@paas.com", USER_PASSWORD)
    mine = await sign_in(client, "user@paas.com", USER_PASSWORD)
    theirs = await sign_in(client, "other@paas.com", USER_PASSWORD)
    status, body = await call(
        client,
        "POST",
        "/auth/logout",
        headers=bearer(mine["accessToken"]),
        json={"refreshToken": theirs["refreshToken"]},
    )
    assert status == 400 and error_fields(body) == {"refreshToken"}
    status, _ = await refresh(client, theirs["refreshToken"])
    assert status == 200


async def test_logout_without_a_token_ends_every_session(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    laptop = await sign_in(client, "user@paas.com", USER_PASSWORD)
    phone = await sign_in(client, "user@paas.com", USER_PASSWORD)

    status, body = await call(client, "POST", "/auth/logout", headers=bearer(laptop["accessToken"]))
    assert status == 200, body
    assert body["data"]["sessionsEnded"] == 2

    for tokens in (laptop, phone):
        assert await profile_status(client, tokens["accessToken"]) == 401
        status, _ = await refresh(client, tokens["refreshToken"])
        assert status == 401
    # Signing in again still works.
    fresh = await sign_in(client, "user@paas.com", USER_PASSWORD)
    assert await profile_status(client, fresh["accessToken"]) == 200


async def test_logout_needs_a_signed_in_caller(client: TestClient) -> None:
    status, body = await call(client, "POST", "/auth/logout", json={})
    assert status == 401 and body["code"] == "UNAUTHORIZED"


# --- password ------------------------------------------------------------------

NEW_PASSWORD = "N3w!password"


async def test_change_password_refuses_a_wrong_current_password(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    status, body = await call(
        client,
        "PUT",
        "/auth/password",
        headers=bearer(tokens["accessToken"]),
        json={"currentPassword": "Wr0ng!pass", "newPassword": NEW_PASSWORD},
    )
    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert error_fields(body) == {"currentPassword"}
    # Nothing changed: the session and the old password still work.
    assert await profile_status(client, tokens["accessToken"]) == 200
    await sign_in(client, "user@paas.com", USER_PASSWORD)


async def test_change_password_holds_the_new_one_to_the_policy(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    status, body = await call(
        client,
        "PUT",
        "/auth/password",
        headers=bearer(tokens["accessToken"]),
        json={"currentPassword": USER_PASSWORD, "newPassword": "weak"},
    )
    assert status == 400
    assert error_fields(body) == {"newPassword"}


async def test_change_password_ends_every_other_session(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    here = await sign_in(client, "user@paas.com", USER_PASSWORD)
    elsewhere = await sign_in(client, "user@paas.com", USER_PASSWORD)

    status, body = await call(
        client,
        "PUT",
        "/auth/password",
        headers=bearer(here["accessToken"]),
        json={"currentPassword": USER_PASSWORD, "newPassword": NEW_PASSWORD},
    )
    assert status == 200, body
    renewed = body["data"]

    # The new pair works.
    assert await profile_status(client, renewed["accessToken"]) == 200
    status, _ = await refresh(client, renewed["refreshToken"])
    assert status == 200
    # Every earlier session is over: access and refresh tokens alike.
    for tokens in (here, elsewhere):
        assert await profile_status(client, tokens["accessToken"]) == 401
        status, _ = await refresh(client, tokens["refreshToken"])
        assert status == 401
    # Only the new password signs in.
    status, _ = await call(
        client, "POST", "/auth/login", json={"email": "user@paas.com", "password": USER_PASSWORD}
    )
    assert status == 401
    await sign_in(client, "user@paas.com", NEW_PASSWORD)


# --- access tokens -------------------------------------------------------------


async def test_access_token_expires_after_fifteen_minutes(
    client: TestClient, clock: FakeClock
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    clock.advance(14 * 60)
    assert await profile_status(client, tokens["accessToken"]) == 200
    clock.advance(2 * 60)
    status, body = await call(client, "GET", "/auth/profile", headers=bearer(tokens["accessToken"]))
    assert status == 401
    assert body["code"] == "TOKEN_EXPIRED"
    # The refresh token still gets a fresh, working pair.
    _, body = await refresh(client, tokens["refreshToken"])
    assert await profile_status(client, body["data"]["accessToken"]) == 200


@pytest.mark.parametrize(
    "forgery",
    ["other-secret", "alg-none", "wrong-audience", "wrong-issuer", "not-access-typ", "no-exp"],
)
async def test_access_tokens_not_made_by_this_server_are_refused(
    client: TestClient, forgery: str
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    # Claim forgeries are signed with the server's own secret, so only the
    # claim check can be what refuses them.
    key: str | None = client.app[CONFIG].jwt_secret
    algorithm = "HS256"
    if forgery == "other-secret":
        key = "another-secret-" + "y" * 40
    elif forgery == "alg-none":
        key, algorithm = None, "none"
    elif forgery == "wrong-audience":
        claims["aud"] = "someone-else"
    elif forgery == "wrong-issuer":
        claims["iss"] = "someone-else"
    elif forgery == "not-access-typ":
        claims["typ"] = "refresh"
    elif forgery == "no-exp":
        del claims["exp"]
    token = jwt.encode(claims, key, algorithm=algorithm)
    status, body = await call(client, "GET", "/auth/profile", headers=bearer(token))
    assert status == 401
    assert body["code"] == "UNAUTHORIZED"


async def test_a_correctly_signed_token_with_the_original_claims_is_accepted(
    client: TestClient,
) -> None:
    """The control for the forgeries above: re-signing the same claims works."""
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    token = jwt.encode(claims, client.app[CONFIG].jwt_secret, algorithm="HS256")
    assert await profile_status(client, token) == 200


# --- deactivation --------------------------------------------------------------


async def test_a_deactivated_account_loses_its_sessions_and_cannot_sign_in(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    tokens = await sign_in(client, "user@paas.com", USER_PASSWORD)
    user_id = tokens["user"]["id"]

    status, body = await call(
        client, "PUT", f"/users/{user_id}", headers=admin_headers, json={"isActive": False}
    )
    assert status == 200, body

    assert await profile_status(client, tokens["accessToken"]) == 401
    status, _ = await refresh(client, tokens["refreshToken"])
    assert status == 401
    status, body = await call(
        client, "POST", "/auth/login", json={"email": "user@paas.com", "password": USER_PASSWORD}
    )
    assert status == 403
    assert body["code"] == "FORBIDDEN"
    # A wrong password still gets the generic answer: deactivation is not disclosed to guessers.
    status, body = await call(
        client, "POST", "/auth/login", json={"email": "user@paas.com", "password": "Wr0ng!pass"}
    )
    assert status == 401
