"""Webhooks end to end: a real receiver on 127.0.0.1 hears signed events it can verify with
the Standard Webhooks library, failures are retried and logged, a dead endpoint is
disabled and its owner mailed, and nobody reaches another user's endpoints or the
platform's private network through them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from standardwebhooks.webhooks import Webhook as Verifier
from tortoise.transactions import in_transaction

from controlplane.app import create_app
from controlplane.appkeys import DELIVERY, OUTBOX
from controlplane.db.models import OutboxEvent, User, Webhook, WebhookDelivery
from controlplane.services.events.delivery import RetryPolicy
from tests.conftest import FakeClock, bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe
from tests.smtp import MailServer
from tests.webhook_receiver import Receiver

HOOKS = "/api/v1/webhooks"


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster, mail_server: MailServer) -> TestClient:
    """The app with this machine's loopback allowed as a webhook target, mailing for real."""
    app = create_app(
        config.replace(
            run_jobs=False,
            smtp_url=mail_server.url,
            webhook_allow_networks="127.0.0.1/32",
            webhook_disable_after="PT6H",
            webhook_timeout=2.0,
        ),
        clock=clock,
        cluster=cluster,
    )
    return await aiohttp_client(app)


async def make_hook(
    client: TestClient, who: dict[str, str], url: str, events: list[str] | None = None
) -> dict[str, Any]:
    resp = await client.post(
        HOOKS,
        json={"url": url, "events": events or ["subscription.created"], "description": "ci"},
        headers=who,
    )
    assert resp.status == 201, await resp.text()
    return dict((await resp.json())["data"])


async def deliveries(client: TestClient, who: dict[str, str], hook_id: str) -> list[dict[str, Any]]:
    resp = await client.get(f"{HOOKS}/{hook_id}/deliveries", headers=who)
    assert resp.status == 200, await resp.text()
    return list((await resp.json())["data"]["deliveries"])


async def drain(client: TestClient) -> None:
    """Delivers what is due now, as every replica's delivery loop does."""
    await client.app[DELIVERY].drain()


async def test_an_endpoint_hears_the_events_it_chose_signed_so_it_can_verify_them(
    platform, services, receiver: Receiver
) -> None:
    ada = await customer(platform, "ada@example.com")
    hook = await make_hook(
        platform, ada, receiver.url(), ["subscription.created", "billing.charged"]
    )
    secret = hook["secret"]
    assert secret.startswith("whsec_")
    shown = await platform.get(f"{HOOKS}/{hook['id']}", headers=ada)
    assert "secret" not in (await shown.json())["data"]  # shown once, at creation only

    assert (await subscribe(platform, ada, services["ghost"])).status == 201
    await drain(platform)

    types = sorted(json.loads(h.body)["type"] for h in receiver.hits)
    assert types == ["billing.charged", "subscription.created"]  # not billing.topped_up etc.
    for hit in receiver.hits:
        body = Verifier(secret).verify(hit.body, hit.headers)  # raises when it does not verify
        event = await OutboxEvent.get(id=uuid.UUID(hit.headers["webhook-id"]))
        assert body["type"] == event.type and body["data"] == event.payload
        assert event.subject == str((await User.get(email="ada@example.com")).id)
        # The signature by the specification's recipe, computed without the library.
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signed = f"{hit.headers['webhook-id']}.{hit.headers['webhook-timestamp']}.".encode()
        mac = base64.b64encode(hmac.new(key, signed + hit.body, hashlib.sha256).digest())
        assert hit.headers["webhook-signature"] == "v1," + mac.decode()
        tampered = hit.body.replace(b"subscription", b"subscriptiox")
        with pytest.raises(Exception, match="signature"):
            Verifier(secret).verify(tampered, hit.headers)

    log = await deliveries(platform, ada, hook["id"])
    assert {d["status"] for d in log} == {"DELIVERED"} and len(log) == 2
    attempt = log[0]["log"][0]
    assert attempt["statusCode"] == 200 and attempt["response"] == "answered 200"
    assert attempt["latencyMs"] >= 0 and attempt["error"] is None


async def test_a_failing_endpoint_is_retried_with_growing_waits_under_one_webhook_id(
    platform, receiver: Receiver, clock: FakeClock
) -> None:
    bo = await customer(platform, "bo@example.com", funds=0)
    hook = await make_hook(platform, bo, receiver.url())
    receiver.answers = [500, 502]
    assert (await platform.post(f"{HOOKS}/{hook['id']}/ping", headers=bo)).status == 202
    waits = []
    for _ in range(3):
        await drain(platform)
        [delivery] = await deliveries(platform, bo, hook["id"])
        if delivery["status"] != "PENDING":
            break
        due = datetime.fromisoformat(delivery["nextAttemptAt"])
        waits.append((due - clock()).total_seconds())
        clock.advance((due - clock()).total_seconds() + 1)
    assert delivery["status"] == "DELIVERED"
    assert [a["statusCode"] for a in delivery["log"]] == [500, 502, 200]
    assert [a["attempt"] for a in delivery["log"]] == [1, 2, 3]
    assert waits[1] == pytest.approx(2 * waits[0], abs=2)  # exponential
    assert len({h.headers["webhook-id"] for h in receiver.hits}) == 1
    assert len({h.headers["webhook-signature"] for h in receiver.hits}) >= 1


def test_the_default_retries_span_more_than_a_day() -> None:
    policy = RetryPolicy(20, 60.0, 2 * 3600.0)
    waited = sum(policy.delay(n).total_seconds() for n in range(1, policy.max_attempts))
    assert waited >= 24 * 3600


async def test_an_endpoint_failing_past_the_limit_is_disabled_and_its_owner_mailed(
    platform, receiver: Receiver, clock: FakeClock, mail_server: MailServer
) -> None:
    cy = await customer(platform, "cy@example.com", funds=0)
    hook = await make_hook(platform, cy, receiver.url())
    receiver.answers = [503] * 50
    await platform.post(f"{HOOKS}/{hook['id']}/ping", headers=cy)
    await drain(platform)
    failing = await Webhook.get(id=hook["id"])
    assert failing.enabled and failing.failing_since is not None
    clock.advance(7 * 3600)  # past PT6H, and past the first retry's wait
    await drain(platform)
    cy = bearer((await sign_in(platform, "cy@example.com", "Customer1!x"))["accessToken"])
    shown = (await (await platform.get(f"{HOOKS}/{hook['id']}", headers=cy)).json())["data"]
    assert shown["enabled"] is False and "HTTP 503" in shown["disabledReason"]
    mails = [m for m in mail_server.to("cy@example.com") if "disabled" in m.subject]
    assert len(mails) == 1 and receiver.url() in mails[0].part("plain")
    # Disabled: new events are not queued for it, and it cannot be pinged.
    assert (await platform.post(f"{HOOKS}/{hook['id']}/ping", headers=cy)).status == 409
    assert await WebhookDelivery.filter(webhook_id=hook["id"]).count() == 1
    # Its owner turns it on again: failures are forgiven, a ping goes through.
    receiver.answers = []
    on = await platform.put(f"{HOOKS}/{hook['id']}", json={"enabled": True}, headers=cy)
    assert on.status == 200 and (await on.json())["data"]["failingSince"] is None
    assert (await platform.post(f"{HOOKS}/{hook['id']}/ping", headers=cy)).status == 202
    await drain(platform)
    assert receiver.hits[-1].headers["webhook-id"] != receiver.hits[0].headers["webhook-id"]
    assert (await Webhook.get(id=hook["id"])).failing_since is None


async def test_a_finished_delivery_is_redelivered_under_the_same_id_and_a_pending_one_is_not(
    platform, receiver: Receiver
) -> None:
    di = await customer(platform, "di@example.com", funds=0)
    hook = await make_hook(platform, di, receiver.url())
    receiver.answers = [500]
    ping = await platform.post(f"{HOOKS}/{hook['id']}/ping", headers=di)
    delivery_id = (await ping.json())["data"]["id"]
    await drain(platform)
    again = f"{HOOKS}/{hook['id']}/deliveries/{delivery_id}/redeliver"
    pending = await platform.post(again, headers=di)
    assert pending.status == 409  # still on its way: its retry is scheduled
    # As if it had failed for good (its last attempt spent).
    await WebhookDelivery.filter(id=delivery_id).update(
        next_attempt_at=None, failed_at=datetime.now(UTC)
    )
    assert (await platform.post(again, headers=di)).status == 202
    await drain(platform)
    [delivery] = await deliveries(platform, di, hook["id"])
    assert delivery["status"] == "DELIVERED"
    assert [a["statusCode"] for a in delivery["log"]] == [500, 200]
    assert receiver.hits[0].headers["webhook-id"] == receiver.hits[1].headers["webhook-id"]


async def test_a_redirect_is_a_failure_and_is_not_followed(platform, receiver: Receiver) -> None:
    ed = await customer(platform, "ed@example.com", funds=0)
    hook = await make_hook(platform, ed, receiver.url())
    receiver.answers = [302]
    await platform.post(f"{HOOKS}/{hook['id']}/ping", headers=ed)
    await drain(platform)
    [delivery] = await deliveries(platform, ed, hook["id"])
    assert delivery["status"] == "PENDING" and delivery["log"][0]["statusCode"] == 302
    assert receiver.at("/elsewhere") == []


async def test_private_targets_are_refused_when_saved_and_when_connected(
    make_client, receiver: Receiver
) -> None:
    """Without an allowance: literal private addresses are refused at once, and a name
    that resolves to one (localhost) at connect time, with nothing sent."""
    client = await make_client()
    await create_account(client, "fay@example.com", "Customer1!x", "USER")
    fay = bearer((await sign_in(client, "fay@example.com", "Customer1!x"))["accessToken"])
    for url in (
        receiver.url(),
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5:5432/",
        "http://[::1]:8080/",
        "http://[::ffff:192.168.1.1]/",
        "http://100.64.0.1/",
    ):
        resp = await client.post(
            HOOKS, json={"url": url, "events": ["wallet.low_balance"]}, headers=fay
        )
        assert resp.status == 400, url
        assert (await resp.json())["errors"][0]["field"] == "url"
    assert await Webhook.all().count() == 0
    hook = await make_hook(client, fay, receiver.url(host="localhost"))
    await client.post(f"{HOOKS}/{hook['id']}/ping", headers=fay)
    await client.app[DELIVERY].drain()
    [delivery] = await deliveries(client, fay, hook["id"])
    assert delivery["log"][0]["statusCode"] is None
    assert delivery["log"][0]["error"].startswith("refused")
    assert receiver.hits == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x", "events": ["billing.charged"]}, "url"),
        ({"url": "https://u:p@example.com/x", "events": ["billing.charged"]}, "url"),
        ({"url": "https://example.com/x", "events": []}, "events"),
        ({"url": "https://example.com/x", "events": ["user.registered"]}, "events.0"),
        ({"url": "https://example.com/x", "events": ["billing.charged"], "secret": "x"}, "secret"),
    ],
)
async def test_a_bad_endpoint_is_refused_with_the_field_and_nothing_saved(
    client, user_headers, body, field
) -> None:
    resp = await client.post(HOOKS, json=body, headers=user_headers)
    assert resp.status == 400
    assert field in [e["field"] for e in (await resp.json())["errors"]]
    assert await Webhook.all().count() == 0


async def test_another_users_endpoints_are_not_found_and_not_listed(
    platform, receiver: Receiver
) -> None:
    gus = await customer(platform, "gus@example.com", funds=0)
    hal = await customer(platform, "hal@example.com", funds=0)
    hook = await make_hook(platform, gus, receiver.url())
    base = f"{HOOKS}/{hook['id']}"
    for method, path, body in (
        ("GET", base, None),
        ("PUT", base, {"description": "mine now"}),
        ("DELETE", base, None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/ping", None),
    ):
        resp = await platform.request(method, path, json=body, headers=hal)
        assert resp.status == 404, (method, path)
    listed = await (await platform.get(HOOKS, headers=hal)).json()
    assert listed["data"]["webhooks"] == []
    assert (await Webhook.get(id=hook["id"])).description == "ci"
    assert (await platform.get(HOOKS)).status == 401


async def test_an_event_reaches_only_its_own_users_endpoints_and_never_carries_secrets(
    platform, receiver: Receiver
) -> None:
    ivy = await customer(platform, "ivy@example.com", funds=0)
    await customer(platform, "jo@example.com", funds=0)
    mine = await make_hook(platform, ivy, receiver.url("/ivy"), ["user.password_changed"])
    jo = await User.get(email="jo@example.com")
    outbox = platform.app[OUTBOX]
    async with outbox.transaction() as conn:
        # Jo's event: none of Ivy's endpoints hears it.
        await outbox.emit(conn, "user.password_changed", str(jo.id), {"user_id": str(jo.id)})
        # An event with a sealed secret, forced onto Ivy's endpoint: the secret stays home.
        await outbox.emit(
            conn, "user.password_changed", None, {"x": 1}, {"token": "raw-token"}, [mine["id"]]
        )
    await drain(platform)
    [hit] = receiver.hits
    assert b"raw-token" not in hit.body and b"sealed" not in hit.body
    assert json.loads(hit.body)["data"] == {"x": 1}


async def test_a_change_rolled_back_queues_no_webhook_delivery(
    platform, receiver: Receiver
) -> None:
    kim = await customer(platform, "kim@example.com", funds=0)
    await make_hook(platform, kim, receiver.url(), ["user.password_changed"])
    user = await User.get(email="kim@example.com")
    outbox = platform.app[OUTBOX]

    async def change_that_fails() -> None:
        async with in_transaction() as conn:
            await outbox.emit(conn, "user.password_changed", str(user.id), {})
            raise RuntimeError("the change fails after its event was written")

    with pytest.raises(RuntimeError):
        await change_that_fails()
    assert await WebhookDelivery.all().count() == 0
    await drain(platform)
    assert receiver.hits == []


async def test_an_instance_that_starts_running_is_told_to_its_owners_endpoint_once(
    platform, admin, services, receiver: Receiver
) -> None:
    await active_node(platform, admin, "worker-a")
    lu = await customer(platform, "lu@example.com")
    await make_hook(platform, lu, receiver.url(), ["instance.running", "instance.failed"])
    assert (await subscribe(platform, lu, services["n8n"])).status == 201
    for _ in range(3):  # placed, provisioned, then seen available; later passes change nothing
        await reconcile(platform)
    await drain(platform)
    [hit] = receiver.hits
    body = json.loads(hit.body)
    assert body["type"] == "instance.running" and body["data"]["to"] == "RUNNING"
    assert body["data"]["user_id"] == str((await User.get(email="lu@example.com")).id)
