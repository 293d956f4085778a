"""`minispod` against a real control plane process: signing in, nodes, join tokens, output
formats for scripts, and exit codes scripts can rely on."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, run_cli
from tests.processes import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    AdminApi,
    ControlPlane,
    child_env,
    create_admin,
    request_json,
)

pytestmark = pytest.mark.slow

Minispod = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def control_plane(sqlite_template: Path, tmp_path: Path) -> Iterator[ControlPlane]:
    database = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite://{database}"
    create_admin(url)
    process = ControlPlane(url, tmp_path)
    process.start()
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture
def minispod(tmp_path: Path) -> Minispod:
    config = tmp_path / "config"

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "controlplane.admin", *args],
            env=child_env(XDG_CONFIG_HOME=str(config)),
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def login(minispod: Minispod, server: str, password: str = ADMIN_PASSWORD) -> Any:
    """`minispod login` as a script does it: the password on standard input."""
    return minispod(
        "login",
        "--server",
        server,
        "--email",
        ADMIN_EMAIL,
        "--password-stdin",
        stdin=password + "\n",
    )


@pytest.fixture
def signed_in(control_plane: ControlPlane, minispod: Minispod) -> Minispod:
    result = login(minispod, control_plane.url)
    assert result.returncode == 0, result.stderr
    return minispod


def test_login_keeps_a_private_session_and_whoami_reads_it(
    signed_in: Minispod, tmp_path: Path
) -> None:
    session = tmp_path / "config" / "minispod" / "session.json"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert ADMIN_PASSWORD not in session.read_text()
    result = signed_in("whoami", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["email"] == ADMIN_EMAIL


def test_a_wrong_password_exits_1_with_the_control_planes_words(
    control_plane: ControlPlane, minispod: Minispod
) -> None:
    result = login(minispod, control_plane.url, "Wr0ng!password")
    assert result.returncode == 1
    assert "401 UNAUTHORIZED" in result.stderr and "Invalid email or password" in result.stderr


def test_without_a_session_or_a_server_the_exit_codes_say_which(minispod: Minispod) -> None:
    assert minispod("nodes", "list").returncode == 4
    unreachable = login(minispod, "http://127.0.0.1:9", "x")
    assert unreachable.returncode == 3 and "cannot reach" in unreachable.stderr
    assert minispod("nodes", "frobnicate").returncode == 2


def test_a_join_token_is_printed_once_and_listed_without_its_secret(signed_in: Minispod) -> None:
    made = signed_in("join-tokens", "create", "--name", "rack-7", "--max-uses", "3")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token and " " not in token
    listed = signed_in("join-tokens", "list", "-o", "yaml")
    assert listed.returncode == 0, listed.stderr
    tokens = yaml.safe_load(listed.stdout)
    assert [t["name"] for t in tokens] == ["rack-7"]
    assert token not in listed.stdout
    revoked = signed_in("join-tokens", "revoke", tokens[0]["id"])
    assert revoked.returncode == 0, revoked.stderr


def test_nodes_are_found_by_name_cordoned_and_put_in_maintenance(
    control_plane: ControlPlane, signed_in: Minispod
) -> None:
    from tests.processes import AdminApi

    admin = AdminApi(control_plane)
    admin.data(
        "POST",
        "/workers",
        {
            "name": "worker-cli",
            "hostname": "worker-cli",
            "ipAddress": "10.0.0.7",
            "cpuCores": 4,
            "cpuArchitecture": "x86_64",
            "totalMemory": 8192,
            "totalStorage": 100000,
            "architecture": "amd64",
            "operatingSystem": "Linux",
        },
    )
    table = signed_in("nodes", "list")
    assert table.returncode == 0, table.stderr
    assert "worker-cli" in table.stdout and "PENDING" in table.stdout

    assert signed_in("nodes", "cordon", "worker-cli").returncode == 0
    shown = json.loads(signed_in("nodes", "show", "worker-cli", "-o", "json").stdout)
    assert shown["isSchedulable"] is False
    assert signed_in("nodes", "cordon", "worker-cli").returncode == 0  # already: stays cordoned
    assert (
        json.loads(signed_in("nodes", "show", "worker-cli", "-o", "json").stdout)["isSchedulable"]
        is False
    )

    entered = signed_in("nodes", "maintenance", "worker-cli")
    assert entered.returncode == 0 and "MAINTENANCE" in entered.stdout
    left = signed_in("nodes", "maintenance", "worker-cli", "--end")
    assert left.returncode == 0 and "PENDING" in left.stdout
    assert signed_in("nodes", "uncordon", "worker-cli").returncode == 0

    # Drain: cordoned and in MAINTENANCE at once; with nothing on it, --wait is done at once.
    drained = signed_in("nodes", "drain", "worker-cli", "--wait", "--timeout", "30")
    assert drained.returncode == 0, drained.stderr
    assert "drained" in drained.stdout
    shown = json.loads(signed_in("nodes", "show", "worker-cli", "-o", "json").stdout)
    assert (shown["isSchedulable"], shown["status"]) == (False, "MAINTENANCE")
    missing = signed_in("nodes", "show", "no-such-node")
    assert missing.returncode == 1 and "no node named" in missing.stderr


def test_logout_ends_the_session_for_good(signed_in: Minispod) -> None:
    assert signed_in("logout").returncode == 0
    assert signed_in("whoami").returncode == 4


def test_an_expired_access_token_is_refreshed_without_signing_in_again(
    sqlite_template: Path, tmp_path: Path, minispod: Minispod
) -> None:
    import time

    database = tmp_path / "ttl.sqlite3"
    shutil.copyfile(sqlite_template, database)
    create_admin(f"sqlite://{database}")
    process = ControlPlane(f"sqlite://{database}", tmp_path, MINISPOD_ACCESS_TOKEN_TTL="10")
    process.start()
    try:
        signing_in = login(minispod, process.url)
        assert signing_in.returncode == 0, signing_in.stderr
        session = tmp_path / "config" / "minispod" / "session.json"
        before = json.loads(session.read_text())
        time.sleep(11)  # the access token's lifetime, the shortest the control plane allows
        result = minispod("whoami", "-o", "json")
        assert result.returncode == 0, result.stderr
        after = json.loads(session.read_text())
        assert after["access_token"] != before["access_token"]
        assert after["refresh_token"] != before["refresh_token"]  # the old one was spent
    finally:
        process.kill()


def test_users_and_the_catalog_list_as_json_for_scripts(
    control_plane: ControlPlane, signed_in: Minispod
) -> None:
    listed = signed_in("users", "list", "--role", "ADMINISTRATOR", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert [u["email"] for u in json.loads(listed.stdout)] == [ADMIN_EMAIL]
    catalog = signed_in("services", "list", "-o", "json")
    assert catalog.returncode == 0, catalog.stderr
    assert json.loads(catalog.stdout) == []  # nothing seeded in this database
    assert signed_in("subscriptions", "list", "-o", "json").stdout.strip() == "[]"


def test_the_subscriptions_list_names_each_service_and_subscriber(
    sqlite_template: Path, tmp_path: Path, minispod: Minispod
) -> None:
    database = tmp_path / "subscriptions.sqlite3"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite://{database}"
    create_admin(url)
    seeded = run_cli("seed", "--catalog-only", database_url=url)
    assert seeded.returncode == 0, seeded.stderr
    process = ControlPlane(url, tmp_path)
    process.start()
    try:
        admin = AdminApi(process)
        services = admin.data("GET", "/services?limit=100")["services"]
        ghost = next(s for s in services if s["slug"] == "ghost")
        # Subscribing pays the first period: the administrator credits their own wallet.
        me = admin.data("GET", "/auth/profile")
        credit = {"userId": me["id"], "amount": ghost["pricing"]["monthly"], "reason": "test"}
        admin.data("POST", "/admin/billing/credits", credit)
        made = admin.data("POST", "/subscriptions", {"serviceId": ghost["id"]})
        assert login(minispod, process.url).returncode == 0

        listed = minispod("subscriptions", "list", "-o", "json")
        assert listed.returncode == 0, listed.stderr
        assert [
            (s["id"], s["serviceId"], s["service"], s["subscriberEmail"], s["subscriber"]["email"])
            for s in json.loads(listed.stdout)
        ] == [(made["id"], ghost["id"], ghost["name"], ADMIN_EMAIL, ADMIN_EMAIL)]
        table = minispod("subscriptions", "list")
        assert table.returncode == 0 and "service" in table.stdout, table.stderr
    finally:
        process.kill()


def snapshot_file(folder: Path, cluster: str, image: str) -> Path:
    """A small snapshot document, as a client of another cluster would upload it."""
    document = {
        "metadata": {
            "clusterName": cluster,
            "takenAt": "2026-12-01T08:00:00Z",
            "kubernetesVersion": "v1.30.6+k3s1",
        },
        "objects": {
            "nodes": [{"metadata": {"name": "worker-1"}, "status": {}}],
            "pods": [
                {
                    "metadata": {"name": "web-0", "namespace": "shop"},
                    "spec": {"containers": [{"name": "web", "image": image}]},
                }
            ],
        },
        "secrets": [{"namespace": "shop", "name": "db-credentials"}],
    }
    path = folder / f"{cluster}-{image.replace(':', '_')}.json"
    path.write_text(json.dumps(document))
    return path


def test_snapshots_upload_list_download_diff_and_delete(
    signed_in: Minispod, tmp_path: Path
) -> None:
    older = snapshot_file(tmp_path, "edge", "nginx:1.27")
    newer = snapshot_file(tmp_path, "edge", "nginx:1.28")
    ids = []
    for document in (older, newer):
        made = signed_in("snapshots", "upload", str(document), "-o", "json")
        assert made.returncode == 0, made.stderr
        ids.append(json.loads(made.stdout)["id"])

    listed = json.loads(signed_in("snapshots", "list", "--cluster", "edge", "-o", "json").stdout)
    assert sorted(s["id"] for s in listed) == sorted(ids)
    assert "edge" in signed_in("snapshots", "list").stdout  # the table names the cluster

    target = tmp_path / "out" / "edge.json"
    target.parent.mkdir()
    got = signed_in("snapshots", "download", ids[1], "--to", str(target))
    assert got.returncode == 0, got.stderr
    assert json.loads(target.read_text()) == json.loads(newer.read_text())
    assert not target.with_name("edge.json.part").exists()

    diff = signed_in("snapshots", "diff", ids[1], ids[0], "-o", "json")
    assert diff.returncode == 0, diff.stderr
    changed = json.loads(diff.stdout)["changed"]
    assert [(c["kind"], c["name"]) for c in changed] == [("pods", "web-0")]
    assert "changed" in signed_in("snapshots", "diff", ids[1], ids[0]).stdout

    assert signed_in("snapshots", "delete", ids[0], "--yes").returncode == 0
    missing = signed_in("snapshots", "download", ids[0], "--to", str(tmp_path / "gone.json"))
    assert missing.returncode == 1 and "404" in missing.stderr
    assert not (tmp_path / "gone.json").exists()  # a refused download leaves no file


def test_a_document_that_is_not_a_snapshot_is_refused_with_the_fields_named(
    signed_in: Minispod, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"metadata": {}}))
    refused = signed_in("snapshots", "upload", str(bad))
    assert refused.returncode == 1 and "400" in refused.stderr
    assert json.loads(signed_in("snapshots", "list", "-o", "json").stdout) == []


def test_billing_credit_then_stats_and_invoices_read_as_json(signed_in: Minispod) -> None:
    me = json.loads(signed_in("whoami", "-o", "json").stdout)
    credited = signed_in(
        "billing", "credit", me["id"], "2500", "--reason", "welcome credit", "-o", "json"
    )
    assert credited.returncode == 0, credited.stderr
    line = json.loads(credited.stdout)
    assert (line["type"], line["amount"], line["reason"]) == ("ADJUSTMENT", 2500, "welcome credit")
    too_short = signed_in("billing", "credit", me["id"], "1", "--reason", "x")
    assert too_short.returncode == 1 and "reason" in too_short.stderr

    stats = json.loads(signed_in("billing", "stats", "-o", "json").stdout)
    assert stats["mrr"] == 0 and stats["activePayingSubscriptions"] == 0
    assert "mrr" in signed_in("billing", "stats").stdout
    assert json.loads(signed_in("billing", "invoices", "-o", "json").stdout) == []


def test_an_api_key_signs_the_cli_in_until_it_is_revoked(
    control_plane: ControlPlane, minispod: Minispod, tmp_path: Path
) -> None:
    api = control_plane.url + "/api/v1"
    status, body = request_json(
        "POST", api + "/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    session = body["data"]["accessToken"]
    status, body = request_json(
        "POST",
        api + "/api-keys",
        {"name": "cli", "scopes": ["account:read", "admin:read"]},
        session,
    )
    assert status == 201, body
    key = body["data"]
    result = minispod(
        "login", "--server", control_plane.url, "--api-key-stdin", stdin=key["key"] + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert f"acting for {ADMIN_EMAIL}" in result.stdout
    stored = (tmp_path / "config" / "minispod" / "session.json").read_text()
    assert ADMIN_PASSWORD not in stored
    assert minispod("whoami", "-o", "json").returncode == 0
    assert minispod("nodes", "list", "-o", "json").returncode == 0
    status, _ = request_json("DELETE", f"{api}/api-keys/{key['id']}", None, session)
    assert status == 200
    refused = minispod("nodes", "list")
    assert refused.returncode == 4 and "API key" in refused.stderr


def test_a_snapshot_of_any_cluster_is_taken_from_a_kubeconfig_and_uploaded(
    signed_in: Minispod, tmp_path: Path
) -> None:
    """Against a local stand-in of a Kubernetes API server, read with the official client:
    every kind cluster-wide, page by page, Secrets as metadata only."""
    from controlplane.cluster.kubernetes import METADATA_ONLY
    from tests.controlplane.cluster.test_kubernetes_cluster import FakeApiServer, write_kubeconfig

    pod = {"metadata": {"name": "web-1", "namespace": "shop", "managedFields": [{"x": 1}]}}

    def answer(request: dict[str, Any]) -> tuple[int, Any] | None:
        if request["path"] == "/api/v1/pods":
            if request["query"].get("continue") == "page-2":
                return 200, {"items": [{"metadata": {"name": "web-2", "namespace": "shop"}}]}
            return 200, {"items": [pod], "metadata": {"continue": "page-2"}}
        if request["path"] == "/api/v1/secrets":
            assert request["accept"] == METADATA_ONLY  # never the data
            return 200, {"items": [{"metadata": {"name": "db-credentials", "namespace": "shop"}}]}
        if request["path"] == "/api/v1/nodes":
            return 200, {"items": [{"metadata": {"name": "worker-1"}}]}
        if request["path"] == "/version":
            return 200, {"gitVersion": "v1.31.2+k3s1"}
        return None

    with FakeApiServer() as api:
        api.decide = answer
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", api.url)
        made = signed_in(
            "snapshots",
            "take",
            "--kubeconfig",
            str(kubeconfig),
            "--cluster-name",
            "edge-1",
            "-o",
            "json",
        )
        assert made.returncode == 0, made.stderr
        auth = {r["authorization"] for r in api.requests}
    assert auth == {"Bearer test-token"}  # the kubeconfig's credentials, on every call
    snapshot = json.loads(made.stdout)
    assert snapshot["clusterName"] == "edge-1" and snapshot["kubernetesVersion"] == "v1.31.2+k3s1"
    assert snapshot["objectCounts"]["pods"] == 2 and snapshot["objectCounts"]["nodes"] == 1
    assert snapshot["secretCount"] == 1
    target = tmp_path / "edge.json"
    got = signed_in("snapshots", "download", snapshot["id"], "--to", str(target))
    assert got.returncode == 0, got.stderr
    doc = json.loads(target.read_text())
    assert doc["secrets"] == [{"namespace": "shop", "name": "db-credentials"}]
    assert "managedFields" not in doc["objects"]["pods"][0]["metadata"]


def test_a_kubeconfig_without_a_cluster_behind_it_exits_3(
    signed_in: Minispod, tmp_path: Path
) -> None:
    from tests.controlplane.cluster.test_kubernetes_cluster import write_kubeconfig

    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "http://127.0.0.1:9")
    result = signed_in("snapshots", "take", "--kubeconfig", str(kubeconfig))
    assert result.returncode == 3 and "did not answer" in result.stderr
    missing = signed_in("snapshots", "take", "--kubeconfig", str(kubeconfig), "--context", "nope")
    assert missing.returncode == 3 and "no context 'nope'" in missing.stderr
