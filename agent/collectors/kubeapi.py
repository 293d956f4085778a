"""The two reads the agent makes from the Kubernetes API (its node, and the pods bound to it),
with the pod's service account, over the standard library's HTTPS.

Not the official client: importing it and building a CoreV1Api costs about 45 MiB, more than
the agent's whole 40 MiB budget, for two GETs whose JSON the collectors read directly.
Like the official client's in-cluster config, it talks to KUBERNETES_SERVICE_HOST:PORT,
trusts the service account's ca.crt, and sends the service account token, which it reads
again for each request because the kubelet rotates it.
"""

import json
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from agent.keepalive import KeepAlive, ResponseTooLarge

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
# The pod list of a full node (110 pods with their managed fields) is a few MiB at most.
MAX_RESPONSE_BYTES = 64 << 20


class KubeApiError(Exception):
    """The API server answered, but not with what was asked for."""


def in_cluster_credentials_exist(
    env: Mapping[str, str], service_account_dir: Path = SERVICE_ACCOUNT_DIR
) -> bool:
    """What in-cluster access needs: the API address and a service account token."""
    return bool(env.get("KUBERNETES_SERVICE_HOST")) and (service_account_dir / "token").is_file()


class KubeApi:
    """Not thread-safe: the report loop is its only user."""

    def __init__(self, host: str, port: int, token_file: Path, tls: ssl.SSLContext | None) -> None:
        self._token_file = token_file
        # tls is None only in tests, for plain HTTP on loopback.
        self.connection = KeepAlive(host, port, (lambda: tls) if tls is not None else None)

    @classmethod
    def in_cluster(
        cls, env: Mapping[str, str], service_account_dir: Path = SERVICE_ACCOUNT_DIR
    ) -> "KubeApi":
        """The API server of the cluster this pod runs in; ValueError or OSError when the
        pod's credentials are incomplete."""
        host = env.get("KUBERNETES_SERVICE_HOST", "").strip()
        port = env.get("KUBERNETES_SERVICE_PORT", "").strip()
        if not host or not port.isdigit():
            raise ValueError("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        tls = ssl.create_default_context(cafile=str(service_account_dir / "ca.crt"))
        return cls(host, int(port), service_account_dir / "token", tls)

    def read_node(self, name: str, timeout: float) -> dict[str, Any]:
        return self._get(f"/api/v1/nodes/{quote(name, safe='')}", {}, timeout)

    def list_pods_on_node(self, node_name: str, timeout: float) -> list[dict[str, Any]]:
        """The pods bound to the node that have not terminated."""
        selector = f"spec.nodeName={node_name},status.phase!=Succeeded,status.phase!=Failed"
        body = self._get("/api/v1/pods", {"fieldSelector": selector}, timeout)
        items = body.get("items")
        if not isinstance(items, list):
            raise KubeApiError("GET /api/v1/pods: the answer has no item list")
        return items

    def close(self) -> None:
        self.connection.close()

    def _get(self, path: str, query: dict[str, str], timeout: float) -> dict[str, Any]:
        token = self._token_file.read_text().strip()
        target = path + ("?" + urlencode(query) if query else "")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            response, raw = self.connection.exchange(
                "GET", target, None, headers, timeout, MAX_RESPONSE_BYTES
            )
        except ResponseTooLarge:
            raise KubeApiError(f"GET {path}: answer over {MAX_RESPONSE_BYTES} bytes") from None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if response.status != 200 or not isinstance(body, dict):
            # A Status object says why (Forbidden: the ClusterRole misses a verb, NotFound...).
            message = body.get("message") if isinstance(body, dict) else None
            raise KubeApiError(f"GET {path}: {response.status} {message or response.reason}")
        return body
