"""The report loop: register, heartbeat on a jittered interval, spool what cannot be delivered,
replay the spool in order when the control plane is back, report pod allocation now and then.

Registration presents the agent's node secret: the control plane refuses (409) a node name
registered with another secret until an administrator deletes that node. The loop then keeps
sampling and spooling, and tries again with its usual backoff.

Nothing in here decides a node's health: the control plane does that from what it is told.
"""

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, Protocol, TypeVar

from agent.backoff import Backoff, jittered
from agent.client import (
    ControlPlaneClient,
    ControlPlaneError,
    Forgotten,
    Invalid,
    TooLarge,
    Unavailable,
)
from agent.collectors.registry import Registry
from agent.config import AgentConfig
from agent.metrics import AgentMetrics
from agent.spool import Spool
from agent.state import IdentityStore, NodeIdentity, SequenceCounter
from agent.wire import NodeRegistration, RegisterResult, UsageSample, telemetry_batch

log = logging.getLogger("minispod.agent.reporter")
T = TypeVar("T")
P = ParamSpec("P")

DEFAULT_HEARTBEAT_INTERVAL = 10.0
DEFAULT_RESOURCE_INTERVAL = 60.0
MAX_BATCH = 500
# The loop proves it is alive at least this often, even while it waits out a long backoff.
BEAT_SECONDS = 5.0
# /healthz reports the loop stalled when it has not moved for this long: longer than any
# single request (a few socket timeouts) plus a beat, so only a truly stuck loop trips it.
STALL_SECONDS = 120.0


class Stop(Protocol):
    """What the loop waits on: agent.stopping.StopSignal in the agent, a threading.Event in
    tests."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float) -> bool: ...


@dataclass
class LoopStatus:
    """What /healthz tells about the loop; written by the report loop, read by the probe
    server's thread (each field is replaced whole, so a reader never sees half a value)."""

    node_name: str
    clock: Callable[[], float] = time.monotonic
    last_beat: float = field(default_factory=time.monotonic)
    running: bool = False
    node_id: str | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    spool_depth: int = 0
    # The highest sample number this run has taken: compared with the control plane's lastSeq,
    # it shows how far behind the stored history is.
    last_seq: int | None = None
    heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL

    def beat(self) -> None:
        self.last_beat = self.clock()

    def alive(self) -> bool:
        return self.running and self.clock() - self.last_beat < STALL_SECONDS

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.alive() else "stalled",
            "nodeName": self.node_name,
            "nodeId": self.node_id,
            "registered": self.node_id is not None,
            "lastSuccessAt": self.last_success_at.isoformat() if self.last_success_at else None,
            "lastError": self.last_error,
            "spoolDepth": self.spool_depth,
            "lastSeq": self.last_seq,
            "heartbeatInterval": self.heartbeat_interval,
        }


class Reporter:
    def __init__(
        self,
        config: AgentConfig,
        client: ControlPlaneClient,
        registry: Registry,
        identities: IdentityStore,
        counter: SequenceCounter,
        spool: Spool,
        metrics: AgentMetrics,
        status: LoopStatus,
        stop: Stop,
        *,
        node_secret: str,
        on_secret: Callable[[str], None] = lambda _secret: None,
        agent_version: str | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._client = client
        self._registry = registry
        self._identities = identities
        self._counter = counter
        self._spool = spool
        self._metrics = metrics
        self._status = status
        self._stop = stop
        self._node_secret = node_secret
        self._on_secret = on_secret
        self._agent_version = agent_version
        self._rng = rng or random.Random()
        self._clock = clock
        self._backoff = Backoff(cap=config.backoff_max, rng=self._rng)
        self._identity: NodeIdentity | None = None
        # The identity in use was not obtained with the node secret: register to claim it.
        self._claim_pending = False
        # The last refusal of the node name that was logged as an error (logged once).
        self._name_refusal: str | None = None
        self._retry_at = 0.0
        self._heartbeat_interval = config.heartbeat_interval or DEFAULT_HEARTBEAT_INTERVAL
        self._resource_interval = config.resource_interval or DEFAULT_RESOURCE_INTERVAL
        self._batch_size = MAX_BATCH
        self._isolate_through: int | None = None
        self._status.spool_depth = spool.depth

    def run(self) -> None:
        """Report until the stop is set. A step under way then is finished first (a request
        waits at most its timeout), so its sample is delivered or spooled, never lost."""
        stop = self._stop
        self._status.running = True
        self._status.beat()
        self._resume_identity()
        # Registering first tells the counter where the stored history ends. A node name held
        # by another agent stays refused until an administrator acts: spool meanwhile.
        while self._identity is None and self._name_refusal is None and not stop.is_set():
            if not self._guarded(self._register):
                self._sleep_until(self._retry_at)
        next_tick = next_resources = self._clock()
        while not stop.is_set():
            self._status.beat()
            following = next_tick + jittered(self._heartbeat_interval, self._rng)
            self._guarded(self._heartbeat, following)
            if (
                not stop.is_set()
                and self._clock() >= next_resources
                and self._guarded(self._report_resources)
            ):
                next_resources = self._clock() + jittered(self._resource_interval, self._rng)
            next_tick = max(following, self._clock())
            self._sleep_until(next_tick)

    def _guarded(self, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """Run one step of the loop; a bug or a full disk must not end the agent."""
        try:
            return step(*args, **kwargs)
        except Exception:
            log.exception("unexpected error in the report loop")
            self._retry_at = self._clock() + self._backoff.next_delay()
            return None

    def say_goodbye(self, time_limit: float = 2.0) -> None:
        """A last heartbeat with shuttingDown=true, best effort within `time_limit` seconds
        of waiting on the control plane."""
        identity = self._identity
        if identity is None:
            return
        try:
            heartbeat = self._registry.heartbeat(self._next_seq(), shutting_down=True)
        except OSError as exc:
            log.info("no last heartbeat: could not take a sample (%s)", exc)
            return
        self._hold(heartbeat.sample)
        try:
            self._client.heartbeat(identity, heartbeat, time_limit=time_limit)
        except Invalid as exc:
            self._release()
            self._rejected(heartbeat.sample, exc)
        except ControlPlaneError as exc:
            log.info("last heartbeat not delivered (%s); its sample stays spooled", exc)
            self._keep_held()
        else:
            self._release()
            log.info("told the control plane this agent is shutting down")

    # -- registration ---------------------------------------------------------------------

    def _resume_identity(self) -> None:
        identity = self._identities.load(self._config.node_name, self._config.server_url)
        if identity is not None and not self._counter.found_on_disk:
            # Without its sequence file the counter starts again from the wall clock: above
            # all it sent before, unless the clock went back. Registering tells us the
            # control plane's last seq, to be sure.
            log.warning("sequence file missing: registering again to resume above the server's")
            identity = None
        if identity is None:
            return
        self._adopt(identity)
        log.info("resuming as node %s", identity.node_id)
        if not identity.claimed:
            log.info("registering again to tie the node name to this agent's node secret")
            self._claim_pending = True

    def _adopt(self, identity: NodeIdentity) -> None:
        self._on_secret(identity.node_token)
        self._identity = identity
        self._heartbeat_interval = self._shortest(
            identity.heartbeat_interval, self._config.heartbeat_interval
        )
        self._resource_interval = self._shortest(
            identity.resource_interval, self._config.resource_interval
        )
        self._status.node_id = identity.node_id
        self._status.heartbeat_interval = self._heartbeat_interval

    @staticmethod
    def _shortest(told: float, override: float | None) -> float:
        interval = min(told, override) if override else told
        return min(max(interval, 0.05), 86_400.0)

    def _register(self) -> bool:
        """Register with the join token and the node secret (idempotent for this agent);
        False means back off."""
        facts = self._registry.node_facts(self._config.node_name, self._agent_version)
        if facts is None:
            self._failed("cannot read the node's hardware facts; registration waits")
            return False
        try:
            result = self._client.register(
                self._config.join_token, NodeRegistration(facts, self._node_secret)
            )
        except ControlPlaneError as exc:
            if exc.status == 409:
                self._name_refused(exc)
            elif exc.status == 401:
                self._failed(f"the control plane refused the join token ({exc}); check it", exc)
            else:
                self._failed(f"registration failed: {exc}", exc)
            return False
        self._registered(result)
        return True

    def _name_refused(self, exc: ControlPlaneError) -> None:
        """The node name is registered to an agent with another node secret. Only an
        administrator can settle that, so it is an error, logged once per distinct refusal;
        the attempts after it back off as usual, quietly."""
        # A claim refused: the node token in hand was issued before node secrets and keeps
        # working until the control plane forgets it, so report with it meanwhile.
        meanwhile = (
            "reporting with the node token issued before node secrets until it is revoked"
            if self._claim_pending
            else "samples are spooled meanwhile"
        )
        self._claim_pending = False
        message = (
            f"the control plane refused node name {self._config.node_name!r} ({exc.status} "
            f"{exc.code}): it is registered to another agent, with another node secret; an "
            f"administrator must release the node (POST /api/v1/workers/{{id}}/release) or "
            f"delete it before this agent can register it; {meanwhile}"
        )
        if message != self._name_refusal:
            log.error("%s", message)
            self._name_refusal = message
        self._failed(message, exc, level=logging.DEBUG)

    def _registered(self, result: RegisterResult) -> None:
        identity = NodeIdentity(
            node_id=result.node_id,
            node_token=result.node_token,
            node_name=self._config.node_name,
            server_url=self._config.server_url,
            heartbeat_interval=result.heartbeat_interval,
            resource_interval=result.resource_interval,
            claimed=True,
        )
        self._claim_pending = False
        self._name_refusal = None
        self._on_secret(identity.node_token)
        try:
            self._identities.save(identity)
        except OSError as exc:
            log.error("could not store the node identity (%s); it lasts until restart", exc)
        self._counter.advance_past(result.last_seq)
        self._adopt(identity)
        self._metrics.registrations.inc()
        self._succeeded()
        log.info(
            "registered as node %s: heartbeat every %.1fs, resources every %.1fs, "
            "the control plane has samples up to seq %d",
            identity.node_id,
            self._heartbeat_interval,
            self._resource_interval,
            result.last_seq,
        )

    def _forget(self, exc: ControlPlaneError) -> None:
        log.warning("the control plane no longer knows this node or its token (%s)", exc)
        self._identity = None
        self._status.node_id = None
        self._identities.clear()
        self._register()

    # -- heartbeat, spool, resources --------------------------------------------------------

    def _heartbeat(self, deadline: float) -> None:
        """One heartbeat, or its sample spooled when it cannot be delivered now."""
        if (self._identity is None or self._claim_pending) and self._clock() >= self._retry_at:
            # Forgotten earlier and registering again failed then, or the node name is still
            # to be claimed with the node secret: try again before sampling.
            self._register()
        heartbeat = self._registry.heartbeat(self._next_seq())
        identity = self._identity
        if identity is None or self._clock() < self._retry_at:
            self._keep(heartbeat.sample)
            return
        self._hold(heartbeat.sample)
        try:
            result = self._client.heartbeat(identity, heartbeat)
        except Forgotten as exc:
            self._keep_held()
            self._forget(exc)
            return
        except Invalid as exc:
            self._release()
            self._rejected(heartbeat.sample, exc)
            return
        except ControlPlaneError as exc:
            self._metrics.heartbeats_failed.inc()
            self._keep_held()
            self._failed(f"heartbeat not delivered: {exc}", exc)
            return
        self._release()
        self._metrics.heartbeats_sent.inc()
        self._counter.advance_past(result.last_seq)
        self._succeeded()
        self._replay(deadline)

    def _replay(self, deadline: float) -> None:
        """Deliver spooled samples oldest first until the spool is empty, a request fails, the
        next heartbeat is due, or the agent is asked to stop."""
        if self._spool.depth:
            log.info("replaying %d spooled samples", self._spool.depth)
        while (
            self._spool.depth
            and self._identity is not None
            and self._clock() < deadline
            and not self._stop.is_set()
        ):
            self._status.beat()
            limit = 1 if self._isolate_through is not None else self._batch_size
            samples = self._spool.peek(limit)
            if not samples:
                self._spool.drop_through(0)
                continue
            try:
                self._client.telemetry(self._identity, telemetry_batch(samples))
            except Invalid as exc:
                if len(samples) > 1:
                    # The envelope does not say which sample is at fault: send them one by
                    # one until past this batch, then go back to full batches.
                    self._isolate_through = samples[-1].seq
                    continue
                self._spool.drop_through(samples[0].seq)
                self._rejected(samples[0], exc)
            except TooLarge as exc:
                if len(samples) == 1:
                    self._spool.drop_through(samples[0].seq)
                    self._rejected(samples[0], exc)
                else:
                    self._batch_size = max(1, len(samples) // 2)
                    log.info("batch too large; sending %d samples at a time", self._batch_size)
                continue
            except Forgotten as exc:
                self._forget(exc)
                return
            except ControlPlaneError as exc:
                self._failed(f"replay interrupted: {exc}", exc)
                return
            else:
                self._spool.drop_through(samples[-1].seq)
                self._metrics.samples_replayed.inc(len(samples))
                self._succeeded()
            finally:
                self._status.spool_depth = self._spool.depth
            if self._isolate_through is not None and samples[-1].seq >= self._isolate_through:
                self._isolate_through = None
        if not self._spool.depth:
            self._isolate_through = None

    def _report_resources(self) -> bool:
        """Send the pods' allocation if there is one; False means try again next tick."""
        identity = self._identity
        if not self._registry.reports_resources or identity is None:
            return True
        if self._clock() < self._retry_at:
            return False
        report = self._registry.resources()
        if report is None:
            return True
        try:
            self._client.resources(identity, report)
        except Forgotten as exc:
            self._forget(exc)
            return False
        except (Invalid, TooLarge) as exc:
            log.error("the control plane refused the resource report: %s", exc)
            return True
        except ControlPlaneError as exc:
            self._failed(f"resource report not delivered: {exc}", exc)
            return False
        self._succeeded()
        return True

    def _keep(self, sample: UsageSample) -> None:
        try:
            dropped = self._spool.append(sample)
        except OSError as exc:
            log.error("could not spool sample seq=%d, it is lost: %s", sample.seq, exc)
            return
        if dropped:
            self._metrics.spool_dropped.inc(dropped)
        self._status.spool_depth = self._spool.depth

    def _hold(self, sample: UsageSample) -> None:
        try:
            self._spool.hold(sample)
        except OSError as exc:
            # Without the write-ahead a kill mid-request loses this one sample; without the
            # heartbeat the node would look dead. Send it anyway.
            log.error("could not write ahead sample seq=%d: %s", sample.seq, exc)

    def _release(self) -> None:
        try:
            self._spool.release()
        except OSError as exc:
            log.warning("could not clear the in-flight sample (it may be sent twice): %s", exc)

    def _keep_held(self) -> None:
        try:
            dropped = self._spool.keep_held()
        except OSError as exc:
            log.error("could not spool the undelivered sample, it is lost: %s", exc)
            return
        if dropped:
            self._metrics.spool_dropped.inc(dropped)
        self._status.spool_depth = self._spool.depth

    def _rejected(self, sample: UsageSample, exc: ControlPlaneError) -> None:
        log.error("the control plane refused sample seq=%d for good, dropped: %s", sample.seq, exc)
        self._metrics.samples_rejected.inc()
        self._status.spool_depth = self._spool.depth

    def _next_seq(self) -> int:
        seq = self._counter.next()
        self._status.last_seq = seq
        return seq

    # -- outcomes ---------------------------------------------------------------------------

    def _succeeded(self) -> None:
        if self._backoff.failures:
            log.info("control plane reachable again")
        self._backoff.reset()
        self._retry_at = 0.0
        self._status.last_success_at = datetime.now(UTC)
        self._status.last_error = None
        self._metrics.last_success.set(time.time())

    def _failed(
        self, message: str, exc: ControlPlaneError | None = None, level: int = logging.WARNING
    ) -> None:
        delay = self._backoff.next_delay()
        if isinstance(exc, Unavailable) and exc.retry_after is not None:
            delay = max(delay, exc.retry_after)
        if isinstance(exc, Unavailable) and exc.outage:
            # Only unavailable (down, restarting, its database away): the node must keep
            # proving it is alive, or it is judged dead the moment the control plane can
            # listen again. So the next heartbeat tick tries again whatever the backoff or
            # Retry-After say (half an interval is always past by then, jitter included):
            # once per interval is no more than the load of a healthy fleet.
            delay = min(delay, self._heartbeat_interval / 2)
        self._retry_at = self._clock() + delay
        self._status.last_error = message
        log.log(level, "%s; next attempt in %.1fs (%d spooled)", message, delay, self._spool.depth)

    def _sleep_until(self, deadline: float) -> None:
        while (left := deadline - self._clock()) > 0 and not self._stop.wait(
            min(left, BEAT_SECONDS)
        ):
            self._status.beat()
