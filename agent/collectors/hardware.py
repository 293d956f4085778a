"""Hardware and OS facts of the node, collected once: cores, memory, storage, OS, address."""

import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import psutil

from agent.collectors.host import HostPaths
from shared.units import bytes_to_mb

# uname machine names → Kubernetes GOARCH names (what `kubernetes.io/arch` labels say).
GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "arm",
    "armv6l": "arm",
    "i386": "386",
    "i686": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}

Interfaces = Callable[[], Mapping[str, Sequence[str]]]


@dataclass(frozen=True)
class Hardware:
    hostname: str
    ip_address: str
    cpu_cores: int
    cpu_architecture: str
    total_memory: int
    total_storage: int
    architecture: str
    operating_system: str
    os_image: str | None
    kernel_version: str | None


def ipv4_addresses() -> dict[str, list[str]]:
    """IPv4 addresses per interface of this network namespace (the host's with hostNetwork)."""
    return {
        name: [a.address for a in addrs if a.family == socket.AF_INET]
        for name, addrs in psutil.net_if_addrs().items()
    }


def parse_cpu_list(text: str) -> int:
    """How many CPUs a kernel cpu list such as "0-3,6,8-9" names."""
    count = 0
    for part in text.strip().split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        count += int(high or low) - int(low) + 1
    return count


def parse_os_release(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            fields[key] = value.strip().strip("\"'")
    return fields


def default_route_interface(route_table: str) -> str | None:
    """The interface of the IPv4 default route in /proc/net/route, if there is one."""
    best: tuple[int, str] | None = None
    for line in route_table.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 7 and cols[1] == "00000000" and int(cols[3], 16) & 0x1:
            metric = int(cols[6])
            if best is None or metric < best[0]:
                best = (metric, cols[0])
    return best[1] if best else None


class HardwareCollector:
    name = "hardware"

    def __init__(self, host: HostPaths, interfaces: Interfaces = ipv4_addresses) -> None:
        self._host = host
        self._interfaces = interfaces

    def collect(self) -> Hardware:
        self._host.point_psutil_here()
        machine = (self._host.proc_file("sys/kernel/arch") or os.uname().machine).strip()
        release = self._host.root_file("etc/os-release") or self._host.root_file(
            "usr/lib/os-release"
        )
        os_release = parse_os_release(release or "")
        kernel = self._host.proc_file("sys/kernel/osrelease")
        return Hardware(
            hostname=self._hostname(),
            ip_address=self._ip_address(),
            cpu_cores=self._cpu_cores(),
            cpu_architecture=machine,
            total_memory=bytes_to_mb(psutil.virtual_memory().total),
            total_storage=bytes_to_mb(psutil.disk_usage(str(self._host.root)).total),
            architecture=GOARCH.get(machine, machine),
            operating_system=os_release.get("NAME") or "Linux",
            os_image=os_release.get("PRETTY_NAME") or None,
            kernel_version=kernel.strip() if kernel else None,
        )

    def _hostname(self) -> str:
        # /proc/sys/kernel/hostname is the UTS namespace of the reader: the host's when the
        # pod shares the host network (and with it the host's hostname).
        for text in (
            self._host.proc_file("sys/kernel/hostname"),
            self._host.root_file("etc/hostname"),
        ):
            if text and text.strip():
                return text.strip()
        return socket.gethostname()

    def _cpu_cores(self) -> int:
        online = self._host.sys_file("devices/system/cpu/online")
        if online and online.strip():
            return parse_cpu_list(online)
        cpuinfo = self._host.proc_file("cpuinfo") or ""
        processors = sum(1 for line in cpuinfo.splitlines() if line.startswith("processor"))
        return processors or os.cpu_count() or 1

    def _ip_address(self) -> str:
        addresses = self._interfaces()
        iface = default_route_interface(self._host.proc_file("net/route") or "")
        if iface and addresses.get(iface):
            return addresses[iface][0]
        for name, addrs in sorted(addresses.items()):
            for address in addrs:
                if name != "lo" and not address.startswith("127."):
                    return address
        return "127.0.0.1"
