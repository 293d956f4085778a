"""Node health conditions judged on the node itself, for when Kubernetes is not there to say."""

from agent.collectors.usage import Usage
from agent.wire import NodeCondition

# The kubelet's default hard eviction thresholds are memory.available<100Mi and
# nodefs.available<10%; percentages keep the rule meaningful on any node size.
DISK_PRESSURE_USED_PERCENT = 90.0
MEMORY_PRESSURE_AVAILABLE_PERCENT = 5.0


def local_conditions(usage: Usage | None) -> list[NodeCondition]:
    """Ready (the agent runs) plus the pressures usage shows; no pressure is claimed when usage
    could not be read, since a mount problem of the agent says nothing about the node."""
    if usage is None:
        return [
            NodeCondition(
                type="Ready", status=True, reason="AgentReporting", message="usage unreadable"
            )
        ]
    disk = usage.disk_used_percent > DISK_PRESSURE_USED_PERCENT
    memory = usage.memory_available_percent < MEMORY_PRESSURE_AVAILABLE_PERCENT
    return [
        NodeCondition(type="Ready", status=True, reason="AgentReporting"),
        NodeCondition(
            type="MemoryPressure",
            status=memory,
            reason="LowMemoryAvailable" if memory else "MemoryAvailable",
            message=f"{usage.memory_available_percent:.1f}% of memory available",
        ),
        NodeCondition(
            type="DiskPressure",
            status=disk,
            reason="RootDiskFull" if disk else "RootDiskHasSpace",
            message=f"{usage.disk_used_percent:.1f}% of the root filesystem used",
        ),
    ]
