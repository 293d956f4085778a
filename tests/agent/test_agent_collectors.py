"""Collectors read fixture trees of /proc, /sys and / as they would read a host's mounts."""

import os
import shutil
from pathlib import Path

import psutil
import pytest

from agent.collectors.hardware import HardwareCollector, ipv4_addresses, parse_cpu_list
from agent.collectors.host import HostPaths
from agent.collectors.usage import UsageCollector
from agent.conditions import local_conditions

FIXTURES = Path(__file__).parent / "fixtures"


def host(name: str) -> HostPaths:
    tree = FIXTURES / name
    return HostPaths(proc=tree / "proc", sys=tree / "sys", root=tree / "root")


def interfaces() -> dict[str, list[str]]:
    return {"lo": ["127.0.0.1"], "eth0": ["10.0.10.7"], "eth1": ["192.168.1.20"], "wlan0": []}


@pytest.fixture(autouse=True)
def _restore_procfs_path():
    # Collectors point psutil at the host's /proc; later tests must find it where it was.
    before = psutil.PROCFS_PATH
    yield
    psutil.PROCFS_PATH = before


def test_hardware_facts_come_from_the_host_trees():
    hw = HardwareCollector(host("host-amd64"), interfaces=interfaces).collect()

    assert hw.cpu_cores == 4  # /sys says 0-3 although /proc/cpuinfo lists two
    assert hw.cpu_architecture == "x86_64"
    assert hw.architecture == "amd64"
    assert hw.total_memory == 16384000 // 1024
    assert hw.operating_system == "Ubuntu"
    assert hw.os_image == "Ubuntu 22.04.4 LTS"
    assert hw.kernel_version == "6.1.0-18-amd64"
    assert hw.hostname == "worker-7"
    # Two default routes: the one with the lower metric (eth0) carries the node's address.
    assert hw.ip_address == "10.0.10.7"
    root_total = psutil.disk_usage(str(FIXTURES / "host-amd64" / "root")).total
    assert hw.total_storage == root_total // (1024 * 1024)


def test_arm_host_without_cpu_list_counts_processors_and_reads_usr_lib_os_release():
    hw = HardwareCollector(host("host-arm64"), interfaces=interfaces).collect()

    assert hw.cpu_cores == 6
    assert hw.cpu_architecture == "aarch64"
    assert hw.architecture == "arm64"
    assert hw.total_memory == 4000
    assert hw.os_image == "Debian GNU/Linux 12 (bookworm)"
    assert hw.hostname == "pi-node"


def test_without_a_default_route_the_first_non_loopback_address_is_used():
    hw = HardwareCollector(host("host-arm64"), interfaces=interfaces).collect()

    assert hw.ip_address == "10.0.10.7"


def test_hardware_of_this_machine_counts_every_cpu():
    real = HostPaths(proc=Path("/proc"), sys=Path("/sys"), root=Path("/"))

    hw = HardwareCollector(real).collect()

    assert hw.cpu_cores == os.cpu_count()
    assert hw.total_memory == psutil.virtual_memory().total // (1024 * 1024)
    assert hw.ip_address in {a for addrs in ipv4_addresses().values() for a in addrs} | {
        "127.0.0.1"
    }


def test_cpu_lists_with_ranges_and_singles_are_counted():
    assert parse_cpu_list("0-3,6,8-9\n") == 7
    assert parse_cpu_list("0") == 1


def test_usage_reads_memory_load_and_root_disk_of_the_host():
    root = str(FIXTURES / "host-amd64" / "root")
    before = psutil.disk_usage(root).used // (1024 * 1024)
    usage = UsageCollector(host("host-amd64")).collect()
    after = psutil.disk_usage(root).used // (1024 * 1024)

    # total - available: page cache the kernel can reclaim is not counted as used.
    assert usage.memory_used == (16384000 - 8192000) // 1024
    assert usage.memory_available_percent == 50.0
    assert (usage.load1, usage.load5, usage.load15) == (1.5, 0.75, 0.25)
    # The fixture's root sits on this machine's live disk, which the tests running beside
    # this one write to: the reading falls between a reading just before and one just after
    # (with a few MB for a file written and removed in between).
    assert min(before, after) - 16 <= usage.disk_used <= max(before, after) + 16


def test_cpu_percent_is_the_busy_share_between_two_readings(tmp_path):
    shutil.copytree(FIXTURES / "host-amd64", tmp_path, dirs_exist_ok=True)
    paths = HostPaths(proc=tmp_path / "proc", sys=tmp_path / "sys", root=tmp_path / "root")
    collector = UsageCollector(paths)
    first = collector.collect()
    stat = paths.proc / "stat"
    # 300 ticks busy (user) and 700 idle later: 30% busy in between.
    stat.write_text(
        stat.read_text().replace("cpu  10000 500 3000 80000", "cpu  10300 500 3000 80700", 1)
    )

    second = collector.collect()

    assert first.cpu_percent == pytest.approx(100 * 14100 / 95100, abs=0.01)
    assert second.cpu_percent == pytest.approx(30.0)


def test_memory_pressure_when_less_than_5_percent_is_available():
    usage = UsageCollector(host("host-arm64")).collect()

    conditions = {c.type: c.status for c in local_conditions(usage)}

    assert conditions == {"Ready": True, "MemoryPressure": True, "DiskPressure": False}


def test_healthy_host_reports_ready_without_pressure():
    usage = UsageCollector(host("host-amd64")).collect()

    conditions = {c.type: c.status for c in local_conditions(usage)}

    assert conditions == {"Ready": True, "MemoryPressure": False, "DiskPressure": False}
