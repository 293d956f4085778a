"""The Kubernetes manifests: schema-valid for the cluster versions we target, and holding the
security properties the agent and control plane promise."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MANIFESTS = [REPO / "daemonset.yaml", *sorted((REPO / "deploy").glob("*.yaml"))]
K8S_VERSION = "1.30"
NAMESPACE = "minispod-system"
HOST_MOUNTS = {"/host/proc": "/proc", "/host/sys": "/sys", "/host/root": "/"}


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def all_documents() -> list[tuple[str, dict]]:
    return [(p.name, d) for p in MANIFESTS for d in documents(p)]


def one(kind: str, name: str) -> dict:
    found = [d for _, d in all_documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def agent_pod() -> dict:
    return one("DaemonSet", "minispod-agent")["spec"]["template"]["spec"]


def agent_container() -> dict:
    (container,) = agent_pod()["containers"]
    return container


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container["env"]}


@pytest.mark.parametrize(
    ("source", "document"),
    all_documents(),
    ids=[f"{n}:{d['kind']}/{d['metadata']['name']}" for n, d in all_documents()],
)
def test_every_document_is_valid_for_kubernetes(source, document):
    assert kubernetes_validate.validate(document, K8S_VERSION, strict=True) == K8S_VERSION


def test_strict_validation_catches_a_misspelt_field():
    daemonset = one("DaemonSet", "minispod-agent")
    daemonset["spec"]["template"]["spec"]["tolerations"][0]["opertor"] = "Exists"

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(daemonset, K8S_VERSION, strict=True)


def test_namespaced_objects_live_in_minispod_system():
    cluster_scoped = {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    }
    namespaced = [d for _, d in all_documents() if d["kind"] not in cluster_scoped]

    assert namespaced
    assert {d["metadata"]["namespace"] for d in namespaced} == {NAMESPACE}
    assert one("Namespace", NAMESPACE)


def test_the_agent_runs_on_every_node_whatever_its_taints():
    assert agent_pod()["tolerations"] == [{"operator": "Exists"}]


def test_the_agent_reads_the_host_mounts_read_only_and_is_told_where():
    pod, container = agent_pod(), agent_container()
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    env = env_of(container)

    for mount_path, host_path in HOST_MOUNTS.items():
        mount = mounts[mount_path]
        assert mount["readOnly"] is True
        assert volumes[mount["name"]]["hostPath"]["path"] == host_path
    assert env["MINISPOD_HOST_PROC"]["value"] == "/host/proc"
    assert env["MINISPOD_HOST_SYS"]["value"] == "/host/sys"
    assert env["MINISPOD_HOST_ROOT"]["value"] == "/host/root"


def test_the_agent_state_survives_on_the_node():
    pod, container = agent_pod(), agent_container()
    volumes = {v["name"]: v for v in pod["volumes"]}
    state_dir = env_of(container)["MINISPOD_STATE_DIR"]["value"]
    (state,) = [m for m in container["volumeMounts"] if m["mountPath"] == state_dir]

    assert volumes[state["name"]]["hostPath"] == {
        "path": "/var/lib/minispod-agent",
        "type": "DirectoryOrCreate",
    }
    assert not state.get("readOnly", False)


def test_the_agent_knows_its_node_server_and_join_token_from_the_cluster():
    env = env_of(agent_container())

    for name in ("NODE_NAME", "MINISPOD_NODE_NAME"):
        assert env[name]["valueFrom"] == {"fieldRef": {"fieldPath": "spec.nodeName"}}
    assert env["MINISPOD_JOIN_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "minispod-agent-join",
        "key": "token",
    }
    secret = one("Secret", "minispod-agent-join")
    assert "token" in secret["stringData"]
    assert env["MINISPOD_SERVER_URL"]["value"].startswith(
        "http://minispod-controlplane.minispod-system.svc"
    )


def test_the_agent_pod_shares_the_host_network_but_nothing_else():
    pod = agent_pod()

    assert pod["hostNetwork"] is True
    assert pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert pod["hostPID"] is False
    assert pod.get("hostIPC", False) is False


def test_the_agent_container_is_locked_down():
    security = agent_container()["securityContext"]

    assert security["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert agent_pod()["securityContext"]["runAsNonRoot"] is True


def test_only_the_state_dir_init_step_runs_as_root_and_it_may_only_chown():
    (init,) = agent_pod()["initContainers"]
    security = init["securityContext"]

    assert init["command"][0] == "chown"
    assert security["capabilities"] == {"drop": ["ALL"], "add": ["CHOWN"]}
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert [m["mountPath"] for m in init["volumeMounts"]] == ["/var/lib/minispod-agent"]


def test_the_agent_is_probed_on_healthz_and_bounded_in_resources():
    container = agent_container()
    port = int(env_of(container)["MINISPOD_AGENT_PORT"]["value"])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}

    for probe in ("livenessProbe", "readinessProbe"):
        http = container[probe]["httpGet"]
        assert http["path"] == "/healthz"
        assert ports[http["port"]] == port
    assert container["resources"]["requests"] == {"cpu": "20m", "memory": "48Mi"}
    assert container["resources"]["limits"] == {"cpu": "100m", "memory": "96Mi"}


def test_the_agent_may_only_read_nodes_and_pods():
    role = one("ClusterRole", "minispod-agent")
    binding = one("ClusterRoleBinding", "minispod-agent")

    granted = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert granted == {
        ("", resource, verb) for resource in ("nodes", "pods") for verb in ("get", "list", "watch")
    }
    assert binding["roleRef"]["name"] == "minispod-agent"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "minispod-agent", "namespace": NAMESPACE}
    ]
    assert agent_pod()["serviceAccountName"] == "minispod-agent"


def test_the_control_plane_takes_its_secrets_from_a_secret_and_is_probed():
    deployment = one("Deployment", "minispod-controlplane")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = env_of(container)
    secret = one("Secret", "minispod-controlplane")

    assert container["image"].startswith("minispod/controlplane")
    for name in ("MINISPOD_DATABASE_URL", "MINISPOD_JWT_SECRET"):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "minispod-controlplane"
        assert ref["key"] in secret["stringData"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["serviceAccountName"] == "minispod-controlplane"


def test_the_control_plane_service_reaches_its_pods_where_the_agents_look():
    deployment = one("Deployment", "minispod-controlplane")
    service = one("Service", "minispod-controlplane")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (port,) = service["spec"]["ports"]
    server_url = env_of(agent_container())["MINISPOD_SERVER_URL"]["value"]

    assert service["spec"]["selector"].items() <= labels.items()
    assert port["targetPort"] in {p["name"] for p in container["ports"]}
    assert server_url.endswith(f":{port['port']}")
