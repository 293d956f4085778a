"""Email: events become mails a real SMTP server receives; failures retry or are recorded."""

from __future__ import annotations

import uuid

import pytest
from aiohttp.test_utils import TestClient

from controlplane.appkeys import CONFIG, DELIVERY, OUTBOX
from controlplane.db.models import OutboxDelivery
from controlplane.services.events.mail import SmtpServer
from tests.conftest import AppFactory, FakeClock
from tests.processes import free_port
from tests.smtp import MailServer


async def _password_changed(client: TestClient, email: str, name: str = "Ada") -> uuid.UUID:
    outbox = client.app[OUTBOX]
    async with outbox.transaction() as conn:
        return await outbox.emit(
            conn, "user.password_changed", None, {"email": email, "name": name, "reset": True}
        )


async def test_an_event_is_mailed_as_text_and_html_to_its_recipient(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await make_client(smtp_url=mail_server.url, mail_from="Ops <ops@minispod.test>")
    event_id = await _password_changed(client, "ada@x.test")
    assert await client.app[DELIVERY].drain() == 1

    (mail,) = mail_server.to("ada@x.test")
    assert mail.sender == "ops@minispod.test"
    assert mail.subject == "Your MinisPod password was changed"
    assert mail.message["X-MinisPod-Event-Id"] == str(event_id)
    assert "was reset" in mail.part("plain")
    assert 'href="http://localhost:3000/forgot-password"' in mail.part("html")
    row = await OutboxDelivery.get(event_id=event_id)
    assert row.delivered_at is not None and row.attempts == 1


async def test_html_mail_escapes_what_users_typed(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await make_client(smtp_url=mail_server.url)
    await _password_changed(client, "eve@x.test", name='<a href="//evil">x</a>')
    await client.app[DELIVERY].drain()
    html = mail_server.to("eve@x.test")[0].part("html")
    assert "&lt;a href=&#34;//evil&#34;&gt;" in html and '<a href="//evil">' not in html


async def test_a_server_saying_try_later_gets_the_mail_on_a_later_attempt(
    make_client: AppFactory, mail_server: MailServer, clock: FakeClock
) -> None:
    client = await make_client(smtp_url=mail_server.url, outbox_retry_delay=60)
    mail_server.handler.data_reply = "451 4.3.0 try again later"
    event_id = await _password_changed(client, "ada@x.test")
    await client.app[DELIVERY].drain()
    row = await OutboxDelivery.get(event_id=event_id)
    assert row.delivered_at is None and row.failed_at is None
    assert row.last_error is not None and "451" in row.last_error

    mail_server.handler.data_reply = None
    await client.app[DELIVERY].drain()
    assert mail_server.received == []  # not due yet
    clock.advance(60)
    await client.app[DELIVERY].drain()
    assert len(mail_server.to("ada@x.test")) == 1


async def test_an_unreachable_server_leaves_the_mail_waiting_not_lost(
    make_client: AppFactory, clock: FakeClock
) -> None:
    port = free_port()
    client = await make_client(smtp_url=f"smtp://127.0.0.1:{port}", outbox_retry_delay=5)
    event_id = await _password_changed(client, "ada@x.test")
    await client.app[DELIVERY].drain()
    row = await OutboxDelivery.get(event_id=event_id)
    assert row.attempts == 1 and row.failed_at is None and row.next_attempt_at is not None
    assert row.last_error is not None

    revived = MailServer(port)  # the same port, now with a server behind it
    revived.start()
    try:
        clock.advance(5)
        await client.app[DELIVERY].drain()
        assert len(revived.to("ada@x.test")) == 1
    finally:
        revived.stop()


async def test_a_recipient_refused_for_good_is_recorded_as_failed(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await make_client(smtp_url=mail_server.url)
    mail_server.handler.refuse.add("gone@x.test")
    event_id = await _password_changed(client, "gone@x.test")
    await client.app[DELIVERY].drain()
    row = await OutboxDelivery.get(event_id=event_id)
    assert row.failed_at is not None and row.attempts == 1 and row.next_attempt_at is None
    assert row.last_error is not None and "550" in row.last_error
    assert mail_server.received == []


async def test_without_an_smtp_server_mail_is_written_to_the_data_folder(
    client: TestClient,
) -> None:
    await _password_changed(client, "ada@x.test")
    assert await client.app[DELIVERY].drain() == 1
    text = (client.app[CONFIG].data_dir / "mail.log").read_text()
    assert "To: ada@x.test" in text and "Your MinisPod password was changed" in text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mx.test", ("mx.test", 587, False, None, None, None)),
        ("smtp://mx.test:25?starttls=off", ("mx.test", 25, False, False, None, None)),
        (
            "smtp://u%40x:p%3Aw@mx.test?starttls=required",
            ("mx.test", 587, False, True, "u@x", "p:w"),
        ),
        ("smtps://u:pw@mx.test", ("mx.test", 465, True, None, "u", "pw")),
    ],
)
def test_the_smtp_url_names_host_port_tls_and_credentials(url: str, expected: tuple) -> None:
    s = SmtpServer.parse(url)
    assert (s.host, s.port, s.implicit_tls, s.start_tls, s.username, s.password) == expected
    assert "pw" not in repr(s)


@pytest.mark.parametrize("url", ["http://mx.test", "smtp://", "smtp://mx.test?starttls=maybe"])
def test_a_wrong_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="must"):
        SmtpServer.parse(url)
