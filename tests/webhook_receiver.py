"""A real webhook receiver for the suite: an aiohttp server on 127.0.0.1 that records what
it is sent and answers with the statuses a test lines up (200 when none are left).

A 3xx answer carries a Location to `/elsewhere`, so a test can tell whether a redirect
was followed (it must not be).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from aiohttp import web


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    hits: list[Hit] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    # Seconds to wait before answering: an endpoint that stalls.
    delay: float = 0.0
    port: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._take)
        # Handlers still waiting out `delay` are not waited for at shutdown.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def at(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    async def _take(self, request: web.Request) -> web.Response:
        self.hits.append(Hit(request.path, dict(request.headers), await request.read()))
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.answers.pop(0) if self.answers else 200
        if 300 <= status < 400:
            return web.Response(status=status, headers={"Location": "/elsewhere"})
        return web.Response(status=status, text=f"answered {status}")


class ThreadedReceiver:
    """The receiver on an event loop of its own thread: for tests whose control plane is
    another process and whose own code blocks (waits, kills)."""

    def __init__(self) -> None:
        self.receiver = Receiver()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> ThreadedReceiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.receiver.start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.receiver.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def url(self, path: str = "/hook") -> str:
        return self.receiver.url(path)

    @property
    def hits(self) -> list[Hit]:
        return list(self.receiver.hits)
