"""Email: renders an event's templates and hands the message to SMTP or, unconfigured, a file.

Templates live in `templates/<event type>.{subject.txt,txt,html}`; an event type
with templates there is one the email channel delivers. The HTML part is rendered
with autoescape, so a user's name cannot inject markup into a mail.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import jinja2

from controlplane.services.clock import Clock
from controlplane.services.events.delivery import Event, PermanentFailure

log = logging.getLogger("minispod.mail")

TEMPLATES = Path(__file__).parent / "templates"
CHANNEL = "email"
SMTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self, public_url: str, folder: Path = TEMPLATES) -> None:
        self._folder = folder
        self._public_url = public_url.rstrip("/")
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )

    def event_types(self) -> frozenset[str]:
        return frozenset(
            p.name.removesuffix(".subject.txt") for p in self._folder.glob("*.subject.txt")
        )

    def render(self, event: Event) -> Mail:
        context: dict[str, Any] = {**event.payload, "public_url": self._public_url, "event": event}
        subject = self._env.get_template(f"{event.type}.subject.txt").render(context)
        return Mail(
            to=str(event.payload["email"]),
            subject=" ".join(subject.split()),
            text=self._env.get_template(f"{event.type}.txt").render(context),
            html=self._env.get_template(f"{event.type}.html").render(context),
        )


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpServer:
    """MINISPOD_SMTP_URL read: smtp://[user:password@]host[:port][?starttls=required|off]
    (without it STARTTLS is used when the server offers it), or smtps:// for implicit TLS."""

    host: str
    port: int
    implicit_tls: bool
    start_tls: bool | None
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("must look like smtp://[user:password@]host[:port] or smtps://…")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        starttls = query.get("starttls", "auto")
        if starttls not in ("auto", "required", "off"):
            raise ValueError("starttls must be auto, required or off")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            implicit_tls=implicit,
            start_tls=None if starttls == "auto" or implicit else starttls == "required",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def __repr__(self) -> str:  # never the password, whatever logs this
        return f"SmtpServer({self.host}:{self.port}, tls={self.implicit_tls})"


class SmtpTransport:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def send(self, message: EmailMessage) -> None:
        s = self._server
        try:
            await aiosmtplib.send(
                message,
                hostname=s.host,
                port=s.port,
                use_tls=s.implicit_tls,
                start_tls=False if s.implicit_tls else s.start_tls,
                username=s.username,
                password=s.password,
                timeout=SMTP_TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(r.code >= 500 for r in exc.recipients):
                raise PermanentFailure(_refusal(exc.recipients[0])) from None
            raise
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is the server's "never": 4xx and lost connections are worth a retry.
            if exc.code >= 500 and not isinstance(exc, aiosmtplib.SMTPAuthenticationError):
                raise PermanentFailure(_refusal(exc)) from None
            raise


def _refusal(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}"


class FileTransport:
    """Development's mailbox: every message appended to one file (mbox-like), so a mail
    nobody configured a server for is still readable, never silently gone."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._append, message.as_bytes())

    def _append(self, raw: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as f:
            f.write(b"From minispod\n" + raw + b"\n")


class Mailer:
    """The email channel's sender: one event in, one message out."""

    def __init__(
        self, templates: Templates, transport: Transport, sender: str, clock: Clock
    ) -> None:
        self._templates = templates
        self._transport = transport
        self._sender = sender
        self._clock = clock

    async def __call__(self, event: Event) -> None:
        mail = self._templates.render(event)
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(self._clock())
        message["Message-ID"] = make_msgid(idstring=event.id.hex)
        # The event's id, so a repeat delivery (at least once) is recognisable as one.
        message["X-MinisPod-Event-Id"] = str(event.id)
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        await self._transport.send(message)


def transport_from_config(smtp_url: str | None, data_dir: Path) -> Transport:
    if smtp_url:
        return SmtpTransport(SmtpServer.parse(smtp_url))
    path = data_dir / "mail.log"
    log.info("no MINISPOD_SMTP_URL: mail is written to %s", path)
    return FileTransport(path)
