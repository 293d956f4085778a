"""`minispod-agent`: read the configuration, run the report loop and the probe server, and on
SIGTERM/SIGINT say goodbye to the control plane and exit 0.

One thread reports, one serves the probes; no event loop. The agent does one thing every few
seconds, and its footprint budget (40 MiB) has no room for asyncio, aiohttp and pydantic.
"""

import argparse
import logging
import os
import sys
from collections.abc import Callable

from agent.client import ControlPlaneClient
from agent.collectors.registry import build_registry
from agent.config import AgentConfig, ConfigError, load_config
from agent.logs import configure_logging
from agent.metrics import create_metrics
from agent.reporter import LoopStatus, Reporter
from agent.server import ProbeServer
from agent.spool import Spool
from agent.state import IdentityStore, SequenceCounter, StateError, load_node_secret
from agent.stopping import StopSignal

log = logging.getLogger("minispod.agent")

GOODBYE_TIMEOUT_SECONDS = 2.0


def agent_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("minispod")
    except PackageNotFoundError:
        return None


def run_agent(config: AgentConfig, add_secret: Callable[[str], None]) -> int:
    """Run until SIGTERM/SIGINT (exit code 0) or until the loop dies of a bug (1)."""
    try:
        config.state_dir.mkdir(parents=True, exist_ok=True)
        node_secret = load_node_secret(config.node_secret_file)
        identities = IdentityStore(config.identity_file)
        counter = SequenceCounter(config.sequence_file)
        spool = Spool(config.spool_dir, config.spool_max_samples)
    except OSError as exc:
        raise StateError(f"state directory {config.state_dir} is unusable: {exc}") from exc
    add_secret(node_secret)
    metrics = create_metrics()
    metrics.spool_depth.set_function(lambda: spool.depth)
    registry = build_registry(config, metrics, os.environ)
    status = LoopStatus(node_name=config.node_name)
    version = agent_version()
    log.info(
        "minispod-agent %s: node %s, control plane %s, state in %s, %d samples spooled",
        version or "(not installed)",
        config.node_name,
        config.server_url,
        config.state_dir,
        spool.depth,
    )
    client = ControlPlaneClient(config.server_url, user_agent=f"minispod-agent/{version or 'dev'}")
    with StopSignal() as stop:
        reporter = Reporter(
            config,
            client,
            registry,
            identities,
            counter,
            spool,
            metrics,
            status,
            stop,
            node_secret=node_secret,
            on_secret=add_secret,
            agent_version=version,
        )
        probes = None
        if config.agent_port:
            try:
                probes = ProbeServer(config.agent_host, config.agent_port, status, metrics)
            except OSError as exc:
                log.error(
                    "cannot serve /healthz on %s:%d: %s", config.agent_host, config.agent_port, exc
                )
                return 1
            probes.start()
            log.info("serving /healthz and /metrics on %s:%d", config.agent_host, config.agent_port)
        code = 0
        try:
            reporter.run()
        except Exception:
            log.critical("the report loop ended", exc_info=True)
            code = 1
        else:
            log.info("stop signal received")
        status.running = False
        reporter.say_goodbye(GOODBYE_TIMEOUT_SECONDS)
        client.close()
        if probes is not None:
            probes.close()
    log.info("minispod-agent stopped")
    return code


def main(argv: list[str] | None = None) -> int:
    # No options: the agent is configured by its environment alone (a DaemonSet's env).
    argparse.ArgumentParser(
        prog="minispod-agent",
        description="Report this node to the MinisPod control plane until SIGTERM.",
        epilog="Configured by MINISPOD_* environment variables only; see docs/configuration.md.",
    ).parse_args(argv)
    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(f"minispod-agent: configuration error: {exc}", file=sys.stderr)
        return 2
    formatter = configure_logging(config.log_level)
    formatter.add_secret(config.join_token)
    try:
        return run_agent(config, formatter.add_secret)
    except StateError as exc:
        log.error("%s", exc)
        return 2
