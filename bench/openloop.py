"""An open-loop HTTP/1.1 load generator that costs its machine little: wrk2's idea in Python.

Request k is sent at start + k / rate whatever the earlier ones are doing, as a
fleet's agents (or a room of dashboards) do; a request's latency counts from its
scheduled time, so a stalled server is not hidden by the loader waiting for it.

Why not aiohttp's client: on this 2-core machine the loader shares the cores with
the server it measures, and aiohttp's client cost ~400 us of CPU a request, 40 %
of a core at 1,000 heartbeats/s, beside the control plane's 50 %. Here a request is
bytes written on a kept-alive connection and a response read by its
Content-Length, about a tenth of that (the round's CPU line says). It speaks only
what our server answers: HTTP/1.1 with a Content-Length, kept alive; any other
answer, or a closed connection, is counted as an error, never skipped.

Its own garbage collections are kept out of the measurement (collector_paused).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import orjson

# (method, path, JSON body or None, headers)
Request = tuple[str, str, dict | None, dict[str, str]]


@contextmanager
def collector_paused() -> Iterator[None]:
    """A loader's own garbage collections, timed as the server's latency, kept out.

    A full collection of a Python loader's ~200,000 objects (aiohttp, its tasks, a
    fleet's node list) paused it for 80-150 ms on this machine, once or twice a
    20-second round: an open-loop loader then sends late every request due meanwhile,
    and counts their latency from the schedule, so one pause alone moved a round's
    heartbeat p99 from 20 to 140-220 ms with the control plane idle. Reference counting
    still frees what a round leaves; the few cycles it makes cost memory until the
    round ends, not time within it."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


class _Connection(asyncio.Protocol):
    """One kept-alive connection: one request at a time, its answer's status when read."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._answer: asyncio.Future[int] | None = None
        self._need = -1  # bytes of head and body together, once the head is read
        self._status = 0
        self.open = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, raw: bytes) -> asyncio.Future[int]:
        assert self.transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._buffer.clear()
        self._need = -1
        self.transport.write(raw)
        return self._answer

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._need < 0:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            self._status = int(head[0].split(" ", 2)[1])
            length = None
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    self.open = False
            if length is None:
                self._fail(ValueError(f"an answer without Content-Length: {head[0]}"))
                return
            self._need = end + 4 + length
        if len(self._buffer) >= self._need and self._answer is not None:
            answer, self._answer = self._answer, None
            if not answer.done():
                answer.set_result(self._status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._fail(exc or ConnectionError("closed by the server"))

    def _fail(self, exc: BaseException) -> None:
        self.open = False
        if self.transport is not None:
            self.transport.close()
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)
        self._answer = None


class Client:
    """Kept-alive connections to one server, opened as the load needs them."""

    def __init__(self, base: str) -> None:
        url = urlsplit(base)
        self._host = url.hostname or "127.0.0.1"
        self._port = url.port or 80
        self._authority = f"{self._host}:{self._port}".encode()
        self._idle: list[_Connection] = []
        self._all: list[_Connection] = []

    def encode(self, request: Request) -> bytes:
        method, path, body, headers = request
        payload = b"" if body is None else orjson.dumps(body)
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._authority]
        lines += [f"{k}: {v}".encode() for k, v in headers.items()]
        if body is not None:
            lines.append(b"Content-Type: application/json")
        lines.append(b"Content-Length: " + str(len(payload)).encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + payload

    async def status(self, raw: bytes) -> int:
        """The answer's status to the encoded request `raw`."""
        connection = self._idle.pop() if self._idle else await self._connect()
        try:
            return await connection.send(raw)
        finally:
            if connection.open:
                self._idle.append(connection)

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, self._host, self._port)
        self._all.append(connection)
        return connection

    def close(self) -> None:
        for connection in self._all:
            if connection.transport is not None:
                connection.transport.close()


async def paced(
    base: str,
    rate: float,
    seconds: float,
    request: Callable[[int], Request],
    log: list[tuple[float, float, str]] | None = None,
) -> tuple[list[float], int]:
    """`rate` requests a second for `seconds`: the answered ones' latencies (seconds from
    each one's scheduled time) and the number of errors (a status other than 200, a
    broken connection). `log` gets each answered request's (due, as epoch seconds;
    latency; path), for telling when in a round the slow ones were and what else was
    asked then."""
    latencies: list[float] = []
    errors = 0
    pending: set[asyncio.Task[None]] = set()
    client = Client(base)
    epoch = time.time() - time.perf_counter()

    async def one(raw: bytes, path: str, due: float) -> None:
        nonlocal errors
        try:
            ok = await client.status(raw) == 200
        except (OSError, ValueError):
            ok = False
        if not ok:
            errors += 1
            return
        latencies.append(time.perf_counter() - due)
        if log is not None:
            log.append((epoch + due, latencies[-1], path))

    with collector_paused():
        try:
            started = time.perf_counter()
            for k in range(int(rate * seconds)):
                made = request(k)
                raw = client.encode(made)
                due = started + k / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(one(raw, made[1], due))
                pending.add(task)
                task.add_done_callback(pending.discard)
            await asyncio.gather(*pending)
        finally:
            client.close()
    return latencies, errors
