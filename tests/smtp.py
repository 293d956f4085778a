"""A real SMTP server for the suite (aiosmtpd on 127.0.0.1), recording what it receives.

It can also misbehave as real servers do: refuse a recipient for good (550), ask to
try later (451), or stall in the middle of a message.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return str(part.get_payload(decode=True).decode())  # type: ignore[union-attr]
        raise AssertionError(f"no text/{subtype} part")


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    # Recipients refused for good, and a reply to every DATA instead of 250 (e.g. "451 …").
    refuse: set[str] = field(default_factory=set)
    data_reply: str | None = None
    # While set, DATA waits (up to stall_for seconds) before it answers: a stalled server.
    stall_for: float = 0.0
    # A pause before every accepted message (a server that takes its time), and how many
    # messages reached DATA at all (stalled ones too).
    delay: float = 0.0
    data_started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.stall_for:
            await asyncio.sleep(self.stall_for)
            return "451 4.3.0 stalled"
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(envelope.content),
                )
            )
        return "250 OK"


def _free_port() -> int:
    # Not tests.processes.free_port: that module imports the suite's conftest, which needs this one.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    def __init__(self, port: int | None = None) -> None:
        self.handler = Handler()
        self.port = port or _free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.recipients]

    def wait_for_mail(self, address: str, count: int = 1, timeout: float = 15.0) -> list[Received]:
        """Blocks (a process under test sends meanwhile) until `count` mails reached `address`."""
        deadline = time.monotonic() + timeout
        while len(found := self.to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} mail(s) to {address} in {timeout} s")
            time.sleep(0.05)
        return found

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
