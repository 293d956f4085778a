"""`minispod-agent`: read the configuration, run the report loop and the probe server, and on
SIGTERM/SIGINT say goodbye to the control plane and exit 0."""

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable

import aiohttp

from agent.client import ControlPlaneClient
from agent.collectors.registry import build_registry
from agent.config import AgentConfig, ConfigError, load_config
from agent.logs import configure_logging
from agent.metrics import create_metrics
from agent.reporter import LoopStatus, Reporter
from agent.server import create_app, start_server
from agent.spool import Spool
from agent.state import IdentityStore, SequenceCounter, StateError

log = logging.getLogger("minispod.agent")

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)
GOODBYE_TIMEOUT_SECONDS = 2.0


def agent_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("minispod")
    except PackageNotFoundError:
        return None


async def run_agent(config: AgentConfig, add_secret: Callable[[str], None]) -> int:
    """Run until SIGTERM/SIGINT (exit code 0) or until the loop dies of a bug (1)."""
    try:
        config.state_dir.mkdir(parents=True, exist_ok=True)
        identities = IdentityStore(config.identity_file)
        counter = SequenceCounter(config.sequence_file)
        spool = Spool(config.spool_dir, config.spool_max_samples)
    except OSError as exc:
        raise StateError(f"state directory {config.state_dir} is unusable: {exc}") from exc
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
    headers = {"User-Agent": f"minispod-agent/{version or 'dev'}"}
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT, headers=headers) as session:
        reporter = Reporter(
            config,
            ControlPlaneClient(session, config.server_url),
            registry,
            identities,
            counter,
            spool,
            metrics,
            status,
            on_secret=add_secret,
            agent_version=version,
        )
        runner = None
        if config.agent_port:
            try:
                app = create_app(status, metrics)
                runner = await start_server(app, config.agent_host, config.agent_port)
            except OSError as exc:
                log.error(
                    "cannot serve /healthz on %s:%d: %s", config.agent_host, config.agent_port, exc
                )
                return 1
            log.info("serving /healthz and /metrics on %s:%d", config.agent_host, config.agent_port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        reporting = asyncio.create_task(reporter.run(), name="report-loop")
        stopping = asyncio.create_task(stop.wait(), name="stop-signal")
        await asyncio.wait({reporting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        code = 0
        if reporting.done():
            log.critical("the report loop ended", exc_info=reporting.exception())
            code = 1
        else:
            log.info("stop signal received")
            reporting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporting
        stopping.cancel()
        status.running = False
        await reporter.say_goodbye(GOODBYE_TIMEOUT_SECONDS)
        if runner is not None:
            await runner.cleanup()
    log.info("minispod-agent stopped")
    return code


def main() -> int:
    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(f"minispod-agent: configuration error: {exc}", file=sys.stderr)
        return 2
    formatter = configure_logging(config.log_level)
    formatter.add_secret(config.join_token)
    try:
        return asyncio.run(run_agent(config, formatter.add_secret))
    except StateError as exc:
        log.error("%s", exc)
        return 2
