"""The agent's own HTTP endpoints: /healthz for its probes and /metrics for Prometheus.

Served by the standard library's HTTP server from a thread of its own, so a probe is answered
while the report loop waits on the control plane, and no aiohttp server is loaded for a
request every few seconds.
"""

import json
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agent.metrics import AgentMetrics
from agent.reporter import LoopStatus

log = logging.getLogger("minispod.agent.server")

# A client that connects and then says nothing does not hold a thread for longer than this.
CLIENT_TIMEOUT_SECONDS = 10.0


class ProbeServer(ThreadingHTTPServer):
    """Answers /healthz and /metrics from `status` and `metrics`; `close()` stops it."""

    daemon_threads = True

    def __init__(self, host: str, port: int, status: LoopStatus, metrics: AgentMetrics) -> None:
        # The family of the address asked for, so "::" serves IPv6 as well.
        self.address_family = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0][0]
        self.status = status
        self.metrics = metrics
        super().__init__((host, port), _ProbeHandler)
        self._thread = threading.Thread(target=self.serve_forever, name="probe-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self.shutdown()
        self.server_close()

    def server_bind(self) -> None:
        # HTTPServer's own looks up the host's FQDN (for CGI only), which can hang on a node
        # whose name no DNS server knows.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints to stderr, past the log formatter and its redaction.
        log.exception("error while answering a probe from %s", client_address)


class _ProbeHandler(BaseHTTPRequestHandler):
    server: ProbeServer
    timeout = CLIENT_TIMEOUT_SECONDS
    server_version = "minispod-agent"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        path = self.path.partition("?")[0]
        if path == "/healthz":
            # 200 while the report loop runs (whether or not the control plane answers:
            # restarting the agent would not bring the control plane back), 503 when it has
            # stopped or stalled.
            status = self.server.status
            code = 200 if status.alive() else 503
            body = json.dumps(status.as_json()).encode()
            content_type = "application/json; charset=utf-8"
        elif path == "/metrics":
            code, body = 200, generate_latest(self.server.metrics.registry)
            content_type = CONTENT_TYPE_LATEST
        else:
            code, body, content_type = 404, b"404: Not Found", "text/plain; charset=utf-8"
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: probes every few seconds would bury the agent's own lines."""
