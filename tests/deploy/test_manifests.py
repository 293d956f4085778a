"""The Kubernetes manifests: each kustomize overlay renders (`kubectl kustomize`, the tool an
operator runs), every object is schema-valid for the cluster versions we target, and they
hold the security properties the agent and control plane promise."""

import base64
import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "production")
EXAMPLES = sorted((DEPLOY / "examples").glob("*.yaml"))
K8S_VERSION = "1.30"
NAMESPACE = "minispod-system"
HOST_MOUNTS = {"/host/proc": "/proc", "/host/sys": "/sys", "/host/root": "/"}
# Prometheus Operator's custom resources: kubernetes-validate ships only the built-in API's
# schemas, so these get structural checks of their own below.
OPERATOR_KINDS = {"ServiceMonitor", "PodMonitor", "PrometheusRule"}


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _run_dev_secrets(out: Path) -> None:
    subprocess.run(["bash", str(REPO / "scripts" / "dev-secrets"), str(out)], check=True)


@functools.cache
def _kustomize(overlay: str) -> str:
    """`kubectl kustomize deploy/overlays/<overlay>`, on a copy of deploy/ so the dev
    overlay's generated secrets file is made where an operator's would be, not in the repo."""
    work = Path(tempfile.mkdtemp(prefix="minispod-kustomize-"))
    try:
        shutil.copytree(DEPLOY, work / "deploy")
        if overlay == "dev":
            _run_dev_secrets(work / "deploy" / "overlays" / "dev" / "controlplane.env")
        out = subprocess.run(
            ["kubectl", "kustomize", str(work / "deploy" / "overlays" / overlay)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        shutil.rmtree(work)
    return out


def rendered(overlay: str) -> list[dict]:
    """The overlay's objects, parsed afresh: a test may change its copy."""
    return [d for d in yaml.safe_load_all(_kustomize(overlay)) if d]


def all_documents(overlay: str = "production") -> list[tuple[str, dict]]:
    """What an operator applies: the overlay, the standalone agent manifest and the examples
    of the Secrets they fill in."""
    return [
        *((f"overlays/{overlay}", d) for d in rendered(overlay)),
        *(("daemonset.yaml", d) for d in documents(REPO / "daemonset.yaml")),
        *((f"examples/{p.name}", d) for p in EXAMPLES for d in documents(p)),
    ]


def one(kind: str, name: str, overlay: str = "production") -> dict:
    found = [
        d
        for source, d in all_documents(overlay)
        if source != "daemonset.yaml" and d["kind"] == kind and d["metadata"]["name"] == name
    ]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def agent_pod() -> dict:
    return one("DaemonSet", "minispod-agent")["spec"]["template"]["spec"]


def agent_container() -> dict:
    (container,) = agent_pod()["containers"]
    return container


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container["env"]}


def controlplane_pod(overlay: str) -> dict:
    return one("Deployment", "minispod-controlplane", overlay)["spec"]["template"]["spec"]


def controlplane_container(overlay: str) -> dict:
    (container,) = controlplane_pod(overlay)["containers"]
    return container


VALIDATED = [
    (source, d)
    for source, d in {
        (s, yaml.safe_dump(d)): (s, d) for o in OVERLAYS for s, d in all_documents(o)
    }.values()
]


@pytest.mark.parametrize(
    ("source", "document"),
    VALIDATED,
    # Without kustomize's content-hash suffix: the dev Secret's hash follows its random
    # values, and parallel test workers must collect the same ids.
    ids=[
        f"{n}:{d['kind']}/{re.sub(r'-[a-z0-9]{10}$', '', d['metadata']['name'])}"
        for n, d in VALIDATED
    ],
)
def test_every_document_is_valid_for_kubernetes(source, document):
    if document["kind"] in OPERATOR_KINDS:
        # Held to account structurally below; fail here if a schema ever appears for it.
        with pytest.raises(kubernetes_validate.utils.SchemaNotFoundError):
            kubernetes_validate.validate(document, K8S_VERSION, strict=True)
        return
    assert kubernetes_validate.validate(document, K8S_VERSION, strict=True) == K8S_VERSION


def test_strict_validation_catches_a_misspelt_field():
    daemonset = one("DaemonSet", "minispod-agent")
    daemonset["spec"]["template"]["spec"]["tolerations"][0]["opertor"] = "Exists"

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(daemonset, K8S_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespaced_objects_live_in_minispod_system(overlay):
    cluster_scoped = {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    }
    namespaced = [d for _, d in all_documents(overlay) if d["kind"] not in cluster_scoped]

    assert namespaced
    assert {d["metadata"]["namespace"] for d in namespaced} == {NAMESPACE}
    assert one("Namespace", NAMESPACE, overlay)


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


def test_the_standalone_agent_manifest_is_the_one_the_base_ships():
    assert (DEPLOY / "base" / "agent-daemonset.yaml").read_bytes() == (
        REPO / "daemonset.yaml"
    ).read_bytes(), (
        "daemonset.yaml is the source: cp daemonset.yaml deploy/base/agent-daemonset.yaml"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_carries_the_least_privilege_rbac_unchanged(overlay):
    declared = documents(DEPLOY / "base" / "controlplane-rbac.yaml")
    shipped = [
        d for d in rendered(overlay) if (d["kind"], d["metadata"]["name"]) in _keys(declared)
    ]

    assert sorted(shipped, key=_key) == sorted(declared, key=_key)


def _key(d: dict) -> tuple[str, str]:
    return (d["kind"], d["metadata"]["name"])


def _keys(docs: list[dict]) -> set[tuple[str, str]]:
    return {_key(d) for d in docs}


def _pod_security_level(pod: dict) -> str:
    """The least Pod Security Standard a pod spec meets, on the fields our manifests set
    (host namespaces, hostPath, privilege, capabilities, seccomp, user)."""
    containers = pod.get("initContainers", []) + pod["containers"]
    if (
        pod.get("hostNetwork")
        or pod.get("hostPID")
        or pod.get("hostIPC")
        or any("hostPath" in v for v in pod.get("volumes", []))
        or any(c.get("securityContext", {}).get("privileged") for c in containers)
    ):
        return "privileged"
    restricted = pod.get("securityContext", {}).get("runAsNonRoot") is True and all(
        c["securityContext"].get("allowPrivilegeEscalation") is False
        and c["securityContext"]["capabilities"].get("drop") == ["ALL"]
        and not c["securityContext"]["capabilities"].get("add")
        and c["securityContext"].get("runAsUser") != 0
        for c in containers
    )
    seccomp = pod.get("securityContext", {}).get("seccompProfile", {}).get("type")
    return "restricted" if restricted and seccomp == "RuntimeDefault" else "baseline"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_namespace_admits_every_pod_and_the_control_plane_meets_restricted(overlay):
    order = ["restricted", "baseline", "privileged"]
    enforced = one("Namespace", NAMESPACE, overlay)["metadata"]["labels"][
        "pod-security.kubernetes.io/enforce"
    ]
    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]
        for d in rendered(overlay)
        if d["kind"] in {"Deployment", "DaemonSet"}
    }

    assert set(pods) == {"minispod-controlplane", "minispod-agent"}
    for pod in pods.values():
        assert order.index(_pod_security_level(pod)) <= order.index(enforced)
    assert _pod_security_level(pods["minispod-controlplane"]) == "restricted"
    # Only the agent needs the host: that is why the namespace is not held to restricted.
    assert _pod_security_level(pods["minispod-agent"]) == "privileged"


def test_production_runs_replicas_a_disruption_cannot_all_take():
    deployment = one("Deployment", "minispod-controlplane")
    budget = one("PodDisruptionBudget", "minispod-controlplane")
    labels = deployment["spec"]["template"]["metadata"]["labels"]

    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert 1 <= budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def test_production_is_bounded_probed_and_reads_postgresql_from_the_secret():
    container = controlplane_container("production")
    env = env_of(container)
    secret = one("Secret", "minispod-controlplane")

    assert container["resources"]["requests"].keys() == {"cpu", "memory"}
    assert container["resources"]["limits"].keys() == {"cpu", "memory"}
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert env["MINISPOD_ENV"]["value"] == "production"
    assert env["MINISPOD_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == (
        "minispod-controlplane"
    )
    assert secret["stringData"]["MINISPOD_DATABASE_URL"].startswith("postgres")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_pod_migrates_its_database_before_it_serves(overlay):
    pod = controlplane_pod(overlay)
    server = controlplane_container(overlay)
    (migrate,) = pod["initContainers"]
    env, server_env = env_of(migrate), env_of(server)

    assert migrate["command"] == ["minispod-controlplane", "migrate"]
    # The pod's own release migrates: the same image as the server, however it is set.
    assert migrate["image"] == server["image"]
    # The database and the configuration the server reads, from the same Secret.
    for name, spec in env.items():
        if name in server_env:
            assert spec == server_env[name], name
    assert {"MINISPOD_DATABASE_URL", "MINISPOD_JWT_SECRET", "MINISPOD_SECRETS_KEY"} <= env.keys()
    mounts = {(m["name"], m["mountPath"]) for m in migrate["volumeMounts"]}
    assert mounts <= {(m["name"], m["mountPath"]) for m in server["volumeMounts"]}
    assert migrate["resources"]["limits"].keys() == {"cpu", "memory"}
    assert migrate["securityContext"]["readOnlyRootFilesystem"] is True
    # Migrated once per pod, before it starts: the server never races another to migrate.
    assert server_env["MINISPOD_MIGRATE_ON_START"]["value"] == "false"
    assert "livenessProbe" not in migrate and "readinessProbe" not in migrate


def test_production_serves_the_api_over_tls_and_trusts_the_one_ingress_in_front():
    ingress = one("Ingress", "minispod-controlplane")
    service = one("Service", "minispod-controlplane")
    (tls,) = ingress["spec"]["tls"]
    (rule,) = ingress["spec"]["rules"]
    paths = rule["http"]["paths"]

    assert rule["host"] in tls["hosts"]
    assert tls["secretName"]
    assert {p["backend"]["service"]["name"] for p in paths} == {service["metadata"]["name"]}
    assert {p["backend"]["service"]["port"]["name"] for p in paths} <= {
        p["name"] for p in service["spec"]["ports"]
    }
    # Metrics and probes answer anyone who reaches them: they stay inside the cluster. The
    # dashboard's page is `/` exactly (a prefix "/" would expose everything), its files below.
    assert [(p["path"], p["pathType"]) for p in paths] == [
        ("/api", "Prefix"),
        ("/", "Exact"),
        ("/dashboard", "Prefix"),
    ]
    env = env_of(controlplane_container("production"))
    assert env["MINISPOD_TRUSTED_PROXIES"]["value"] == "1"


def test_production_network_policy_opens_only_the_api_port_and_the_needed_egress():
    policy = one("NetworkPolicy", "minispod-controlplane")
    pod_labels = one("Deployment", "minispod-controlplane")["spec"]["template"]["metadata"][
        "labels"
    ]

    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert [p for rule in policy["spec"]["ingress"] for p in rule["ports"]] == [
        {"port": "http", "protocol": "TCP"}
    ]
    egress = {
        (p["protocol"], p["port"]) for rule in policy["spec"]["egress"] for p in rule["ports"]
    }
    assert egress == {("UDP", 53), ("TCP", 53), ("TCP", 5432), ("TCP", 443), ("TCP", 6443)}


def test_production_service_monitor_scrapes_the_control_plane_service_metrics():
    monitor = one("ServiceMonitor", "minispod-controlplane")
    service = one("Service", "minispod-controlplane")
    (endpoint,) = monitor["spec"]["endpoints"]

    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= (
        service["metadata"]["labels"].items()
    )
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"


def test_production_pod_monitor_scrapes_every_agent_on_its_metrics_port():
    monitor = one("PodMonitor", "minispod-agent")
    labels = one("DaemonSet", "minispod-agent")["spec"]["template"]["metadata"]["labels"]
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]

    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert endpoint["port"] in {p["name"] for p in agent_container()["ports"]}
    assert endpoint["path"] == "/metrics"


def test_production_prometheus_rule_ships_the_checked_alert_rules():
    rule = one("PrometheusRule", "minispod")
    source = yaml.safe_load((DEPLOY / "prometheus" / "minispod-rules.yaml").read_text())

    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["namespace"] == NAMESPACE
    assert rule["spec"] == source


def _dev_secret() -> dict:
    (secret,) = [d for d in rendered("dev") if d["kind"] == "Secret"]
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def test_dev_runs_one_replica_in_production_mode_on_sqlite_on_its_volume():
    deployment = one("Deployment", "minispod-controlplane", "dev")
    pod, container = controlplane_pod("dev"), controlplane_container("dev")
    env = env_of(container)
    data_dir = env["MINISPOD_DATA_DIR"]["value"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == data_dir]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    claim = one("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"], "dev")

    assert deployment["spec"]["replicas"] == 1
    # SQLite is one process: the old pod stops before the new one opens the file.
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    # Development mode would seed accounts with well-known passwords.
    assert env["MINISPOD_ENV"]["value"] == "production"
    assert _dev_secret()["MINISPOD_DATABASE_URL"] == f"sqlite://{data_dir}/minispod.sqlite3"
    assert "MINISPOD_TRUSTED_PROXIES" not in env
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]


def test_dev_secrets_are_generated_fresh_and_usable(tmp_path):
    from cryptography.fernet import Fernet

    first, second = tmp_path / "one.env", tmp_path / "two.env"
    _run_dev_secrets(first)
    _run_dev_secrets(second)
    values = [
        dict(line.split("=", 1) for line in p.read_text().splitlines()) for p in (first, second)
    ]

    assert values[0]["MINISPOD_JWT_SECRET"] != values[1]["MINISPOD_JWT_SECRET"]
    assert values[0]["MINISPOD_SECRETS_KEY"] != values[1]["MINISPOD_SECRETS_KEY"]
    assert len(values[0]["MINISPOD_JWT_SECRET"]) >= 32
    sealed = Fernet(values[0]["MINISPOD_SECRETS_KEY"]).encrypt(b"credential")
    assert Fernet(values[0]["MINISPOD_SECRETS_KEY"]).decrypt(sealed) == b"credential"
    assert first.stat().st_mode & 0o077 == 0
    # Run again, it keeps the file: new keys would orphan every sealed credential.
    before = first.read_text()
    _run_dev_secrets(first)
    assert first.read_text() == before
    assert set(_dev_secret()) == {
        "MINISPOD_DATABASE_URL",
        "MINISPOD_JWT_SECRET",
        "MINISPOD_SECRETS_KEY",
    }
