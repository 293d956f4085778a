"""Abuse limits: login throttling per account and per address, and the general rate limit."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from controlplane.appkeys import CONFIG
from tests.conftest import USER_PASSWORD, AppFactory, FakeClock, create_account

LOGIN = "/api/v1/auth/login"
WRONG = "Wr0ng!pass"


async def login(client: TestClient, email: str, password: str) -> ClientResponse:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def fail_logins(client: TestClient, email: str, times: int) -> None:
    for _ in range(times):
        resp = await login(client, email, WRONG)
        assert resp.status == 401, await resp.text()


async def rate_limited(resp: ClientResponse) -> dict[str, Any]:
    assert resp.status == 429, await resp.text()
    body = await resp.json()
    assert body["code"] == "RATE_LIMITED" and body["success"] is False
    assert int(resp.headers["Retry-After"]) >= 1
    return dict(body)


async def test_an_account_is_locked_after_too_many_failures(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    limit = client.app[CONFIG].login_max_failures
    window = client.app[CONFIG].login_window_seconds

    await fail_logins(client, "user@paas.com", limit)
    resp = await login(client, "user@paas.com", WRONG)
    await rate_limited(resp)
    assert int(resp.headers["Retry-After"]) <= window + 1
    # The right password does not open a locked account either.
    await rate_limited(await login(client, "user@paas.com", USER_PASSWORD))
    # Any spelling of the address is the same account.
    await rate_limited(await login(client, " USER@paas.com", USER_PASSWORD))
    # Other accounts are unaffected.
    await create_account(client, "other@paas.com", USER_PASSWORD)
    assert (await login(client, "other@paas.com", USER_PASSWORD)).status == 200


async def test_a_lockout_reads_the_same_for_unknown_and_known_emails(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    limit = client.app[CONFIG].login_max_failures
    await fail_logins(client, "user@paas.com", limit)
    await fail_logins(client, "ghost@paas.com", limit)
    known = await rate_limited(await login(client, "user@paas.com", WRONG))
    unknown = await rate_limited(await login(client, "ghost@paas.com", WRONG))
    assert known["message"] == unknown["message"]


async def test_the_lockout_ends_with_the_window(client: TestClient, clock: FakeClock) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    config = client.app[CONFIG]
    await fail_logins(client, "user@paas.com", config.login_max_failures)
    resp = await login(client, "user@paas.com", USER_PASSWORD)
    await rate_limited(resp)

    clock.advance(config.login_window_seconds - 60)
    await rate_limited(await login(client, "user@paas.com", USER_PASSWORD))

    clock.advance(61)
    resp = await login(client, "user@paas.com", USER_PASSWORD)
    assert resp.status == 200, await resp.text()


async def test_a_successful_login_clears_the_accounts_failures(client: TestClient) -> None:
    await create_account(client, "user@paas.com", USER_PASSWORD)
    limit = client.app[CONFIG].login_max_failures
    await fail_logins(client, "user@paas.com", limit - 1)
    assert (await login(client, "user@paas.com", USER_PASSWORD)).status == 200
    await fail_logins(client, "user@paas.com", limit - 1)
    assert (await login(client, "user@paas.com", USER_PASSWORD)).status == 200


async def test_one_address_failing_on_many_accounts_is_throttled(
    make_client: AppFactory, clock: FakeClock
) -> None:
    client = await make_client(login_max_failures_per_ip=3)
    await create_account(client, "user@paas.com", USER_PASSWORD)
    for i in range(3):
        await fail_logins(client, f"victim{i}@paas.com", 1)
    # Even a genuine login from that address waits now.
    await rate_limited(await login(client, "user@paas.com", USER_PASSWORD))

    clock.advance(client.app[CONFIG].login_window_seconds + 1)
    assert (await login(client, "user@paas.com", USER_PASSWORD)).status == 200


async def test_the_general_limit_refuses_a_burst_beyond_its_size(
    make_client: AppFactory,
) -> None:
    client = await make_client(rate_limit_per_minute=60, rate_limit_burst=3)
    for _ in range(3):
        assert (await client.get("/api/v1/openapi.json")).status == 200
    resp = await client.get("/api/v1/auth/profile")
    body = await rate_limited(resp)
    assert body["statusCode"] == 429
    # At 60 a minute the next request is allowed within about a second.
    assert int(resp.headers["Retry-After"]) <= 2
    # Probes are never limited.
    for _ in range(5):
        assert (await client.get("/health")).status == 200
    assert (await client.get("/ready")).status == 200


async def test_the_general_limit_is_off_when_set_to_zero(make_client: AppFactory) -> None:
    client = await make_client(rate_limit_per_minute=0, rate_limit_burst=1)
    for _ in range(5):
        assert (await client.get("/api/v1/nothing")).status == 404


async def test_a_forged_forwarded_for_does_not_escape_the_limit(make_client: AppFactory) -> None:
    client = await make_client(rate_limit_per_minute=60, rate_limit_burst=2)
    for i in range(2):
        resp = await client.get("/api/v1/openapi.json", headers={"X-Forwarded-For": f"10.0.0.{i}"})
        assert resp.status == 200
    await rate_limited(
        await client.get("/api/v1/openapi.json", headers={"X-Forwarded-For": "10.0.0.9"})
    )


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    make_client: AppFactory,
) -> None:
    # Two proxies (a CDN, then the ingress): the client is the second entry from the right.
    client = await make_client(rate_limit_per_minute=60, rate_limit_burst=2, trusted_proxies=2)
    first = {"X-Forwarded-For": "203.0.113.7, 10.0.0.1"}
    for _ in range(2):
        assert (await client.get("/api/v1/openapi.json", headers=first)).status == 200
    await rate_limited(await client.get("/api/v1/openapi.json", headers=first))
    second = {"X-Forwarded-For": "198.51.100.4, 10.0.0.1"}
    assert (await client.get("/api/v1/openapi.json", headers=second)).status == 200


async def test_what_a_client_writes_into_x_forwarded_for_itself_dodges_no_limit(
    make_client: AppFactory,
) -> None:
    # One ingress appends the address that connected to it; the entries left of it are the
    # client's own words, different on every request here.
    client = await make_client(rate_limit_per_minute=60, rate_limit_burst=2, trusted_proxies=1)
    for i in range(2):
        spoofed = {"X-Forwarded-For": f"192.0.2.{i}, 198.51.100.9"}
        assert (await client.get("/api/v1/openapi.json", headers=spoofed)).status == 200
    spoofed = {"X-Forwarded-For": "192.0.2.200, 198.51.100.9"}
    await rate_limited(await client.get("/api/v1/openapi.json", headers=spoofed))


async def test_a_password_guesser_locks_out_themselves_not_the_owner(
    make_client: AppFactory,
) -> None:
    client = await make_client(trusted_proxies=1)
    await create_account(client, "user@paas.com", USER_PASSWORD)
    guesser = {"X-Forwarded-For": "192.0.2.66"}
    owner = {"X-Forwarded-For": "198.51.100.20"}
    limit = client.app[CONFIG].login_max_failures
    for _ in range(limit):
        resp = await client.post(
            LOGIN, json={"email": "user@paas.com", "password": WRONG}, headers=guesser
        )
        assert resp.status == 401
    right = {"email": "user@paas.com", "password": USER_PASSWORD}
    await rate_limited(await client.post(LOGIN, json=right, headers=guesser))
    assert (await client.post(LOGIN, json=right, headers=owner)).status == 200


async def test_guessing_spread_over_many_addresses_locks_the_account_everywhere(
    make_client: AppFactory,
) -> None:
    client = await make_client(trusted_proxies=1, login_max_failures_per_account=6)
    await create_account(client, "user@paas.com", USER_PASSWORD)
    for i in range(6):
        resp = await client.post(
            LOGIN,
            json={"email": "user@paas.com", "password": WRONG},
            headers={"X-Forwarded-For": f"192.0.2.{i}"},
        )
        assert resp.status == 401
    right = {"email": "user@paas.com", "password": USER_PASSWORD}
    fresh = {"X-Forwarded-For": "198.51.100.20"}
    await rate_limited(await client.post(LOGIN, json=right, headers=fresh))


async def test_guessed_node_tokens_are_throttled_per_address_before_any_lookup(
    make_client: AppFactory,
) -> None:
    client = await make_client(trusted_proxies=1, node_token_failures_per_minute=3)
    node_id = "00000000-0000-0000-0000-000000000001"
    path = f"/api/v1/workers/{node_id}/heartbeat"
    guesser = {"Authorization": "Bearer mpn_" + "x" * 40, "X-Forwarded-For": "192.0.2.5"}
    for _ in range(3):
        assert (await client.post(path, json={}, headers=guesser)).status == 401
    await rate_limited(await client.post(path, json={}, headers=guesser))
    # Another address is not held back by that one's failures.
    other = {**guesser, "X-Forwarded-For": "198.51.100.5"}
    assert (await client.post(path, json={}, headers=other)).status == 401
