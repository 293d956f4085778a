"""What is wrong right now, each with the moment it began: the alerts' input.

Read from the state the platform already decided, never judged afresh: a node is down
when the health job holds it INACTIVE or NOT_READY (so the health job's own care, never
judging a silence it could not have heard, is inherited), an instance when it is FAILED,
the fleet when the eviction step's disruption rule says so. A job fails "repeatedly"
after `JOB_FAILURES` runs in a row failed on the leader that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from controlplane.services.apps import disruption, instances
from controlplane.services.fleet import workers

NODE_DOWN = "node.down"
INSTANCE_FAILED = "instance.failed"
FLEET_DISRUPTED = "fleet.disrupted"
JOB_FAILING = "job.failing"
# The fewest serving nodes for "most of the fleet went silent at once" to say more than
# "these nodes are down": with fewer, each node is its own alert.
DISRUPTION_MIN_NODES = 3
# Runs in a row that failed before a job counts as failing (one failure is a blip the
# next run usually repairs).
JOB_FAILURES = 3


@dataclass(frozen=True)
class Condition:
    kind: str
    subject: str
    subject_name: str
    since: datetime
    detail: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.subject)


@dataclass
class JobFailures:
    """The leader's jobs' runs that failed in a row, kept by the job runner. In memory: a
    new leader starts counting afresh (the alert, once fired, is in the database)."""

    _streaks: dict[str, tuple[int, datetime, str]] = field(default_factory=dict)

    def failed(self, job: str, error: str, at: datetime) -> None:
        count, since, _ = self._streaks.get(job, (0, at, ""))
        self._streaks[job] = (count + 1, since, error[:300])

    def succeeded(self, job: str) -> None:
        self._streaks.pop(job, None)

    def failing(self) -> list[Condition]:
        return [
            Condition(JOB_FAILING, job, job, since, f"{count} runs in a row failed: {error}")
            for job, (count, since, error) in self._streaks.items()
            if count >= JOB_FAILURES
        ]


async def current(jobs: JobFailures, disruption_threshold: float, now: datetime) -> list[Condition]:
    """Every condition now; the fleet's disruption has no start of its own on record, so
    it counts from `now`, the first look (an open alert keeps the first look's time)."""
    found = [
        Condition(
            NODE_DOWN,
            str(node.id),
            node.name,
            node.since,
            f"{node.status.value}: {node.reason}" if node.reason else node.status.value,
        )
        for node in await workers.troubled()
    ]
    found += [
        Condition(INSTANCE_FAILED, str(i.id), i.namespace, i.since, i.reason)
        for i in await instances.failed()
    ]
    health = await disruption.fleet_health(disruption_threshold)
    if health.disrupted and health.nodes >= DISRUPTION_MIN_NODES:
        found.append(
            Condition(
                FLEET_DISRUPTED,
                "fleet",
                "the fleet",
                now,
                f"{health.inactive} of {health.nodes} nodes INACTIVE: evictions paused",
            )
        )
    return found + jobs.failing()
