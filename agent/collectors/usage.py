"""What the node is using right now, read at each heartbeat: CPU, memory, root disk, load."""

from dataclasses import dataclass

import psutil

from agent.collectors.host import HostPaths
from shared.units import bytes_to_mb


@dataclass(frozen=True)
class Usage:
    cpu_percent: float
    memory_used: int
    memory_available_percent: float
    disk_used: int
    disk_used_percent: float
    load1: float
    load5: float
    load15: float


@dataclass(frozen=True)
class CpuTimes:
    busy: float
    total: float


def read_cpu_times() -> CpuTimes:
    """Busy and total CPU seconds since boot, counted as psutil.cpu_percent counts them."""
    t = psutil.cpu_times()
    # guest time is already inside user/nice on Linux; counting it again would inflate both.
    total = sum(t) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
    idle = t.idle + getattr(t, "iowait", 0.0)
    return CpuTimes(busy=total - idle, total=total)


def cpu_percent_between(before: CpuTimes | None, after: CpuTimes) -> float:
    """Busy share of all CPUs between two readings (since boot when there is no earlier one)."""
    busy, total = after.busy, after.total
    if before is not None:
        busy, total = busy - before.busy, total - before.total
    if total <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * busy / total)), 2)


def parse_loadavg(text: str) -> tuple[float, float, float]:
    one, five, fifteen = (float(v) for v in text.split()[:3])
    return one, five, fifteen


class UsageCollector:
    name = "usage"

    def __init__(self, host: HostPaths) -> None:
        self._host = host
        self._last_cpu: CpuTimes | None = None

    def collect(self) -> Usage:
        self._host.point_psutil_here()
        cpu = read_cpu_times()
        cpu_percent = cpu_percent_between(self._last_cpu, cpu)
        self._last_cpu = cpu
        memory = psutil.virtual_memory()
        disk = psutil.disk_usage(str(self._host.root))
        # psutil.getloadavg() asks the running kernel, not the mounted /proc: read the file.
        load = parse_loadavg(self._host.proc_file("loadavg") or "0 0 0")
        return Usage(
            cpu_percent=cpu_percent,
            # total - available, not psutil's `used`: page cache the kernel can drop on demand
            # is not memory the node is short of.
            memory_used=bytes_to_mb(max(0, memory.total - memory.available)),
            memory_available_percent=round(100.0 * memory.available / memory.total, 2)
            if memory.total
            else 0.0,
            disk_used=bytes_to_mb(disk.used),
            disk_used_percent=float(disk.percent),
            load1=load[0],
            load5=load[1],
            load15=load[2],
        )
