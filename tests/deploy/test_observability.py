"""The Grafana dashboard and the Prometheus alert rules: promtool accepts every expression, and
every metric they query, with every label they match on, is on a real control plane's
/metrics after it served requests, a registration, a heartbeat and a jobs run, or (for
`minispod_agent_*`) on a real agent process's /metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from controlplane.appkeys import ALERTS, METRICS, RECONCILER, SNAPSHOTS
from controlplane.config import Config
from controlplane.jobs.runner import Jobs
from controlplane.services.fleet.hearing import Hearing
from tests.conftest import FakeClock
from tests.controlplane.api.test_workers import beat, join_token, register
from tests.processes import free_port, wait_for

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy" / "grafana" / "minispod.json"
RULES = REPO / "deploy" / "prometheus" / "minispod-rules.yaml"

# PromQL words that look like metric names: keywords, and aggregation modifiers.
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
KEYWORDS |= {"and", "or", "unless", "inf", "nan"}
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
# A selector's braces hold matchers, whose quoted values may hold braces of their own.
SELECTOR = re.compile(
    r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{((?:\s*,?\s*[a-zA-Z_]\w*\s*(?:=~|!~|!=|=)\s*"
    r'"(?:[^"\\]|\\.)*")*\s*,?\s*)\}'
)
IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, keywords, label names in
    groupings and matchers, durations and numbers left out)."""
    text = STRING.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = GROUPING.sub(" ", text)
    return {n for n in IDENTIFIER.findall(text) if n.lower() not in KEYWORDS}


def label_matchers(expr: str) -> set[tuple[str, str, str, str]]:
    """(metric, label, operator, value) of each matcher on a named selector."""
    return {(metric, *m) for metric, body in SELECTOR.findall(expr) for m in MATCHER.findall(body)}


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [t["expr"] for p in panels for t in p.get("targets", [])]


def rule_expressions() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [r["expr"] for g in groups for r in g["rules"]]


def test_metric_names_are_read_out_of_promql_as_prometheus_would():
    expr = (
        'histogram_quantile(0.99, sum by (route, le) (rate(minispod_a_bucket{route="/x{id}"}'
        "[5m]))) / on (job) group_left max without (instance) (minispod_b offset 5m) "
        "> bool 0 and absent(up)"
    )
    assert metric_names(expr) == {"minispod_a_bucket", "minispod_b", "up"}
    assert label_matchers(expr) == {("minispod_a_bucket", "route", "=", "/x{id}")}


def _promtool_check(rules: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules))
    return subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
    )


def test_promtool_accepts_the_alert_rules():
    checked = subprocess.run(
        ["promtool", "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rule_expressions())} rules found" in checked.stdout


def test_promtool_refuses_a_rule_that_does_not_parse(tmp_path):
    broken = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "sum(minispod_nodes"}]}]}
    checked = _promtool_check(broken, tmp_path)
    assert checked.returncode != 0
    assert "parse error" in checked.stdout + checked.stderr


def test_promtool_accepts_every_dashboard_query(tmp_path):
    # Grafana's interval variable is filled in as Grafana would before it sends the query.
    records = [
        {"record": f"minispod:dashboard_query_{i}", "expr": e.replace("$__rate_interval", "5m")}
        for i, e in enumerate(dashboard_expressions())
    ]
    checked = _promtool_check({"groups": [{"name": "dashboard", "rules": records}]}, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_dashboard_covers_the_fleet_the_apps_and_the_business():
    queried = {n for e in dashboard_expressions() for n in metric_names(e)}
    rows = [p["title"] for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] == "row"]

    assert rows == ["Fleet", "Apps", "Business", "API", "Agents"]
    assert {
        "minispod_nodes",
        "minispod_http_requests_total",
        "minispod_http_request_duration_seconds_bucket",
        "minispod_ingest_commit_seconds_bucket",
        "minispod_ingest_batch_size_bucket",
        "minispod_instances",
        "minispod_reconcile_actions_total",
        "minispod_placement_wait_seconds_bucket",
        "minispod_placement_attempt_duration_seconds_count",
        "minispod_subscriptions",
        "minispod_billing_mrr",
        "minispod_billing_revenue_month",
        "minispod_agent_heartbeats_failed_total",
        "minispod_agent_spool_depth",
    } <= queried


@pytest.fixture
def dialect() -> str:
    return "sqlite"


@pytest.fixture
async def exported(
    client: TestClient, admin_headers: dict[str, str], config: Config, clock: FakeClock
) -> dict[str, dict[str, set[str]]]:
    """Each sample name on /metrics with the labels it carries and their values, once the
    control plane has served a sign-in, a registration and a heartbeat, and led a jobs run
    (its state and billing gauges too)."""
    node = await register(client, await join_token(client, admin_headers))
    assert (await beat(client, node, 1)).status == 200
    assert (await client.get("/api/v1/workers", headers=admin_headers)).status == 200
    jobs = Jobs(
        config,
        clock,
        client.app[RECONCILER],
        client.app[METRICS],
        Hearing(clock),
        client.app[SNAPSHOTS],
        client.app[ALERTS],
    )
    await jobs.reconcile()
    await jobs.state_gauges()
    await jobs.billing_gauges()
    await jobs.leadership.release()

    text = await (await client.get("/metrics")).text()
    return _labels_of(text)


Exported = dict[str, dict[str, set[str]]]


def _labels_of(text: str) -> Exported:
    labels: Exported = defaultdict(lambda: defaultdict(set))
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values = labels[sample.name]
            for label, value in sample.labels.items():
                values[label].add(value)
    return dict(labels)


@pytest.fixture(scope="module")
def agent_exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """The /metrics of a real agent process that ran its collectors while it tried to reach a
    control plane that is not there: every family it exports, with the collector label."""
    state = tmp_path_factory.mktemp("agent-state")
    server_url = f"http://127.0.0.1:{free_port()}"
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "MINISPOD_JOIN_TOKEN": "jt_observability_test_join_token",
        "MINISPOD_SERVER_URL": server_url,
        "MINISPOD_NODE_NAME": "worker-observed",
        "MINISPOD_STATE_DIR": str(state),
        "MINISPOD_AGENT_HOST": "127.0.0.1",
        "MINISPOD_AGENT_PORT": str(port),
        "MINISPOD_HEARTBEAT_INTERVAL": "0.2",
        "MINISPOD_BACKOFF_MAX": "1",
    }
    agent = subprocess.Popen(
        [sys.executable, "-m", "agent"], env=env, cwd=REPO, stderr=subprocess.DEVNULL
    )

    def scrape() -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                text = r.read().decode()
        except OSError:
            return None
        return text if "minispod_agent_collector_success{" in text else None

    try:
        text = wait_for(scrape, 20, "the agent's collector series")
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=15)
    finally:
        agent.kill()
    return _labels_of(text)


def _missing(expressions: list[str], exported: dict[str, dict[str, set[str]]]) -> list[str]:
    missing = [
        f"{name} (in {expr})"
        for expr in expressions
        for name in metric_names(expr)
        if name not in exported
    ]
    missing += [
        f"{metric}{{{label}}} (in {expr})"
        for expr in expressions
        for metric, label, _, _ in label_matchers(expr)
        if label not in exported.get(metric, {})
    ]
    return missing


async def test_every_metric_the_dashboard_queries_is_exported(exported, agent_exported):
    assert _missing(dashboard_expressions(), {**exported, **agent_exported}) == []
    # The heartbeat panels select one route by its template: a renamed route would leave
    # them empty without any other error.
    routes = {
        (metric, value)
        for e in dashboard_expressions()
        for metric, label, _, value in label_matchers(e)
        if label == "route"
    }
    assert {value for _, value in routes} == {"/api/v1/workers/{nodeId}/heartbeat"}
    for metric, value in routes:
        assert value in exported[metric]["route"], (metric, sorted(exported[metric]["route"]))


async def test_every_metric_the_alert_rules_query_is_exported(exported):
    assert _missing(rule_expressions(), exported) == []
