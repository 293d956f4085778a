"""Agent configuration: laptop defaults, the DaemonSet's variables, and clear refusals."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
TOKEN = {"MINISPOD_JOIN_TOKEN": "jt_0123456789abcdef"}


def test_defaults_need_only_a_join_token():
    config = load_config(TOKEN)

    assert config.server_url == "http://127.0.0.1:3000"
    assert config.state_dir == Path("data/agent")
    assert config.host.proc == Path("/proc")
    assert config.host.sys == Path("/sys")
    assert config.host.root == Path("/")
    assert config.agent_host == "0.0.0.0"
    assert config.agent_port == 9101
    assert config.spool_max_samples == 100_000
    assert config.heartbeat_interval is None
    assert config.backoff_max == 60.0
    assert config.node_name == socket.gethostname().lower()


def test_daemonset_variables_are_read():
    config = load_config(
        TOKEN
        | {
            "MINISPOD_SERVER_URL": "https://cp.example.com/",
            "NODE_NAME": "worker-7",
            "MINISPOD_STATE_DIR": "/var/lib/minispod-agent",
            "MINISPOD_HOST_PROC": "/host/proc",
            "MINISPOD_HOST_SYS": "/host/sys",
            "MINISPOD_HOST_ROOT": "/host/root",
            "MINISPOD_AGENT_PORT": "0",
            "MINISPOD_SPOOL_MAX_SAMPLES": "500",
            "MINISPOD_HEARTBEAT_INTERVAL": "0.5",
        }
    )

    assert config.server_url == "https://cp.example.com"
    assert config.node_name == "worker-7"
    assert config.identity_file == Path("/var/lib/minispod-agent/node.json")
    assert config.node_secret_file == Path("/var/lib/minispod-agent/node-secret")
    assert config.host.root == Path("/host/root")
    assert config.agent_port == 0
    assert config.spool_max_samples == 500
    assert config.heartbeat_interval == 0.5


def test_explicit_node_name_wins_over_the_downward_api():
    config = load_config(TOKEN | {"NODE_NAME": "from-k8s", "MINISPOD_NODE_NAME": "chosen"})

    assert config.node_name == "chosen"


def test_the_join_token_never_shows_in_the_config_repr():
    assert "jt_0123456789abcdef" not in repr(load_config(TOKEN))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MINISPOD_JOIN_TOKEN is not set"),
        (TOKEN | {"MINISPOD_AGENT_PORT": "http"}, "MINISPOD_AGENT_PORT='http' is not a whole"),
        (TOKEN | {"MINISPOD_AGENT_PORT": "70000"}, "out of range (0..65535)"),
        (TOKEN | {"MINISPOD_SPOOL_MAX_SAMPLES": "0"}, "MINISPOD_SPOOL_MAX_SAMPLES=0 is out"),
        (TOKEN | {"MINISPOD_SERVER_URL": "cp.example.com"}, "is not an http(s) URL"),
        (TOKEN | {"MINISPOD_HEARTBEAT_INTERVAL": "soon"}, "not a number of seconds"),
        (TOKEN | {"MINISPOD_HEARTBEAT_INTERVAL": "-1"}, "out of range"),
        (TOKEN | {"MINISPOD_NODE_NAME": "Worker_7"}, "is not a Kubernetes node name"),
        (TOKEN | {"MINISPOD_LOG_LEVEL": "loud"}, "MINISPOD_LOG_LEVEL='LOUD'"),
    ],
)
def test_unusable_values_are_refused_with_the_variable_named(env, message):
    with pytest.raises(ConfigError) as refused:
        load_config(env)

    assert message in str(refused.value)


def test_the_agent_exits_2_with_one_line_on_a_config_error():
    result = subprocess.run(
        [sys.executable, "-m", "agent"],
        env={"PATH": "/usr/bin:/bin", "MINISPOD_JOIN_TOKEN": "x" * 20, "MINISPOD_AGENT_PORT": "-1"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "minispod-agent: configuration error: MINISPOD_AGENT_PORT=-1 is out of range (0..65535)"
    ]
    assert "x" * 20 not in result.stderr
