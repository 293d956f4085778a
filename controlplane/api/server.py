"""Serving the app: aiohttp's server, whose own error answers are envelopes too.

Some requests never reach a route: a request line or header over aiohttp's
limits, a malformed request. aiohttp answers those itself, in plain text,
from its request handler's `handle_error`; here that one method is ours, so
every answer of this server is an envelope. The runner and the serving loop
are aiohttp's own `AppRunner` and `TCPSite`, as `web.run_app` uses them.
"""

from __future__ import annotations

import asyncio
import contextlib
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from controlplane.api import envelope
from controlplane.api.pipeline import code_for


class _EnvelopeErrors(RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        # aiohttp's own first: it logs the error and refuses when a response is under way.
        super().handle_error(request, status, exc, message)
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        response = envelope.error(
            status, code_for(status), f"{phrase}: the request could not be read"
        )
        response.force_close()
        return response


class _Server(web.Server):
    def __call__(self) -> RequestHandler:
        return _EnvelopeErrors(self, loop=self._loop, **self._kwargs)


class Runner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        made = await super()._make_server()  # the app's start-up runs here
        return _Server(
            made.request_handler,
            request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation,
            loop=made._loop,
            **made._kwargs,
        )


def run(app: web.Application, host: str, port: int, reuse_port: bool, **runner: Any) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully (the app's cleanup runs)."""

    async def serve() -> None:
        served = Runner(app, handle_signals=True, **runner)
        await served.setup()
        try:
            await web.TCPSite(served, host, port, reuse_port=reuse_port).start()
            await asyncio.Event().wait()
        finally:
            await served.cleanup()

    # GracefulExit comes from the runner's SIGTERM handler: asyncio.run cancels serve(),
    # whose cleanup lets requests in flight finish, then the exit is a clean one.
    with contextlib.suppress(web.GracefulExit, KeyboardInterrupt):
        asyncio.run(serve())
