"""Email verification and password reset, from the mail a real SMTP server received."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.appkeys import DELIVERY
from controlplane.db.models import OutboxEvent, UserToken
from tests.conftest import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    AppFactory,
    FakeClock,
    bearer,
    create_account,
    sign_in,
)
from tests.smtp import MailServer, Received

NEW_PASSWORD = "Brand-new-pass1"


async def _app(make_client: AppFactory, mail_server: MailServer, **settings: Any) -> TestClient:
    return await make_client(smtp_url=mail_server.url, **settings)


async def _register(client: TestClient, email: str = "new@example.com") -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "New One",
            "email": email,
            "password": USER_PASSWORD,
            "confirmPassword": USER_PASSWORD,
        },
    )
    assert resp.status == 201, await resp.text()
    return dict((await resp.json())["data"])


async def _mails(client: TestClient, server: MailServer, to: str) -> list[Received]:
    await client.app[DELIVERY].drain()
    return server.to(to)


def _token(mail: Received, path: str) -> str:
    found = re.search(rf"/{path}\?token=(\S+)", mail.part("plain"))
    assert found, mail.part("plain")
    assert f"/{path}?token={found.group(1)}" in mail.part("html")
    return found.group(1)


async def _post(client: TestClient, path: str, body: Any, headers: Any = None) -> tuple[int, Any]:
    resp = await client.post(f"/api/v1{path}", json=body, headers=headers)
    return resp.status, await resp.json()


async def test_registration_mails_a_link_that_verifies_the_email_once(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    registered = await _register(client)
    assert registered["user"]["emailVerified"] is False

    (mail,) = await _mails(client, mail_server, "new@example.com")
    assert mail.subject == "Confirm your email address for MinisPod"
    token = _token(mail, "verify-email")
    # Kept only as a digest, and sealed in the outbox: the raw token is in the mail alone.
    stored = await UserToken.get(user_id=registered["user"]["id"])
    assert stored.token_hash != token and token not in stored.token_hash
    event = await OutboxEvent.get(type="user.registered")
    assert token not in str(event.payload)

    status, body = await _post(client, "/auth/verify-email", {"token": token})
    assert status == 200 and body["data"]["emailVerified"] is True
    profile = await client.get("/api/v1/auth/profile", headers=bearer(registered["accessToken"]))
    assert (await profile.json())["data"]["emailVerified"] is True

    status, body = await _post(client, "/auth/verify-email", {"token": token})
    assert (status, body["code"]) == (400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "token"


async def test_a_verification_link_expires(
    make_client: AppFactory, mail_server: MailServer, clock: FakeClock
) -> None:
    client = await _app(make_client, mail_server, email_verification_ttl=3600)
    await _register(client)
    token = _token((await _mails(client, mail_server, "new@example.com"))[0], "verify-email")
    clock.advance(3600)
    status, body = await _post(client, "/auth/verify-email", {"token": token})
    assert (status, body["code"]) == (400, "VALIDATION_ERROR")


async def test_an_unverified_user_may_log_in_but_not_subscribe_or_top_up(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    await _register(client)
    headers = bearer((await sign_in(client, "new@example.com", USER_PASSWORD))["accessToken"])
    top_up = {"amount": 1000, "provider": "manual"}
    subscribe = {"serviceId": str(uuid.uuid4())}
    for path, body in (("/billing/top-ups", top_up), ("/subscriptions", subscribe)):
        status, answer = await _post(client, path, body, headers)
        assert (status, answer["code"]) == (403, "EMAIL_NOT_VERIFIED"), answer

    token = _token((await _mails(client, mail_server, "new@example.com"))[0], "verify-email")
    assert (await _post(client, "/auth/verify-email", {"token": token}))[0] == 200
    status, answer = await _post(client, "/billing/top-ups", top_up, headers)
    assert status == 201, answer


async def test_the_no_login_policy_keeps_unverified_users_out_until_verified(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server, unverified_policy="no-login")
    await _register(client)
    login = {"email": "new@example.com", "password": USER_PASSWORD}
    status, body = await _post(client, "/auth/login", login)
    assert (status, body["code"]) == (403, "EMAIL_NOT_VERIFIED")
    token = _token((await _mails(client, mail_server, "new@example.com"))[0], "verify-email")
    await _post(client, "/auth/verify-email", {"token": token})
    assert (await _post(client, "/auth/login", login))[0] == 200


async def test_accounts_made_by_administrators_and_seed_count_as_verified(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await create_account(client, "made@example.com", USER_PASSWORD)
    signed_in = await sign_in(client, "made@example.com", USER_PASSWORD)
    assert signed_in["user"]["emailVerified"] is True
    status, body = await _post(
        client,
        "/users",
        {"name": "By Admin", "email": "byadmin@example.com", "password": USER_PASSWORD},
        admin_headers,
    )
    assert status == 201 and body["data"]["emailVerified"] is True


async def test_a_new_verification_link_is_mailed_at_most_once_a_minute(
    make_client: AppFactory, mail_server: MailServer, clock: FakeClock
) -> None:
    client = await _app(make_client, mail_server)
    await _register(client)
    clock.advance(61)
    resend = {"email": "new@example.com"}
    assert (await _post(client, "/auth/resend-verification", resend))[0] == 202
    assert (await _post(client, "/auth/resend-verification", resend))[0] == 202
    first, second = await _mails(client, mail_server, "new@example.com")
    assert second.subject == "Your new MinisPod confirmation link"
    clock.advance(61)
    assert (await _post(client, "/auth/resend-verification", resend))[0] == 202
    assert len(await _mails(client, mail_server, "new@example.com")) == 3

    old = _token(first, "verify-email")
    status, _ = await _post(client, "/auth/verify-email", {"token": old})
    assert status == 400  # only the newest link works
    newest = _token(mail_server.to("new@example.com")[-1], "verify-email")
    assert (await _post(client, "/auth/verify-email", {"token": newest}))[0] == 200
    clock.advance(61)
    assert (await _post(client, "/auth/resend-verification", resend))[0] == 202
    assert len(await _mails(client, mail_server, "new@example.com")) == 3  # verified: no more


async def test_forgot_password_answers_alike_and_mails_only_known_addresses(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    await create_account(client, "known@example.com", USER_PASSWORD)
    answers = {}
    for email in ("known@example.com", "nobody@example.com"):
        started = time.monotonic()
        resp = await client.post("/api/v1/auth/forgot-password", json={"email": email})
        took = time.monotonic() - started
        body = await resp.json()
        body.pop("timestamp")
        answers[email] = (resp.status, body, took)
    (s1, b1, t1), (s2, b2, t2) = answers.values()
    assert (s1, b1) == (s2, b2) == (202, b1)
    assert b1["success"] is True
    assert t1 >= 0.25 and t2 >= 0.25 and abs(t1 - t2) < 0.1, (t1, t2)

    await client.app[DELIVERY].drain()
    assert [m.recipients for m in mail_server.received] == [["known@example.com"]]
    assert mail_server.received[0].subject == "Reset your MinisPod password"


async def test_a_reset_link_sets_the_password_once_and_ends_every_session(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    await create_account(client, "known@example.com", USER_PASSWORD)
    sessions = [await sign_in(client, "known@example.com", USER_PASSWORD) for _ in range(2)]
    await _post(client, "/auth/forgot-password", {"email": "known@example.com"})
    token = _token((await _mails(client, mail_server, "known@example.com"))[0], "reset-password")

    weak = await _post(client, "/auth/reset-password", {"token": token, "newPassword": "weak"})
    assert weak[0] == 400 and weak[1]["errors"][0]["field"] == "newPassword"
    status, body = await _post(
        client, "/auth/reset-password", {"token": token, "newPassword": NEW_PASSWORD}
    )
    assert status == 200, body

    for session in sessions:
        profile = await client.get("/api/v1/auth/profile", headers=bearer(session["accessToken"]))
        assert profile.status == 401
        status, _ = await _post(client, "/auth/refresh", {"refreshToken": session["refreshToken"]})
        assert status == 401
    assert (
        await _post(
            client, "/auth/login", {"email": "known@example.com", "password": USER_PASSWORD}
        )
    )[0] == 401
    await sign_in(client, "known@example.com", NEW_PASSWORD)

    again = await _post(
        client, "/auth/reset-password", {"token": token, "newPassword": "Other-pass-99"}
    )
    assert again[0] == 400
    mails = await _mails(client, mail_server, "known@example.com")
    assert [m.subject for m in mails] == [
        "Reset your MinisPod password",
        "Your MinisPod password was changed",
    ]


async def test_a_reset_link_works_for_30_minutes_only(
    make_client: AppFactory, mail_server: MailServer, clock: FakeClock
) -> None:
    client = await _app(make_client, mail_server)
    await create_account(client, "known@example.com", USER_PASSWORD)
    await _post(client, "/auth/forgot-password", {"email": "known@example.com"})
    mail = (await _mails(client, mail_server, "known@example.com"))[0]
    assert "expires in 30 minutes" in mail.part("plain")
    clock.advance(30 * 60)
    body = {"token": _token(mail, "reset-password"), "newPassword": NEW_PASSWORD}
    assert (await _post(client, "/auth/reset-password", body))[0] == 400
    await sign_in(client, "known@example.com", USER_PASSWORD)


async def test_an_administrator_can_mail_a_user_a_reset_link(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    await create_account(client, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR")
    admin = bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    await create_account(client, "known@example.com", USER_PASSWORD)
    user = await sign_in(client, "known@example.com", USER_PASSWORD)
    path = f"/users/{user['user']['id']}/password-reset"

    status, body = await _post(client, path, None, bearer(user["accessToken"]))
    assert (status, body["code"]) == (403, "FORBIDDEN")
    assert (await _post(client, f"/users/{uuid.uuid4()}/password-reset", None, admin))[0] == 404
    assert (await _post(client, path, None, admin))[0] == 202
    (mail,) = await _mails(client, mail_server, "known@example.com")
    assert "an administrator started a password reset" in mail.part("plain")
    body = {"token": _token(mail, "reset-password"), "newPassword": NEW_PASSWORD}
    assert (await _post(client, "/auth/reset-password", body))[0] == 200


async def test_changing_the_password_mails_the_owner_a_notice(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    await create_account(client, "known@example.com", USER_PASSWORD)
    session = await sign_in(client, "known@example.com", USER_PASSWORD)
    resp = await client.put(
        "/api/v1/auth/password",
        json={"currentPassword": USER_PASSWORD, "newPassword": NEW_PASSWORD},
        headers=bearer(session["accessToken"]),
    )
    assert resp.status == 200
    (mail,) = await _mails(client, mail_server, "known@example.com")
    assert "was changed" in mail.part("plain")


async def test_a_changed_email_is_unverified_until_its_own_link_is_followed(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await _app(make_client, mail_server)
    registered = await _register(client, "old@example.com")
    who = bearer(registered["accessToken"])
    (first,) = await _mails(client, mail_server, "old@example.com")
    old_link = _token(first, "verify-email")
    status, body = await _post(client, "/auth/verify-email", {"token": old_link})
    assert status == 200 and body["data"]["emailVerified"] is True

    # A link mailed to the old address before the change (a reset) must not work after it.
    assert (await _post(client, "/auth/forgot-password", {"email": "old@example.com"}))[0] == 202
    reset_mail = (await _mails(client, mail_server, "old@example.com"))[-1]
    reset_link = _token(reset_mail, "reset-password")

    resp = await client.put(
        "/api/v1/auth/profile",
        json={"email": "moved@example.com", "currentPassword": USER_PASSWORD},
        headers=who,
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["data"]["emailVerified"] is False

    notice = (await _mails(client, mail_server, "old@example.com"))[-1]
    assert "moved@example.com" in notice.part("plain")
    (verify,) = await _mails(client, mail_server, "moved@example.com")
    status, _ = await _post(
        client, "/auth/reset-password", {"token": reset_link, "newPassword": NEW_PASSWORD}
    )
    assert status == 400  # voided by the change
    status, body = await _post(
        client, "/auth/verify-email", {"token": _token(verify, "verify-email")}
    )
    assert status == 200 and body["data"]["emailVerified"] is True
    assert body["data"]["email"] == "moved@example.com"
