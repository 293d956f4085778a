"""One kept-alive HTTP(S) connection to one server, for the agent's two peers (the control
plane and the Kubernetes API): opened on first use, reused, and replaced once when the
server closed it while idle."""

import http.client
import ssl
from collections.abc import Callable


class ResponseTooLarge(http.client.HTTPException):
    """The answer was longer than the caller's limit; the connection is closed."""


class KeepAlive:
    """Not thread-safe: the report loop is its only user.

    `tls` is called once, on the first connection, so a process that never talks HTTPS
    never loads certificates; None means plain HTTP."""

    def __init__(
        self, host: str, port: int | None, tls: Callable[[], ssl.SSLContext] | None
    ) -> None:
        self._host = host
        self._port = port
        self._tls_factory = tls
        self._tls: ssl.SSLContext | None = None
        self._connection: http.client.HTTPConnection | None = None
        # How many TCP connections were opened: reuse is visible from outside.
        self.connections_opened = 0

    def exchange(
        self,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
        timeout: float,
        limit: int,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request and its whole answer (at most `limit` bytes). Only for requests that
        are safe to repeat: a reused connection the server had closed is retried once."""
        connection = self._connect(timeout)
        reused = connection.sock is not None
        try:
            return self._send(connection, method, target, body, headers, limit)
        except (ConnectionResetError, BrokenPipeError):  # RemoteDisconnected is one of them
            if not reused:
                raise
        return self._send(self._connect(timeout), method, target, body, headers, limit)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
        limit: int,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read(limit + 1)
        except BaseException:
            self.close()  # a half-used connection is never reused
            raise
        if len(raw) > limit:
            self.close()
            raise ResponseTooLarge(f"response over {limit} bytes")
        if response.will_close:
            self.close()
        return response, raw

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        connection = self._connection
        if connection is None:
            if self._tls_factory is not None:
                if self._tls is None:
                    self._tls = self._tls_factory()
                connection = http.client.HTTPSConnection(
                    self._host, self._port, timeout=timeout, context=self._tls
                )
            else:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
            self._connection = connection
            self.connections_opened += 1
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection
