"""Units on the wire: memory and storage in MB (MiB), CPU in cores (float)."""

import re
from collections.abc import Mapping

BYTES_PER_MB = 1024 * 1024


def bytes_to_mb(n: int | float) -> int:
    """Whole MB, rounded down: we never report capacity we do not have."""
    return int(n // BYTES_PER_MB)


def millicores_to_cores(m: int | float) -> float:
    return round(float(m) / 1000.0, 3)


# The seed API wrote amounts as text ("1 vCPU", "1GB RAM", "10GB SSD"). We read
# those, always in binary multiples: our MB is a MiB, so "1GB" is 1024 MB.
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*([a-z]*)\s*$", re.IGNORECASE)
_CORES_PER: Mapping[str, float] = {
    **dict.fromkeys(("", "vcpu", "vcpus", "cpu", "cpus", "core", "cores"), 1.0),
    "m": 0.001,  # millicores, as Kubernetes writes them
}
_MB_PER: Mapping[str, float] = {
    **dict.fromkeys(("", "m", "mb", "mi", "mib"), 1),
    **dict.fromkeys(("g", "gb", "gi", "gib"), 1024),
    **dict.fromkeys(("t", "tb", "ti", "tib"), 1024**2),
}
# What a size is for ("RAM", "SSD"): the seed wrote it after the unit; it changes nothing.
_MEDIA = frozenset({"", "ram", "memory", "ssd", "hdd", "nvme", "disk", "storage"})


def _amount(text: str, per: Mapping[str, float], media: frozenset[str], example: str) -> float:
    match = _AMOUNT.match(text)
    if match is None or match[2].lower() not in per or match[3].lower() not in media:
        raise ValueError(f"{text!r} is not an amount such as {example}")
    return float(match[1]) * per[match[2].lower()]


def parse_cores(text: str) -> float:
    """CPU cores from "1 vCPU", "2 cores", "500m" (millicores) or a bare number."""
    return round(_amount(text, _CORES_PER, frozenset({""}), '"1 vCPU" or "500m"'), 3)


def parse_mb(text: str) -> int:
    """Whole MB, rounded down, from "1GB RAM", "10GB SSD", "512MB", "1.5 GiB" or a bare number."""
    return int(_amount(text, _MB_PER, _MEDIA, '"1GB RAM", "10GB SSD" or "512MB"'))
