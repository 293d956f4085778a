"""The agent's Kubernetes API reads over real TLS on loopback: the cluster CA is checked, the
service account token is sent (and read again after the kubelet rotates it), and the
collectors get their facts from what the API server answers.

The API server here is scripted with the official client's serialized models, so the JSON is
shaped as a real one's; a certificate for 127.0.0.1 is made with the openssl command."""

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from kubernetes.client import (
    ApiClient,
    V1Container,
    V1Node,
    V1NodeCondition,
    V1NodeSpec,
    V1NodeStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodList,
    V1PodSpec,
    V1PodStatus,
    V1ResourceRequirements,
    V1Taint,
)

from agent.collectors.kubeapi import KubeApi, KubeApiError
from agent.collectors.kubernetes import KubernetesCollector
from agent.collectors.pods import PodsCollector

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

NODE = V1Node(
    metadata=V1ObjectMeta(name="worker-7", labels={"topology.kubernetes.io/zone": "eu-1a"}),
    spec=V1NodeSpec(taints=[V1Taint(key="dedicated", value="db", effect="NoSchedule")]),
    status=V1NodeStatus(
        allocatable={"pods": "250"},
        conditions=[V1NodeCondition(type="Ready", status="True", reason="KubeletReady")],
    ),
)
PODS = V1PodList(
    items=[
        V1Pod(
            spec=V1PodSpec(
                containers=[
                    V1Container(
                        name="app",
                        resources=V1ResourceRequirements(
                            requests={"cpu": "250m", "memory": "256Mi"}
                        ),
                    )
                ]
            ),
            status=V1PodStatus(phase="Running"),
        )
    ]
)


def certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=kube-apiserver",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    authorization: str
    client_port: int


class ScriptedApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.seen: list[Seen] = []
        self.refusal: tuple[int, dict[str, Any]] | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedApiServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.server.seen.append(
            Seen(
                url.path,
                parse_qs(url.query),
                self.headers["Authorization"],
                self.client_address[1],
            )
        )
        status, body = self.server.refusal or (200, self._answer(url.path))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    @staticmethod
    def _answer(path: str) -> Any:
        serialize = ApiClient().sanitize_for_serialization
        if path == "/api/v1/nodes/worker-7":
            return serialize(NODE)
        if path == "/api/v1/pods":
            return {"kind": "PodList", "apiVersion": "v1", **serialize(PODS)}
        return {"kind": "Status", "status": "Failure", "message": "not found", "code": 404}

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return certificate(tmp_path_factory.mktemp("apiserver"))


@pytest.fixture
def api_server(tls_files) -> Iterator[ScriptedApiServer]:
    server = ScriptedApiServer(*tls_files)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


FIRST_TOKEN = "sa-token-1"


def service_account(directory: Path, ca: Path) -> Path:
    directory.mkdir(exist_ok=True)
    shutil.copyfile(ca, directory / "ca.crt")
    (directory / "token").write_text(FIRST_TOKEN + "\n")
    return directory


def env_for(server: ScriptedApiServer) -> dict[str, str]:
    return {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(server.port)}


def test_collectors_read_the_node_and_its_pods_with_the_service_account(
    api_server, tls_files, tmp_path
):
    accounts = service_account(tmp_path / "sa", tls_files[0])
    api = KubeApi.in_cluster(env_for(api_server), accounts)

    node = KubernetesCollector(api, "worker-7").collect()
    report = PodsCollector(api, "worker-7").collect()
    api.close()

    assert node.labels == {"topology.kubernetes.io/zone": "eu-1a"}
    assert [(t.key, t.value, t.effect) for t in node.taints] == [("dedicated", "db", "NoSchedule")]
    assert node.max_pods == 250
    assert [(c.type, c.status) for c in node.conditions] == [("Ready", True)]
    assert (report.allocated_cpu, report.allocated_memory, report.current_pods) == (0.25, 256, 1)
    assert [s.path for s in api_server.seen] == ["/api/v1/nodes/worker-7", "/api/v1/pods"]
    assert api_server.seen[1].query == {
        "fieldSelector": ["spec.nodeName=worker-7,status.phase!=Succeeded,status.phase!=Failed"]
    }
    assert {s.authorization for s in api_server.seen} == {"Bearer sa-token-1"}
    # one kept-alive connection for both reads
    assert len({s.client_port for s in api_server.seen}) == 1


def test_a_rotated_token_is_sent_from_the_next_request_on(api_server, tls_files, tmp_path):
    accounts = service_account(tmp_path / "sa", tls_files[0])
    api = KubeApi.in_cluster(env_for(api_server), accounts)
    api.read_node("worker-7", timeout=5)

    (accounts / "token").write_text("sa-token-2\n")
    api.read_node("worker-7", timeout=5)
    api.close()

    assert [s.authorization for s in api_server.seen] == ["Bearer sa-token-1", "Bearer sa-token-2"]


def test_an_api_server_the_cluster_ca_did_not_sign_is_refused(api_server, tmp_path):
    other_ca, _ = certificate(tmp_path)
    api = KubeApi.in_cluster(env_for(api_server), service_account(tmp_path / "sa", other_ca))

    with pytest.raises(ssl.SSLCertVerificationError):
        api.read_node("worker-7", timeout=5)

    assert api_server.seen == []


def test_a_refusal_of_the_api_server_says_why(api_server, tls_files, tmp_path):
    api_server.refusal = (
        403,
        {
            "kind": "Status",
            "status": "Failure",
            "reason": "Forbidden",
            "message": 'nodes "worker-7" is forbidden: User "system:serviceaccount:x" cannot get',
            "code": 403,
        },
    )
    api = KubeApi.in_cluster(env_for(api_server), service_account(tmp_path / "sa", tls_files[0]))

    with pytest.raises(KubeApiError, match='403 nodes "worker-7" is forbidden'):
        api.read_node("worker-7", timeout=5)
    api.close()


def test_in_cluster_access_needs_the_api_port_and_the_ca(tls_files, tmp_path):
    accounts = service_account(tmp_path / "sa", tls_files[0])

    with pytest.raises(ValueError, match="KUBERNETES_SERVICE_PORT"):
        KubeApi.in_cluster({"KUBERNETES_SERVICE_HOST": "10.43.0.1"}, accounts)
    (accounts / "ca.crt").unlink()
    with pytest.raises(OSError, match=r"No such file|ca\.crt"):
        KubeApi.in_cluster(
            {"KUBERNETES_SERVICE_HOST": "10.43.0.1", "KUBERNETES_SERVICE_PORT": "443"}, accounts
        )
